//! The backend of the compare view, which runs one request through all five integration
//! types: each call goes to the session's own backend when that backend answers calls of its
//! kind on this machine, and to the built-in echo otherwise (an HTTP integration in a Lambda
//! session, a Lambda one in an HTTP session, anything that would leave loopback). The
//! comparison never touches the network beyond loopback.

use super::echo::EchoBackend;
use super::{Backend, BackendConfig, BoxFuture, EndpointCall, EndpointResult};

/// Where a call is going, as far as choosing who answers it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallTarget<'a> {
    /// An HTTP call to this URL (HTTP, HTTP_PROXY, AWS service integrations).
    Http(&'a str),
    /// A Lambda invocation (AWS with a Lambda URI, AWS_PROXY).
    Lambda,
}

impl<'a> CallTarget<'a> {
    /// The target of a call.
    pub fn of(call: &'a EndpointCall) -> CallTarget<'a> {
        match call {
            EndpointCall::Http(c) => CallTarget::Http(&c.url),
            EndpointCall::Lambda(_) => CallTarget::Lambda,
        }
    }
}

/// Who answers a call in the compare view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answerer {
    /// The session's own backend.
    Session,
    /// The built-in echo, for this reason (`the session's backend calls Lambda only`).
    Echo(String),
}

/// Whether `url`'s host is this machine (`127.0.0.0/8`, `::1`, `localhost`).
pub fn is_loopback_url(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let d = bare.trim_end_matches('.');
            d == "localhost" || d.ends_with(".localhost")
        }
    }
}

/// Whether `url` is an AWS service endpoint (`dynamodb.us-east-1.amazonaws.com`).
fn is_aws_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|h| h.ends_with(".amazonaws.com"))
}

/// Who answers a call to `target` when the session's backend is `config`.
pub fn answerer(config: &BackendConfig, target: CallTarget<'_>) -> Answerer {
    let echo = |why: &str| Answerer::Echo(why.to_string());
    match (config, target) {
        (BackendConfig::Echo | BackendConfig::Canned { .. }, _) => Answerer::Session,
        (BackendConfig::Http, CallTarget::Http(url)) => {
            if is_loopback_url(url) {
                Answerer::Session
            } else {
                echo("the URL is not on loopback, and the comparison stays on this machine")
            }
        }
        (BackendConfig::Http, CallTarget::Lambda) => {
            echo("the session's backend makes HTTP calls only")
        }
        (BackendConfig::Lambda { endpoint, .. }, CallTarget::Lambda) => {
            if is_loopback_url(endpoint) {
                Answerer::Session
            } else {
                echo("the session's Invoke API is not on loopback")
            }
        }
        (BackendConfig::Local { .. }, CallTarget::Lambda) => Answerer::Session,
        (BackendConfig::AwsLambda { .. }, CallTarget::Lambda) => {
            echo("the session's backend is real AWS, beyond this machine")
        }
        (
            BackendConfig::Lambda { .. }
            | BackendConfig::Local { .. }
            | BackendConfig::AwsLambda { .. },
            CallTarget::Http(_),
        ) => echo("the session's backend invokes Lambda functions only"),
        (BackendConfig::AwsLocal { endpoint, .. }, target) => {
            if endpoint.as_deref().is_some_and(|e| !is_loopback_url(e)) {
                return echo("the session's local AWS is not on loopback");
            }
            match target {
                CallTarget::Http(url) if !is_aws_url(url) => {
                    echo("the session's backend answers AWS service calls only")
                }
                _ => Answerer::Session,
            }
        }
    }
}

/// The session's backend and the echo, each call going to the one [`answerer`] names.
pub struct CompareBackend {
    config: BackendConfig,
    session: Box<dyn Backend>,
    echo: EchoBackend,
}

impl CompareBackend {
    /// The compare backend of a session whose backend is `config` (`dir`: the session file's
    /// folder, for a local function's command).
    pub fn new(config: &BackendConfig, dir: Option<&std::path::Path>) -> CompareBackend {
        CompareBackend {
            config: config.clone(),
            session: super::for_session(config, dir),
            echo: EchoBackend::new(),
        }
    }
}

impl Backend for CompareBackend {
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        match answerer(&self.config, CallTarget::of(&call)) {
            Answerer::Session => self.session.call(call),
            Answerer::Echo(_) => self.echo.call(call),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} (echo where it does not answer)",
            self.session.describe()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls() {
        for u in [
            "http://127.0.0.1:9/x",
            "http://127.3.0.1/",
            "http://[::1]:80/",
            "http://localhost:8080/a",
            "http://api.localhost/",
        ] {
            assert!(is_loopback_url(u), "{u}");
        }
        for u in [
            "http://example.com/",
            "https://10.0.0.1/",
            "not a url",
            "http://echo.gatebench.local/echo",
        ] {
            assert!(!is_loopback_url(u), "{u}");
        }
    }

    #[test]
    fn who_answers_what() {
        let lambda = BackendConfig::Lambda {
            endpoint: "http://127.0.0.1:9001".into(),
            function: None,
        };
        assert_eq!(answerer(&lambda, CallTarget::Lambda), Answerer::Session);
        assert!(matches!(
            answerer(&lambda, CallTarget::Http("http://127.0.0.1:1/")),
            Answerer::Echo(_)
        ));
        let far = BackendConfig::Lambda {
            endpoint: "https://lambda.example.com".into(),
            function: None,
        };
        assert!(matches!(
            answerer(&far, CallTarget::Lambda),
            Answerer::Echo(_)
        ));
        let http = BackendConfig::Http;
        assert_eq!(
            answerer(&http, CallTarget::Http("http://127.0.0.1:9/a")),
            Answerer::Session
        );
        assert!(matches!(
            answerer(&http, CallTarget::Http("https://example.com/a")),
            Answerer::Echo(_)
        ));
        assert!(matches!(
            answerer(&http, CallTarget::Lambda),
            Answerer::Echo(_)
        ));
        assert_eq!(
            answerer(&BackendConfig::Echo, CallTarget::Lambda),
            Answerer::Session
        );
        let moto = BackendConfig::AwsLocal {
            endpoint: Some("http://127.0.0.1:5000".into()),
            start: false,
            command: None,
            seed: crate::backend::config::AwsSeed::default(),
        };
        assert_eq!(
            answerer(
                &moto,
                CallTarget::Http("https://dynamodb.us-east-1.amazonaws.com/")
            ),
            Answerer::Session
        );
        assert!(matches!(
            answerer(&moto, CallTarget::Http("http://echo.gatebench.local/echo")),
            Answerer::Echo(_)
        ));
    }
}
