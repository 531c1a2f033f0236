//! A local AWS behind AWS service integrations: the endpoint requests the pipeline builds
//! (`https://dynamodb.us-east-1.amazonaws.com/`, `https://s3.eu-west-1.amazonaws.com/bucket/key`,
//! …) are sent to one endpoint you name, such as moto's server (`moto_server -p PORT`, from
//! PyPI's `moto[server]`), keeping the service's `Host` header, which is how moto tells the
//! services apart. Optionally gatebench starts `moto_server` itself on a free loopback port
//! (stopped with the backend) and seeds it from the session (tables, queues, streams,
//! buckets, state machines, event buses) before the first call.
//!
//! Signing: moto accepts any credentials and does not check signatures, but it reads the
//! `Authorization` header's credential scope (region and service), so each request carries a
//! SigV4-shaped header with the scope of its host and fake credentials
//! ([`LOCAL_ACCESS_KEY`]); nothing secret is involved.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::sync::Mutex;

use super::config::AwsSeed;
use super::http::HttpBackend;
use super::{Backend, BoxFuture, EndpointCall, EndpointResult, FailureKind, HttpCall};
use crate::gateway::aws_service::scope_of_host;

/// The access key id the local backend signs with (AWS's documented example key).
pub const LOCAL_ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";

/// The account moto answers for.
const LOCAL_ACCOUNT: &str = "123456789012";

/// How long a started `moto_server` may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The started server and the client that talks to it.
struct Ready {
    http: HttpBackend,
    endpoint: String,
    /// The `moto_server` process gatebench started (killed when dropped).
    _child: Option<tokio::process::Child>,
}

/// Service integrations against a local AWS.
pub struct AwsLocalBackend {
    endpoint: Option<String>,
    start: bool,
    command: Vec<String>,
    seed: AwsSeed,
    state: Mutex<Option<Arc<Ready>>>,
}

impl AwsLocalBackend {
    /// A backend for `endpoint`, or for a `moto_server` it starts (`start`), run by
    /// `command` (default `moto_server`), seeded with `seed`.
    pub fn new(
        endpoint: Option<String>,
        start: bool,
        command: Option<Vec<String>>,
        seed: AwsSeed,
    ) -> Self {
        AwsLocalBackend {
            endpoint,
            start,
            command: command
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| vec!["moto_server".to_string()]),
            seed,
            state: Mutex::new(None),
        }
    }

    /// The endpoint calls go to, starting and seeding the server on first use.
    pub async fn endpoint(&self) -> Result<String, String> {
        Ok(self.ready().await?.endpoint.clone())
    }

    async fn ready(&self) -> Result<Arc<Ready>, String> {
        let mut state = self.state.lock().await;
        if let Some(r) = state.as_ref() {
            return Ok(r.clone());
        }
        let (endpoint, child) = match (&self.endpoint, self.start) {
            (Some(e), false) => (e.trim_end_matches('/').to_string(), None),
            (_, true) => {
                let (endpoint, child) = self.start_server().await?;
                (endpoint, Some(child))
            }
            (None, false) => {
                return Err(
                    "the aws-local backend needs `endpoint = \"http://127.0.0.1:PORT\"` or `start = true`"
                        .to_string(),
                );
            }
        };
        let addr = resolve(&endpoint).await?;
        let ready = Arc::new(Ready {
            http: HttpBackend::new().redirect_to(addr),
            endpoint,
            _child: child,
        });
        seed(&ready.http, &self.seed).await?;
        *state = Some(ready.clone());
        Ok(ready)
    }

    /// Start `moto_server` on a free loopback port and wait until it answers.
    async fn start_server(&self) -> Result<(String, tokio::process::Child), String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port: {e}"))?
            .port();
        let (program, args) = self
            .command
            .split_first()
            .ok_or_else(|| "empty moto_server command".to_string())?;
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {program}: {e} (install it with `pip install 'moto[server]'`)"
                )
            })?;
        // Keep the last of what it says, for the error when it does not come up; reading
        // also keeps its request log from filling the pipe.
        let said = Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(mut err) = child.stderr.take() {
            let said = said.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut s) = said.lock() {
                        s.push_str(&String::from_utf8_lossy(&buf[..n]));
                        if s.len() > 4000 {
                            let cut = s.len() - 2000;
                            let cut = (cut..s.len()).find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                            s.drain(..cut);
                        }
                    }
                }
            });
        }
        let endpoint = format!("http://127.0.0.1:{port}");
        let started = tokio::time::Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let last = said
                    .lock()
                    .map(|s| {
                        s.lines()
                            .rev()
                            .find(|l| !l.trim().is_empty())
                            .unwrap_or("")
                            .to_string()
                    })
                    .unwrap_or_default();
                return Err(format!(
                    "{program} exited ({status}) before listening: {last}"
                ));
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok((endpoint, child));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(format!(
                    "{program} did not listen on {endpoint} within {} s",
                    START_TIMEOUT.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn http(&self, mut call: HttpCall) -> EndpointResult {
        let ready = match self.ready().await {
            Ok(r) => r,
            Err(message) => {
                return EndpointResult::Failed {
                    kind: FailureKind::Connect,
                    message,
                };
            }
        };
        sign_locally(&mut call);
        ready.http.call(EndpointCall::Http(call)).await
    }
}

impl Backend for AwsLocalBackend {
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        Box::pin(async move {
            match call {
                EndpointCall::Http(c) => self.http(c).await,
                EndpointCall::Lambda(c) => {
                    let endpoint = match self.endpoint().await {
                        Ok(e) => e,
                        Err(message) => {
                            return EndpointResult::Failed {
                                kind: FailureKind::Connect,
                                message,
                            };
                        }
                    };
                    HttpBackend::new()
                        .with_lambda_endpoint(&endpoint, None)
                        .call(EndpointCall::Lambda(c))
                        .await
                }
            }
        })
    }

    fn describe(&self) -> String {
        match (&self.endpoint, self.start) {
            (Some(e), false) => format!("local AWS at {e}"),
            _ => "local AWS (moto_server started by gatebench)".to_string(),
        }
    }
}

