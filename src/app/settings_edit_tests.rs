//! `update()` unit tests for the settings editor: opening it on the current method, applying
//! an edit (one revision, render and run, autosave and listen mode follow), errors with
//! line:col for bad TOML and for values the gateway refuses, discarding, and the templates
//! that stay out of the text.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::settings_edit::SettingsTarget;
use super::test_support::{app, ctrl, key, typed};
use super::*;
use crate::gateway::api::PassthroughBehavior;

fn open(a: &mut App) {
    let fx = key(a, KeyCode::Char('e'));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
}

/// Replace the whole settings text (select all, then paste).
fn replace_text(a: &mut App, text: &str) {
    update(
        a,
        Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT)),
    );
    update(a, Msg::Paste(text.to_string()));
    assert_eq!(a.settings_editor().unwrap().text(), text);
}

fn edited(a: &App, from: &str, to: &str) -> String {
    let text = a.settings_editor().unwrap().text();
    assert!(text.contains(from), "{text}");
    text.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

fn method(a: &App) -> &crate::gateway::api::Method {
    a.method().expect("a method")
}

#[test]
fn e_opens_the_current_method_as_session_toml_without_templates() {
    let mut a = app();
    open(&mut a);
    let edit = a.settings_edit().expect("open");
    assert_eq!(edit.title(), "POST /pets/{petId}");
    assert_eq!(
        edit.target(),
        &SettingsTarget::Method(a.method_ref().unwrap().clone())
    );
    let text = a.settings_editor().unwrap().text();
    assert!(text.starts_with("[requestParameters]\n\"method.request.path.petId\" = true\n"));
    assert!(
        text.contains("[integration]\ntype = \"MOCK\"\npassthroughBehavior = \"WHEN_NO_MATCH\"\n")
    );
    assert!(text.contains(
        "[integration.integrationResponses.404]\nstatusCode = \"404\"\nselectionPattern = \"404\"\n"
    ));
    assert!(!text.contains("Templates"), "{text}");
    assert!(a.settings_editor().unwrap().is_active());
    assert!(!a.is_dirty());
    // Keys now edit the text: `q` types instead of quitting.
    key(&mut a, KeyCode::Char('q'));
    assert!(!a.quitting());
    assert!(a.settings_editor().unwrap().text().starts_with('q'));
}

#[test]
fn the_integration_pane_edit_key_opens_it_too() {
    let mut a = app();
    act_focus(&mut a, Pane::Integration);
    key(&mut a, KeyCode::Char('i'));
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
    assert_eq!(a.mode(), Mode::Normal);
}

fn act_focus(a: &mut App, pane: Pane) {
    while a.focus() != pane {
        key(a, KeyCode::Tab);
    }
}

#[test]
fn a_valid_edit_applies_as_one_revision_and_renders_runs_autosaves_and_serves() {
    let mut a = app();
    a.set_autosave_dir(PathBuf::from("/state"));
    // Listen mode on, so the edit is handed to the server.
    let fx = key(&mut a, KeyCode::Char('L'));
    let Some(Effect::StartListening { generation, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let generation = *generation;
    update(
        &mut a,
        Msg::Listening {
            generation,
            result: Ok("127.0.0.1:8080".parse().unwrap()),
        },
    );
    let revision = a.workspace.revision;
    open(&mut a);
    let text = edited(&a, "WHEN_NO_MATCH", "NEVER");
    let text = text.replacen(
        "selectionPattern = \"404\"",
        "selectionPattern = \"2\\\\d\\\\d\"",
        1,
    );
    replace_text(&mut a, &text);
    assert_eq!(
        a.workspace.revision, revision,
        "typing in the overlay is not an edit yet"
    );
    let fx = ctrl(&mut a, 's');
    assert_eq!(a.overlay(), None);
    assert!(a.settings_edit().is_none());
    assert_eq!(a.workspace.revision, revision + 1);
    assert!(a.is_dirty());
    let m = method(&a);
    assert_eq!(
        m.integration.passthrough_behavior,
        Some(PassthroughBehavior::Never)
    );
    assert_eq!(
        m.integration.integration_responses["404"]
            .selection_pattern
            .as_deref(),
        Some("2\\d\\d")
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::Render(_))), "{fx:?}");
    assert!(fx.iter().any(|e| matches!(e, Effect::Highlight(_))));
    assert!(fx.iter().any(|e| matches!(e, Effect::RunPipeline(_))));
    assert!(fx.iter().any(|e| matches!(e, Effect::Autosave { .. })));
    let served = fx.iter().find_map(|e| match e {
        Effect::ServeSession(s) => Some(s),
        _ => None,
    });
    assert_eq!(**served.expect("handed to the server"), *a.session());
    let status = a.status().unwrap();
    assert_eq!(status.kind, StatusKind::Success);
    assert_eq!(
        status.text,
        "Applied to POST /pets/{petId}: integration.passthroughBehavior, integration.integrationResponses.404.selectionPattern"
    );
}

#[test]
fn applying_without_changes_closes_and_changes_nothing() {
    let mut a = app();
    open(&mut a);
    let fx = ctrl(&mut a, 's');
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(a.overlay(), None);
    assert!(!a.is_dirty());
    assert_eq!(a.status().unwrap().text, "No changes to POST /pets/{petId}");
}

#[test]
fn a_toml_error_keeps_the_editor_open_with_line_and_column() {
    let mut a = app();
    open(&mut a);
    let before = method(&a).clone();
    // An unquoted value.
    let text = edited(&a, "\"WHEN_NO_MATCH\"", "WHEN_NO_MATCH");
    replace_text(&mut a, &text);
    let fx = ctrl(&mut a, 's');
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
    let line = line_of(&text, "passthroughBehavior");
    let e = a
        .settings_edit()
        .unwrap()
        .error()
        .expect("an error")
        .clone();
    assert_eq!((e.line, e.col), (line, 23), "{e}");
    assert_eq!(a.settings_editor().unwrap().error(), Some((line - 1, 22)));
    assert_eq!(
        a.settings_editor().unwrap().text(),
        text,
        "the text is kept"
    );
    assert!(
        a.status()
            .unwrap()
            .text
            .starts_with(&format!("Not applied: {line}:23: "))
    );
    assert_eq!(method(&a), &before);
    assert!(!a.is_dirty());
    // Typing clears the error; a misspelt field is reported where it is.
    typed(&mut a, " ");
    assert!(a.settings_edit().unwrap().error().is_none());
    let text = edited(
        &a,
        "passthroughBehavior = WHEN_NO_MATCH",
        "passthroughBehaviour = \"NEVER\"",
    );
    replace_text(&mut a, &text);
    ctrl(&mut a, 's');
    let e = a
        .settings_edit()
        .unwrap()
        .error()
        .expect("an error")
        .clone();
    assert_eq!(e.line, line_of(&text, "passthroughBehaviour"));
    assert!(
        e.message.contains("unknown field `passthroughBehaviour`"),
        "{e}"
    );
    // An unknown value.
    let text = edited(
        &a,
        "passthroughBehaviour = \"NEVER\"",
        "passthroughBehavior = \"SOMETIMES\"",
    );
    replace_text(&mut a, &text);
    ctrl(&mut a, 's');
    let e = a
        .settings_edit()
        .unwrap()
        .error()
        .expect("an error")
        .clone();
    assert_eq!(e.line, line_of(&text, "SOMETIMES"));
    assert!(e.message.contains("unknown variant `SOMETIMES`"), "{e}");
    assert!(!a.is_dirty());
}

#[test]
fn values_the_gateway_refuses_are_not_applied() {
    let mut a = app();
    open(&mut a);
    let text = edited(
        &a,
        "passthroughBehavior = \"WHEN_NO_MATCH\"",
        "passthroughBehavior = \"WHEN_NO_MATCH\"\ntimeoutInMillis = 10",
    );
    replace_text(&mut a, &text);
    assert!(ctrl(&mut a, 's').is_empty());
    let e = a.settings_edit().unwrap().error().expect("refused").clone();
    assert_eq!((e.line, e.col), (line_of(&text, "timeoutInMillis"), 1));
    assert!(e.message.contains("minimum of 50 ms"), "{e}");
    assert_eq!(method(&a).integration.timeout_in_millis, None);

    let text = edited(&a, "timeoutInMillis = 10", "timeoutInMillis = 50");
    let text = text.replacen(
        "selectionPattern = \"404\"",
        "selectionPattern = \"40(4\"",
        1,
    );
    replace_text(&mut a, &text);
    assert!(ctrl(&mut a, 's').is_empty());
    let e = a.settings_edit().unwrap().error().expect("refused").clone();
    assert_eq!(e.line, line_of(&text, "40(4"));
    assert!(
        e.message.contains("not a valid Java regular expression"),
        "{e}"
    );
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
    assert!(!a.is_dirty());

    // Above the default quota: applied, with a note.
    let text = edited(&a, "\"40(4\"", "\"404\"").replacen("= 50", "= 60000", 1);
    replace_text(&mut a, &text);
    ctrl(&mut a, 's');
    assert_eq!(a.overlay(), None);
    assert_eq!(method(&a).integration.timeout_in_millis, Some(60_000));
    assert!(
        a.status()
            .unwrap()
            .text
            .contains("note: timeoutInMillis 60000")
    );
}

#[test]
fn esc_asks_before_dropping_unapplied_changes() {
    let mut a = app();
    // Unchanged: Esc just closes.
    open(&mut a);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay(), None);
    // Changed: Esc asks; n goes back with the text kept.
    open(&mut a);
    typed(&mut a, "# note");
    key(&mut a, KeyCode::Enter);
    let text = a.settings_editor().unwrap().text();
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.settings_step(), Some(SettingsStep::ConfirmDiscard));
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
    assert_eq!(a.settings_editor().unwrap().text(), text);
    // Undo back to the original: nothing to ask about.
    for _ in 0..20 {
        ctrl(&mut a, 'z');
    }
    assert!(!a.settings_changed());
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay(), None);
    // y discards.
    let before = method(&a).clone();
    open(&mut a);
    typed(&mut a, "x");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('y'));
    assert_eq!(a.overlay(), None);
    assert!(a.settings_edit().is_none());
    assert_eq!(method(&a), &before);
    assert!(!a.is_dirty());
}

