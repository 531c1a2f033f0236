//! `t` teaches the integration types: switching to a type whose URI does not fit (an HTTP
//! type with a Lambda ARN, a Lambda proxy with an HTTP URL) swaps in a URI that does (the
//! built-in echo backend's URL or echo Lambda ARN) so the run shows the type's behaviour
//! instead of `500 Invalid endpoint address`, and says so; switching on to a type the
//! original URI fits puts it back.

use crate::app::{App, Effect, StatusKind};
use crate::gateway::api::IntegrationType;

// Which URI fits which type, and the echo's URIs swapped in, are the session's (the compare
// view swaps them the same way).
pub use crate::session::compare::{ECHO_LAMBDA_URI, ECHO_URL, example_uri, uri_fits};

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
