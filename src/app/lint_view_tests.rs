//! The lint list in the workbench: findings arrive with the render, `!` lists them, `j`/`k`
//! select, `Enter` applies the selected fix as one edit that the undo key takes back.

use std::path::Path;

use crossterm::event::KeyCode;

use super::test_support::key;
use super::*;
use crate::app::views::{RenderOutcome, RenderedOutput};
use crate::lint::RuleId;

const SESSION: &str = r#"version = 1
name = "lint"

[api]
stage = "dev"

[[api.resources]]
path = "/pets"

[api.resources.methods.POST.methodResponses.200]

[api.resources.methods.POST.integration]
type = "AWS"
httpMethod = "POST"
uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"

[api.resources.methods.POST.integration.requestTemplates]
"application/json" = '''{"name": "$input.path('$.name')", "ids": [#foreach($i in [1, 2])$i,#end]}'''

[api.resources.methods.POST.integration.integrationResponses.200]
statusCode = "200"

[[requests]]
name = "a pet"
method = "POST"
path = "/dev/pets"
headers = [["Content-Type", "application/json"]]
body = '{"name": "Rex"}'
"#;

fn lint_app() -> App {
    let s = Session::from_toml(SESSION, Path::new("lint.toml")).unwrap();
    App::new(s, None, AppOptions::default())
}

/// Answer the render the effects ask for the way the render job does (the findings come
/// from the request's lint spec), and return whether one was asked.
fn answer_render(a: &mut App, fx: &[Effect]) -> bool {
    let Some(req) = fx.iter().rev().find_map(|e| match e {
        Effect::Render(r) => Some(r.clone()),
        _ => None,
    }) else {
        return false;
    };
    update(
        a,
        Msg::Rendered(RenderOutcome {
            generation: req.generation,
            result: Ok(RenderedOutput::new(String::new())),
            findings: req.lint.lint(&req.template),
        }),
    );
    true
}

#[test]
fn findings_come_with_the_render_and_are_listed() {
    let mut a = lint_app();
    let fx = a.start();
    assert!(answer_render(&mut a, &fx));
    let rules: Vec<RuleId> = a.lint_findings().iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [RuleId::UnescapedInJsonString, RuleId::ForeachTrailingComma]
    );
    key(&mut a, KeyCode::Char('!'));
    assert_eq!(a.overlay(), Some(&Overlay::Lint { selected: 0 }));
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.lint_selected().unwrap().0, 1);
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.lint_selected().unwrap().0, 0, "wraps");
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(
        a.lint_selected().unwrap().1.rule,
        RuleId::ForeachTrailingComma
    );
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay(), None);
}

#[test]
fn enter_applies_the_fix_as_one_edit_and_undo_takes_it_back() {
    let mut a = lint_app();
    let fx = a.start();
    answer_render(&mut a, &fx);
    let before = a.template_editor().text();
    key(&mut a, KeyCode::Char('!'));
    key(&mut a, KeyCode::Char('j'));
    let fx = key(&mut a, KeyCode::Enter);
    let after = a.template_editor().text();
    assert_eq!(
        after,
        before.replace("$i,#end", "$i#if($foreach.hasNext),#end#end")
    );
    assert_eq!(a.overlay(), None);
    assert!(a.is_dirty(), "the session holds the fixed template");
    let status = a.status().unwrap().text.clone();
    assert!(
        status.starts_with("Fixed foreach-trailing-comma: replace `,` with"),
        "{status}"
    );
    // The fix re-renders (and re-lints): the comma is no longer found.
    assert!(answer_render(&mut a, &fx));
    assert_eq!(a.lint_findings().len(), 1);
    // One undo step.
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(a.template_editor().text(), before);
}

#[test]
fn nothing_to_list_says_so() {
    let mut a = app_without_findings();
    key(&mut a, KeyCode::Char('!'));
    assert_eq!(a.overlay(), None);
    assert!(a.status().unwrap().text.contains("nothing to say"));
}

fn app_without_findings() -> App {
    let mut a = super::test_support::app();
    let fx = a.start();
    answer_render(&mut a, &fx);
    assert!(a.lint_findings().is_empty(), "{:#?}", a.lint_findings());
    a
}
