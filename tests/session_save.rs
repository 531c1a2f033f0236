//! Saving a session keeps the file as its author wrote it: comments, order, inline tables and
//! quoting stay; only changed values change.

use std::path::Path;

use gatebench::session::Session;

fn shipped() -> Vec<(std::path::PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .expect("sessions/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read");
            (p, text)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5, "the shipped sessions were not found");
    out
}

#[test]
fn saving_an_unchanged_session_writes_the_file_back_byte_for_byte() {
    for (path, text) in shipped() {
        let s = Session::from_toml(&text, &path).expect("loads");
        let saved = s.to_toml_over(Some(&text)).expect("serialises");
        assert_eq!(
            saved,
            text,
            "{}: an unchanged session was rewritten",
            path.display()
        );
    }
}

#[test]
fn an_edit_changes_only_its_value_and_keeps_every_comment() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/mock.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let mut s = Session::from_toml(&text, &path).expect("loads");
    s.api
        .stage_variables
        .get_or_insert_default()
        .insert("greeting".to_string(), "Hi there".to_string());
    s.name.push_str(" (edited)");
    let saved = s.to_toml_over(Some(&text)).expect("serialises");
    let diff = similar::TextDiff::from_lines(&text, &saved);
    let changed: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| format!("{}{}", c.tag(), c.value()))
        .collect();
    assert_eq!(changed.len(), 4, "only two lines change: {changed:#?}");
    for line in text.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(saved.contains(line), "the comment {line:?} was dropped");
    }
    assert_eq!(text.lines().count(), saved.lines().count());
    let back = Session::from_toml(&saved, &path).expect("the saved file loads");
    assert_eq!(back.name, s.name);
    assert_eq!(back.api, s.api);
}

#[test]
fn a_save_over_a_file_on_disk_keeps_its_layout() {
    let dir = std::env::temp_dir().join(format!("gatebench-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("s.toml");
    let text = "# my notes\nversion = 1\nname = 'mine' # short\n\n[api]\nstage = 'dev'\n\n\
                [[api.resources]]\npath = '/x'\n\n[api.resources.methods.GET]\n\
                requestParameters = { 'method.request.querystring.q' = true }\n\n\
                [api.resources.methods.GET.integration]\ntype = 'MOCK'\n\n\
                [api.resources.methods.GET.integration.requestTemplates]\n\
                'application/json' = '''\n{\"statusCode\": 200}\n'''\n";
    std::fs::write(&file, text).expect("write");
    let mut s = Session::load(&file).expect("loads");
    let stamp = s.stamp;
    s.name = "renamed".into();
    s.save_checked(&file, stamp, false).expect("saves");
    let saved = std::fs::read_to_string(&file).expect("read back");
    assert_eq!(saved, text.replace("'mine'", "\"renamed\""));
    let _ = std::fs::remove_dir_all(&dir);
}
