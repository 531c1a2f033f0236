//! Real AWS Lambda over the Invoke API, signed with SigV4 using the standard credential
//! sources (environment variables, then the shared credentials file and profile). Optional:
//! built with `--features aws`.

use std::path::PathBuf;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use super::{Backend, BoxFuture, EndpointCall, EndpointResult, FailureKind, LambdaResult};

/// Where credentials come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, for temporary credentials.
    pub session_token: Option<String>,
}

/// Read an INI file's section as key/value pairs.
fn ini_section(text: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            inside = name == section || name == format!("profile {section}");
            continue;
        }
        if inside {
            if let Some((k, v)) = line.split_once('=') {
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    out
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// Credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, else
/// from the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`)
/// for `profile` (else `AWS_PROFILE`, else `default`).
pub fn load_credentials(profile: Option<&str>) -> Result<AwsCredentials, String> {
    if let (Ok(ak), Ok(sk)) = (
        std::env::var("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY"),
    ) {
        return Ok(AwsCredentials {
            access_key_id: ak,
            secret_access_key: sk,
            session_token: std::env::var("AWS_SESSION_TOKEN").ok(),
        });
    }
    let profile = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".to_string());
    let path = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".aws/credentials")))
        .ok_or("no HOME and no AWS_SHARED_CREDENTIALS_FILE")?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "no AWS credentials in the environment, and {}: {e}",
            path.display()
        )
    })?;
    let section = ini_section(&text, &profile);
    let get = |k: &str| section.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(ak), Some(sk)) => Ok(AwsCredentials {
            access_key_id: ak,
            secret_access_key: sk,
            session_token: get("aws_session_token"),
        }),
        _ => Err(format!(
            "profile [{profile}] in {} has no access keys",
            path.display()
        )),
    }
}

/// The region: explicit, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else the function ARN's.
pub fn region_for(explicit: Option<&str>, function_arn: &str) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .or_else(|| {
            let arn = function_arn
                .split_once("/functions/")
                .map_or(function_arn, |(_, r)| r);
            arn.split(':')
                .nth(3)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "us-east-1".to_string())
}

/// The SigV4 headers for a Lambda Invoke request.
pub fn signed_headers(
    creds: &AwsCredentials,
    region: &str,
    url: &str,
    body: &[u8],
    time: SystemTime,
) -> Result<Vec<(String, String)>, String> {
    let identity: Identity = Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.clone(),
        creds.session_token.clone(),
        None,
        "gatebench",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("lambda")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let host_headers = [("content-type", "application/json")];
    let signable = SignableRequest::new(
        "POST",
        url,
        host_headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// Invoke Lambda functions on AWS.
pub struct AwsLambdaBackend {
    client: reqwest::Client,
    region: Option<String>,
    profile: Option<String>,
}

impl AwsLambdaBackend {
    /// A backend for real AWS.
    pub fn new(region: Option<String>, profile: Option<String>) -> Self {
        super::install_crypto_provider();
        AwsLambdaBackend {
            client: reqwest::Client::new(),
            region,
            profile,
        }
    }
}

impl Backend for AwsLambdaBackend {
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        Box::pin(async move {
            let EndpointCall::Lambda(c) = call else {
                return EndpointResult::Failed {
                    kind: FailureKind::InvalidEndpoint,
                    message: "the AWS Lambda backend only serves Lambda integrations".into(),
                };
            };
            let creds = match load_credentials(self.profile.as_deref()) {
                Ok(c) => c,
                Err(message) => {
                    return EndpointResult::Failed {
                        kind: FailureKind::Other,
                        message,
                    };
                }
            };
            let region = region_for(self.region.as_deref(), &c.function);
            let arn = c
                .function
                .split_once("/functions/")
                .map_or(c.function.as_str(), |(_, r)| r);
            let arn = arn.trim_end_matches("/invocations");
            let encoded =
                percent_encoding::utf8_percent_encode(arn, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            let url = format!(
                "https://lambda.{region}.amazonaws.com/2015-03-31/functions/{encoded}/invocations"
            );
            let headers = match signed_headers(&creds, &region, &url, &c.payload, SystemTime::now())
            {
                Ok(h) => h,
                Err(message) => {
                    return EndpointResult::Failed {
                        kind: FailureKind::Other,
                        message: format!("signing failed: {message}"),
                    };
                }
            };
            let mut req = self
                .client
                .post(&url)
                .timeout(c.timeout)
                .header("content-type", "application/json")
                .body(c.payload);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let function_error = resp
                        .headers()
                        .get("X-Amz-Function-Error")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let headers = resp
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                    match super::http::read_limited(resp, super::MAX_LAMBDA_RESPONSE_BYTES).await {
                        Ok(super::http::Limited::Whole(b)) => {
                            EndpointResult::Lambda(LambdaResult {
                                status,
                                headers,
                                payload: b,
                                function_error,
                            })
                        }
                        Ok(super::http::Limited::Over(size)) => {
                            EndpointResult::Lambda(LambdaResult::response_too_large(size))
                        }
                        Err(e) => EndpointResult::Failed {
                            kind: FailureKind::Other,
                            message: e.to_string(),
                        },
                    }
                }
                Err(e) => EndpointResult::Failed {
                    kind: if e.is_timeout() {
                        FailureKind::Timeout
                    } else {
                        FailureKind::Connect
                    },
                    message: e.to_string(),
                },
            }
        })
    }

    fn describe(&self) -> String {
        "AWS Lambda (SigV4)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_with_sigv4() {
        let creds = AwsCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: Some("token".into()),
        };
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let h = signed_headers(
            &creds,
            "eu-west-1",
            "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/fn/invocations",
            b"{}",
            t,
        )
        .unwrap();
        let auth = &h.iter().find(|(k, _)| k == "authorization").unwrap().1;
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/lambda/aws4_request"
            ),
            "{auth}"
        );
        assert!(
            h.iter()
                .any(|(k, v)| k == "x-amz-date" && v == "20231114T221320Z")
        );
        assert!(
            h.iter()
                .any(|(k, v)| k == "x-amz-security-token" && v == "token")
        );
    }

    #[test]
    fn profiles_and_regions() {
        let ini = "[default]\naws_access_key_id = A\naws_secret_access_key = B\n[profile dev]\naws_access_key_id=C\naws_secret_access_key=D\n";
        assert_eq!(ini_section(ini, "dev")[0].1, "C");
        assert_eq!(region_for(Some("ap-south-1"), "x"), "ap-south-1");
    }
}
