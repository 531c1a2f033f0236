//! `t` teaches the integration types: switching to a type whose URI does not fit (an HTTP
//! type with a Lambda ARN, a Lambda proxy with an HTTP URL) swaps in a URI that does (the
//! built-in echo backend's URL or echo Lambda ARN) so the run shows the type's behaviour
//! instead of `500 Invalid endpoint address`, and says so; switching on to a type the
//! original URI fits puts it back.

use crate::app::{App, Effect, StatusKind};
use crate::gateway::api::IntegrationType;

/// The URL `t` gives an HTTP type when the URI is not one: the built-in echo backend
/// answers every HTTP call (whatever its host) with a description of the request.
pub const ECHO_URL: &str = "http://echo.gatebench.local/echo";

/// The Lambda ARN `t` gives an AWS or AWS_PROXY type when the URI is not one: the built-in
/// echo function returns the event (proxy) or the payload it received.
pub const ECHO_LAMBDA_URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations";

/// Whether `uri` is one the gateway accepts for `kind` (MOCK takes any, or none).
pub fn uri_fits(kind: IntegrationType, uri: Option<&str>) -> bool {
    let uri = uri.unwrap_or("").trim();
    match kind {
        IntegrationType::Mock => true,
        IntegrationType::Http | IntegrationType::HttpProxy => {
            let lower = uri.to_ascii_lowercase();
            lower.starts_with("http://") || lower.starts_with("https://")
        }
        IntegrationType::Aws => uri.starts_with("arn:aws:apigateway:"),
        // A Lambda proxy takes only a Lambda invocation URI.
        IntegrationType::AwsProxy => {
            uri.starts_with("arn:aws:apigateway:") && uri.contains(":lambda:path/")
        }
    }
}

/// The URI `t` swaps in for `kind`.
pub fn example_uri(kind: IntegrationType) -> Option<&'static str> {
    match kind {
        IntegrationType::Mock => None,
        IntegrationType::Http | IntegrationType::HttpProxy => Some(ECHO_URL),
        IntegrationType::Aws | IntegrationType::AwsProxy => Some(ECHO_LAMBDA_URI),
    }
}

/// One-line descriptions of what each integration type does, shown when cycling.
fn type_summary(kind: IntegrationType) -> &'static str {
    match kind {
        IntegrationType::Mock => {
            "no backend; the request template's statusCode picks the integration response"
        }
        IntegrationType::Aws => "calls an AWS service or Lambda with the request template's output",
        IntegrationType::AwsProxy => {
            "Lambda proxy: the whole request goes as an event, no templates"
        }
        IntegrationType::Http => "calls an HTTP endpoint with the request template's output",
        IntegrationType::HttpProxy => {
            "forwards the request to an HTTP endpoint untouched, no templates"
        }
    }
}

/// What `t` did to the URI (shown in the Integration pane until the type changes again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UriSwap {
    /// The method whose URI was swapped.
    pub method: crate::app::route::MethodRef,
    /// The URI as it was before the first swap (restored when a type fits it again).
    pub original: Option<String>,
    /// The URI swapped in.
    pub swapped_in: String,
}

impl App {
    /// The type key: the next integration type, with a URI that fits it.
    pub(super) fn cycle_type(&mut self) -> Vec<Effect> {
        let Some(m) = self.method.clone() else {
            self.set_status(StatusKind::Error, "The session's API has no method");
            return Vec::new();
        };
        let swap = self.uri_swap.take().filter(|s| s.method == m);
        let Some(method) =
            m.get_mut(&mut std::sync::Arc::make_mut(&mut self.workspace.session).api)
        else {
            return Vec::new();
        };
        let kind = method.integration.kind.next();
        method.integration.kind = kind;
        // The URI the session had before any swap.
        let original = match &swap {
            Some(s) => s.original.clone(),
            None => method.integration.uri.clone(),
        };
        let mut note = String::new();
        if uri_fits(kind, original.as_deref()) {
            if let Some(s) = swap {
                method.integration.uri.clone_from(&s.original);
                note = format!(
                    " · the session's URI is back ({})",
                    s.original.as_deref().unwrap_or("none")
                );
            }
        } else if let Some(example) = example_uri(kind) {
            method.integration.uri = Some(example.to_string());
            // The Integration pane says why in full.
            let what = if example == ECHO_URL {
                "echo URL"
            } else {
                "echo Lambda ARN"
            };
            note = format!(" · URI now the {what}");
            self.uri_swap = Some(UriSwap {
                method: m,
                original,
                swapped_in: example.to_string(),
            });
        }
        self.workspace.revision += 1;
        self.set_status(
            StatusKind::Info,
            format!("{}: {}{note}", kind.as_str(), type_summary(kind)),
        );
        let mut fx = self.refresh_effects();
        if self.live() {
            fx.extend(self.run_effect());
        } else {
            // The old trace belongs to the old type.
            self.run_view.trace = None;
        }
        fx
    }

    /// What the type key swapped into the shown method's URI, if anything.
    pub fn uri_swap(&self) -> Option<&UriSwap> {
        self.uri_swap
            .as_ref()
            .filter(|s| self.method.as_ref() == Some(&s.method))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_uris_fit_which_types() {
        let arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations";
        let ddb = "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem";
        let url = "https://example.com/pets";
        assert!(uri_fits(IntegrationType::Mock, None));
        assert!(uri_fits(IntegrationType::Aws, Some(arn)));
        assert!(uri_fits(IntegrationType::Aws, Some(ddb)));
        assert!(uri_fits(IntegrationType::AwsProxy, Some(arn)));
        assert!(!uri_fits(IntegrationType::AwsProxy, Some(ddb)));
        assert!(!uri_fits(IntegrationType::Http, Some(arn)));
        assert!(!uri_fits(IntegrationType::HttpProxy, None));
        assert!(uri_fits(IntegrationType::HttpProxy, Some(url)));
        assert!(!uri_fits(IntegrationType::Aws, Some(url)));
        for k in IntegrationType::ALL {
            assert!(example_uri(k).is_none_or(|u| uri_fits(k, Some(u))), "{k:?}");
        }
    }
}
