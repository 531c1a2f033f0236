//! The authorization stage, between the method request's arrival and its validation: the
//! API key check (key source HEADER), the method's authorizer (a Lambda TOKEN or REQUEST
//! authorizer called through the same [`Backend`] as integrations, its answer cached per
//! identity for the TTL; a Cognito user pool's token, `cognito.rs`; a SigV4 signature,
//! `iam.rs`), then the API key check again when the key source is AUTHORIZER
//! (the key is the authorizer's `usageIdentifierKey`), and the usage plan's throttle and quota.
//!
//! The order follows API Gateway's documented request flow for REST APIs (issue 16): API key,
//! authorizer, validation; with `apiKeySource` AUTHORIZER the key only exists once the
//! authorizer answered. Answers go through the customisable gateway responses: UNAUTHORIZED
//! (401 `Unauthorized`), ACCESS_DENIED (403, [`az::Denial::message`]), AUTHORIZER_FAILURE and
//! AUTHORIZER_CONFIGURATION_ERROR (500, `{"message": null}`), INVALID_API_KEY (403
//! `Forbidden`), THROTTLED (429 `Too Many Requests`), QUOTA_EXCEEDED (429 `Limit Exceeded`).
//!
//! The cached answers and the usage counters belong to an [`AuthState`] that whoever runs
//! requests owns (a `serve` server, the workbench, one `gatebench run`) and hands to the
//! pipeline in [`RunOptions::auth_state`]: two servers in one process share nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::*;
use crate::gateway::api::{ApiKeySource, Authorizer, AuthorizerType};
use crate::gateway::authorizer as az;
use crate::gateway::trace::{ApiKeyUse, AuthTrace, CacheLookup, shorten};

/// What the gateway remembers between requests for authorization: authorizer answers cached
/// per identity for their TTL, and each API key's usage plan counters (throttle bucket,
/// quota used). Clones share one memory; [`AuthState::default`] starts an empty one. The
/// owner is whoever runs requests: a `serve` server keeps one for its life, the workbench one
/// per session file, `gatebench run` one per invocation.
#[derive(Clone, Default)]
pub struct AuthState(Arc<Mutex<AuthMemory>>);

#[derive(Default)]
struct AuthMemory {
    /// Cached authorizer answers: key -> (expiry in ms since the epoch, answer).
    answers: HashMap<String, (u64, az::AuthorizerOutput)>,
    /// Usage plan counters by API, plan and key.
    usage: HashMap<String, Usage>,
}

impl AuthState {
    fn memory(&self) -> std::sync::MutexGuard<'_, AuthMemory> {
        // A panic while holding the lock leaves plain maps behind: still usable.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many authorizer answers are cached (expired ones included until replaced).
    pub fn cached_answers(&self) -> usize {
        self.memory().answers.len()
    }

    /// Forget every cached answer and counter.
    pub fn clear(&self) {
        let mut m = self.memory();
        m.answers.clear();
        m.usage.clear();
    }

    /// Whether two handles share one memory.
    pub fn same(&self, other: &AuthState) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.memory();
        f.debug_struct("AuthState")
            .field("answers", &m.answers.len())
            .field("usage", &m.usage.len())
            .finish()
    }
}

#[derive(Clone, Copy, Debug)]
struct Usage {
    period: u64,
    used: u64,
    tokens: f64,
    refilled_ms: u64,
}

/// How long API Gateway waits for a Lambda authorizer (its own limit, not the integration's).
const AUTHORIZER_TIMEOUT: Duration = Duration::from_secs(30);

/// `**********abcd`: how the execution log shows an API key.
fn masked(key: &str) -> String {
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("**********{tail}")
}

fn period_ms(period: Option<&str>) -> u64 {
    const DAY: u64 = 86_400_000;
    match period.map(str::to_ascii_uppercase).as_deref() {
        Some("WEEK") => 7 * DAY,
        Some("MONTH") => 30 * DAY,
        _ => DAY,
    }
}

