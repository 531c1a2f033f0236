//! The rules: a stable id for each, its level, a one-line summary and the longer
//! explanation with a before/after example (`gatebench lint --explain ID`, the workbench's
//! lint list). The checks themselves live in the other files of this folder.

use serde::Serialize;

use super::Level;

/// One lint rule. The kebab-case id ([`RuleId::id`]) is stable: scripts, SARIF and the
/// README name rules by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "&'static str")]
pub enum RuleId {
    /// A user-supplied value inside a JSON string without `$util.escapeJavaScript`.
    UnescapedInJsonString,
    /// `$util.escapeJavaScript` inside a JSON string without the `\'` fix.
    EscapeJavascriptApostrophe,
    /// `$input.path` of an object printed where JSON is expected: a Java map.
    InputPathJavaMap,
    /// `$input.json` inside quotes.
    InputJsonInQuotes,
    /// A `#foreach` body ending with a comma before `]` or `}`.
    ForeachTrailingComma,
    /// A `#foreach` over more than 1000 items in a saved request.
    ForeachOver1000,
    /// A condition whose outcome never changes in API Gateway.
    ConstantCondition,
    /// A header mapping onto a name the gateway refuses, drops or renames.
    ReservedHeader,
    /// A request template for a content type the method never receives.
    UnusedContentType,
    /// `$context.authorizer` on a method without an authorizer.
    AuthorizerWithoutAuthorizer,
    /// A parameter the method request does not declare.
    UndeclaredParameter,
    /// A `#set` variable never read.
    UnusedSet,
    /// `$velocityCount` / `$velocityHasNext`.
    VelocityCount,
    /// A saved request renders to invalid JSON.
    InvalidJsonOutput,
    /// The template does not parse.
    ParseError,
}

impl From<RuleId> for &'static str {
    fn from(r: RuleId) -> &'static str {
        r.id()
    }
}

/// What a rule says about itself.
pub struct RuleInfo {
    /// The rule.
    pub rule: RuleId,
    /// Its level.
    pub level: Level,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Why it matters and what to write instead, with a before/after example.
    pub explanation: &'static str,
}

impl RuleId {
    /// Every rule, in the README's order.
    pub const ALL: [RuleId; 15] = [
        RuleId::UnescapedInJsonString,
        RuleId::EscapeJavascriptApostrophe,
        RuleId::InputPathJavaMap,
        RuleId::InputJsonInQuotes,
        RuleId::ForeachTrailingComma,
        RuleId::ForeachOver1000,
        RuleId::ConstantCondition,
        RuleId::ReservedHeader,
        RuleId::UnusedContentType,
        RuleId::AuthorizerWithoutAuthorizer,
        RuleId::UndeclaredParameter,
        RuleId::UnusedSet,
        RuleId::VelocityCount,
        RuleId::InvalidJsonOutput,
        RuleId::ParseError,
    ];