#[test]
fn templates_stay_when_left_out_and_a_written_one_is_added() {
    let mut a = app();
    let before = method(&a).clone();
    let template = a.template_editor().text();
    open(&mut a);
    let text = edited(&a, "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES");
    let text = format!(
        "{text}\n[integration.requestTemplates]\n\"text/plain\" = \"{{\\\"statusCode\\\": 200}}\"\n"
    );
    replace_text(&mut a, &text);
    ctrl(&mut a, 's');
    assert_eq!(a.overlay(), None, "{:?}", a.settings_edit());
    let m = method(&a);
    let cts: Vec<&str> = m
        .integration
        .request_templates
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(cts, ["application/json", "text/plain"]);
    assert_eq!(
        m.integration.request_templates["application/json"],
        before.integration.request_templates["application/json"]
    );
    assert_eq!(
        m.integration.request_templates["text/plain"],
        "{\"statusCode\": 200}"
    );
    for (name, r) in &before.integration.integration_responses {
        assert_eq!(
            m.integration.integration_responses[name].response_templates,
            r.response_templates
        );
    }
    // The Template pane still holds the same template, and now lists the new one too.
    assert_eq!(a.template_editor().text(), template);
    assert_eq!(a.template_slots().len(), 4);
}

#[test]
fn search_and_undo_work_in_the_overlay() {
    let mut a = app();
    open(&mut a);
    ctrl(&mut a, 'f');
    assert_eq!(a.settings_step(), Some(SettingsStep::Searching));
    typed(&mut a, "selection");
    key(&mut a, KeyCode::Enter);
    let text = a.settings_editor().unwrap().text();
    let (row, col) = a.settings_editor().unwrap().cursor();
    assert_eq!(row + 1, line_of(&text, "selectionPattern"));
    let line = text.lines().nth(row).unwrap();
    assert_eq!(col, line.find("selection").unwrap(), "at the match");
    assert_eq!(
        a.settings_editor().unwrap().search_marks(row),
        [(col, col + "selection".len(), true)],
        "marked as the current match"
    );
    assert_eq!(a.search_found(), Some((1, 1)));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
    assert!(a.settings_editor().unwrap().search_marks(row).is_empty());
    // Typing inserts at the match: nothing was selected, nothing is replaced.
    typed(&mut a, "x");
    assert!(a.settings_changed());
    assert!(
        a.settings_editor()
            .unwrap()
            .text()
            .contains("xselectionPattern"),
        "{}",
        a.settings_editor().unwrap().text()
    );
    ctrl(&mut a, 'z');
    assert!(!a.settings_changed());
    ctrl(&mut a, 'r');
    assert!(a.settings_changed());
}