/// The proxy event's `requestContext.authorizer` as AWS shapes it for a Lambda authorizer:
/// `principalId`, `integrationLatency`, then the context values, each turned into a string.
pub(super) fn proxy_authorizer(authorizer: &Json) -> Json {
    let Json::Object(m) = authorizer else {
        return authorizer.clone();
    };
    if m.contains_key("claims") {
        return authorizer.clone();
    }
    let mut out = Map::new();
    for (k, v) in m {
        let v = match v {
            Json::String(_) => v.clone(),
            Json::Number(_) | Json::Bool(_) => Json::String(v.to_string()),
            other => other.clone(),
        };
        out.insert(k.clone(), v);
        if k == "principalId" {
            out.insert("integrationLatency".into(), json!(0));
        }
    }
    Json::Object(out)
}

impl Run<'_> {
    /// Run the authorization stage and record it (skipped when the method has neither an
    /// authorizer nor an API key). `Some(())` when the request may go on (its
    /// `$context.authorizer` and `$context.identity.apiKey` filled in `req`); `None` when the
    /// client has been answered.
    pub(super) async fn authorize(
        &mut self,
        request: &ClientRequest,
        route: &Route,
        method: &Method,
        req: &mut MethodRequest,
    ) -> Option<()> {
        let kind = method
            .authorization_type
            .as_deref()
            .unwrap_or("NONE")
            .to_ascii_uppercase();
        if kind == "NONE" && !method.api_key_required {
            return Some(());
        }
        if self.test_invoke {
            self.stage(
                Stage::Authorization,
                StageOutcome::Skipped,
                vec![
                    "console Test: API Gateway skips authorizers and API keys for test invocations"
                        .into(),
                ],
            );
            return Some(());
        }
        let mut notes = Vec::new();
        self.trace.authorization = Some(AuthTrace::default());
        self.authorize_checks(request, route, method, &kind, req, &mut notes)
            .await?;
        let context = req.context.get("authorizer").cloned();
        self.auth_trace().context = context;
        self.stage(Stage::Authorization, StageOutcome::Done, notes);
        Some(())
    }

    /// The authorization stage's record, started by [`Run::authorize`].
    pub(super) fn auth_trace(&mut self) -> &mut AuthTrace {
        self.trace
            .authorization
            .get_or_insert_with(AuthTrace::default)
    }

    /// The checks of the authorization stage, in the gateway's order.
    async fn authorize_checks(
        &mut self,
        request: &ClientRequest,
        route: &Route,
        method: &Method,
        kind: &str,
        req: &mut MethodRequest,
        notes: &mut Vec<String>,
    ) -> Option<()> {
        let source = self.api.api_key_source.unwrap_or_default();
        if method.api_key_required && source == ApiKeySource::Header {
            let key = request.header("x-api-key").map(str::to_string);
            self.auth_trace()
                .checks
                .push("API key (the x-api-key header)".into());
            self.check_api_key(route, key.as_deref(), req, notes)?;
        }
        let mut usage_key = None;
        match kind {
            "NONE" => {}
            "CUSTOM" => {
                let out = self
                    .lambda_authorizer(request, route, method, req, notes)
                    .await?;
                usage_key = out.usage_identifier_key.clone();
                let ctx = az::context_authorizer(&out);
                req.context.insert("authorizer".into(), Json::Object(ctx));
            }
            "AWS_IAM" => self.iam_authorizer(request, req, notes)?,
            "COGNITO_USER_POOLS" => {
                let ctx = self.cognito_authorizer(method, req, notes)?;
                req.context.insert("authorizer".into(), Json::Object(ctx));
            }
            other => {
                let why = format!(
                    "authorizationType {other} is not one of NONE, CUSTOM, COGNITO_USER_POOLS, AWS_IAM"
                );
                self.log.line(format_args!(
                    "Execution failed due to configuration error: {why}"
                ));
                self.deny(&why, GatewayError::AuthorizerConfiguration);
                return None;
            }
        }
        if method.api_key_required && source == ApiKeySource::Authorizer {
            self.auth_trace()
                .checks
                .push("API key (the authorizer's usageIdentifierKey)".into());
            notes.push(match &usage_key {
                Some(k) => format!(
                    "API key from the authorizer's usageIdentifierKey {}",
                    masked(k)
                ),
                None => "the authorizer gave no usageIdentifierKey".into(),
            });
            self.check_api_key(route, usage_key.as_deref(), req, notes)?;
        }
        Some(())
    }

    /// The API key and usage plan check; `None` when the client has been answered.
    fn check_api_key(
        &mut self,
        route: &Route,
        key: Option<&str>,
        req: &mut MethodRequest,
        notes: &mut Vec<String>,
    ) -> Option<()> {
        let api_stage = format!(
            "{}/{}",
            self.api.api_id,
            self.api.stage.as_deref().unwrap_or("test-invoke-stage")
        );
        let method_name = format!("{} {}", req.method, route.resource_path);
        let refuse = |run: &mut Self, why: String, err: GatewayError| {
            run.deny(&why, err);
        };
        self.auth_trace().api_key = Some(ApiKeyUse {
            key: key
                .filter(|k| !k.is_empty())
                .map_or_else(|| "(none)".into(), masked),
            ..ApiKeyUse::default()
        });
        let Some(key) = key.filter(|k| !k.is_empty()) else {
            self.log.line(format_args!(
                "API Key  not authorized because method '{method_name}' requires API Key and API Key is not associated with a Usage Plan for API Stage {api_stage}: API Key not found"
            ));
            refuse(
                self,
                format!("method '{method_name}' requires an API key and the request has none"),
                GatewayError::InvalidApiKey,
            );
            return None;
        };
        let found = self
            .api
            .api_keys
            .iter()
            .find(|k| k.value == key && k.enabled)
            .cloned();
        let Some(found) = found else {
            self.log.line(format_args!(
                "API Key {} not authorized because method '{method_name}' requires API Key and API Key is not associated with a Usage Plan for API Stage {api_stage}: Invalid API Key identifier specified",
                masked(key)
            ));
            refuse(
                self,
                format!(
                    "API key {} is not one of the API's enabled keys",
                    masked(key)
                ),
                GatewayError::InvalidApiKey,
            );
            return None;
        };
        let key_id = found.name.clone().unwrap_or_else(|| masked(key));
        if let Some(k) = self.auth_trace().api_key.as_mut() {
            k.id = Some(key_id.clone());
        }
        let plan = self
            .api
            .usage_plans
            .iter()
            .find(|p| {
                p.api_keys
                    .iter()
                    .any(|k| k == key || Some(k) == found.name.as_ref())
            })
            .cloned();
        self.log.line(format_args!(
            "API Key: {}\nAPI Key ID: {key_id}",
            masked(key)
        ));
        let Some(plan) = plan else {
            self.log.line(format_args!(
                "API Key {} not authorized because method '{method_name}' requires API Key and API Key is not associated with a Usage Plan for API Stage {api_stage}: No Usage Plan found for key and API Stage",
                masked(key)
            ));
            refuse(
                self,
                format!("API key {key_id} is in no usage plan of this API stage"),
                GatewayError::InvalidApiKey,
            );
            return None;
        };
        let plan_name = plan.name.clone().unwrap_or_else(|| "usage plan".into());
        if let Some(k) = self.auth_trace().api_key.as_mut() {
            k.plan = Some(plan_name.clone());
            k.quota = plan
                .quota
                .as_ref()
                .map(|q| (q.limit, q.period.clone().unwrap_or_else(|| "DAY".into())));
            k.throttle = plan
                .throttle
                .as_ref()
                .map(|t| (t.rate_limit.unwrap_or(0.0), t.burst_limit.unwrap_or(0)));
        }
        self.log.line(format_args!(
            "Verifying Usage Plan for request: {}. API Key: {}. API Stage: {api_stage}.",
            self.opts.request_id,
            masked(key)
        ));
        let now = self.opts.now_ms;
        let state_key = format!("{}\u{0}{plan_name}\u{0}{key}", self.api.api_id);
        let verdict = {
            let mut memory = self.opts.auth_state.memory();
            let usage = &mut memory.usage;
            let period_len = plan
                .quota
                .as_ref()
                .map_or(86_400_000, |q| period_ms(q.period.as_deref()));
            let burst = plan
                .throttle
                .as_ref()
                .and_then(|t| t.burst_limit)
                .map(|b| b as f64);
            let rate = plan
                .throttle
                .as_ref()
                .and_then(|t| t.rate_limit)
                .unwrap_or(0.0);
            let u = usage.entry(state_key).or_insert(Usage {
                period: now / period_len,
                used: 0,
                tokens: burst.unwrap_or(0.0),
                refilled_ms: now,
            });
            if u.period != now / period_len {
                u.period = now / period_len;
                u.used = 0;
            }
            let mut verdict = None;
            if let Some(burst) = burst {
                let dt = now.saturating_sub(u.refilled_ms) as f64 / 1000.0;
                u.tokens = (u.tokens + dt * rate).min(burst);
                u.refilled_ms = now;
                if u.tokens < 1.0 {
                    verdict = Some(GatewayError::Throttled);
                }
            }
            if verdict.is_none()
                && let Some(q) = &plan.quota
                && u.used >= q.limit
            {
                verdict = Some(GatewayError::QuotaExceeded);
            }
            if verdict.is_none() {
                u.used += 1;
                if burst.is_some() {
                    u.tokens -= 1.0;
                }
            }
            (verdict.map(|v| (v, u.used)), u.used)
        };
        let (verdict, used) = verdict;
        if let Some(k) = self.auth_trace().api_key.as_mut() {
            k.used = Some(used);
        }
        if let Some((err, used)) = verdict {
            let why = match err {
                GatewayError::Throttled => format!(
                    "usage plan {plan_name}: over the throttle (rate {}, burst {})",
                    plan.throttle
                        .as_ref()
                        .and_then(|t| t.rate_limit)
                        .unwrap_or(0.0),
                    plan.throttle
                        .as_ref()
                        .and_then(|t| t.burst_limit)
                        .unwrap_or(0)
                ),
                _ => format!(
                    "usage plan {plan_name}: quota of {} per {} used up ({used} requests)",
                    plan.quota.as_ref().map_or(0, |q| q.limit),
                    plan.quota
                        .as_ref()
                        .and_then(|q| q.period.clone())
                        .unwrap_or_else(|| "DAY".into())
                ),
            };
            self.log.line(format_args!(
                "API Key {} exceeded throttle or quota limits for Usage Plan {plan_name} and API Stage {api_stage}",
                masked(key)
            ));
            refuse(self, why, err);
            return None;
        }
        self.log.line(format_args!(
            "Usage Plan check succeeded for API Key {} and API Stage {api_stage}",
            masked(key)
        ));
        if let Some(Json::Object(identity)) = req.context.get_mut("identity") {
            identity.insert("apiKey".into(), json!(key));
            identity.insert("apiKeyId".into(), json!(key_id));
        }
        notes.push(format!(
            "API key {key_id} accepted (usage plan {plan_name})"
        ));
        Some(())
    }

    /// Answer with an authorization failure at the authorization stage.
    pub(super) fn deny(&mut self, why: &str, err: GatewayError) {
        self.stage(
            Stage::Authorization,
            StageOutcome::Failed(why.to_string()),
            vec![why.to_string()],
        );
        self.gateway_error(err, why);
    }

    /// A Lambda (TOKEN or REQUEST) authorizer; `None` when the client has been answered.
    async fn lambda_authorizer(
        &mut self,
        request: &ClientRequest,
        route: &Route,
        method: &Method,
        req: &MethodRequest,
        notes: &mut Vec<String>,
    ) -> Option<az::AuthorizerOutput> {
        let id = method.authorizer_id.clone().unwrap_or_default();
        let Some(authorizer): Option<Authorizer> = self.api.authorizers.get(&id).cloned() else {
            let why = format!("authorizerId {id:?} names no authorizer of the API");
            self.log.line(format_args!(
                "Execution failed due to configuration error: {why}"
            ));
            self.deny(&why, GatewayError::AuthorizerConfiguration);
            return None;
        };
        let name = authorizer.name.clone().unwrap_or_else(|| id.clone());
        let uri = authorizer.authorizer_uri.clone().unwrap_or_default();
        self.auth_trace().checks.push(format!(
            "Lambda {} authorizer {name} ({})",
            if authorizer.kind == AuthorizerType::Token {
                "TOKEN"
            } else {
                "REQUEST"
            },
            function_name(&uri)
        ));
        let sources = match az::parse_identity_sources(authorizer.identity_source()) {
            Ok(s) => s,
            Err(why) => {
                self.log.line(format_args!(
                    "Execution failed due to configuration error: {why}"
                ));
                self.deny(&why, GatewayError::AuthorizerConfiguration);
                return None;
            }
        };
        // Identity values: each must be present and non-empty, or 401 without a call.
        let mut values = Vec::new();
        for s in &sources {
            let v = match s {
                az::IdentitySource::Header(n) => req.header(n).map(str::to_string),
                az::IdentitySource::Query(n) => req.query_param(n).map(str::to_string),
                az::IdentitySource::StageVariable(n) => req.stage_variables.get(n).cloned(),
                az::IdentitySource::Context(n) => req.context.get(n).map(|v| match v {
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                }),
            };
            match v.filter(|v| !v.is_empty()) {
                Some(v) => values.push(v),
                None => {
                    self.auth_trace().identity = Some((s.expression(), "(missing)".into()));
                    let why = format!(
                        "identity source {} is missing or empty: 401 without calling the authorizer",
                        s.expression()
                    );
                    self.log.line(format_args!(
                        "Unauthorized request: {}",
                        self.opts.request_id
                    ));
                    self.deny(&why, GatewayError::Unauthorized);
                    return None;
                }
            }
        }
        self.auth_trace().identity = Some((
            sources
                .iter()
                .map(az::IdentitySource::expression)
                .collect::<Vec<_>>()
                .join(", "),
            values
                .iter()
                .map(|v| shorten(v))
                .collect::<Vec<_>>()
                .join(", "),
        ));
        if authorizer.kind == AuthorizerType::Token
            && let Some(expr) = authorizer
                .identity_validation_expression
                .as_deref()
                .filter(|e| !e.is_empty())
        {
            let full = format!("^(?:{expr})$");
            let ok = fancy_regex::Regex::new(&full)
                .ok()
                .and_then(|re| re.is_match(&values[0]).ok())
                .unwrap_or(false);
            if !ok {
                let why = format!(
                    "the token does not match identityValidationExpression {expr:?}: 401 without calling the authorizer"
                );
                self.log.line(format_args!(
                    "Unauthorized request: {}",
                    self.opts.request_id
                ));
                self.deny(&why, GatewayError::Unauthorized);
                return None;
            }
        }
        let arn = az::method_arn(
            region_of(&uri),
            &self.opts.account_id,
            &self.api.api_id,
            self.api.stage.as_deref().unwrap_or("test-invoke-stage"),
            &request.method,
            &route.path,
        );
        let ttl = authorizer.ttl_seconds();
        let cache_key = format!(
            "{}\u{0}{id}\u{0}{uri}\u{0}{}",
            self.api.api_id,
            values.join("\u{0}")
        );
        let now = self.opts.now_ms;
        let cached = if ttl > 0 {
            self.opts
                .auth_state
                .memory()
                .answers
                .get(&cache_key)
                .filter(|(expiry, _)| *expiry > now)
                .map(|(expiry, out)| (*expiry, out.clone()))
        } else {
            None
        };
        if ttl > 0 {
            self.auth_trace().cache = Some(CacheLookup {
                hit: cached.is_some(),
                ttl,
                ttl_left: cached
                    .as_ref()
                    .map_or(ttl, |(expiry, _)| (expiry - now).div_ceil(1000)),
            });
        }
        let out = if let Some((_, out)) = cached {
            self.auth_trace().answer = Some(answer_json(&out));
            notes.push(format!(
                "authorizer {name}: authorizer answer from cache (cache hit for this identity, TTL {ttl} s): the function was not called"
            ));
            self.log.line(format_args!(
                "Using cached authorizer policy for principal: {}",
                out.principal_id
            ));
            out
        } else {
            let event = match authorizer.kind {
                AuthorizerType::Token => az::token_event(&values[0], &arn),
                _ => self.request_event(request, route, req, &arn),
            };
            self.log.line(format_args!(
                "Starting authorizer: {id} for request: {}",
                self.opts.request_id
            ));
            self.log
                .line(format_args!("Incoming identity: {}", values.join(",")));
            self.log.line(format_args!(
                "Endpoint request body after transformations: {event}"
            ));
            self.auth_trace().event = Some(event.clone());
            let call = EndpointCall::Lambda(LambdaCall {
                function: uri.clone(),
                payload: event.to_string().into_bytes(),
                proxy: false,
                timeout: AUTHORIZER_TIMEOUT,
            });
            let result = self.backend.call(call).await;
            let payload = match result {
                EndpointResult::Lambda(r) if r.function_error.is_some() => {
                    self.auth_trace().answer = Some(answer_of(&r.payload));
                    let msg = serde_json::from_slice::<Json>(&r.payload)
                        .ok()
                        .and_then(|v| {
                            v.get("errorMessage")
                                .and_then(Json::as_str)
                                .map(str::to_string)
                        })
                        .unwrap_or_default();
                    if msg == "Unauthorized" {
                        self.log.line(format_args!(
                            "Unauthorized request: {}",
                            self.opts.request_id
                        ));
                        self.deny(
                            &format!("authorizer {name} raised Unauthorized: 401"),
                            GatewayError::Unauthorized,
                        );
                    } else {
                        self.log.line(format_args!(
                            "Execution failed due to configuration error: Authorizer error"
                        ));
                        self.deny(
                            &format!("authorizer {name} raised an error ({msg}): 500"),
                            GatewayError::AuthorizerConfiguration,
                        );
                    }
                    return None;
                }
                EndpointResult::Lambda(r) => r.payload,
                EndpointResult::Http(_) => {
                    self.log.line(format_args!(
                        "Execution failed due to configuration error: Authorizer error"
                    ));
                    self.deny(
                        &format!("authorizer {name}: the backend did not answer as Lambda"),
                        GatewayError::AuthorizerConfiguration,
                    );
                    return None;
                }
                EndpointResult::Failed { message, .. } => {
                    self.log.line(format_args!(
                        "Execution failed due to configuration error: Authorizer error"
                    ));
                    self.deny(
                        &format!("authorizer {name} could not be called: {message}"),
                        GatewayError::AuthorizerFailure,
                    );
                    return None;
                }
            };
            self.log.line(format_args!(
                "Authorizer result body before parsing: {}",
                String::from_utf8_lossy(&payload)
            ));
            self.auth_trace().answer = Some(answer_of(&payload));
            let out = match az::parse_output(&payload) {
                Ok(o) => o,
                Err(why) => {
                    self.log.line(format_args!(
                        "Execution failed due to configuration error: Invalid JSON in response: {why}"
                    ));
                    self.deny(
                        &format!("authorizer {name}: {why}"),
                        GatewayError::AuthorizerConfiguration,
                    );
                    return None;
                }
            };
            if ttl > 0 {
                self.opts
                    .auth_state
                    .memory()
                    .answers
                    .insert(cache_key, (now + ttl * 1000, out.clone()));
            }
            notes.push(format!(
                "authorizer {name} called (principal {}); answer cached for {ttl} s",
                out.principal_id
            ));
            out
        };
        match az::evaluate(&out.policy, az::INVOKE_ACTION, &arn) {
            Ok(az::Verdict::Allow) => {
                self.log.line(format_args!(
                    "Using valid authorizer policy for principal: {}",
                    out.principal_id
                ));
                self.log.line("Successfully completed authorizer execution");
                notes.push(format!("the policy allows {arn}"));
                self.auth_trace()
                    .results
                    .push(format!("the policy allows execute-api:Invoke on {arn}"));
                Some(out)
            }
            Ok(verdict) => {
                let denial = if verdict == az::Verdict::ExplicitDeny {
                    az::Denial::Explicit
                } else {
                    az::Denial::Implicit
                };
                self.log.line(format_args!(
                    "The client is not authorized to perform this operation. {}",
                    denial.message()
                ));
                self.auth_trace().results.push(format!(
                    "the policy does not allow execute-api:Invoke on {arn} ({})",
                    if verdict == az::Verdict::ExplicitDeny {
                        "an explicit Deny"
                    } else {
                        "no Allow matches"
                    }
                ));
                self.deny(denial.message(), GatewayError::AccessDenied);
                None
            }
            Err(why) => {
                self.log.line(format_args!(
                    "Execution failed due to configuration error: Invalid policy document: {why}"
                ));
                self.deny(
                    &format!("authorizer {name}: {why}"),
                    GatewayError::AuthorizerConfiguration,
                );
                None
            }
        }
    }

    /// The REQUEST authorizer's event: `type`, `methodArn`, then the request as the proxy
    /// event gives it, without the body.
    fn request_event(
        &self,
        request: &ClientRequest,
        route: &Route,
        req: &MethodRequest,
        arn: &str,
    ) -> Json {
        let mut rc = req.context.clone();
        rc.remove("requestOverride");
        rc.remove("responseOverride");
        let event = proxy::event(&proxy::EventInput {
            resource: &route.resource_path,
            path: &route.path,
            http_method: &request.method,
            headers: &request.headers,
            query: &req.query,
            path_parameters: &route.path_parameters,
            stage_variables: self.api.stage_variables.as_ref(),
            request_context: Json::Object(rc),
            body: None,
            is_base64: false,
        });
        let mut out = Map::new();
        out.insert("type".into(), json!("REQUEST"));
        out.insert("methodArn".into(), json!(arn));
        if let Json::Object(m) = event {
            for (k, v) in m {
                if k != "body" && k != "isBase64Encoded" {
                    out.insert(k, v);
                }
            }
        }
        Json::Object(out)
    }
}

/// A Lambda authorizer's answer as the trace shows it: its JSON, or its text when it is not
/// JSON.
fn answer_of(payload: &[u8]) -> Json {
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(payload).into_owned()))
}

/// A cached answer as the trace shows it.
fn answer_json(out: &az::AuthorizerOutput) -> Json {
    let mut m = Map::new();
    m.insert("principalId".into(), json!(out.principal_id));
    m.insert("policyDocument".into(), out.policy.clone());
    if !out.context.is_empty() {
        m.insert("context".into(), Json::Object(out.context.clone()));
    }
    if let Some(k) = &out.usage_identifier_key {
        m.insert("usageIdentifierKey".into(), json!(k));
    }
    Json::Object(m)
}

/// The function an authorizer URI names (`...:function:NAME/invocations` → `NAME`).
fn function_name(uri: &str) -> &str {
    uri.rsplit_once(":function:")
        .map_or(uri, |(_, rest)| rest.split('/').next().unwrap_or(rest))
}