/// Add a SigV4-shaped `Authorization` header with the credential scope of the call's host
/// (region and service) and fake credentials: what moto reads to route and answer.
pub fn sign_locally(call: &mut HttpCall) {
    let host = reqwest::Url::parse(&call.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let Some((region, service)) = scope_of_host(&host) else {
        return;
    };
    let date = call
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Date"))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
            crate::gateway::exec_log::amz_date(now)
        });
    if !call
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Date"))
    {
        call.headers.push(("X-Amz-Date".into(), date.clone()));
    }
    let day: String = date.chars().take(8).collect();
    call.headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("Authorization"));
    call.headers.push((
        "Authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={LOCAL_ACCESS_KEY}/{day}/{region}/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
            "0".repeat(64)
        ),
    ));
}

/// The socket address of `http://host:port`.
async fn resolve(endpoint: &str) -> Result<SocketAddr, String> {
    let url =
        reqwest::Url::parse(endpoint).map_err(|e| format!("invalid endpoint {endpoint}: {e}"))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("endpoint {endpoint} has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot resolve {endpoint}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {endpoint}"))
}

/// One seeding request.
struct SeedCall {
    what: String,
    method: &'static str,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn json_call(
    region: &str,
    service: &str,
    target: &str,
    version: &str,
    body: &serde_json::Value,
    what: String,
) -> SeedCall {
    SeedCall {
        what,
        method: "POST",
        url: format!("https://{service}.{region}.amazonaws.com/"),
        headers: vec![
            ("X-Amz-Target".into(), target.to_string()),
            (
                "Content-Type".into(),
                format!("application/x-amz-json-{version}"),
            ),
        ],
        body: body.to_string().into_bytes(),
    }
}

