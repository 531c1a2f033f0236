//! HTTP proxy integrations (HTTP_PROXY): the request passed through, the answer passed back.

use super::uri::{fill_uri, substitute_stage_variables};
use super::*;

impl Run<'_> {
    pub(super) async fn http_proxy(
        &mut self,
        request: &ClientRequest,
        req: &MethodRequest,
        integration: &Integration,
    ) {
        let sources = Sources {
            request: req,
            context: &req.context,
            integration_response: None,
        };
        if !self.header_mappings_allowed(integration) {
            return;
        }
        let params = mapping::integration_params(&integration.request_parameters, &sources);
        let uri = substitute_stage_variables(
            integration.uri.as_deref().unwrap_or_default(),
            &req.stage_variables,
        );
        // Client query, then the URI's own query, then mapped parameters.
        let mut query: Vec<(String, String)> = parse_query(&request.raw_query);
        query.extend(params.query.iter().cloned());
        let Some(url) = fill_uri(&uri, &params.path, &query) else {
            self.invalid_endpoint(Stage::IntegrationRequest, &uri);
            return;
        };
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(k, _)| {
                !["host", "content-length", "connection", "transfer-encoding"]
                    .contains(&k.to_ascii_lowercase().as_str())
            })
            .filter(|(k, _)| {
                !params
                    .headers
                    .iter()
                    .any(|(m, _)| m.eq_ignore_ascii_case(k))
            })
            .cloned()
            .collect();
        for (k, v) in &params.headers {
            if !mapping::dropped_request_header(k) {
                headers.push((k.clone(), v.clone()));
            }
        }
        headers.push(("x-amzn-apigateway-api-id".into(), self.api.api_id.clone()));
        let method = integration
            .http_method
            .clone()
            .filter(|m| m != "ANY")
            .unwrap_or_else(|| request.method.clone());
        self.stage(
            Stage::IntegrationRequest,
            StageOutcome::Done,
            vec![
                "HTTP proxy: the client request is forwarded with its headers, query and body"
                    .into(),
            ],
        );
        let Some(resp) = self
            .http_call(&method, &url, headers, request.body.clone(), integration)
            .await
        else {
            return;
        };
        let headers: Vec<(String, String)> = resp
            .headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("transfer-encoding"))
            .map(|(k, v)| (mapping::proxy_response_header_name(k), v.clone()))
            .collect();
        self.stage(
            Stage::IntegrationResponse,
            StageOutcome::Done,
            vec![format!(
                "HTTP proxy: the backend's status {} and headers pass through",
                resp.status
            )],
        );
        self.log.line(format_args!(
            "Method response body after transformations: {}",
            resp.body_text()
        ));
        self.log.line("Successfully completed execution");
        self.respond(resp.status, headers, resp.body);
    }
}
