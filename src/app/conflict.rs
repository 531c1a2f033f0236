//! A save that found the session file changed on disk since it was opened (another editor, a
//! `git checkout`): what differs, for the question "overwrite it?". Nothing is written until
//! the answer is yes; the edits stay in the workbench (and in the autosave copy) either way.

use std::path::PathBuf;

/// Lines of the difference kept for the question, which scrolls them (the rest is counted).
const SHOWN_LINES: usize = 400;

/// The file on disk against what the save would write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveConflict {
    /// The session file.
    pub path: PathBuf,
    /// The edit revision the refused save held.
    pub revision: u64,
    /// Lines only in what the save would write.
    pub added: usize,
    /// Lines only in the file on disk.
    pub removed: usize,
    /// The first lines of the difference, each `+ ` (ours), `- ` (the file's) or `@@` (a
    /// jump), at most [`SHOWN_LINES`].
    pub lines: Vec<String>,
}

impl SaveConflict {
    /// Compare the file's text (`disk`) with what the save would write (`ours`). A file that
    /// is still a valid session is compared as the save would write it, so the settings that
    /// differ show rather than the layout (comments and layout are not compared then).
    pub fn new(path: PathBuf, revision: u64, disk: &str, ours: &str) -> SaveConflict {
        use similar::{ChangeTag, TextDiff};
        // Both sides as the plain serialisation, when both are sessions (the save keeps the
        // file's layout, so `ours` may be in either form).
        let normal = |text: &str| {
            crate::session::Session::from_toml(text, &path)
                .ok()
                .and_then(|s| s.to_toml().ok())
        };
        let (disk_n, ours_n) = match (normal(disk), normal(ours)) {
            (Some(d), Some(o)) => (Some(d), Some(o)),
            _ => (None, None),
        };
        let disk = disk_n.as_deref().unwrap_or(disk);
        let ours = ours_n.as_deref().unwrap_or(ours);
        let diff = TextDiff::from_lines(disk, ours);
        let (mut added, mut removed) = (0, 0);
        let mut lines = Vec::new();
        for group in diff.grouped_ops(0) {
            if !lines.is_empty() && lines.len() < SHOWN_LINES {
                lines.push("@@".to_string());
            }
            for op in group {
                for change in diff.iter_changes(&op) {
                    let mark = match change.tag() {
                        ChangeTag::Insert => {
                            added += 1;
                            '+'
                        }
                        ChangeTag::Delete => {
                            removed += 1;
                            '-'
                        }
                        ChangeTag::Equal => continue,
                    };
                    if lines.len() < SHOWN_LINES {
                        let text = change.value().trim_end_matches(['\n', '\r']);
                        lines.push(format!("{mark} {text}"));
                    }
                }
            }
        }
        SaveConflict {
            path,
            revision,
            added,
            removed,
            lines,
        }
    }

    /// "1 line only in the file, 2 lines only in your edits", for the dialog.
    pub fn summary(&self) -> String {
        if self.added + self.removed == 0 {
            return "its settings equal your edits: only comments or layout differ".into();
        }
        let n = |k: usize| {
            if k == 1 {
                "1 line".to_string()
            } else {
                format!("{k} lines")
            }
        };
        format!(
            "{} only in the file, {} only in your edits",
            n(self.removed),
            n(self.added)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_shows_the_difference() {
        let disk = "a = 1\nb = 2\nc = 3\n";
        let ours = "a = 1\nb = 20\nc = 3\nd = 4\n";
        let c = SaveConflict::new(PathBuf::from("s.toml"), 7, disk, ours);
        assert_eq!((c.added, c.removed), (2, 1));
        assert_eq!(c.lines, ["- b = 2", "+ b = 20", "@@", "+ d = 4"]);
        assert_eq!(
            c.summary(),
            "1 line only in the file, 2 lines only in your edits"
        );
    }

    #[test]
    fn a_valid_session_is_compared_by_its_settings() {
        let s = crate::session::Session::builtin_default();
        let ours = s.to_toml().unwrap();
        let theirs = format!("# a comment\n{ours}\n\n# another one\n");
        let c = SaveConflict::new(PathBuf::from("s.toml"), 1, &theirs, &ours);
        assert_eq!((c.added, c.removed), (0, 0), "{:?}", c.lines);
        assert!(c.summary().contains("only comments or layout differ"));
        let mut edited = s.clone();
        edited.name = "edited".into();
        let c = SaveConflict::new(
            PathBuf::from("s.toml"),
            1,
            &theirs,
            &edited.to_toml().unwrap(),
        );
        assert_eq!(
            c.lines,
            [
                format!("- name = {:?}", s.name),
                "+ name = \"edited\"".into()
            ]
        );
    }

    #[test]
    fn long_differences_are_cut_but_counted() {
        let disk: String = (0..1000).map(|i| format!("x{i}\n")).collect();
        let c = SaveConflict::new(PathBuf::from("s.toml"), 1, &disk, "");
        assert_eq!(c.removed, 1000);
        assert_eq!(c.lines.len(), SHOWN_LINES);
    }
}
