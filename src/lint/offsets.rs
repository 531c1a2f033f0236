//! A session's templates are linted as runs see them, with the CloudFormation `${Name}`
//! placeholders an import kept replaced by the session's `[values]`
//! ([`crate::session::Session::api_for_run`]); findings are reported in the text as written.
//! [`Shift`] maps offsets of the substituted text back.

use indexmap::IndexMap;

/// The replacements made in a text: `(old_start, old_end, new_start, new_end)`, in order.
pub(super) struct Shift {
    pieces: Vec<(usize, usize, usize, usize)>,
}

impl Shift {
    /// How `written` became `run` under `values` (as [`crate::session::Session`]
    /// substitutes templates). `None` when the two are the same text, or when `run` is not
    /// what the substitution gives (then offsets are used as they are).
    pub fn between(written: &str, run: &str, values: &IndexMap<String, String>) -> Option<Shift> {
        if written == run {
            return None;
        }
        let mut out = String::with_capacity(run.len());
        let mut pieces = Vec::new();
        let mut i = 0;
        while let Some(off) = written[i..].find("${") {
            let start = i + off;
            out.push_str(&written[i..start]);
            let Some(len) = written[start..].find('}') else {
                i = start;
                break;
            };
            let end = start + len + 1;
            let name = &written[start + 2..end - 1];
            let new = match values.get(name) {
                Some(v) if !v.is_empty() && !name.starts_with("stageVariables.") => v.clone(),
                Some(_) => format!("${{{name}::set-under-values}}"),
                None => written[start..end].to_string(),
            };
            let new_start = out.len();
            out.push_str(&new);
            if new != written[start..end] {
                pieces.push((start, end, new_start, out.len()));
            }
            i = end;
        }
        out.push_str(&written[i..]);
        (out == run).then_some(Shift { pieces })
    }

    /// The offset in the written text of `offset` in the run text (a place inside a
    /// replaced placeholder maps to the placeholder's start).
    pub fn back(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for &(old_start, old_end, new_start, new_end) in &self.pieces {
            if offset < new_start {
                break;
            }
            if offset < new_end {
                return old_start;
            }
            delta = old_end.cast_signed() - new_end.cast_signed();
        }
        offset.saturating_add_signed(delta)
    }

    /// Whether `start..end` of the run text touches a replaced placeholder.
    pub fn touches(&self, start: usize, end: usize) -> bool {
        self.pieces
            .iter()
            .any(|&(_, _, s, e)| start < e && end > s || (start == end && start > s && start < e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_across_placeholders() {
        let values: IndexMap<String, String> = [
            ("Table".to_string(), "pets-table".to_string()),
            ("Empty".to_string(), String::new()),
        ]
        .into_iter()
        .collect();
        let written = "{\"t\": \"${Table}\", \"e\": \"${Empty}\", \"v\": \"${velocity}\" $x}";
        let run = "{\"t\": \"pets-table\", \"e\": \"${Empty::set-under-values}\", \"v\": \"${velocity}\" $x}";
        let s = Shift::between(written, run, &values).unwrap();
        let x_run = run.find("$x").unwrap();
        assert_eq!(s.back(x_run), written.find("$x").unwrap());
        assert_eq!(
            s.back(run.find("pets").unwrap() + 2),
            written.find("${Table}").unwrap()
        );
        assert_eq!(s.back(3), 3);
        assert!(s.touches(run.find("pets").unwrap(), run.find("pets").unwrap() + 1));
        assert!(!s.touches(x_run, x_run + 2));
        assert!(Shift::between("a", "a", &values).is_none());
        assert!(Shift::between(written, "other", &values).is_none());
    }
}
