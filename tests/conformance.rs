//! The conformance suite (see CONTRACT.md): every case in the project's copy of the public
//! cases, `tests/conformance/velocity/` and `tests/conformance/apigw/` (kept equal to
//! `../shared/conformance/` by `tests/shared_copy.rs`), our own `tests/cases/`, plus the
//! folders in `GATEBENCH_EXTRA_CASES`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::cases::{Case, Outcome, load_cases, run_case};

/// Cases whose expected value contradicts their own setup, with the evidence. They are run
/// and reported on every run (never silently skipped), but do not fail the suite.
const DISPUTED: &[(&str, &str)] = &[];

#[test]
fn conformance() {
    let mut folders = vec![
        common::conformance_dir().join("velocity"),
        common::conformance_dir().join("apigw"),
    ];
    // Our own cases (recorded from the real Velocity 1.7 engine), always run.
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut own_dirs: Vec<PathBuf> = std::fs::read_dir(&own)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    own_dirs.sort();
    folders.extend(own_dirs);
    if let Ok(extra) = std::env::var("GATEBENCH_EXTRA_CASES") {
        folders.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    let mut hard_failures = 0usize;
    for folder in &folders {
        assert!(
            folder.is_dir(),
            "conformance folder {} is missing",
            folder.display()
        );
        let cases = load_cases(folder);
        let name = folder.file_name().map_or_else(
            || folder.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut by_kind: BTreeMap<String, Vec<&Case>> = BTreeMap::new();
        for c in &cases {
            by_kind.entry(c.kind.clone()).or_default().push(c);
        }
        for (kind, cases) in &by_kind {
            let mut passed = 0;
            let mut failed = 0;
            let mut unsupported = 0;
            let mut lines = Vec::new();
            for case in cases {
                match run_case(case) {
                    Outcome::Pass => {
                        passed += 1;
                        if DISPUTED.iter().any(|(id, _)| *id == case.id) {
                            lines.push(format!(
                                "NOTE {}: passes now; remove it from DISPUTED",
                                case.id
                            ));
                        }
                    }
                    Outcome::Unsupported(_) => unsupported += 1,
                    Outcome::Fail(why) => {
                        failed += 1;
                        if let Some((_, reason)) = DISPUTED.iter().find(|(id, _)| *id == case.id) {
                            lines.push(format!(
                                "DISPUTED {}: {why}\n  why the case is wrong: {reason}",
                                case.id
                            ));
                        } else if case.low_confidence {
                            lines.push(format!("WARN {}: {why}", case.id));
                        } else {
                            hard_failures += 1;
                            lines.push(format!("FAIL {}: {why}", case.id));
                        }
                    }
                }
            }
            if unsupported > 0 {
                println!(
                    "conformance {name} {kind}: {passed} passed, {failed} failed, {unsupported} not supported yet"
                );
            } else {
                println!("conformance {name} {kind}: {passed} passed, {failed} failed");
            }
            for l in lines {
                println!("{l}");
            }
        }
    }
    assert_eq!(
        hard_failures, 0,
        "{hard_failures} conformance case(s) failed"
    );
}
