//! The endpoint call: the request sent to the backend (headers such as `X-Amzn-Trace-Id` and
//! `X-Amz-Date`, the Lambda invoke), the listen-mode breakpoint before it, and what came back.

use super::*;

/// An X-Ray trace header as API Gateway sends it: `Root=1-{8 hex digits of the request time
/// in epoch seconds}-{24 hex digits}` (the 24 digits come from the request id).
pub fn trace_id(request_id: &str, now_ms: u64) -> String {
    let mut hex: String = request_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut salt = 0u32;
    while hex.len() < 24 {
        hex.push_str(&format!("{:016x}", fxhash(&format!("{request_id}#{salt}"))));
        salt += 1;
    }
    hex.truncate(24);
    format!("Root=1-{:08x}-{hex}", now_ms / 1000)
}

impl Run<'_> {
    /// Invoke the function behind a Lambda URI, logging and recording the endpoint request;
    /// `None` when the call failed (the client has been answered).
    pub(super) async fn invoke_lambda(
        &mut self,
        uri: &str,
        payload: Vec<u8>,
        proxy: bool,
        integration: &Integration,
    ) -> Option<(HttpMessage, Option<String>)> {
        // A `${Name}` left by an import has no value: not an address.
        if uri.contains("${") {
            self.invalid_endpoint(Stage::Backend, uri);
            return None;
        }
        let region = region_of(uri).to_string();
        let function = uri
            .split_once("/functions/")
            .map_or(uri, |(_, r)| r)
            .trim_end_matches("/invocations");
        let endpoint = format!(
            "https://lambda.{region}.amazonaws.com/2015-03-31/functions/{function}/invocations"
        );
        let record = HttpMessage {
            method: "POST".into(),
            url: endpoint,
            headers: self.lambda_headers(),
            body: payload.clone(),
            ..HttpMessage::default()
        };
        let call = EndpointCall::Lambda(LambdaCall {
            function: uri.to_string(),
            payload,
            proxy,
            timeout: Duration::from_millis(integration.timeout_ms()),
        });
        self.send(record, call).await
    }

    /// Log and record the endpoint request, call the backend, and interpret its answer;
    /// `None` when the call failed (the client has been answered).
    pub(super) async fn send(
        &mut self,
        record: HttpMessage,
        mut call: EndpointCall,
    ) -> Option<(HttpMessage, Option<String>)> {
        self.log_endpoint_request(&record.url, &record.headers, &record.body);
        let timeout = match &mut call {
            EndpointCall::Http(c) => &mut c.timeout,
            EndpointCall::Lambda(c) => &mut c.timeout,
        };
        let full = *timeout;
        match self.breakpoint(&record, full).await {
            AtBreakpoint::Go => {}
            AtBreakpoint::Rerun(api) => {
                self.rerun = Some(api);
                return None;
            }
            AtBreakpoint::TimedOut => {
                self.trace.endpoint_request = Some(record);
                return None;
            }
        }
        // Time spent paused counts against the integration timeout.
        *timeout = full
            .saturating_sub(self.paused)
            .max(Duration::from_millis(1));
        self.trace.endpoint_request = Some(record);
        let started = Instant::now();
        let result = self.backend.call(call).await;
        self.endpoint_result(result, started)
    }

    /// The breakpoint, when armed: hand the paused request to the hook and wait for it to
    /// resume, or for the integration timeout (`timeout`, less time already paused) to run
    /// out, which answers the client the way the gateway answers a backend that is too slow.
    pub(super) async fn breakpoint(
        &mut self,
        endpoint_request: &HttpMessage,
        timeout: Duration,
    ) -> AtBreakpoint {
        let Some(intercept) = self.opts.intercept.as_ref().filter(|_| self.armed) else {
            return AtBreakpoint::Go;
        };
        self.armed = false;
        let time_left = timeout.saturating_sub(self.paused);
        let mut trace = self.trace.clone();
        trace.log = self.log.clone().finish();
        let rx = (intercept.hook)(Paused {
            id: intercept.id,
            request: self.request.cloned().unwrap_or_default(),
            trace,
            endpoint_request: endpoint_request.clone(),
            time_left,
        });
        let started = Instant::now();
        let outcome = tokio::time::timeout(time_left, rx).await;
        self.paused += started.elapsed();
        match outcome {
            Ok(Ok(Resume::Rerun(api))) => AtBreakpoint::Rerun(api),
            Ok(Ok(Resume::Continue) | Err(_)) => AtBreakpoint::Go,
            Err(_) => {
                let message = format!(
                    "no answer within the integration timeout of {} ms (paused at the breakpoint)",
                    timeout.as_millis()
                );
                self.log
                    .line("Execution failed due to a timeout error".to_string());
                self.stage(
                    Stage::Backend,
                    StageOutcome::Failed(message.clone()),
                    vec![format!("Timeout: {message}")],
                );
                self.gateway_error(GatewayError::IntegrationTimeout, &message);
                AtBreakpoint::TimedOut
            }
        }
    }

    pub(super) fn lambda_headers(&self) -> Vec<(String, String)> {
        vec![
            ("x-amzn-lambda-integration-tag".into(), self.opts.request_id.clone()),
            ("Authorization".into(), "****************************************************************************************************************************************************************************************************************************************************************************************************************************d8f3c3".into()),
            ("X-Amz-Date".into(), amz_date(self.opts.now_ms)),
            ("x-amzn-apigateway-api-id".into(), self.api.api_id.clone()),
            ("Accept".into(), "application/json".into()),
            ("User-Agent".into(), format!("AmazonAPIGateway_{}", self.api.api_id)),
            // A session token is long: AWS's log line for these headers is always cut.
            ("X-Amz-Security-Token".into(), "IQoJb3JpZ2luX2VjEEAaCXVzLWVhc3QtMSJHMEUCIQD".repeat(24)),
        ]
    }

    pub(super) fn log_endpoint_request(
        &mut self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) {
        if !self.log.enabled() {
            return;
        }
        self.log.line(format_args!("Endpoint request URI: {url}"));
        self.log.line(format_args!(
            "Endpoint request headers: {}",
            java_map_pairs(headers)
        ));
        self.log.line(format_args!(
            "Endpoint request body after transformations: {}",
            String::from_utf8_lossy(body)
        ));
        self.log.line(format_args!("Sending request to {url}"));
    }

    pub(super) async fn http_call(
        &mut self,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        integration: &Integration,
    ) -> Option<HttpMessage> {
        let record = HttpMessage {
            method: method.to_string(),
            url: url.to_string(),
            headers: headers.clone(),
            body: body.clone(),
            ..HttpMessage::default()
        };
        let call = EndpointCall::Http(HttpCall {
            method: method.to_string(),
            url: url.to_string(),
            headers,
            body,
            timeout: Duration::from_millis(integration.timeout_ms()),
        });
        self.send(record, call).await.map(|(m, _)| m)
    }

    /// Log and record an endpoint result; on failure answer the client and return `None`.
    pub(super) fn endpoint_result(
        &mut self,
        result: EndpointResult,
        started: Instant,
    ) -> Option<(HttpMessage, Option<String>)> {
        let latency = started.elapsed().as_millis();
        let (msg, error) = match result {
            EndpointResult::Http(m) => (m, None),
            EndpointResult::Lambda(l) => (
                HttpMessage {
                    status: l.status,
                    headers: l.headers,
                    body: l.payload,
                    ..HttpMessage::default()
                },
                l.function_error,
            ),
            EndpointResult::Failed { kind, message } => {
                let (err, line) = match kind {
                    FailureKind::Timeout => (
                        GatewayError::IntegrationTimeout,
                        format!("Execution failed due to a timeout error: {message}"),
                    ),
                    FailureKind::ResponseTooLarge => (
                        GatewayError::ApiConfiguration,
                        format!(
                            "Execution failed due to an oversized integration response: {message}"
                        ),
                    ),
                    FailureKind::InvalidEndpoint | FailureKind::Dns => (
                        GatewayError::ApiConfiguration,
                        "Execution failed due to configuration error: Invalid endpoint address"
                            .to_string(),
                    ),
                    _ => (
                        GatewayError::IntegrationFailure,
                        format!("Execution failed due to a network error: {message}"),
                    ),
                };
                self.log.line(line);
                self.stage(
                    Stage::Backend,
                    StageOutcome::Failed(message.clone()),
                    vec![format!("{kind:?}: {message}")],
                );
                self.gateway_error(err, &message);
                return None;
            }
        };
        if self.log.enabled() {
            self.log.line(format_args!(
                "Received response. Status: {}, Integration latency: {latency} ms",
                msg.status
            ));
            self.log.line(format_args!(
                "Endpoint response headers: {}",
                java_map_pairs(&msg.headers)
            ));
            self.log.line(format_args!(
                "Endpoint response body before transformations: {}",
                msg.body_text()
            ));
        }
        let mut notes = vec![format!("status {} in {latency} ms", msg.status)];
        if let Some(e) = &error {
            notes.push(format!("function error: {e}"));
        }
        self.stage(Stage::Backend, StageOutcome::Done, notes);
        self.trace.endpoint_response = Some(msg.clone());
        Some((msg, error))
    }

    pub(super) fn trace_id(&self) -> String {
        trace_id(&self.opts.request_id, self.opts.now_ms)
    }
}