#[test]
fn e_shift_opens_the_api_settings_without_resources_and_applies_them() {
    let mut a = app();
    let resources = a.session().api.resources.clone();
    assert!(key(&mut a, KeyCode::Char('E')).is_empty());
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
    assert_eq!(a.settings_edit().unwrap().target(), &SettingsTarget::Api);
    let text = a.settings_editor().unwrap().text();
    assert!(text.contains("stage = \"dev\""), "{text}");
    assert!(text.contains("greeting = \"Hello\""), "{text}");
    assert!(!text.contains("resources"), "{text}");

    // A new stage variable value: applied as one edit, the resources untouched.
    let revision = a.workspace.revision;
    let changed = edited(&a, "greeting = \"Hello\"", "greeting = \"Howdy\"");
    replace_text(&mut a, &changed);
    let fx = ctrl(&mut a, 's');
    assert_eq!(a.overlay(), None);
    assert_eq!(a.workspace.revision, revision + 1);
    assert_eq!(
        a.session().api.stage_variables.as_ref().unwrap()["greeting"],
        "Howdy"
    );
    assert_eq!(a.session().api.resources, resources);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Render(_))),
        "renders again: {fx:?}"
    );
}

#[test]
fn api_settings_the_gateway_refuses_stay_open_with_the_line() {
    let mut a = app();
    key(&mut a, KeyCode::Char('E'));
    let text = format!(
        "{}\n[gatewayResponses.NOT_A_TYPE]\nstatusCode = \"404\"\n",
        a.settings_editor().unwrap().text()
    );
    replace_text(&mut a, &text);
    ctrl(&mut a, 's');
    assert_eq!(a.settings_step(), Some(SettingsStep::Editing));
    let e = a.settings_edit().unwrap().error().unwrap().clone();
    assert_eq!(e.line, line_of(&text, "NOT_A_TYPE"), "{e}");
    assert!(e.message.contains("unknown gateway response type"), "{e}");

    // Resources are not edited here.
    let text = format!(
        "{}\n[[resources]]\npath = \"/x\"\n",
        a.settings_editor()
            .unwrap()
            .text()
            .replace("[gatewayResponses.NOT_A_TYPE]\nstatusCode = \"404\"\n", "")
    );
    replace_text(&mut a, &text);
    ctrl(&mut a, 's');
    let e = a.settings_edit().unwrap().error().unwrap().clone();
    assert!(
        e.message.contains("each method has its own settings"),
        "{e}"
    );
    assert_eq!(e.line, line_of(&text, "[[resources]]"), "{e}");
}
