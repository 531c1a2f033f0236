//! AWS service integrations (`type: AWS` with a URI other than Lambda's): the endpoint
//! request API Gateway makes for `arn:aws:apigateway:{region}:{subdomain.}{service}:action/{Action}`
//! and `…:{service}:path/{path}` URIs.
//!
//! - Host: `{subdomain.}{service}.{region}.amazonaws.com` (S3 virtual-hosted buckets use the
//!   subdomain form, `arn:aws:apigateway:us-east-1:my-bucket.s3:path/{key}`).
//! - Method: the integration's `httpMethod`; path: the URI's `path/…` with
//!   `integration.request.path.*` substituted (as for HTTP integrations); query:
//!   `integration.request.querystring.*`.
//! - Protocol headers for `action/` URIs: JSON services get `X-Amz-Target: {prefix}.{Action}`
//!   and `Content-Type: application/x-amz-json-1.0`/`1.1` (the values the services' own API
//!   models declare: botocore's `targetPrefix` and `jsonVersion`); query services (SQS, SNS,
//!   STS, …) get `Action={Action}` in the query string, the rendered template as the body.
//!   `path/` URIs are REST calls (S3) and carry no protocol header.
//!
//! Sources: AWS API Gateway developer guide, "Tutorial: Create a REST API as an Amazon S3
//! proxy", "… as an Amazon Kinesis proxy", "Integrate an Amazon SQS queue" and the
//! `x-amazon-apigateway-integration` reference (the `uri` forms `action/` and `path/`);
//! LocalStack's `services/apigateway/next_gen/execute_api/integrations/aws.py`
//! (`RestApiAwsIntegration`, which derives the target and JSON version from the service model
//! the same way).

/// A parsed service integration URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceUri {
    /// Region, e.g. `us-east-1`.
    pub region: String,
    /// Service (the signing name), e.g. `dynamodb`, `s3`, `states`.
    pub service: String,
    /// A host prefix such as an S3 bucket (`my-bucket.s3`).
    pub subdomain: Option<String>,
    /// `action/…` or `path/…`.
    pub target: ServiceTarget,
}

/// What the URI names after the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceTarget {
    /// `action/{Action}`.
    Action(String),
    /// `path/{path}` (placeholders such as `{bucket}` still in it).
    Path(String),
}

/// How a service is spoken to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// AWS JSON: `X-Amz-Target: {prefix}.{Action}`, `application/x-amz-json-{version}`.
    Json {
        /// The target prefix.
        prefix: &'static str,
        /// `1.0` or `1.1`.
        version: &'static str,
    },
    /// AWS query: `Action={Action}` form/query parameters.
    Query,
    /// REST (S3 and path URIs).
    Rest,
}

/// JSON services: (service, target prefix, JSON version), from each service's API model
/// (`metadata.targetPrefix`, `metadata.jsonVersion`).
const JSON_SERVICES: &[(&str, &str, &str)] = &[
    ("dynamodb", "DynamoDB_20120810", "1.0"),
    ("kinesis", "Kinesis_20131202", "1.1"),
    ("states", "AWSStepFunctions", "1.0"),
    ("events", "AWSEvents", "1.1"),
    ("firehose", "Firehose_20150804", "1.1"),
    ("logs", "Logs_20140328", "1.1"),
    ("ssm", "AmazonSSM", "1.1"),
    ("secretsmanager", "secretsmanager", "1.1"),
    ("kms", "TrentService", "1.1"),
    ("cognito-idp", "AWSCognitoIdentityProviderService", "1.1"),
    ("ecs", "AmazonEC2ContainerServiceV20141113", "1.1"),
    ("glue", "AWSGlue", "1.1"),
    ("athena", "AmazonAthena", "1.1"),
    ("codebuild", "CodeBuild_20161006", "1.1"),
    ("sagemaker", "SageMaker", "1.1"),
];

/// Query services (`Action=` parameters).
const QUERY_SERVICES: &[&str] = &[
    "sqs",
    "sns",
    "sts",
    "iam",
    "ec2",
    "cloudformation",
    "monitoring",
    "email",
    "elasticloadbalancing",
    "autoscaling",
    "rds",
];

/// The protocol a service speaks.
pub fn protocol(service: &str) -> Protocol {
    if let Some((_, prefix, version)) = JSON_SERVICES.iter().find(|(s, _, _)| *s == service) {
        return Protocol::Json { prefix, version };
    }
    if QUERY_SERVICES.contains(&service) {
        return Protocol::Query;
    }
    Protocol::Rest
}

