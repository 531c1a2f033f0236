//! The AWS_IAM stage: the request's SigV4 signature checked against the session's IAM
//! credentials ([`crate::gateway::sigv4::verify`]); the signer fills `$context.identity`
//! (`accessKey`, `accountId`, `caller`, `user`, `userArn`) as AWS fills it for an IAM user.
//! A request without a signature answers 403 `Missing Authentication Token`; a bad one 403
//! with AWS's own message (INVALID_SIGNATURE). No IAM policy is evaluated: a user the
//! session names may invoke every AWS_IAM method.

use super::*;
use crate::gateway::sigv4;

impl Run<'_> {
    /// Check the request's signature; `Some(())` when it verifies (`$context.identity`
    /// filled in `req`), `None` when the client has been answered.
    pub(super) fn iam_authorizer(
        &mut self,
        request: &ClientRequest,
        req: &mut MethodRequest,
        notes: &mut Vec<String>,
    ) -> Option<()> {
        let signed = sigv4::SignedRequest {
            method: &request.method,
            path: &request.path,
            raw_query: &request.raw_query,
            headers: &request.headers,
            body: &request.body,
        };
        let t = self.auth_trace();
        t.checks.push("AWS_IAM: the SigV4 signature".into());
        t.access_key = access_key_of(request);
        match sigv4::verify(&signed, &self.api.iam_credentials, self.opts.now_ms) {
            Ok(creds) => {
                self.auth_trace()
                    .results
                    .push(format!("the signature verifies ({})", creds.user_arn));
                let user_id = creds.user_id();
                if let Some(Json::Object(identity)) = req.context.get_mut("identity") {
                    identity.insert("accessKey".into(), json!(creds.access_key_id));
                    identity.insert("accountId".into(), json!(creds.account_id));
                    identity.insert("caller".into(), json!(user_id));
                    identity.insert("user".into(), json!(user_id));
                    identity.insert("userArn".into(), json!(creds.user_arn));
                }
                notes.push(format!(
                    "AWS_IAM: the SigV4 signature of {} ({}) verifies",
                    creds.access_key_id, creds.user_arn
                ));
                Some(())
            }
            Err(e) => {
                let (why, err) = match &e {
                    sigv4::SigError::Missing => (
                        "AWS_IAM: the request carries no SigV4 Authorization header".to_string(),
                        GatewayError::MissingAuthenticationToken,
                    ),
                    sigv4::SigError::Incomplete(_) => (
                        "AWS_IAM: the Authorization header is not a complete SigV4 one".to_string(),
                        GatewayError::IncompleteSignature,
                    ),
                    sigv4::SigError::UnknownKey(key) => (
                        format!(
                            "AWS_IAM: access key {key} is not in the session's iamCredentials (or its session token differs)"
                        ),
                        GatewayError::UnrecognizedClient,
                    ),
                    sigv4::SigError::Expired(_) => (
                        "AWS_IAM: X-Amz-Date is more than 5 minutes from the request time".to_string(),
                        GatewayError::InvalidSignature,
                    ),
                    sigv4::SigError::Mismatch(_) => (
                        "AWS_IAM: the signature does not match (the expected canonical request is in the answer)".to_string(),
                        GatewayError::InvalidSignature,
                    ),
                };
                self.auth_trace().results.push(e.message());
                self.stage(
                    Stage::Authorization,
                    StageOutcome::Failed(why.clone()),
                    vec![why],
                );
                self.gateway_error(err, &e.message());
                None
            }
        }
    }
}

/// The access key a SigV4 `Authorization` header names (`Credential=KEY/...`).
fn access_key_of(request: &ClientRequest) -> Option<String> {
    let auth = request.header("Authorization")?;
    let rest = &auth[auth.find("Credential=")? + "Credential=".len()..];
    rest.split('/').next().map(str::to_string)
}
