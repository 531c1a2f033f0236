//! `update()` unit tests for importing an API definition: the path prompt, completion, the
//! import's result, choosing an operation, unsaved edits, saving as a new file, autosave.

use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;

use super::import_dialog::{
    Completion, DirEntryName, ImportResult, PathNote, complete, completion_dir,
};
use super::test_support::{app, ctrl, key, typed};
use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn entry(name: &str, dir: bool) -> DirEntryName {
    DirEntryName {
        name: name.into(),
        dir,
    }
}

/// Open the prompt, type `path`, press Enter; returns the import effect's generation, path
/// and autosave folder.
fn ask_import(a: &mut App, path: &str) -> (u64, PathBuf, Option<PathBuf>) {
    key(a, KeyCode::Char('I'));
    assert_eq!(a.overlay(), Some(&Overlay::ImportPath));
    ctrl(a, 'u');
    typed(a, path);
    let fx = key(a, KeyCode::Enter);
    match fx.as_slice() {
        [
            Effect::ImportFile {
                generation,
                path,
                autosave_dir,
            },
        ] => (*generation, path.clone(), autosave_dir.clone()),
        other => panic!("{other:?}"),
    }
}

/// Import `fixture` as the runtime would and deliver the result.
fn import_fixture(a: &mut App, name: &str) -> Vec<Effect> {
    let (generation, path, _) = ask_import(a, &fixture(name).display().to_string());
    let result = crate::import::import_file(&path)
        .map(|imported| {
            Box::new(ImportResult {
                file: path.clone(),
                imported,
                recovered: None,
            })
        })
        .map_err(|e| e.to_string());
    update(a, Msg::Imported { generation, result })
}

fn choose_operation(a: &mut App, index: usize) -> Vec<Effect> {
    for _ in 0..index {
        key(a, KeyCode::Down);
    }
    key(a, KeyCode::Enter)
}

#[test]
fn the_import_key_opens_a_path_prompt_listed_in_the_help() {
    let mut a = app();
    let m = a.keymap();
    assert_eq!(
        m.keys(keymap::Layer::Normal, Action::ImportApi).as_deref(),
        Some("I")
    );
    assert_eq!(
        m.keys(keymap::Layer::Normal, Action::PasteCurl).as_deref(),
        Some("c")
    );
    // Not taken by anything else in the normal layer.
    for b in m
        .bindings()
        .iter()
        .filter(|b| b.layer == keymap::Layer::Normal)
    {
        if !matches!(b.action, Action::ImportApi | Action::PasteCurl) {
            assert!(
                !b.keys
                    .iter()
                    .any(|k| ["I", "c"].contains(&k.to_string().as_str())),
                "{b:?}"
            );
        }
    }
    key(&mut a, KeyCode::Char('I'));
    assert_eq!(a.overlay(), Some(&Overlay::ImportPath));
    assert_eq!(a.import().path(), "./", "starts in the current folder");
    typed(&mut a, "api/pets.yam");
    key(&mut a, KeyCode::Backspace);
    assert_eq!(a.import().path(), "./api/pets.ya");
    ctrl(&mut a, 'w');
    assert_eq!(a.import().path(), "./api/");
    // Pasting a path appends its first line.
    update(&mut a, Msg::Paste("pets.json\n".into()));
    assert_eq!(a.import().path(), "./api/pets.json");
    // Keys do not leak to the panes (q would quit, t cycle the type).
    typed(&mut a, "qt");
    assert!(!a.quitting() && !a.is_dirty());
    assert_eq!(key(&mut a, KeyCode::Esc), vec![]);
    assert_eq!(a.overlay(), None);
    // The text is kept for the next time.
    key(&mut a, KeyCode::Char('I'));
    assert_eq!(a.import().path(), "./api/pets.jsonqt");
}

#[test]
fn completion_extends_to_the_common_prefix() {
    assert_eq!(completion_dir("a/b/c"), (PathBuf::from("a/b"), "c"));
    assert_eq!(completion_dir("pe"), (PathBuf::from("."), "pe"));
    assert_eq!(completion_dir("/et"), (PathBuf::from("/"), "et"));
    let entries = [
        entry("petstore-oas3.yaml", false),
        entry("petstore-v2.json", false),
        entry("sam", true),
        entry(".hidden", false),
    ];
    assert_eq!(
        complete("x/pe", &entries),
        Completion::Several(
            "x/petstore-".into(),
            vec!["petstore-oas3.yaml".into(), "petstore-v2.json".into()]
        )
    );
    assert_eq!(
        complete("x/petstore-v", &entries),
        Completion::Unique("x/petstore-v2.json".into())
    );
    assert_eq!(complete("s", &entries), Completion::Unique("sam/".into()));
    assert_eq!(complete("zz", &entries), Completion::NoMatch);
    assert_eq!(
        complete(".h", &entries),
        Completion::Unique(".hidden".into())
    );
    match complete("", &entries) {
        Completion::Several(p, names) => {
            assert_eq!(p, "");
            assert_eq!(names.len(), 3, "hidden names stay hidden: {names:?}");
        }
        other => panic!("{other:?}"),
    }
    // Multi-byte names are cut on character boundaries.
    assert_eq!(
        complete("é", &[entry("éa", false), entry("éb", false)]),
        Completion::Several("é".into(), vec!["éa".into(), "éb".into()])
    );
}