/// Parse `arn:aws:apigateway:{region}:{service}:{action|path}/…`; `None` for anything else
/// (including Lambda's `path/2015-03-31/functions/…`, which callers handle first).
pub fn parse(uri: &str) -> Option<ServiceUri> {
    let mut parts = uri.splitn(6, ':');
    let (arn, _partition, apigw, region, service, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if arn != "arn" || apigw != "apigateway" || region.is_empty() || service.is_empty() {
        return None;
    }
    let (subdomain, service) = match service.rsplit_once('.') {
        Some((sub, svc)) => (Some(sub.to_string()), svc),
        None => (None, service),
    };
    let target = if let Some(path) = rest.strip_prefix("path/") {
        ServiceTarget::Path(path.to_string())
    } else if let Some(action) = rest.strip_prefix("action/") {
        ServiceTarget::Action(action.to_string())
    } else {
        return None;
    };
    Some(ServiceUri {
        region: region.to_string(),
        service: service.to_string(),
        subdomain,
        target,
    })
}

impl ServiceUri {
    /// The service's host in its region.
    pub fn host(&self) -> String {
        let base = format!("{}.{}.amazonaws.com", self.service, self.region);
        match &self.subdomain {
            Some(sub) => format!("{sub}.{base}"),
            None => base,
        }
    }

    /// The endpoint URL before placeholders are filled: `https://{host}/{path}` (`/` for
    /// actions).
    pub fn url_template(&self) -> String {
        match &self.target {
            ServiceTarget::Path(p) => format!("https://{}/{p}", self.host()),
            ServiceTarget::Action(_) => format!("https://{}/", self.host()),
        }
    }

    /// Query parameters the protocol adds before the mapped ones (`Action=` for query
    /// services).
    pub fn protocol_query(&self) -> Vec<(String, String)> {
        match (&self.target, protocol(&self.service)) {
            (ServiceTarget::Action(a), Protocol::Query) => vec![("Action".into(), a.clone())],
            _ => Vec::new(),
        }
    }

    /// Set the protocol's headers: `X-Amz-Target` and the JSON content type for JSON
    /// actions (replacing the default `Content-Type`, not one the integration mapped).
    pub fn protocol_headers(&self, headers: &mut Vec<(String, String)>, content_type_mapped: bool) {
        let ServiceTarget::Action(action) = &self.target else {
            return;
        };
        if let Protocol::Json { prefix, version } = protocol(&self.service) {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("X-Amz-Target"));
            headers.push(("X-Amz-Target".into(), format!("{prefix}.{action}")));
            if !content_type_mapped {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"));
                headers.push((
                    "Content-Type".into(),
                    format!("application/x-amz-json-{version}"),
                ));
            }
        }
    }
}

/// Region and signing name of a service endpoint host (`dynamodb.us-east-1.amazonaws.com`,
/// `bucket.s3.eu-west-1.amazonaws.com`), for the backend that signs the request.
pub fn scope_of_host(host: &str) -> Option<(String, String)> {
    let stem = host.strip_suffix(".amazonaws.com")?;
    let mut labels = stem.rsplit('.');
    let region = labels.next()?;
    let service = labels.next()?;
    Some((region.to_string(), service.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_action_and_path_uris() {
        let u = parse("arn:aws:apigateway:us-east-1:dynamodb:action/PutItem").unwrap();
        assert_eq!(u.host(), "dynamodb.us-east-1.amazonaws.com");
        assert_eq!(u.target, ServiceTarget::Action("PutItem".into()));
        assert_eq!(
            u.url_template(),
            "https://dynamodb.us-east-1.amazonaws.com/"
        );
        let u = parse("arn:aws:apigateway:eu-west-1:s3:path/{bucket}/{object}").unwrap();
        assert_eq!(
            u.url_template(),
            "https://s3.eu-west-1.amazonaws.com/{bucket}/{object}"
        );
        let u = parse("arn:aws:apigateway:us-west-2:my-bucket.s3:path/{key}").unwrap();
        assert_eq!(u.host(), "my-bucket.s3.us-west-2.amazonaws.com");
        assert_eq!(u.service, "s3");
        assert!(parse("https://example.com").is_none());
        assert!(parse("arn:aws:apigateway:us-east-1:sqs:other/x").is_none());
    }

    #[test]
    fn protocol_headers_per_service() {
        let cases = [
            ("dynamodb", "Query", "DynamoDB_20120810.Query", "1.0"),
            ("kinesis", "PutRecord", "Kinesis_20131202.PutRecord", "1.1"),
            (
                "states",
                "StartExecution",
                "AWSStepFunctions.StartExecution",
                "1.0",
            ),
            ("events", "PutEvents", "AWSEvents.PutEvents", "1.1"),
        ];
        for (service, action, target, version) in cases {
            let u = parse(&format!(
                "arn:aws:apigateway:us-east-1:{service}:action/{action}"
            ))
            .unwrap();
            let mut h = vec![("Content-Type".to_string(), "application/json".to_string())];
            u.protocol_headers(&mut h, false);
            assert_eq!(
                h,
                vec![
                    ("X-Amz-Target".to_string(), target.to_string()),
                    (
                        "Content-Type".to_string(),
                        format!("application/x-amz-json-{version}")
                    ),
                ]
            );
            assert!(u.protocol_query().is_empty());
        }
        let u = parse("arn:aws:apigateway:us-east-1:sqs:action/SendMessage").unwrap();
        assert_eq!(
            u.protocol_query(),
            vec![("Action".to_string(), "SendMessage".to_string())]
        );
        let mut h = vec![(
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        )];
        u.protocol_headers(&mut h, true);
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn scopes_from_hosts() {
        assert_eq!(
            scope_of_host("dynamodb.us-east-1.amazonaws.com"),
            Some(("us-east-1".into(), "dynamodb".into()))
        );
        assert_eq!(
            scope_of_host("b.s3.eu-west-1.amazonaws.com"),
            Some(("eu-west-1".into(), "s3".into()))
        );
        assert_eq!(scope_of_host("127.0.0.1"), None);
    }
}
