//! Which backend answers a session's integrations, as written in the session file's
//! `[backend]` table. The session file holds it; this module owns the type and
//! [`super::for_session`] turns it into a [`super::Backend`].

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The backend behind the integration.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BackendConfig {
    /// Built-in echo: HTTP integrations call a loopback echo server, Lambda integrations an
    /// echo function that returns the event (proxy) or the payload it received.
    #[default]
    Echo,
    /// A canned answer written in the session.
    Canned {
        /// HTTP status (HTTP/AWS service integrations).
        #[serde(default)]
        status: Option<u16>,
        /// HTTP headers.
        #[serde(default)]
        headers: IndexMap<String, String>,
        /// HTTP body, or the Lambda result as JSON text.
        #[serde(default)]
        body: Option<String>,
        /// A Lambda function error (`{"errorMessage": ..., "errorType": ...}` as JSON text).
        /// Also read as `lambdaError`, the session file's camelCase.
        #[serde(default, alias = "lambdaError")]
        lambda_error: Option<String>,
    },
    /// Real HTTP: the integration `uri` is called as written.
    Http,
    /// A Lambda Invoke API endpoint (cargo-lambda, SAM local, LocalStack, or AWS).
    Lambda {
        /// Base URL of the Invoke API, e.g. `http://127.0.0.1:9000`.
        endpoint: String,
        /// Function name (default: taken from the integration URI).
        #[serde(default)]
        function: Option<String>,
    },
    /// Real AWS Lambda, signed with SigV4 from the standard credential sources (needs a build
    /// with `--features aws`; the function comes from the integration URI).
    AwsLambda {
        /// Region (default: environment, then the function ARN's region).
        #[serde(default)]
        region: Option<String>,
        /// Profile in the shared credentials file (default: `AWS_PROFILE`, then `default`).
        #[serde(default)]
        profile: Option<String>,
    },
    /// A local handler process started behind gatebench's own Lambda Runtime API.
    Local {
        /// The command and its arguments (e.g. `["python3", "-m", "awslambdaric", "app.handler"]`).
        command: Vec<String>,
    },
}
