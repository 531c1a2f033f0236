//! Marking what differs between the types: each field of a finished column is compared with
//! the same field in the other finished columns that have its half (a backend field with the
//! columns that sent an endpoint request; MOCK's rendered body with the bodies the others
//! sent), and the column's text is composed with a marker in front of each row:
//!
//! - `≠` every column has the field, and another has a different value;
//! - `+` the field is in this column and missing from another;
//! - nothing: the same everywhere (values that change from run to run, request ids, count as
//!   the same).
//!
//! Under a marked row, a line names the types it differs in, or that lack it.

use std::collections::HashMap;

use crate::app::view_model::Tok;
use crate::app::view_model::body::StyledText;
use crate::gateway::api::IntegrationType;

use super::column::{ColumnLayout, FieldKey, Section};

/// How a field compares with the other types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// The same in every column that has its half.
    Same,
    /// Present everywhere, different values.
    Differs,
    /// Present here, missing from another column.
    NotEverywhere,
}

impl Mark {
    /// The two-cell gutter in front of a row.
    pub fn gutter(self) -> &'static str {
        match self {
            Mark::Same => "  ",
            Mark::Differs => "≠ ",
            Mark::NotEverywhere => "+ ",
        }
    }
}

/// A row's mark and the types it is about (those with another value, or without the field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowMark {
    /// The mark.
    pub mark: Mark,
    /// The other types concerned.
    pub others: Vec<IntegrationType>,
}

impl RowMark {
    const SAME: RowMark = RowMark {
        mark: Mark::Same,
        others: Vec::new(),
    };
}

/// Whether a column takes part in comparing `key`.
fn in_scope(c: &ColumnLayout, key: &FieldKey) -> bool {
    match key.section {
        Section::Client => c.status != 0,
        Section::Backend if key.name == "body" => c.called || c.rendered_only,
        Section::Backend => c.called,
    }
}

/// The mark of every row of every column (empty for columns still running), by column and
/// row index.
pub fn marks(columns: &[Option<&ColumnLayout>]) -> Vec<Vec<RowMark>> {
    // For each field: the values of the columns that have it.
    let mut seen: HashMap<&FieldKey, Vec<(usize, Option<u64>)>> = HashMap::new();
    for (i, c) in columns.iter().enumerate() {
        let Some(c) = c else { continue };
        for r in &c.rows {
            if let Some(k) = &r.key {
                seen.entry(k).or_default().push((i, r.value));
            }
        }
    }
    columns
        .iter()
        .enumerate()
        .map(|(me, c)| {
            let Some(c) = c else { return Vec::new() };
            c.rows
                .iter()
                .map(|r| {
                    let Some(k) = &r.key else {
                        return RowMark::SAME;
                    };
                    let scope: Vec<usize> = columns
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| o.is_some_and(|o| in_scope(o, k)))
                        .map(|(i, _)| i)
                        .collect();
                    if scope.len() < 2 {
                        return RowMark::SAME;
                    }
                    let values = seen.get(k).map_or(&[][..], Vec::as_slice);
                    let kind = |i: usize| columns[i].map(|o| o.kind);
                    let missing: Vec<IntegrationType> = scope
                        .iter()
                        .filter(|&&i| !values.iter().any(|(j, _)| *j == i))
                        .filter_map(|&i| kind(i))
                        .collect();
                    if !missing.is_empty() {
                        return RowMark {
                            mark: Mark::NotEverywhere,
                            others: missing,
                        };
                    }
                    // A value that changes from run to run (a request id) is never a
                    // difference; nor is a header sent twice with this value among them.
                    let Some(mine) = r.value else {
                        return RowMark::SAME;
                    };
                    let differing: Vec<IntegrationType> = scope
                        .iter()
                        .filter(|&&i| i != me)
                        .filter(|&&i| {
                            !values
                                .iter()
                                .any(|(j, v)| *j == i && v.is_none_or(|v| v == mine))
                        })
                        .filter_map(|&i| kind(i))
                        .collect();
                    if differing.is_empty() {
                        RowMark::SAME
                    } else {
                        RowMark {
                            mark: Mark::Differs,
                            others: differing,
                        }
                    }
                })
                .collect()
        })
        .collect()
}

/// A column's text with its rows marked: the marker's gutter in front of each row's first
/// line, two spaces in front of the others; under a marked row's first line, which types
/// differ (`differs in AWS_PROXY, HTTP_PROXY`) or lack the field (`not in MOCK`).
pub fn compose(c: &ColumnLayout, marks: &[RowMark]) -> StyledText {
    let mut out = StyledText::default();
    let same = RowMark::SAME;
    for (i, r) in c.rows.iter().enumerate() {
        let mark = marks.get(i).unwrap_or(&same);
        for (n, l) in r.lines.lines_from(0).enumerate() {
            let gutter = if n == 0 { mark.mark.gutter() } else { "  " };
            let shift = gutter.len();
            let mut toks: Vec<(std::ops::Range<usize>, Tok)> = l
                .toks
                .iter()
                .map(|&(s, e, t)| (s as usize + shift..e as usize + shift, t))
                .collect();
            if n == 0 && mark.mark != Mark::Same {
                toks.push((0..shift, Tok::Changed));
            }
            out.push_line(&format!("{gutter}{}", l.text), &toks);
            if n == 0 && mark.mark != Mark::Same {
                let names: Vec<&str> = mark.others.iter().map(|k| k.as_str()).collect();
                let what = if mark.mark == Mark::Differs {
                    "differs in"
                } else {
                    "not in"
                };
                let note = format!("  ({what} {})", names.join(", "));
                out.push_line(&note, &[(0..note.len(), Tok::Changed)]);
            }
        }
    }
    out
}
