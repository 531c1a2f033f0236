//! Linting a whole session: every mapping template of every method that uses templates,
//! each with its method, its API and (with [`lint_session`]) the saved requests that reach
//! it; plus the method settings the rules read (header mappings, request models).

use crate::gateway::Phase;
use crate::gateway::api::{Api, Method};
use crate::session::Session;

use super::data::{self, RequestRun};
use super::offsets::Shift;
use super::{
    Finding, MethodAt, Part, Place, RuleId, Sample, Side, Span, TemplateSpec, lint_template, method,
};

/// Lint a session with the static rules only (no saved request is rendered).
pub fn lint_session_static(session: &Session) -> Vec<Finding> {
    let api = session.api_for_run();
    lint(session, &api, None)
}

/// Lint a session: the static rules, plus the rules that render its saved requests
/// (request templates always; response templates when the backend is the offline echo or
/// canned one).
pub async fn lint_session(session: &Session) -> Vec<Finding> {
    let api = session.api_for_run();
    let runs = data::run_requests(session, &api).await;
    lint(session, &api, Some(&runs))
}

fn lint(session: &Session, api: &Api, runs: Option<&[RequestRun]>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ri, resource) in api.resources.iter().enumerate() {
        for (verb, m) in &resource.methods {
            let at = MethodAt {
                resource: ri,
                path: resource.path.clone(),
                verb: verb.clone(),
            };
            let written = session
                .api
                .resources
                .get(ri)
                .and_then(|r| r.methods.get(verb))
                .unwrap_or(m);
            let reaching: Option<Vec<&RequestRun>> = runs.map(|runs| {
                runs.iter()
                    .filter(|r| r.resource == ri && r.verb == *verb)
                    .collect()
            });
            method_findings(session, api, &at, m, written, reaching.as_deref(), &mut out);
        }
    }
    out
}

fn method_findings(
    session: &Session,
    api: &Api,
    at: &MethodAt,
    m: &Method,
    written: &Method,
    reaching: Option<&[&RequestRun]>,
    out: &mut Vec<Finding>,
) {
    let place = |part: Part| Place {
        method: Some(at.clone()),
        part,
    };
    for mut f in method::header_mappings(m) {
        f.place.method = Some(at.clone());
        out.push(f);
    }
    let sent: Option<Vec<String>> = reaching
        .filter(|r| !r.is_empty())
        .map(|r| r.iter().map(|r| r.content_type.clone()).collect());
    for mut f in method::content_types(m, sent.as_deref()) {
        f.place.method = Some(at.clone());
        out.push(f);
    }
    if !m.integration.kind.uses_templates() {
        return;
    }
    for (ct, text) in &m.integration.request_templates {
        if text.is_empty() {
            continue;
        }
        let runs: Option<Vec<&RequestRun>> = reaching.map(|r| {
            r.iter()
                .filter(|r| r.request.as_ref().is_some_and(|x| x.key == *ct))
                .copied()
                .collect()
        });
        let samples = runs.as_ref().filter(|r| !r.is_empty()).map(|runs| {
            runs.iter()
                .filter_map(|r| {
                    r.body_json.clone().map(|json| Sample {
                        name: r.name.clone(),
                        json,
                    })
                })
                .collect::<Vec<_>>()
        });
        let rendered: Vec<(&str, &data::Rendered)> = runs
            .iter()
            .flatten()
            .filter_map(|r| r.request.as_ref().map(|x| (r.name.as_str(), x)))
            .collect();
        let original = written
            .integration
            .request_templates
            .get(ct)
            .map_or(text.as_str(), String::as_str);
        let spec = TemplateSpec {
            content_type: ct,
            phase: Phase::Request,
            integration: Some(m.integration.kind),
            method: Some((m, &at.path)),
            api: Some(api),
            samples: samples.as_deref(),
            overrides_hold_client_text: false,
        };
        let found = template_findings(text, &spec, &rendered);
        push_mapped(
            found,
            original,
            text,
            session,
            &place(Part::Template {
                side: Side::Request,
                content_type: ct.clone(),
            }),
            out,
        );
    }
    // What the request templates carry to the response templates in the override maps.
    let carried = m.integration.request_templates.values().any(|t| {
        crate::vtl::Template::parse(t)
            .is_ok_and(|t| super::value::writes_client_text_to_overrides(&t))
    });
    for (rk, ir) in &m.integration.integration_responses {
        for (ct, text) in &ir.response_templates {
            if text.is_empty() {
                continue;
            }
            let picked: Option<Vec<&RequestRun>> = reaching.map(|r| {
                r.iter()
                    .filter(|r| {
                        r.response
                            .as_ref()
                            .is_some_and(|x| x.response_key.as_deref() == Some(rk))
                    })
                    .copied()
                    .collect()
            });
            let samples = picked.as_ref().filter(|r| !r.is_empty()).map(|runs| {
                runs.iter()
                    .filter_map(|r| {
                        let x = r.response.as_ref()?;
                        x.payload_json.clone().map(|json| Sample {
                            name: r.name.clone(),
                            json,
                        })
                    })
                    .collect::<Vec<_>>()
            });
            let rendered: Vec<(&str, &data::Rendered)> = picked
                .iter()
                .flatten()
                .filter_map(|r| {
                    r.response
                        .as_ref()
                        .filter(|x| x.key == *ct)
                        .map(|x| (r.name.as_str(), x))
                })
                .collect();
            let original = written
                .integration
                .integration_responses
                .get(rk)
                .and_then(|w| w.response_templates.get(ct))
                .map_or(text.as_str(), String::as_str);
            let spec = TemplateSpec {
                content_type: ct,
                phase: Phase::Response,
                integration: Some(m.integration.kind),
                method: Some((m, &at.path)),
                api: Some(api),
                samples: samples.as_deref(),
                overrides_hold_client_text: carried,
            };
            let found = template_findings(text, &spec, &rendered);
            push_mapped(
                found,
                original,
                text,
                session,
                &place(Part::Template {
                    side: Side::Response(rk.clone()),
                    content_type: ct.clone(),
                }),
                out,
            );
        }
    }
}