    /// The stable kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            RuleId::UnescapedInJsonString => "unescaped-in-json-string",
            RuleId::EscapeJavascriptApostrophe => "escape-javascript-apostrophe",
            RuleId::InputPathJavaMap => "input-path-java-map",
            RuleId::InputJsonInQuotes => "input-json-in-quotes",
            RuleId::ForeachTrailingComma => "foreach-trailing-comma",
            RuleId::ForeachOver1000 => "foreach-over-1000",
            RuleId::ConstantCondition => "constant-condition",
            RuleId::ReservedHeader => "reserved-header",
            RuleId::UnusedContentType => "unused-content-type",
            RuleId::AuthorizerWithoutAuthorizer => "authorizer-without-authorizer",
            RuleId::UndeclaredParameter => "undeclared-parameter",
            RuleId::UnusedSet => "unused-set",
            RuleId::VelocityCount => "velocity-count",
            RuleId::InvalidJsonOutput => "invalid-json-output",
            RuleId::ParseError => "parse-error",
        }
    }

    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The rule's level (a few findings choose another: a header mapping the gateway
    /// refuses is an error where a renamed one is a warning).
    pub fn level(self) -> Level {
        self.info().level
    }

    /// What the rule says about itself.
    #[allow(clippy::too_many_lines)]
    pub fn info(self) -> RuleInfo {
        let (level, summary, explanation) = match self {
            RuleId::UnescapedInJsonString => (
                Level::Warning,
                "a value the client controls is written inside a JSON string without $util.escapeJavaScript",
                r##"A mapping template prints values as they are: nothing is escaped. A value the
client controls ($input.path, $input.params, $input.body, $stageVariables, the
$context values that carry request data such as $context.identity.userAgent,
$context.authorizer.* and the override maps, or a #set variable or loop
variable holding one) written between the quotes of a JSON string breaks the
JSON as soon as it holds a double quote, a backslash or a line break, and lets
the client add fields of its own. Wrap it in $util.escapeJavaScript(), with
AWS's documented .replaceAll("\\'","'") (see escape-javascript-apostrophe).

The rule fires only inside a string of the template's own text, in a template
for a JSON content type whose text starts like JSON; a MOCK integration's
request template is left alone (the gateway only reads its statusCode).

Before:
    {"name": "$input.path('$.name')"}
After:
    {"name": "$util.escapeJavaScript($input.path('$.name')).replaceAll("\\'","'")"}
Or, for a value that is already JSON, let $input.json write the quotes:
    {"name": $input.json('$.name')}"##,
            ),
            RuleId::EscapeJavascriptApostrophe => (
                Level::Warning,
                "$util.escapeJavaScript inside a JSON string without .replaceAll(\"\\\\'\",\"'\")",
                r##"$util.escapeJavaScript escapes with JavaScript's rules, which turn ' into \'.
JSON has no \' escape, so a value holding an apostrophe ("it's") makes the
output invalid JSON. AWS's reference documents the fix: replace \' with '
afterwards.

Before:
    {"note": "$util.escapeJavaScript($input.path('$.note'))"}
After:
    {"note": "$util.escapeJavaScript($input.path('$.note')).replaceAll("\\'","'")"}
(In a Velocity string literal a backslash is an ordinary character, so "\\'"
is the Java regex \\' that matches the two characters \'.)"##,
            ),
            RuleId::InputPathJavaMap => (
                Level::Warning,
                "$input.path of a JSON object printed where JSON is expected gives a Java map ({a=1})",
                r##"$input.path returns the value the path selects, and printing an object prints
it the Java way: {name=Rex, age=3}, without quotes, which is not JSON (arrays
happen to print as compact JSON). $input.json serialises the same selection
as JSON.

With saved requests the rule checks what the path selects in each of them and
names the request that showed an object; without them it fires only on the
whole payload ($input.path('$') and a variable holding it).

Before:
    {"pet": $input.path('$.pet')}
After:
    {"pet": $input.json('$.pet')}"##,
            ),
            RuleId::InputJsonInQuotes => (
                Level::Error,
                "$input.json inside quotes: the value gets a second pair of quotes",
                r##"$input.json already writes JSON: a string comes with its quotes, an object
with its braces. Put inside a JSON string, a string value prints ""Rex"" and
an object prints "{"a":1}": invalid JSON either way (a number silently
becomes a string).

Before:
    {"name": "$input.json('$.name')"}
After:
    {"name": $input.json('$.name')}"##,
            ),
            RuleId::ForeachTrailingComma => (
                Level::Error,
                "the #foreach body ends with a comma that is also written after the last item",
                r##"A #foreach body is written once per item, separator included, so a comma at
the end of the body is also written after the last item: [1,2,3,] is not
JSON. Write the comma only when another item follows, with $foreach.hasNext.

The rule fires when the body's last character outside strings is a comma and
the text after #end closes the list or object (] or }).

Before:
    [#foreach($p in $input.path('$.pets'))"$p",#end]
After:
    [#foreach($p in $input.path('$.pets'))"$p"#if($foreach.hasNext),#end#end]"##,
            ),
            RuleId::ForeachOver1000 => (
                Level::Warning,
                "a saved request makes a #foreach run past 1000 items, where API Gateway stops",
                r##"API Gateway runs at most 1000 iterations of one #foreach and then goes on after
the loop without an error: the output silently loses every item past the
thousandth (and often its closing brackets stay right, so nothing looks
wrong). The rule renders the session's saved requests through the gateway
and names the one that went past the limit.

Before (a request with 1500 items):
    [#foreach($i in $input.path('$.items'))$i#if($foreach.hasNext),#end#end]
After: page the data before it reaches the gateway, or pass the list through
whole with $input.json('$.items')."##,
            ),
            RuleId::ConstantCondition => (
                Level::Warning,
                "a condition whose outcome never changes in API Gateway",
                r##"Velocity treats only null and false as false, and API Gateway never gives null
where templates often test for it:
  - $input.params('x') gives "" for a parameter the request does not have, never
    null: #if($input.params('x')) is always true, #if(!$input.params('x'))
    never. Compare with "" instead.
  - $input.body of an empty payload is the two characters {}: it is never ""
    or null, so #if($input.body == "") and #if(!$input.body) never hold.
    Test $input.path('$') or the field you need.
(Not flagged, because API Gateway behaves as people expect: a missing value
compared with "" or $null is equal to both, and "$x" of an undefined $x is "",
where stock Velocity would print $x.)

Before:
    #if($input.params('limit'))"limit": $input.params('limit'),#end
After:
    #if($input.params('limit') != "")"limit": $input.params('limit'),#end"##,
            ),
            RuleId::ReservedHeader => (
                Level::Warning,
                "a header mapping names a header the gateway refuses, drops or renames",
                r##"Some header names are the gateway's own:
  - integration.request.header.Content-Length and Transfer-Encoding (and for
    AWS integrations also Authorization, Connection, Expect,
    Proxy-Authenticate and TE) make every call fail with 500 before the
    backend is called (an error);
  - Proxy-Authenticate, TE, Via, Expect and Connection never reach an HTTP
    backend;
  - a method response header mapped onto Authorization, Connection,
    Content-Length, Content-MD5, Date, Expect, Host, Max-Forwards,
    Proxy-Authenticate, Server, Trailer, Upgrade, User-Agent or
    WWW-Authenticate reaches the client renamed x-amzn-Remapped-<name>, and
    Transfer-Encoding is dropped.

Before:
    "integration.request.header.Content-Length" = "method.request.header.Content-Length"
After: leave it out; the gateway sets the length of what it sends."##,
            ),
            RuleId::UnusedContentType => (
                Level::Info,
                "a request template for a content type the method is never sent",
                r##"The gateway picks the request template by the request's Content-Type. A
template for a type that no request uses never runs, and while it sits there
a mistake in it goes unnoticed (or the template meant for the requests that
do come is missing). The rule is conservative: it fires only when the method
declares request models, none for this type, and the session's saved requests
for the method never send it.

Before:
    requestModels = { "application/json" = ... }
    requestTemplates = { "application/xml" = "..." }
After: key the template by the type the clients send (application/json)."##,
            ),
            RuleId::AuthorizerWithoutAuthorizer => (
                Level::Warning,
                "$context.authorizer on a method that has no Lambda or Cognito authorizer",
                r##"$context.authorizer holds what a Lambda authorizer returned (principalId and
its context) or a Cognito user pool's claims. On a method whose
authorizationType is NONE or AWS_IAM there is none: every value is empty.

Before (authorizationType NONE):
    {"user": "$context.authorizer.claims.sub"}
After: attach the authorizer to the method (authorizationType CUSTOM or
COGNITO_USER_POOLS with its authorizerId), or read the identity elsewhere
($context.identity.* for AWS_IAM)."##,
            ),
            RuleId::UndeclaredParameter => (
                Level::Warning,
                "$input.params names a parameter the method request does not declare",
                r##"When a method declares its request parameters (method.request.path.*,
.querystring.*, .header.*; path parameters also come from the resource path),
a template reading another name is most often a typo (petID for petId) that
reads "" forever. The template still reads a parameter the client sends
without it being declared; declare it to have the gateway validate it and to
make the intent plain. The rule fires only on methods that declare parameters.

Before (declares method.request.path.petId):
    "id": "$input.params('petID')"
After:
    "id": "$input.params('petId')""##,
            ),
            RuleId::UnusedSet => (
                Level::Warning,
                "a variable is set and never read",
                r##"A #set whose variable nothing reads does nothing but cost time; most often the
read has a typo ($petName set, $petname read) or was deleted. Not flagged:
#set($context.requestOverride...) and other writes into a map (the gateway reads
the override maps), the #set($ignore = $list.add(...)) idiom that calls a
method for its effect, and templates using #evaluate, #parse, #include or
#define, which can read variables by a name computed at run time.

Before:
    #set($name = $input.path('$.name'))
    {"name": "$util.escapeJavaScript($input.path('$.name'))"}
After: use $name, or drop the #set."##,
            ),
            RuleId::VelocityCount => (
                Level::Info,
                "$velocityCount / $velocityHasNext are deprecated in Velocity 1.7",
                r##"Velocity 1.7 (API Gateway's engine) still answers $velocityCount and
$velocityHasNext, but deprecated them for $foreach.count and
$foreach.hasNext, which also work inside nested loops ($foreach.parent).

Before:
    "item$velocityCount": "..."
After:
    "item$foreach.count": "...""##,
            ),
            RuleId::InvalidJsonOutput => (
                Level::Error,
                "a saved request renders to output that is not JSON, for a JSON content type",
                r##"The rule renders the template the way the gateway does, with each of the
session's saved requests (and, for response templates, what the session's
offline backend answers), and parses the output as JSON. It names the
request and the line and column of the first JSON error in the output. A
MOCK integration's request template is left alone (the gateway only reads its
statusCode), as are outputs that do not start like JSON (a form body or XML
under a JSON key).

Before (the request body has no "age"):
    {"age": $input.path('$.age')}      renders {"age": }
After (a missing path gives "" from $input.json, nothing from $input.path):
    #set($age = $input.json('$.age'))
    {"age": #if($age != "")$age#{else}null#end}"##,
            ),
            RuleId::ParseError => (
                Level::Error,
                "the template does not parse",
                r##"Velocity 1.7 refuses the template, so API Gateway cannot transform the request
(500 "Internal server error", "Execution failed due to configuration error:
Unable to transform request"). Frequent causes: a null literal (Velocity has
none: test #if(!$x) or compare with $null), an expression as a method argument
($s.substring($i + 1): compute it with #set first), \" inside a string literal
(double the quote instead), a template ending with a lone $ or #, or a block
without its #end.

Before:
    #if($input.path('$.name') == null)
After:
    #if(!$input.path('$.name'))"##,
            ),
        };
        RuleInfo {
            rule: self,
            level,
            summary,
            explanation,
        }
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