#[test]
fn tab_lists_the_folder_off_the_loop_and_completes() {
    let mut a = app();
    key(&mut a, KeyCode::Char('I'));
    ctrl(&mut a, 'u');
    typed(&mut a, "specs/pe");
    let fx = key(&mut a, KeyCode::Tab);
    let [Effect::ListDir { generation, dir }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(dir, Path::new("specs"));
    let generation = *generation;
    assert_eq!(a.import().note(), &PathNote::Listing);
    let listing = vec![
        entry("pets-a.yaml", false),
        entry("pets-b.yaml", false),
        entry("other.json", false),
    ];
    update(
        &mut a,
        Msg::DirListed {
            generation,
            result: Ok(listing.clone()),
        },
    );
    assert_eq!(a.import().path(), "specs/pets-");
    assert_eq!(
        a.import().note(),
        &PathNote::Candidates(vec!["pets-a.yaml".into(), "pets-b.yaml".into()])
    );
    // A listing for text that changed since is dropped.
    let fx = key(&mut a, KeyCode::Tab);
    let Some(Effect::ListDir { generation, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let stale = *generation;
    typed(&mut a, "b");
    update(
        &mut a,
        Msg::DirListed {
            generation: stale,
            result: Ok(listing),
        },
    );
    assert_eq!(a.import().path(), "specs/pets-b");
    // An unreadable folder is said in the prompt.
    let fx = key(&mut a, KeyCode::Tab);
    let Some(Effect::ListDir { generation, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    update(
        &mut a,
        Msg::DirListed {
            generation: *generation,
            result: Err("specs: No such file or directory".into()),
        },
    );
    assert!(matches!(a.import().note(), PathNote::Error(e) if e.contains("No such file")));
}

#[test]
fn a_successful_import_lists_its_operations_and_warnings() {
    let mut a = app();
    import_fixture(&mut a, "petstore-oas3.yaml");
    assert_eq!(a.overlay(), Some(&Overlay::Operations { selected: 0 }));
    let p = a.import().pending().expect("an import");
    let ops: Vec<String> = p
        .operations
        .iter()
        .map(|o| format!("{} {} {}", o.verb, o.path, o.kind.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            "GET /mock MOCK",
            "POST /pets AWS",
            "GET /pets/{petId} HTTP",
            "ANY /lambda AWS_PROXY",
            "ANY /{proxy+} HTTP_PROXY"
        ]
    );
    // Each operation points at the importer's request for it.
    for o in &p.operations {
        assert_eq!(
            p.session.requests[o.request].name,
            format!("{} {}", o.verb, o.path)
        );
    }
    assert_eq!(p.warnings.len(), 1);
    assert!(a.status().unwrap().text.contains("5 operations, 1 warning"));
    // The warnings, with file and line, and back.
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(a.overlay(), Some(&Overlay::ImportWarnings { scroll: 0 }));
    let w = a.import().pending().unwrap().warnings[0].to_string();
    assert!(
        w.contains("petstore-oas3.yaml:94: stage variable backendHost"),
        "{w}"
    );
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(a.overlay(), Some(&Overlay::Operations { selected: 0 }));
    // Moving is bounded.
    for _ in 0..9 {
        key(&mut a, KeyCode::Down);
    }
    assert_eq!(a.overlay(), Some(&Overlay::Operations { selected: 4 }));
    // Nothing changed yet; Esc closes and the session stays.
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay(), None);
    assert_eq!(a.session().name, Session::builtin_default().name);
}

#[test]
fn failed_imports_keep_the_prompt_and_say_where() {
    let mut a = app();
    import_fixture(&mut a, "broken.yaml");
    assert_eq!(a.overlay(), Some(&Overlay::ImportPath));
    let PathNote::Error(e) = a.import().note() else {
        panic!("{:?}", a.import().note())
    };
    assert!(e.contains("broken.yaml:7:"), "line and column: {e}");
    assert!(a.status().unwrap().text.starts_with("Import failed: "));
    assert!(a.import().path().ends_with("broken.yaml"), "the path stays");

    import_fixture(&mut a, "missing.yaml");
    assert!(
        matches!(a.import().note(), PathNote::Error(e) if e.contains("missing.yaml")),
        "{:?}",
        a.import().note()
    );

    let dir = std::env::temp_dir().join(format!("gatebench-import-none-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.yaml");
    std::fs::write(&empty, "openapi: \"3.0.1\"\ninfo:\n  title: x\npaths: {}\n").unwrap();
    import_fixture(&mut a, &empty.display().to_string());
    assert!(
        matches!(a.import().note(), PathNote::Error(e) if e.contains("no API Gateway methods")),
        "{:?}",
        a.import().note()
    );
    assert_eq!(a.session().name, Session::builtin_default().name);
    assert!(!a.is_dirty());
    // A result that arrives after Esc is dropped.
    let (generation, _, _) = ask_import(&mut a, "x.yaml");
    key(&mut a, KeyCode::Esc);
    update(
        &mut a,
        Msg::Imported {
            generation,
            result: Err("late".into()),
        },
    );
    assert_eq!(a.overlay(), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn choosing_an_operation_opens_the_imported_session_on_its_request() {
    let mut a = app();
    import_fixture(&mut a, "petstore-oas3.yaml");
    let fx = choose_operation(&mut a, 2);
    assert_eq!(fx.first(), Some(&Effect::CancelPipeline));
    assert!(fx.iter().any(|e| matches!(e, Effect::Render(_))));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::RunPipeline(_))),
        "echo runs live"
    );
    assert_eq!(a.overlay(), None);
    assert_eq!(a.session().name, "PetStore");
    assert_eq!(a.request().unwrap().name, "GET /pets/{petId}");
    assert_eq!(a.request_index(), 2);
    assert_eq!(
        a.method_ref().unwrap().describe(&a.session().api),
        "GET /pets/{petId}"
    );
    assert_eq!(a.integration_kind(), Some(IntegrationType::Http));
    // The template pane holds that method's template.
    assert!(a.template_editor().text().contains("backendPath"));
    // Imported, not saved anywhere yet, nothing edited.
    assert_eq!(a.session_path(), None);
    assert_eq!(
        a.origin(),
        &Origin::Imported {
            from: fixture("petstore-oas3.yaml"),
            dir: PathBuf::from(picker::SESSIONS_DIR),
            saving: false
        }
    );
    assert!(!a.is_dirty());
    let status = &a.status().unwrap().text;
    assert!(
        status.contains("GET /pets/{petId} (HTTP): not saved yet"),
        "{status}"
    );
    assert!(status.contains("ctrl+s saves in sessions"), "{status}");
    // The import is used up; the next one starts from the prompt again.
    assert!(a.import().pending().is_none());
}

#[test]
fn unsaved_edits_refuse_the_switch_until_saved() {
    let mut a = app();
    key(&mut a, KeyCode::Char('t'));
    assert!(a.is_dirty());
    import_fixture(&mut a, "petstore-oas3.yaml");
    let fx = choose_operation(&mut a, 1);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(a.overlay(), Some(&Overlay::Operations { selected: 1 }));
    assert_eq!(a.session().name, Session::builtin_default().name);
    assert!(a.is_dirty(), "the edit is still there");
    let s = a.status().unwrap();
    assert_eq!(s.kind, StatusKind::Error);
    assert!(
        s.text.contains("Unsaved changes: save them (ctrl+s)"),
        "{s:?}"
    );
    // Saving from the list, then choosing, works.
    let fx = ctrl(&mut a, 's');
    let [Effect::Save { path, revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    update(
        &mut a,
        Msg::Saved {
            path: path.clone(),
            revision: *revision,
            result: Ok(()),
            stamp: None,
        },
    );
    assert!(!a.is_dirty());
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.session().name, "PetStore");
    assert_eq!(a.request().unwrap().name, "POST /pets");
    assert_eq!(a.integration_kind(), Some(IntegrationType::Aws));
    // The saved file is in the current folder; the import saves in the picker's folder.
    assert!(
        matches!(a.origin(), Origin::Imported { dir, .. } if dir == Path::new(picker::SESSIONS_DIR))
    );
}

#[test]
fn saving_an_import_writes_a_new_file_once_and_says_where() {
    let mut a = app();
    import_fixture(&mut a, "petstore-oas3.yaml");
    choose_operation(&mut a, 0);
    let fx = ctrl(&mut a, 's');
    let [
        Effect::SaveNew {
            dir,
            stem,
            revision,
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(dir, Path::new("sessions"));
    assert_eq!(stem, "petstore");
    let revision = *revision;
    // A second save while the first runs would write a second file.
    assert_eq!(ctrl(&mut a, 's'), vec![]);
    // A failed first save can be retried.
    update(
        &mut a,
        Msg::Saved {
            path: PathBuf::from("sessions/petstore.toml"),
            revision,
            result: Err("disk full".into()),
            stamp: None,
        },
    );
    assert!(matches!(a.origin(), Origin::Imported { saving: false, .. }));
    assert!(matches!(
        ctrl(&mut a, 's').as_slice(),
        [Effect::SaveNew { .. }]
    ));
    update(
        &mut a,
        Msg::Saved {
            path: PathBuf::from("sessions/petstore-2.toml"),
            revision,
            result: Ok(()),
            stamp: None,
        },
    );
    assert_eq!(
        a.session_path(),
        Some(Path::new("sessions/petstore-2.toml"))
    );
    assert_eq!(a.status().unwrap().text, "Saved sessions/petstore-2.toml");
    // From now on saving replaces that file.
    let fx = ctrl(&mut a, 's');
    assert!(
        matches!(fx.as_slice(), [Effect::Save { path, .. }] if path == Path::new("sessions/petstore-2.toml"))
    );
}

#[test]
fn an_import_autosaves_to_its_own_copy_and_restores_it_when_imported_again() {
    let state = PathBuf::from("/state");
    let mut a = app();
    a.set_autosave_dir(state.clone());
    import_fixture(&mut a, "petstore-oas3.yaml");
    choose_operation(&mut a, 0);
    let fx = key(&mut a, KeyCode::Char('t'));
    let copy = fx
        .iter()
        .find_map(|e| match e {
            Effect::Autosave { path, .. } => Some(path.clone()),
            _ => None,
        })
        .expect("an autosave");
    assert_eq!(
        copy,
        autosave::import_autosave_file(&state, &fixture("petstore-oas3.yaml"))
    );
    assert_ne!(copy, autosave::autosave_file(&state, None));
    // Quitting without saving drops the copy, as for any session.
    key(&mut a, KeyCode::Char('q'));
    let fx = key(&mut a, KeyCode::Char('y'));
    assert!(fx.contains(&Effect::RemoveFile { path: copy.clone() }));

    // A later import of the same file that finds an unsaved copy opens it, as unsaved.
    let mut b = app();
    b.set_autosave_dir(state);
    let (generation, path, autosave_dir) =
        ask_import(&mut b, &fixture("petstore-oas3.yaml").display().to_string());
    assert_eq!(autosave_dir, Some(PathBuf::from("/state")));
    let imported = crate::import::import_file(&path).unwrap();
    let mut edited = imported.session.clone();
    edited.name = "PetStore (edited)".into();
    update(
        &mut b,
        Msg::Imported {
            generation,
            result: Ok(Box::new(ImportResult {
                file: path,
                imported,
                recovered: Some(Box::new(edited)),
            })),
        },
    );
    assert!(b.import().pending().unwrap().restored);
    key(&mut b, KeyCode::Enter);
    assert_eq!(b.session().name, "PetStore (edited)");
    assert!(b.is_dirty());
    assert!(
        b.status()
            .unwrap()
            .text
            .contains("restored the unsaved edits")
    );
}

/// A first save of an import whose job panicked ends like a failed save: "saving" is over
/// (a retry writes the file), and the status says it failed.
#[test]
fn a_panicked_save_job_ends_the_import_save_with_an_error() {
    let mut a = app();
    import_fixture(&mut a, "petstore-oas3.yaml");
    choose_operation(&mut a, 0);
    let fx = ctrl(&mut a, 's');
    let [Effect::SaveNew { revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let revision = *revision;
    assert!(matches!(a.origin(), Origin::Imported { saving: true, .. }));
    update(
        &mut a,
        Msg::JobFailed {
            job: crate::app::msg::JobKind::Save {
                path: PathBuf::from("sessions/petstore.toml"),
                revision,
            },
            why: "internal error in a file job (task panicked)".into(),
        },
    );
    assert!(matches!(a.origin(), Origin::Imported { saving: false, .. }));
    let status = a.status().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("task panicked"), "{}", status.text);
    assert!(matches!(
        ctrl(&mut a, 's').as_slice(),
        [Effect::SaveNew { .. }]
    ));
}

/// A panicked curl parse is that parse's failure: the prompt shows the error.
#[test]
fn a_panicked_job_is_answered_as_that_jobs_failure() {
    let failed = crate::app::msg::JobKind::ParseCurl { generation: 4 }.failure("boom".into());
    assert!(matches!(
        failed,
        Msg::CurlParsed { generation: 4, result: Err(ref e) } if e == "boom"
    ));
    let failed = crate::app::msg::JobKind::Autosave.failure("boom".into());
    assert!(matches!(failed, Msg::Autosaved { result: Err(_) }));
}