/// The static findings of a template plus what its renders showed.
fn template_findings(
    text: &str,
    spec: &TemplateSpec<'_>,
    rendered: &[(&str, &data::Rendered)],
) -> Vec<Finding> {
    let mut found = lint_template(text, spec);
    if found.iter().any(|f| f.rule == RuleId::ParseError) {
        return found;
    }
    for (name, r) in rendered {
        for note in &r.notes {
            found.push(Finding::new(
                RuleId::ForeachOver1000,
                format!(
                    "with {name}, this #foreach stopped after 1000 iterations (API Gateway's limit): the items after the 1000th are silently left out"
                ),
                Span::offset(note.offset as usize),
            ));
        }
        if spec.output_is_json()
            && let Ok(output) = &r.output
            && data::starts_like_json(output)
            && let Err(crate::gateway::json::JsonError::Syntax(e)) =
                crate::gateway::json::parse_str(output)
        {
            found.push(Finding::new(
                RuleId::InvalidJsonOutput,
                format!(
                    "with {name}, the output is not valid JSON: {} at line {}, column {} of the output",
                    strip_position(&e.to_string()),
                    e.line(),
                    e.column()
                ),
                Span::offset(0),
            ));
        }
    }
    super::locate(text, &mut found);
    super::sort_dedupe(&mut found);
    found
}

fn strip_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

/// Put the findings of the run text (`run`) at their places in the written text.
fn push_mapped(
    found: Vec<Finding>,
    written: &str,
    run: &str,
    session: &Session,
    place: &Place,
    out: &mut Vec<Finding>,
) {
    let shift = Shift::between(written, run, &session.values);
    let mut found = found;
    if let Some(shift) = &shift {
        for f in &mut found {
            f.span = Span::offset(shift.back(f.span.offset));
        }
        super::locate(written, &mut found);
    }
    for mut f in found {
        if let Some(shift) = &shift {
            f.fix = f
                .fix
                .filter(|x| !shift.touches(x.start, x.end))
                .map(|mut x| {
                    x.start = shift.back(x.start);
                    x.end = shift.back(x.end);
                    x
                });
        }
        f.place = place.clone();
        out.push(f);
    }
}
