//! The path prompt of an import: editing the path, and completing file names from the
//! folder's entries (listed off the loop, through an effect).

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::PathNote;
use crate::app::{App, Effect, Overlay};

/// One entry of a listed folder (for completion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntryName {
    /// The file name.
    pub name: String,
    /// Whether it is a folder (completion adds a `/`).
    pub dir: bool,
}

/// The result of completing a path against the entries of its folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    /// Nothing matches.
    NoMatch,
    /// One name matches: the completed path (folders end with `/`).
    Unique(String),
    /// Several names match: the path extended as far as they agree, and the names.
    Several(String, Vec<String>),
}

/// Split a typed path into the folder to list (as typed, `.` for none) and the start of the
/// file name to complete.
pub fn completion_dir(input: &str) -> (PathBuf, &str) {
    match input.rfind('/') {
        Some(0) => (PathBuf::from("/"), &input[1..]),
        Some(i) => (PathBuf::from(&input[..i]), &input[i + 1..]),
        None => (PathBuf::from("."), input),
    }
}

/// Complete `input` with the entries of its folder: a unique match in full, several as far
/// as their names agree (the longest common prefix). Hidden names are offered only when the
/// typed name starts with a dot.
pub fn complete(input: &str, entries: &[DirEntryName]) -> Completion {
    let (_, prefix) = completion_dir(input);
    let base = &input[..input.len() - prefix.len()];
    let mut matches: Vec<&DirEntryName> = entries
        .iter()
        .filter(|e| e.name.starts_with(prefix))
        .filter(|e| prefix.starts_with('.') || !e.name.starts_with('.'))
        .collect();
    matches.sort_by(|a, b| a.name.cmp(&b.name));
    match matches.as_slice() {
        [] => Completion::NoMatch,
        [one] => Completion::Unique(format!(
            "{base}{}{}",
            one.name,
            if one.dir { "/" } else { "" }
        )),
        [first, rest @ ..] => {
            let mut common = first.name.as_str();
            for m in rest {
                let n = common
                    .char_indices()
                    .zip(m.name.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(common.len().min(m.name.len()), |((i, _), _)| i);
                common = &common[..n];
            }
            let names = matches
                .iter()
                .map(|m| format!("{}{}", m.name, if m.dir { "/" } else { "" }))
                .collect();
            Completion::Several(format!("{base}{common}"), names)
        }
    }
}

impl App {
    /// A key while the path prompt is open: edit the path.
    pub(in crate::app) fn path_input(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let path = &mut self.import.path;
        match key.code {
            KeyCode::Char('u') if ctrl => path.clear(),
            KeyCode::Char('w') if ctrl => {
                // Back to the previous `/` (the folder stays when the name is gone).
                let trimmed = path.strip_suffix('/').unwrap_or(path);
                let keep = trimmed.rfind('/').map_or(0, |i| i + 1);
                path.truncate(keep);
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                path.push(c);
            }
            KeyCode::Backspace => {
                path.pop();
            }
            _ => return Vec::new(),
        }
        self.import.generation += 1;
        self.import.note = PathNote::None;
        Vec::new()
    }

    /// Pasted text in the path prompt (one line: a path never holds a newline).
    pub(in crate::app) fn path_paste(&mut self, text: &str) -> Vec<Effect> {
        let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        self.import.path.push_str(line.trim());
        self.import.generation += 1;
        self.import.note = PathNote::None;
        Vec::new()
    }

    pub(in crate::app) fn start_completion(&mut self) -> Vec<Effect> {
        self.import.generation += 1;
        self.import.note = PathNote::Listing;
        let (dir, _) = completion_dir(&self.import.path);
        vec![Effect::ListDir {
            generation: self.import.generation,
            dir,
        }]
    }

    pub(in crate::app) fn on_dir_listed(
        &mut self,
        generation: u64,
        result: Result<Vec<DirEntryName>, String>,
    ) -> Vec<Effect> {
        if generation != self.import.generation
            || !matches!(self.overlay, Some(Overlay::ImportPath))
        {
            return Vec::new();
        }
        self.import.note = match result.map(|entries| complete(&self.import.path, &entries)) {
            Err(e) => PathNote::Error(e),
            Ok(Completion::NoMatch) => PathNote::Error("no file name starts like this".into()),
            Ok(Completion::Unique(path)) => {
                self.import.path = path;
                PathNote::None
            }
            Ok(Completion::Several(path, names)) => {
                self.import.path = path;
                PathNote::Candidates(names)
            }
        };
        Vec::new()
    }
}
