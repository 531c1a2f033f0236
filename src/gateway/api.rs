//! The API definition in API Gateway's own vocabulary (the names of `PutMethod`,
//! `PutIntegration`, `PutIntegrationResponse` and an OpenAPI export), so what a user learns
//! here reads the same in the AWS console, an OpenAPI file or CloudFormation.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A REST API fragment: resources with methods, the stage, binary media types.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Api {
    /// The API id (`$context.apiId`).
    #[serde(default = "default_api_id")]
    pub api_id: String,
    /// The stage name; requests carry it as the first path segment. `None` for console tests.
    #[serde(default)]
    pub stage: Option<String>,
    /// Stage variables.
    #[serde(default)]
    pub stage_variables: Option<IndexMap<String, String>>,
    /// Media types treated as binary (`x-amazon-apigateway-binary-media-types`).
    #[serde(default)]
    pub binary_media_types: Vec<String>,
    /// Customised gateway responses by type (`DEFAULT_4XX`, `INTEGRATION_FAILURE`, ...).
    #[serde(default)]
    pub gateway_responses: IndexMap<String, GatewayResponse>,
    /// Resources and their methods.
    #[serde(default)]
    pub resources: Vec<Resource>,
    /// Authorizers by id (`authorizerId` of a method names one).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub authorizers: IndexMap<String, Authorizer>,
    /// Where the API key is read from (`apiKeySource`, default HEADER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_source: Option<ApiKeySource>,
    /// API keys (their values are what clients send in `x-api-key`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_keys: Vec<ApiKey>,
    /// Usage plans: which keys may call the API, with throttle and quota.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage_plans: Vec<UsagePlan>,
    /// The Cognito user pools that COGNITO_USER_POOLS authorizers name in `providerARNs`,
    /// with their signing keys (what AWS reads from the pool itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_pools: Vec<UserPool>,
    /// The IAM users whose SigV4 signatures AWS_IAM methods accept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iam_credentials: Vec<IamCredentials>,
}

/// An IAM user's access key, as AWS_IAM methods check a request's signature against it.
/// Not an API Gateway resource: AWS looks the key up in IAM; a session names it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IamCredentials {
    /// The access key id (`AKIA...`): `$context.identity.accessKey`.
    pub access_key_id: String,
    /// The secret access key the request was signed with.
    pub secret_access_key: String,
    /// A session token the request must carry in `X-Amz-Security-Token` (temporary keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    /// The account (`$context.identity.accountId`).
    pub account_id: String,
    /// `arn:aws:iam::ACCOUNT:user/NAME` (`$context.identity.userArn`).
    pub user_arn: String,
    /// The user's unique id (`AIDA...`): `$context.identity.caller` and `.user`; default
    /// `AIDA` followed by letters made from the ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl IamCredentials {
    /// The user's unique id: `userId`, else a stable `AIDA...` made from the ARN.
    pub fn user_id(&self) -> String {
        if let Some(id) = &self.user_id {
            return id.clone();
        }
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut out = String::from("AIDA");
        for round in 0..17u8 {
            for b in self.user_arn.bytes().chain([round]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            out.push(ALPHABET[(h % 32) as usize] as char);
        }
        out
    }
}

/// A Cognito user pool as the gateway checks its tokens: the pool's ARN (what an
/// authorizer's `providerARNs` lists), its public signing keys (a JWKS) and its app clients.
/// Not an API Gateway resource: AWS reads the keys from the pool; a session names them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPool {
    /// `arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`; tokens are issued by
    /// `https://cognito-idp.REGION.amazonaws.com/POOL_ID`.
    pub arn: String,
    /// The pool's JWKS (`.well-known/jwks.json`) as a file, relative to the session file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<String>,
    /// The JWKS written inline (JSON text), instead of a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_json: Option<String>,
    /// The pool's app client ids: an ID token's `aud` (an access token's `client_id`) must
    /// be one of them; empty accepts any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_ids: Vec<String>,
    /// A private key (PEM file, relative to the session file) that `gatebench token` signs
    /// test tokens with; its public half belongs in the JWKS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// The JWKS file's text, or why it could not be read (filled by the session before a
    /// run; never saved).
    #[serde(skip)]
    pub jwks_loaded: Option<Result<String, String>>,
}

impl UserPool {
    /// The JWKS text the gateway checks signatures with: inline, else the file read for
    /// this run.
    pub fn jwks_text(&self) -> Result<&str, String> {
        if let Some(text) = &self.jwks_json {
            return Ok(text);
        }
        match (&self.jwks_loaded, &self.jwks) {
            (Some(Ok(text)), _) => Ok(text),
            (Some(Err(e)), _) => Err(e.clone()),
            (None, Some(path)) => Err(format!("the JWKS file {path} was not read")),
            (None, None) => Err(format!(
                "user pool {} has neither jwks (a file) nor jwksJson",
                self.arn
            )),
        }
    }
}

