//! Lambda proxy integrations (AWS_PROXY): the event, the invocation, reading the function's
//! answer as the method response.

use super::*;

impl Run<'_> {
    pub(super) async fn aws_proxy(
        &mut self,
        request: &ClientRequest,
        route: &Route,
        req: &MethodRequest,
        integration: &Integration,
    ) {
        if integration
            .http_method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case("POST"))
        {
            let why =
                "a Lambda proxy integration must call Lambda with POST (integration httpMethod)";
            self.config_failure(
                Stage::IntegrationRequest,
                why,
                "Invalid permissions on Lambda function or integration httpMethod is not POST",
            );
            return;
        }
        let uri = integration.uri.clone().unwrap_or_default();
        let ct = request
            .header("Content-Type")
            .map(mapping::mime)
            .unwrap_or_default();
        let is_b64 = !request.body.is_empty()
            && self
                .api
                .binary_media_types
                .iter()
                .any(|t| media_type_matches(t, &ct));
        let body = if request.body.is_empty() {
            None
        } else if is_b64 {
            Some(base64::engine::general_purpose::STANDARD.encode(&request.body))
        } else {
            Some(String::from_utf8_lossy(&request.body).into_owned())
        };
        let mut rc = req.context.clone();
        rc.remove("requestOverride");
        rc.remove("responseOverride");
        if let Some(a) = rc.get_mut("authorizer") {
            *a = auth::proxy_authorizer(a);
        }
        if let Some(Json::Object(identity)) = rc.get_mut("identity") {
            let mut sorted: Vec<(String, Json)> = identity.clone().into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            *identity = sorted.into_iter().collect();
        }
        let event = proxy::event(&proxy::EventInput {
            resource: &route.resource_path,
            path: &route.path,
            http_method: &request.method,
            headers: &request.headers,
            query: &req.query,
            path_parameters: &route.path_parameters,
            stage_variables: self.api.stage_variables.as_ref(),
            request_context: Json::Object(rc),
            body,
            is_base64: is_b64,
        });
        let payload = event.to_string().into_bytes();
        self.stage(Stage::IntegrationRequest, StageOutcome::Done, vec!["Lambda proxy: the request becomes the event (payload format 1.0); no templates, no parameter mappings".into()]);
        let Some((resp, error)) = self.invoke_lambda(&uri, payload, true, integration).await else {
            return;
        };
        if error.is_some() {
            let why = "the function raised an error (a proxy integration answers 502)";
            self.fail(
                Stage::IntegrationResponse,
                why,
                Some(&format!(
                    "Lambda execution failed with status 200 due to customer function error: {}",
                    resp.body_text()
                )),
                GatewayError::BadGateway,
            );
            return;
        }
        let parsed = match proxy::parse_response(&resp.body) {
            Ok(p) => p,
            Err(why) => {
                self.stage(
                    Stage::IntegrationResponse,
                    StageOutcome::Failed(why.clone()),
                    vec![why.clone()],
                );
                self.log.line(
                    "Execution failed due to configuration error: Malformed Lambda proxy response",
                );
                self.gateway_error(
                    GatewayError::BadGateway,
                    &format!("Malformed Lambda proxy response: {why}"),
                );
                return;
            }
        };
        let accept_first = request
            .header("Accept")
            .map(mapping::mime)
            .unwrap_or_default();
        let decode = parsed.is_base64
            && self
                .api
                .binary_media_types
                .iter()
                .any(|t| media_type_matches(t, &accept_first));
        let body = if decode {
            match base64::engine::general_purpose::STANDARD.decode(parsed.body.as_bytes()) {
                Ok(b) => b,
                Err(e) => {
                    let why = format!("Unable to base64 decode the body: {e}");
                    self.config_failure(Stage::IntegrationResponse, &why, &why);
                    return;
                }
            }
        } else {
            parsed.body.into_bytes()
        };
        let mut headers = parsed.headers;
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        headers.push(("X-Amzn-Trace-Id".into(), self.trace_id()));
        self.stage(
            Stage::IntegrationResponse,
            StageOutcome::Done,
            vec![format!("proxy response: status {}", parsed.status)],
        );
        self.log_method_response(&body, &headers);
        self.respond(parsed.status, headers, body);
    }
}