/// The requests that create the seed's resources.
fn seed_calls(seed: &AwsSeed) -> Vec<SeedCall> {
    use serde_json::json;
    let region = seed.region.as_deref().unwrap_or("us-east-1");
    let mut calls = Vec::new();
    for t in &seed.tables {
        let mut schema = Vec::new();
        let mut attrs = Vec::new();
        for (key, kind) in [(Some(&t.key), "HASH"), (t.sort.as_ref(), "RANGE")] {
            let Some(key) = key else { continue };
            let (name, ty) = key.split_once(':').unwrap_or((key, "S"));
            schema.push(json!({"AttributeName": name, "KeyType": kind}));
            attrs.push(json!({"AttributeName": name, "AttributeType": ty}));
        }
        calls.push(json_call(
            region,
            "dynamodb",
            "DynamoDB_20120810.CreateTable",
            "1.0",
            &json!({
                "TableName": t.name,
                "KeySchema": schema,
                "AttributeDefinitions": attrs,
                "BillingMode": "PAY_PER_REQUEST"
            }),
            format!("DynamoDB table {}", t.name),
        ));
    }
    for q in &seed.queues {
        calls.push(SeedCall {
            what: format!("SQS queue {q}"),
            method: "POST",
            url: format!("https://sqs.{region}.amazonaws.com/"),
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: format!(
                "Action=CreateQueue&Version=2012-11-05&QueueName={}",
                percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
            )
            .into_bytes(),
        });
    }
    for s in &seed.streams {
        calls.push(json_call(
            region,
            "kinesis",
            "Kinesis_20131202.CreateStream",
            "1.1",
            &json!({"StreamName": s, "ShardCount": 1}),
            format!("Kinesis stream {s}"),
        ));
    }
    for b in &seed.buckets {
        let body = if region == "us-east-1" {
            Vec::new()
        } else {
            format!(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
            )
            .into_bytes()
        };
        calls.push(SeedCall {
            what: format!("S3 bucket {b}"),
            method: "PUT",
            url: format!("https://s3.{region}.amazonaws.com/{b}"),
            headers: Vec::new(),
            body,
        });
    }
    for m in &seed.state_machines {
        let definition = m.definition.clone().unwrap_or_else(|| {
            r#"{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}"#.to_string()
        });
        calls.push(json_call(
            region,
            "states",
            "AWSStepFunctions.CreateStateMachine",
            "1.0",
            &json!({
                "name": m.name,
                "definition": definition,
                "roleArn": format!("arn:aws:iam::{LOCAL_ACCOUNT}:role/gatebench-states")
            }),
            format!("state machine {}", m.name),
        ));
    }
    for b in &seed.buses {
        calls.push(json_call(
            region,
            "events",
            "AWSEvents.CreateEventBus",
            "1.1",
            &json!({"Name": b}),
            format!("event bus {b}"),
        ));
    }
    calls
}

/// Create the seed's resources; ones that already exist are fine.
async fn seed(http: &HttpBackend, seed: &AwsSeed) -> Result<(), String> {
    for c in seed_calls(seed) {
        let mut call = HttpCall {
            method: c.method.to_string(),
            url: c.url,
            headers: c.headers,
            body: c.body,
            timeout: Duration::from_secs(30),
        };
        sign_locally(&mut call);
        match http.call(EndpointCall::Http(call)).await {
            EndpointResult::Http(m) if m.status < 300 => {}
            EndpointResult::Http(m) => {
                let body = m.body_text();
                let exists = [
                    "AlreadyExists",
                    "InUse",
                    "AlreadyOwnedByYou",
                    "already exists",
                ]
                .iter()
                .any(|w| body.contains(w));
                if !exists {
                    return Err(format!(
                        "seeding {} failed: status {}: {}",
                        c.what,
                        m.status,
                        body.chars().take(300).collect::<String>()
                    ));
                }
            }
            EndpointResult::Lambda(_) => {}
            EndpointResult::Failed { message, .. } => {
                return Err(format!("seeding {} failed: {message}", c.what));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::config::{SeedStateMachine, SeedTable};

    #[test]
    fn local_signature_names_the_hosts_scope() {
        let mut call = HttpCall {
            method: "POST".into(),
            url: "https://dynamodb.eu-west-1.amazonaws.com/".into(),
            headers: vec![("X-Amz-Date".into(), "20261203T130000Z".into())],
            body: Vec::new(),
            timeout: Duration::from_secs(1),
        };
        sign_locally(&mut call);
        let auth = &call
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .unwrap()
            .1;
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/eu-west-1/dynamodb/aws4_request,"
            ),
            "{auth}"
        );
    }

    #[test]
    fn seeds_become_create_calls() {
        let seed = AwsSeed {
            region: Some("eu-west-1".into()),
            tables: vec![SeedTable {
                name: "Pets".into(),
                key: "id".into(),
                sort: Some("at:N".into()),
            }],
            queues: vec!["q".into()],
            streams: vec!["s".into()],
            buckets: vec!["b".into()],
            state_machines: vec![SeedStateMachine {
                name: "m".into(),
                definition: None,
            }],
            buses: vec!["bus".into()],
        };
        let calls = seed_calls(&seed);
        assert_eq!(calls.len(), 6);
        let table: serde_json::Value = serde_json::from_slice(&calls[0].body).unwrap();
        assert_eq!(table["KeySchema"][1]["KeyType"], "RANGE");
        assert_eq!(table["AttributeDefinitions"][1]["AttributeType"], "N");
        assert_eq!(calls[3].url, "https://s3.eu-west-1.amazonaws.com/b");
        assert!(String::from_utf8_lossy(&calls[3].body).contains("eu-west-1"));
    }
}
