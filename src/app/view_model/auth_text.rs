//! The text the panes show at the authorization stage: the Backend pane's account of the
//! authorizer call (the checks, the identity seen, the API key and its usage plan counters,
//! a Lambda authorizer's cache lookup, event and answer, a Cognito token's header and
//! claims, the IAM access key, what each check found, the gateway's answer when it failed),
//! and what reaches `$context.authorizer` (the Rendered pane, the Template pane's footer).

use serde_json::Value as Json;

use crate::app::App;
use crate::app::view_model::Tok;
use crate::app::view_model::body::{StyledText, pretty_json};
use crate::gateway::trace::{AuthTrace, Stage, StageOutcome, Trace};

fn heading(text: &mut StyledText, s: &str) {
    if !text.is_empty() {
        text.push_plain("");
    }
    text.push_line(s, &[(0..s.len(), Tok::Title)]);
}

/// `label value`, the label muted.
fn field(text: &mut StyledText, label: &str, value: &str) {
    let line = format!("{label} {value}");
    text.push_line(&line, &[(0..label.len(), Tok::Muted)]);
}

fn json_block(text: &mut StyledText, v: &Json) {
    let s = serde_json::to_string(v).unwrap_or_default();
    text.extend(&pretty_json(&s));
}

/// The Backend pane's text at the authorization stage of `trace`.
pub fn authorization_text(trace: &Trace) -> StyledText {
    let mut text = StyledText::default();
    let record = trace
        .stages
        .iter()
        .find(|r| r.stage == Stage::Authorization);
    let Some(a) = &trace.authorization else {
        let why = match record {
            Some(r) if !r.notes.is_empty() => format!("Skipped: {}.", r.notes.join("; ")),
            _ => "Skipped: the method has authorizationType NONE and needs no API key, so no \
                  authorizer runs and $context.authorizer is empty."
                .to_string(),
        };
        text.push_line(&why, &[(0..why.len(), Tok::Muted)]);
        return text;
    };
    if let Some(f) = &a.failure {
        let head = format!("✗ the gateway answered {} ({})", f.status, f.response_type);
        text.push_line(&head, &[(0..head.len(), Tok::Error)]);
        text.push_line(&f.why, &[(0..f.why.len(), Tok::Header)]);
        text.push_plain("");
    } else if matches!(record.map(|r| &r.outcome), Some(StageOutcome::Done)) {
        let head = "✓ authorized: the request goes on to the method request";
        text.push_line(head, &[(0..head.len(), Tok::Accent)]);
        text.push_plain("");
    }
    for (i, c) in a.checks.iter().enumerate() {
        field(&mut text, &format!("check {}:", i + 1), c);
    }
    if let Some((source, seen)) = &a.identity {
        field(&mut text, "identity source", source);
        field(&mut text, "value seen", seen);
    }
    api_key_lines(&mut text, a);
    if let Some(c) = &a.cache {
        let line = if c.hit {
            format!(
                "hit: the cached answer is used, {} s of {} s left; the function was not called",
                c.ttl_left, c.ttl
            )
        } else {
            format!(
                "miss: the function is called and its answer cached for {} s",
                c.ttl
            )
        };
        field(&mut text, "cache", &line);
    }
    if let Some(k) = &a.access_key {
        field(&mut text, "access key", k);
    }
    for r in &a.results {
        let ok = a.failure.is_none();
        let line = format!("{} {r}", if ok { "✓" } else { "✗" });
        text.push_line(
            &line,
            &[(0..line.len(), if ok { Tok::Plain } else { Tok::Warning })],
        );
    }
    if let Some(e) = &a.event {
        heading(&mut text, "→ authorizer event (sent to the function)");
        json_block(&mut text, e);
    }
    if let Some(ans) = &a.answer {
        heading(
            &mut text,
            if a.cache.is_some_and(|c| c.hit) {
                "← authorizer answer (from the cache)"
            } else {
                "← authorizer answer"
            },
        );
        json_block(&mut text, ans);
    }
    if let Some(h) = &a.token_header {
        heading(&mut text, "token header");
        json_block(&mut text, h);
    }
    if let Some(c) = &a.claims {
        heading(
            &mut text,
            if a.failure.is_none() {
                "token claims (verified)"
            } else {
                "token claims (as the token says; NOT verified)"
            },
        );
        json_block(&mut text, c);
    }
    text
}

