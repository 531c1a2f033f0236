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
    /// AWS service integrations (DynamoDB, SQS, Kinesis, S3, Step Functions, EventBridge, …)
    /// sent to a local AWS such as moto's server; Lambda integrations go to its Lambda API.
    AwsLocal {
        /// Base URL of the local AWS, e.g. `http://127.0.0.1:5000` (needed unless `start`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
        /// Start `moto_server` on a free loopback port (and stop it with the backend).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        start: bool,
        /// The command that starts the server (default `["moto_server"]`); gatebench adds
        /// `-H 127.0.0.1 -p PORT`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        command: Option<Vec<String>>,
        /// Resources created before the first call.
        #[serde(default, skip_serializing_if = "AwsSeed::is_empty")]
        seed: AwsSeed,
    },
}

/// Resources a local AWS is seeded with (created in the region of `region`, default
/// `us-east-1`; ones that already exist are kept).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AwsSeed {
    /// Region the resources are created in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// DynamoDB tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<SeedTable>,
    /// SQS queue names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<String>,
    /// Kinesis stream names (one shard each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub streams: Vec<String>,
    /// S3 bucket names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<String>,
    /// Step Functions state machines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub state_machines: Vec<SeedStateMachine>,
    /// EventBridge event bus names (the `default` bus always exists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buses: Vec<String>,
}

impl AwsSeed {
    /// Nothing to create.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.queues.is_empty()
            && self.streams.is_empty()
            && self.buckets.is_empty()
            && self.state_machines.is_empty()
            && self.buses.is_empty()
    }
}

/// A DynamoDB table: its name and key schema. Keys are `name` (a string key) or `name:N` /
/// `name:B` for number and binary keys.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeedTable {
    /// Table name.
    pub name: String,
    /// Partition (hash) key.
    pub key: String,
    /// Sort (range) key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

/// A Step Functions state machine.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeedStateMachine {
    /// Name.
    pub name: String,
    /// Amazon States Language definition (default: one `Pass` state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
}