/// Where API Gateway reads a request's API key (`apiKeySource`).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiKeySource {
    /// The `x-api-key` header (the default).
    #[default]
    Header,
    /// The `usageIdentifierKey` of a Lambda authorizer's answer.
    Authorizer,
}

/// The authorizer kinds (`type` of `CreateAuthorizer`).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthorizerType {
    /// A Lambda function given one token (`authorizationToken`).
    #[default]
    Token,
    /// A Lambda function given the request's parts.
    Request,
    /// A Cognito user pool: the token is a JWT the pool signed.
    CognitoUserPools,
}

/// An authorizer (`CreateAuthorizer`'s fields).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Authorizer {
    /// The authorizer's name.
    #[serde(default)]
    pub name: Option<String>,
    /// TOKEN, REQUEST or COGNITO_USER_POOLS.
    #[serde(rename = "type")]
    pub kind: AuthorizerType,
    /// Where the identity comes from (`method.request.header.Authorization`, comma-separated
    /// for REQUEST authorizers).
    #[serde(default)]
    pub identity_source: Option<String>,
    /// A regular expression the TOKEN value must match, or 401 without calling the function.
    #[serde(default)]
    pub identity_validation_expression: Option<String>,
    /// How long an answer is cached per identity (default 300, 0 turns caching off).
    #[serde(default)]
    pub authorizer_result_ttl_in_seconds: Option<u64>,
    /// The Lambda function (`arn:aws:apigateway:REGION:lambda:path/.../invocations`).
    #[serde(default)]
    pub authorizer_uri: Option<String>,
    /// The Cognito user pools (COGNITO_USER_POOLS).
    #[serde(
        default,
        rename = "providerARNs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub provider_arns: Vec<String>,
}

impl Authorizer {
    /// The identity source, or the default `method.request.header.Authorization`.
    pub fn identity_source(&self) -> &str {
        self.identity_source
            .as_deref()
            .unwrap_or("method.request.header.Authorization")
    }

    /// The cache TTL in seconds (API Gateway's default is 300).
    pub fn ttl_seconds(&self) -> u64 {
        self.authorizer_result_ttl_in_seconds.unwrap_or(300)
    }
}

/// An API key.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKey {
    /// The key's id or name.
    #[serde(default)]
    pub name: Option<String>,
    /// The value clients send.
    pub value: String,
    /// A disabled key is refused like an unknown one.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A usage plan: the keys it covers and their limits.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsagePlan {
    /// The plan's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The keys (by name or value) the plan covers.
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// Request rate and burst.
    #[serde(default)]
    pub throttle: Option<Throttle>,
    /// Requests per period.
    #[serde(default)]
    pub quota: Option<Quota>,
}

/// A usage plan's throttle (`rateLimit` requests per second, `burstLimit` bucket size).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Throttle {
    /// Steady requests per second.
    #[serde(default)]
    pub rate_limit: Option<f64>,
    /// Bucket size.
    #[serde(default)]
    pub burst_limit: Option<u64>,
}

/// A usage plan's quota: `limit` requests per `period` (DAY, WEEK, MONTH).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// Requests allowed per period.
    pub limit: u64,
    /// DAY, WEEK or MONTH.
    #[serde(default)]
    pub period: Option<String>,
}

fn default_api_id() -> String {
    "a1b2c3d4e5".to_string()
}

/// A resource path such as `/pets/{petId}` or `/{proxy+}` with its methods.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resource {
    /// The resource path template.
    pub path: String,
    /// Methods by HTTP verb (`GET`, `POST`, ..., `ANY`).
    #[serde(default)]
    pub methods: IndexMap<String, Method>,
}

/// A method: its request contract, its integration and its responses.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Method {
    /// `method.request.{path|querystring|header}.NAME` -> required.
    #[serde(default)]
    pub request_parameters: IndexMap<String, bool>,
    /// Which parts the request validator checks.
    #[serde(default)]
    pub request_validator: Option<RequestValidator>,
    /// JSON Schema (draft 4) models by content type, for body validation.
    #[serde(default)]
    pub request_models: IndexMap<String, serde_json::Value>,
    /// Method responses by status code.
    #[serde(default)]
    pub method_responses: IndexMap<String, MethodResponse>,
    /// NONE (default), AWS_IAM, CUSTOM (a Lambda authorizer) or COGNITO_USER_POOLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_type: Option<String>,
    /// The authorizer (a key of the API's `authorizers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    /// OAuth scopes an access token must carry (Cognito user pool authorizers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_scopes: Vec<String>,
    /// Whether a valid API key is required.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub api_key_required: bool,
    /// The integration.
    pub integration: Integration,
}

/// A request validator.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestValidator {
    /// Validate the body against the request model.
    #[serde(default)]
    pub validate_request_body: bool,
    /// Check that required parameters are present.
    #[serde(default)]
    pub validate_request_parameters: bool,
}

