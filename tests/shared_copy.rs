//! The project carries its own copy of what its tests and benchmarks read from the shared
//! reference folder: `tests/conformance/` (of `../shared/conformance/`) and `benches/workloads/`
//! (of `../shared/bench/workloads/`). When `../shared` is beside the checkout (as in CI), the
//! copies must equal it, file for file; without it there is nothing to compare, and the test
//! says so.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every file under `root`, by its path relative to `root`.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// What differs between the copy and the source, one line per file.
fn differences(copy: &Path, source: &Path) -> Vec<String> {
    let ours = files(copy);
    let theirs = files(source);
    let mut lines = Vec::new();
    for (path, bytes) in &theirs {
        match ours.get(path) {
            None => lines.push(format!(
                "missing from {}: {}",
                copy.display(),
                path.display()
            )),
            Some(b) if b != bytes => lines.push(format!(
                "differs from {}: {}",
                source.display(),
                copy.join(path).display()
            )),
            Some(_) => {}
        }
    }
    for path in ours.keys().filter(|p| !theirs.contains_key(*p)) {
        lines.push(format!(
            "not in {}: {}",
            source.display(),
            copy.join(path).display()
        ));
    }
    lines
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

#[test]
fn the_copies_equal_the_shared_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pairs = [
        (common::conformance_dir(), shared().join("conformance")),
        (
            root.join("benches/workloads"),
            shared().join("bench/workloads"),
        ),
    ];
    for (copy, _) in &pairs {
        assert!(
            copy.join(if copy.ends_with("workloads") {
                "small/template.vtl"
            } else {
                "velocity"
            })
            .exists(),
            "the project's copy {} is missing",
            copy.display()
        );
    }
    if !shared().is_dir() {
        let _ = writeln!(
            std::io::stderr(),
            "compared nothing: {} is not beside this checkout (the copies under tests/conformance \
             and benches/workloads are what the tests read)",
            shared().display()
        );
        return;
    }
    let mut lines = Vec::new();
    let mut compared = 0;
    for (copy, source) in &pairs {
        assert!(
            source.is_dir(),
            "{} is missing from ../shared",
            source.display()
        );
        compared += files(source).len();
        lines.extend(differences(copy, source));
    }
    assert!(
        lines.is_empty(),
        "the project's copies differ from ../shared (refresh them as README.md says):\n{}",
        lines.join("\n")
    );
    println!("{compared} files equal to ../shared");
}

/// The comparison names every kind of difference.
#[test]
fn differences_are_named_by_file() {
    let base = std::env::temp_dir().join(format!("gatebench-copy-{}", std::process::id()));
    let (copy, source) = (base.join("copy"), base.join("source"));
    for d in [&copy, &source] {
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("same.json"), "1").unwrap();
    }
    std::fs::write(copy.join("sub/changed.json"), "old").unwrap();
    std::fs::write(source.join("sub/changed.json"), "new").unwrap();
    std::fs::write(source.join("added.json"), "x").unwrap();
    std::fs::write(copy.join("removed.json"), "y").unwrap();
    let lines = differences(&copy, &source);
    let _ = std::fs::remove_dir_all(&base);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].starts_with("missing from") && lines[0].ends_with("added.json"));
    assert!(lines[1].starts_with("differs from") && lines[1].ends_with("sub/changed.json"));
    assert!(lines[2].starts_with("not in") && lines[2].ends_with("removed.json"));
}
