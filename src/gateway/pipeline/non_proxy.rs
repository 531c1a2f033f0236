//! Non-proxy integrations (MOCK, HTTP, AWS): the integration request (parameter mappings,
//! the request template), the call, and the hand-over to the integration response.

use super::uri::{apply_request_overrides, fill_uri, substitute_stage_variables};
use super::*;

/// The status a MOCK request template asks for (`"statusCode": 200`, also unquoted);
/// 200 when it names none.
pub fn mock_status(rendered: &str) -> u16 {
    let Some(i) = rendered.find("statusCode") else {
        return 200;
    };
    let rest = &rendered[i + "statusCode".len()..];
    let rest = rest.trim_start_matches(['"', '\'', ' ', '\t', '\n', '\r']);
    let Some(rest) = rest.strip_prefix(':') else {
        return 200;
    };
    let digits: String = rest
        .trim_start_matches([' ', '\t', '\n', '\r', '"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(200)
}

impl Run<'_> {
    pub(super) async fn non_proxy(
        &mut self,
        request: &ClientRequest,
        req: &std::sync::Arc<MethodRequest>,
        _method: &Method,
        integration: &Integration,
    ) {
        let content_type = if self.test_invoke {
            None
        } else {
            request.header("Content-Type")
        };
        let sources = Sources {
            request: req,
            context: &req.context,
            integration_response: None,
        };
        if !self.header_mappings_allowed(integration) {
            return;
        }
        let mut params = mapping::integration_params(&integration.request_parameters, &sources);
        let choice = mapping::choose_request_template(
            &integration.request_templates,
            content_type,
            integration.passthrough_behavior.unwrap_or_default(),
        );
        let mut notes = Vec::new();
        let mut overrides = Json::Null;
        let payload: Vec<u8> = match &choice {
            RequestTemplateChoice::Unsupported => {
                let why = format!(
                    "no request template for content type {} and passthrough is {:?}",
                    content_type.map_or_else(|| "application/json".to_string(), mapping::mime),
                    integration.passthrough_behavior.unwrap_or_default()
                );
                self.fail(
                    Stage::IntegrationRequest,
                    &why,
                    None,
                    GatewayError::UnsupportedMediaType,
                );
                return;
            }
            RequestTemplateChoice::Passthrough => {
                notes.push("no template applies: the body passes through unchanged".into());
                request.body.clone()
            }
            RequestTemplateChoice::Transform(key, template) => {
                notes.push(format!("request template for {key}"));
                let Some((text, ov)) = self
                    .render_mapping(
                        Stage::IntegrationRequest,
                        None,
                        key,
                        template,
                        req,
                        &request.body,
                        &Json::Null,
                        Duration::from_millis(integration.timeout_ms()),
                    )
                    .await
                else {
                    return;
                };
                overrides = ov;
                text.into_bytes()
            }
        };
        apply_request_overrides(&overrides, &mut params);
        self.stage(Stage::IntegrationRequest, StageOutcome::Done, notes);

        // Backend.
        let uri = integration.uri.clone().unwrap_or_default();
        let (selector, endpoint_response, lambda_error) = match integration.kind {
            IntegrationType::Mock => {
                let record = HttpMessage {
                    method: "MOCK".into(),
                    body: payload.clone(),
                    ..HttpMessage::default()
                };
                match self
                    .breakpoint(&record, Duration::from_millis(integration.timeout_ms()))
                    .await
                {
                    AtBreakpoint::Go => {}
                    AtBreakpoint::Rerun(api) => {
                        self.rerun = Some(api);
                        return;
                    }
                    AtBreakpoint::TimedOut => return,
                }
                let text = String::from_utf8_lossy(&payload).into_owned();
                let status = mock_status(&text);
                self.stage(
                    Stage::Backend,
                    StageOutcome::Skipped,
                    vec![format!(
                        "MOCK: no backend; the request template gave statusCode {status}"
                    )],
                );
                (
                    Some(status.to_string()),
                    HttpMessage {
                        status,
                        ..HttpMessage::default()
                    },
                    None,
                )
            }
            IntegrationType::Aws if is_lambda_uri(&uri) => {
                let result = self.invoke_lambda(&uri, payload, false, integration).await;
                let Some((resp, error)) = result else {
                    return;
                };
                let selector = match &error {
                    Some(_) => crate::gateway::json::parse(&resp.body)
                        .ok()
                        .and_then(|v| {
                            v.get("errorMessage")
                                .and_then(Json::as_str)
                                .map(str::to_string)
                        })
                        .or_else(|| Some(String::new())),
                    None => Some(String::new()),
                };
                (selector, resp, error)
            }
            _ => {
                // HTTP, or an AWS service action called over HTTP.
                let uri = substitute_stage_variables(&uri, &req.stage_variables);
                // An AWS service URI: the service's host, its `path/` with the path mappings
                // filled in as for HTTP, the protocol's query (`Action=`) before the mapped one.
                let service = (integration.kind == IntegrationType::Aws)
                    .then(|| crate::gateway::aws_service::parse(&uri))
                    .flatten();
                // A `${Name}` left unset stays in the URI: `fill_uri` refuses it either way.
                let url = match (&service, integration.kind) {
                    (Some(s), _) if !uri.contains("${") => {
                        let mut query = s.protocol_query();
                        query.extend(params.query.iter().cloned());
                        fill_uri(&s.url_template(), &params.path, &query)
                    }
                    (_, IntegrationType::Aws) => None,
                    _ => fill_uri(&uri, &params.path, &params.query),
                };
                let Some(url) = url else {
                    self.invalid_endpoint(Stage::Backend, &uri);
                    return;
                };
                let method = integration
                    .http_method
                    .clone()
                    .filter(|m| m != "ANY")
                    .unwrap_or_else(|| request.method.clone());
                let mut headers: Vec<(String, String)> = Vec::new();
                let accept_mapped = params
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("Accept"));
                let ua_mapped = params
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("User-Agent"));
                let ct_mapped = params
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"));
                for (k, v) in &params.headers {
                    if !mapping::dropped_request_header(k) {
                        headers.push((k.clone(), v.clone()));
                    }
                }
                if !accept_mapped {
                    headers.push(("Accept".into(), "application/json".into()));
                }
                if !ua_mapped {
                    headers.push((
                        "User-Agent".into(),
                        format!("AmazonAPIGateway_{}", self.api.api_id),
                    ));
                }
                if !ct_mapped {
                    headers.push((
                        "Content-Type".into(),
                        request
                            .header("Content-Type")
                            .unwrap_or("application/json")
                            .to_string(),
                    ));
                }
                headers.push(("x-amzn-apigateway-api-id".into(), self.api.api_id.clone()));
                headers.push(("X-Amzn-Trace-Id".into(), self.trace_id()));
                if let Some(s) = &service {
                    s.protocol_headers(&mut headers, ct_mapped);
                    headers.push(("X-Amz-Date".into(), amz_date(self.opts.now_ms)));
                }
                let Some(resp) = self
                    .http_call(&method, &url, headers, payload, integration)
                    .await
                else {
                    return;
                };
                (Some(resp.status.to_string()), resp, None)
            }
        };

        self.integration_response(
            request,
            req,
            integration,
            selector,
            endpoint_response,
            lambda_error,
            &overrides,
        )
        .await;
    }
}