/// A method response.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MethodResponse {
    /// `method.response.header.NAME` -> required.
    #[serde(default)]
    pub response_parameters: IndexMap<String, bool>,
    /// Response models by content type.
    #[serde(default)]
    pub response_models: IndexMap<String, String>,
}

/// The integration types.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntegrationType {
    /// No backend: the request template gives the status, the response template the body.
    #[default]
    Mock,
    /// An AWS service (Lambda custom integration, or another service's action).
    Aws,
    /// Lambda proxy integration.
    AwsProxy,
    /// HTTP custom integration (with mapping templates).
    Http,
    /// HTTP proxy integration.
    HttpProxy,
}

impl IntegrationType {
    /// All types in teaching order.
    pub const ALL: [IntegrationType; 5] = [
        IntegrationType::Mock,
        IntegrationType::Aws,
        IntegrationType::AwsProxy,
        IntegrationType::Http,
        IntegrationType::HttpProxy,
    ];

    /// API Gateway's name for the type.
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationType::Mock => "MOCK",
            IntegrationType::Aws => "AWS",
            IntegrationType::AwsProxy => "AWS_PROXY",
            IntegrationType::Http => "HTTP",
            IntegrationType::HttpProxy => "HTTP_PROXY",
        }
    }

    /// The next type in the cycle MOCK -> AWS -> AWS_PROXY -> HTTP -> HTTP_PROXY -> MOCK.
    #[must_use]
    pub fn next(self) -> IntegrationType {
        let i = IntegrationType::ALL
            .iter()
            .position(|t| *t == self)
            .unwrap_or(0);
        IntegrationType::ALL[(i + 1) % IntegrationType::ALL.len()]
    }

    /// Whether the type uses mapping templates (proxy types pass requests through).
    pub fn uses_templates(self) -> bool {
        matches!(
            self,
            IntegrationType::Mock | IntegrationType::Aws | IntegrationType::Http
        )
    }
}

/// What happens to a request body whose content type has no template.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PassthroughBehavior {
    /// Pass it through unchanged when no template matches (the default).
    #[default]
    WhenNoMatch,
    /// Pass through only when no templates are defined at all; otherwise 415.
    WhenNoTemplates,
    /// Never pass through: 415 when no template matches.
    Never,
}

/// Payload conversion between text and binary.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContentHandling {
    /// Base64-encode a binary payload into text.
    ConvertToText,
    /// Base64-decode a text payload into binary.
    ConvertToBinary,
}

/// The integration request and its responses.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Integration {
    /// The integration type.
    #[serde(rename = "type")]
    pub kind: IntegrationType,
    /// The HTTP method used to call the backend (`integrationHttpMethod`).
    #[serde(default)]
    pub http_method: Option<String>,
    /// The endpoint URI (an HTTP URL or an AWS service ARN); may hold `${stageVariables.x}`.
    #[serde(default)]
    pub uri: Option<String>,
    /// Passthrough behaviour (default `WHEN_NO_MATCH`).
    #[serde(default)]
    pub passthrough_behavior: Option<PassthroughBehavior>,
    /// Request templates by content type.
    #[serde(default)]
    pub request_templates: IndexMap<String, String>,
    /// `integration.request.*` <- method request values or static `'text'`.
    #[serde(default)]
    pub request_parameters: IndexMap<String, String>,
    /// Payload conversion for the integration request.
    #[serde(default)]
    pub content_handling: Option<ContentHandling>,
    /// Backend timeout (default 29000 ms).
    #[serde(default)]
    pub timeout_in_millis: Option<u64>,
    /// Integration responses keyed by a name (usually the status code).
    #[serde(default)]
    pub integration_responses: IndexMap<String, IntegrationResponse>,
}

impl Integration {
    /// The effective timeout.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_in_millis.unwrap_or(29_000)
    }
}

/// One integration response: how a backend answer maps to a method response.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntegrationResponse {
    /// The method response status this maps to.
    pub status_code: String,
    /// Java regex matched against the Lambda `errorMessage` or the HTTP status; `None` or
    /// `""` makes this the default response.
    #[serde(default)]
    pub selection_pattern: Option<String>,
    /// Response templates by content type.
    #[serde(default)]
    pub response_templates: IndexMap<String, String>,
    /// `method.response.header.NAME` <- `integration.response.*` or static `'text'`.
    #[serde(default)]
    pub response_parameters: IndexMap<String, String>,
    /// Payload conversion for the response.
    #[serde(default)]
    pub content_handling: Option<ContentHandling>,
}

/// A customised gateway response.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayResponse {
    /// Status override.
    #[serde(default)]
    pub status_code: Option<String>,
    /// Header values (static `'text'` or `context.*` / `stageVariables.*`).
    #[serde(default)]
    pub response_parameters: IndexMap<String, String>,
    /// Body templates by content type (simple `$context` substitution, not VTL).
    #[serde(default)]
    pub response_templates: IndexMap<String, String>,
}
