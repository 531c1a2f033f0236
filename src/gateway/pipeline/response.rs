//! The integration response of a non-proxy integration: choosing the response by
//! `selectionPattern`, header mappings, the response template, binary conversion.

use super::*;

impl Run<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn integration_response(
        &mut self,
        request: &ClientRequest,
        req: &std::sync::Arc<MethodRequest>,
        integration: &Integration,
        selector: Option<String>,
        endpoint: HttpMessage,
        lambda_error: Option<String>,
        overrides_in: &Json,
    ) {
        let selector_text = selector.unwrap_or_default();
        // Selection: patterns (whole match, Java regex) in order, else the default.
        let mut chosen = None;
        for (key, ir) in &integration.integration_responses {
            let Some(p) = ir.selection_pattern.as_deref().filter(|p| !p.is_empty()) else {
                continue;
            };
            match crate::vtl::methods::compile_java_regex(&format!("^(?:{p})$")) {
                Ok(re) if re.is_match(&selector_text).unwrap_or(false) => {
                    chosen = Some((key.clone(), ir.clone()));
                    break;
                }
                _ => {}
            }
        }
        let matched = chosen.is_some();
        let chosen = chosen.or_else(|| {
            integration
                .integration_responses
                .iter()
                .find(|(_, ir)| ir.selection_pattern.as_deref().is_none_or(str::is_empty))
                .map(|(key, ir)| (key.clone(), ir.clone()))
        });
        let Some((response_key, ir)) = chosen else {
            let why = format!(
                "no integration response matches {selector_text:?} and there is no default response"
            );
            let reason = format!(
                "No match for output mapping and no default output mapping configured. Endpoint Response Status Code: {}",
                endpoint.status
            );
            self.config_failure(Stage::IntegrationResponse, &why, &reason);
            return;
        };
        let mut notes = vec![if matched {
            format!(
                "selectionPattern {:?} matched {selector_text:?} -> {}",
                ir.selection_pattern.clone().unwrap_or_default(),
                ir.status_code
            )
        } else {
            format!(
                "no pattern matched {selector_text:?}: default response {}",
                ir.status_code
            )
        }];
        if lambda_error.is_some() {
            notes.push("the Lambda function raised: its error object is the payload".into());
        }
        let mut status: u16 = ir.status_code.parse().unwrap_or(200);
        let mut headers: Vec<(String, String)> = Vec::new();
        let sources = Sources {
            request: req,
            context: &req.context,
            integration_response: Some(&endpoint),
        };
        for (target, expr) in &ir.response_parameters {
            let Some(name) = target.strip_prefix("method.response.header.") else {
                continue;
            };
            if let Some(values) = mapping::resolve(expr, &sources)
                && let Some(n) = mapping::response_header_name(name)
            {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&n));
                headers.push((n, values.join(",")));
            }
        }
        let accept = request.header("Accept");
        let mut content_type = "application/json".to_string();
        let mut overrides = overrides_in.clone();
        let body: Vec<u8> = match mapping::choose_response_template(&ir.response_templates, accept)
        {
            Some((key, template)) => {
                content_type = key.clone();
                let Some((text, ov)) = self
                    .render_mapping(
                        Stage::IntegrationResponse,
                        Some(&response_key),
                        &key,
                        &template,
                        req,
                        &endpoint.body,
                        overrides_in,
                        Duration::from_millis(integration.timeout_ms()),
                    )
                    .await
                else {
                    return;
                };
                overrides = ov;
                notes.push(format!("response template for {key}"));
                text.into_bytes()
            }
            None => {
                notes.push("no response template: the payload passes through".into());
                endpoint.body.clone()
            }
        };
        // Binary handling of the response (integration response contentHandling).
        let body = match self.convert_response_body(body, &endpoint, accept, ir.content_handling) {
            Ok(b) => b,
            Err(why) => {
                self.config_failure(Stage::IntegrationResponse, &why, &why);
                return;
            }
        };
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        {
            headers.insert(0, ("Content-Type".to_string(), content_type));
        }
        // Overrides, applied after the template ran.
        if let Some(ro) = overrides.get("responseOverride") {
            if let Some(s) = ro.get("status") {
                let parsed = match s {
                    Json::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                    Json::String(t) => t.trim().parse().ok(),
                    _ => None,
                };
                if let Some(s) = parsed {
                    notes.push(format!("$context.responseOverride.status = {s}"));
                    status = s;
                }
            }
            if let Some(Json::Object(h)) = ro.get("header") {
                for (k, v) in h {
                    let value = match v {
                        Json::String(s) => s.clone(),
                        Json::Array(a) => a
                            .iter()
                            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join(","),
                        other => other.to_string(),
                    };
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
                    headers.push((k.clone(), value));
                }
            }
        }
        self.stage(Stage::IntegrationResponse, StageOutcome::Done, notes);
        if integration.kind != IntegrationType::Mock
            && is_lambda_uri(integration.uri.as_deref().unwrap_or(""))
        {
            headers.insert(0, ("X-Amzn-Trace-Id".to_string(), self.trace_id()));
        }
        self.log_method_response(&body, &headers);
        self.respond(status, headers, body);
    }

    /// The log's last lines for a response built by the gateway.
    pub(super) fn log_method_response(&mut self, body: &[u8], headers: &[(String, String)]) {
        if !self.log.enabled() {
            return;
        }
        self.log.line(format_args!(
            "Method response body after transformations: {}",
            String::from_utf8_lossy(body)
        ));
        self.log.line(format_args!(
            "Method response headers: {}",
            java_map_pairs(headers)
        ));
        self.log.line("Successfully completed execution");
    }

    /// Apply binary rules to a non-proxy response body (APIGW-SEMANTICS.md section 10).
    pub(super) fn convert_response_body(
        &self,
        body: Vec<u8>,
        endpoint: &HttpMessage,
        accept: Option<&str>,
        handling: Option<ContentHandling>,
    ) -> Result<Vec<u8>, String> {
        let types = &self.api.binary_media_types;
        let accept_mime = accept.map(mapping::mime).unwrap_or_default();
        let accept_binary =
            !types.is_empty() && types.iter().any(|t| media_type_matches(t, &accept_mime));
        let payload_binary = !types.is_empty()
            && endpoint
                .header("Content-Type")
                .map(mapping::mime)
                .is_some_and(|ct| types.iter().any(|t| media_type_matches(t, &ct)));
        let b64 = base64::engine::general_purpose::STANDARD;
        let decode = |b: &[u8]| -> Result<Vec<u8>, String> {
            let text: String = String::from_utf8_lossy(b)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            b64.decode(text.as_bytes())
                .map_err(|e| format!("Unable to base64 decode the body: {e}"))
        };
        let to_text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned().into_bytes();
        Ok(match (payload_binary, accept_binary, handling) {
            (_, _, Some(ContentHandling::ConvertToText)) if payload_binary => {
                b64.encode(&body).into_bytes()
            }
            (_, _, Some(ContentHandling::ConvertToText)) => to_text(body),
            (false, _, Some(ContentHandling::ConvertToBinary)) => decode(&body)?,
            (true, _, Some(ContentHandling::ConvertToBinary)) => body,
            (false, true, None) => decode(&body)?,
            (true, false, None) => b64.encode(&body).into_bytes(),
            (true, true, None) => body,
            (false, false, None) => {
                if types.is_empty() {
                    to_text(body)
                } else {
                    body
                }
            }
        })
    }
}