fn api_key_lines(text: &mut StyledText, a: &AuthTrace) {
    let Some(k) = &a.api_key else { return };
    let mut line = k.key.clone();
    if let Some(id) = &k.id {
        line.push_str(&format!(" (id {id})"));
    }
    field(text, "API key", &line);
    if let Some(plan) = &k.plan {
        let mut counters = Vec::new();
        if let Some((limit, period)) = &k.quota {
            counters.push(format!(
                "{} of {limit} requests this {}",
                k.used.unwrap_or(0),
                period.to_ascii_lowercase()
            ));
        } else if let Some(used) = k.used {
            counters.push(format!("{used} requests this period"));
        }
        if let Some((rate, burst)) = k.throttle {
            counters.push(format!("throttle {rate}/s, burst {burst}"));
        }
        field(
            text,
            "usage plan",
            &format!("{plan}: {}", counters.join("; ")),
        );
    }
}

/// What reaches `$context.authorizer` in `trace`: the map the templates see, and the API key
/// as `$context.identity.apiKey`.
pub fn authorizer_context_text(trace: &Trace) -> StyledText {
    let mut text = StyledText::default();
    let a = trace.authorization.as_ref();
    match a.and_then(|a| a.context.as_ref()) {
        Some(ctx) => {
            let head = "$context.authorizer (the map the templates see):";
            text.push_line(head, &[(0..head.len(), Tok::Title)]);
            json_block(&mut text, ctx);
        }
        None => {
            let why = if a.is_some_and(|a| a.failure.is_some()) {
                "$context.authorizer: nothing; the gateway answered at the authorization stage, no template runs."
            } else {
                "$context.authorizer: empty (no authorizer ran); $context.authorizer.* prints nothing."
            };
            text.push_line(why, &[(0..why.len(), Tok::Muted)]);
        }
    }
    if let Some(k) = a
        .and_then(|a| a.api_key.as_ref())
        .filter(|k| k.id.is_some())
    {
        text.push_plain("");
        field(
            &mut text,
            "$context.identity.apiKeyId",
            k.id.as_deref().unwrap_or_default(),
        );
        field(&mut text, "$context.identity.apiKey", &k.key);
    }
    text
}

/// `$context.authorizer.principalId, .tier, ...` in one line: the keys the templates can use.
pub fn authorizer_keys_line(trace: &Trace) -> String {
    let ctx = trace
        .authorization
        .as_ref()
        .and_then(|a| a.context.as_ref());
    match ctx {
        Some(Json::Object(m)) if !m.is_empty() => {
            let keys: Vec<String> = m.keys().map(|k| format!(".{k}")).collect();
            format!("$context.authorizer{}", keys.join(" "))
        }
        _ => "$context.authorizer is empty for this request".into(),
    }
}

impl App {
    /// The Backend pane's text at the authorization stage (`None` before any run).
    pub fn authorization_text(&self) -> Option<StyledText> {
        Some(authorization_text(&self.trace()?.trace))
    }

    /// What reaches `$context.authorizer` for the trace on screen (`None` before any run).
    pub fn authorizer_context_text(&self) -> Option<StyledText> {
        Some(authorizer_context_text(&self.trace()?.trace))
    }

    /// The keys of `$context.authorizer` for the trace on screen, in one line.
    pub fn authorizer_keys_line(&self) -> Option<String> {
        Some(authorizer_keys_line(&self.trace()?.trace))
    }
}
