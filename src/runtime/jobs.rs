//! The work behind effects that runs off the loop: template renders (CPU) and pipeline runs.
//! Public so benchmarks and tests can run them directly.

use crate::app::compare::column::ColumnLayout;
use crate::app::compare::{CompareOutcome, CompareRequest};
use crate::app::effect::{PipelineRequest, RenderRequest};
use crate::app::views::{RenderFailure, RenderOutcome, RenderedOutput, TraceOutcome, TraceView};
use crate::gateway;
use crate::gateway::api::IntegrationType;
use crate::gateway::pipeline;
use crate::session::{client_request, run_session_with};
use crate::vtl::Template;

/// Render a template as API Gateway would and lay the output out for the Rendered pane.
/// Everything that holds `Rc` values (the context) is built and dropped inside this call.
pub fn render(req: &RenderRequest) -> RenderOutcome {
    let result = (|| {
        // Copy the request (its body may be large) only when overrides must go in.
        let mut request = req.request.clone().map_err(RenderFailure::Setup)?;
        if let Some(t) = &req.request_template {
            carry_overrides(t, &mut request);
        }
        let setup =
            gateway::MappingSetup::new(request, req.phase, req.integration_response.as_ref())
                .map_err(|e| RenderFailure::Setup(e.to_string()))?;
        let template =
            Template::parse_with(&req.template, &setup.policy).map_err(RenderFailure::Template)?;
        let (mut ctx, _overrides) = setup.context();
        let out = template
            .render_with_notes(&mut ctx, &setup.policy)
            .map_err(RenderFailure::Template)?;
        let notes = out.notes.iter().map(ToString::to_string).collect();
        Ok(RenderedOutput::with_notes(out.output, notes))
    })();
    RenderOutcome {
        generation: req.generation,
        result,
        findings: req.lint.lint(&req.template),
    }
}

/// Render the request template and put the `$context.requestOverride` and
/// `responseOverride` values it set into the method request's context, where the response
/// template reads them. Errors leave the request as it is (the request template's own pane
/// reports them).
fn carry_overrides(request_template: &str, request: &mut std::sync::Arc<gateway::MethodRequest>) {
    let body = request.body.clone().unwrap_or_default();
    let (out, overrides) =
        pipeline::render_template(request_template, request, &body, &serde_json::Value::Null);
    if out.is_err() {
        return;
    }
    if let serde_json::Value::Object(o) = overrides {
        let ctx = &mut std::sync::Arc::make_mut(request).context;
        for (k, v) in o {
            ctx.insert(k, v);
        }
    }
}

/// Run the pipeline for a request and lay the trace out, unless `cancel` fires first.
pub async fn run_pipeline(
    req: &PipelineRequest,
    auth_state: &crate::gateway::pipeline::AuthState,
    cancel: tokio_util::sync::CancellationToken,
) -> TraceOutcome {
    let result = match client_request(&req.request) {
        Err(e) => Err(format!("The request cannot be sent: {e}")),
        Ok(client) => {
            tokio::select! {
                trace = run_session_with(&req.session, &client, auth_state) => {
                    Ok(Box::new(TraceView::new(trace).with_changes(&client)))
                }
                () = cancel.cancelled() => Err("Cancelled".to_string()),
            }
        }
    };
    TraceOutcome {
        generation: req.generation,
        result,
    }
}

/// Run the request of a comparison as each of the five integration types, all at once on
/// this thread, and `send` each type's column as soon as its run ends (so a slow backend
/// holds up its own column only). Stops early, sending nothing more, when `cancel` fires.
pub async fn run_compare(
    req: &CompareRequest,
    cancel: tokio_util::sync::CancellationToken,
    send: &(dyn Fn(CompareOutcome) + Sync),
) {
    let generation = req.generation;
    let client = match client_request(&req.request) {
        Ok(c) => c,
        Err(e) => {
            for kind in IntegrationType::ALL {
                send(CompareOutcome {
                    generation,
                    kind,
                    result: Err(format!("The request cannot be sent: {e}")),
                });
            }
            return;
        }
    };
    // One backend for the five runs: one echo server, one local function process.
    let backend = crate::session::compare::compare_backend(&req.session);
    let runs = IntegrationType::ALL.into_iter().map(|kind| {
        let (client, backend) = (&client, &backend);
        async move {
            let run = crate::session::compare::run_type(&req.session, client, kind, backend).await;
            send(CompareOutcome {
                generation,
                kind,
                result: Ok(Box::new(ColumnLayout::new(&run, &req.session.backend))),
            });
        }
    });
    tokio::select! {
        _ = futures_util::future::join_all(runs) => {}
        () = cancel.cancelled() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::route;
    use crate::app::view_model::body::JsonStatus;
    use crate::gateway::Phase;
    use crate::session::Session;

    fn request(template: &str) -> RenderRequest {
        let s = Session::builtin_default();
        let saved = &s.requests[0];
        let r = route::route(&s.api, &saved.method, &saved.path);
        RenderRequest {
            generation: 7,
            template: template.to_string(),
            phase: Phase::Request,
            request: route::method_request(&s, saved, r.as_ref()),
            integration_response: None,
            request_template: None,
            lint: Box::new(crate::app::lint_view::LintSpec {
                content_type: "application/json".into(),
                phase: Some(Phase::Request),
                integration: Some(crate::gateway::api::IntegrationType::Aws),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn the_render_job_lints_the_template_it_renders() {
        let out = render(&request("{\"id\": \"$input.params('petId')\"}"));
        let rules: Vec<&str> = out.findings.iter().map(|f| f.rule.id()).collect();
        assert_eq!(rules, ["unescaped-in-json-string"]);
        // A template that does not render still gets its parse error.
        let out = render(&request("{#if($x)}"));
        assert!(out.result.is_err());
        assert_eq!(out.findings[0].rule.id(), "parse-error");
    }

    #[test]
    fn renders_json_and_reports_invalid_json() {
        let ok = render(&request("{\"id\": \"$input.params('petId')\"}"));
        assert_eq!(ok.generation, 7);
        let out = ok.result.unwrap();
        assert_eq!(out.text, "{\"id\": \"7\"}");
        assert_eq!(out.json, JsonStatus::Valid);
        let bad = render(&request("{\"id\": $input.params('petId'),}"))
            .result
            .unwrap();
        assert!(
            matches!(bad.json, JsonStatus::Invalid { line: 1, .. }),
            "{:?}",
            bad.json
        );
    }

    #[test]
    fn template_errors_carry_positions() {
        let e = render(&request("line one\n#if($x")).result.unwrap_err();
        match e {
            RenderFailure::Template(e) => assert_eq!(e.line, 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn response_phase_reads_the_integration_response() {
        let mut r = request("$input.path('$.a') $input.params('petId')");
        r.phase = Phase::Response;
        r.integration_response =
            Some(serde_json::json!({"statusCode": 200, "headers": {}, "body": "{\"a\": 5}"}));
        assert_eq!(render(&r).result.unwrap().text, "5 7");
    }

    #[test]
    fn response_phase_sees_the_request_templates_overrides() {
        let mut r = request("$context.requestOverride.path.name");
        r.phase = Phase::Response;
        r.request_template =
            Some("#set($context.requestOverride.path.name = $input.path('$.name'))".into());
        assert_eq!(render(&r).result.unwrap().text, "Rex");
    }
}
