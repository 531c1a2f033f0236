//! The variables API Gateway gives a mapping template: `$input`, `$util`, `$context` and
//! `$stageVariables`, with the types, printing and quirks recorded on real AWS
//! (`APIGW-SEMANTICS.md` section 5).

use std::cell::OnceCell;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use super::jsonpath::{self, SelectionRef};
use super::request::MethodRequest;
use super::util;
use crate::vtl::budget;
use crate::vtl::value::{JavaMap, MapRef};
use crate::vtl::{Context, HostObject, MethodError, Outcome, Value, methods};

/// `$context` keys in the order `$context.keySet()` lists them on AWS (a request template,
/// no authorizer). Keys supplied beyond these follow in the order given.
const CONTEXT_ORDER: &[&str] = &[
    "resourceId",
    "resourcePath",
    "httpMethod",
    "extendedRequestId",
    "requestTime",
    "path",
    "accountId",
    "protocol",
    "requestOverride",
    "stage",
    "domainPrefix",
    "requestTimeEpoch",
    "requestId",
    "identity",
    "domainName",
    "deploymentId",
    "responseOverride",
    "apiId",
];

/// `$context.identity` keys in AWS's `keySet()` order; unset ones are null (print `""`).
const IDENTITY_ORDER: &[&str] = &[
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "sourceIp",
    "principalOrgId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "userAgent",
    "user",
];

/// The writable override maps of one render, read back by the pipeline after the template
/// ran (`$context.requestOverride.*`, `$context.responseOverride.*`).
#[derive(Clone, Default)]
pub struct Overrides {
    /// `$context.requestOverride` (`path`, `header`, `querystring` maps).
    pub request: MapRef,
    /// `$context.responseOverride` (`header` map, optional `status`).
    pub response: MapRef,
}

/// Build the variables of a mapping template. `payload` is what `$input.body/json/path` read:
/// the method request body (request templates) or the integration response body (response
/// templates); `$input.params()` always reads the method request.
pub fn template_context(req: &MethodRequest, payload: &[u8]) -> (Context, Overrides) {
    template_context_with(req, payload, None)
}

/// [`template_context`], with `$context.requestOverride` / `responseOverride` seeded from
/// `overrides` (`{"requestOverride": {...}, "responseOverride": {...}}`) instead of the
/// request's context: how the pipeline carries them from the request template to the
/// response template.
pub fn template_context_with(
    req: &MethodRequest,
    payload: &[u8],
    overrides: Option<&serde_json::Value>,
) -> (Context, Overrides) {
    let req = Arc::new(req.clone());
    let (ctx, out) = template_context_for(&req, payload, overrides, Reach::ALL);
    (ctx, out.unwrap_or_default())
}

/// Which of the gateway's variables a template can reach, told from its source text: a
/// variable whose name does not appear in the text cannot be reached (`#evaluate` and
/// `#parse` could build a name at run time, so a template using them reaches everything).
/// Building `$context` is the largest part of preparing a render; most request templates
/// never touch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    /// `$context` appears.
    pub context: bool,
    /// `$stageVariables` appears.
    pub stage_variables: bool,
}

impl Reach {
    /// Everything (when the source is not known).
    pub const ALL: Reach = Reach {
        context: true,
        stage_variables: true,
    };

    /// What `source` can reach.
    pub fn of(source: &str) -> Reach {
        if source.contains("evaluate") || source.contains("parse") || source.contains("include") {
            return Reach::ALL;
        }
        Reach {
            context: source.contains("context"),
            stage_variables: source.contains("stageVariables"),
        }
    }
}

/// [`template_context_with`] for a template that reaches only `reach`: the variables it
/// cannot reach are left unset. The override maps come back unless the template cannot reach
/// `$context` and `overrides` were given (they then pass through unchanged: `None`).
pub fn template_context_for(
    req: &Arc<MethodRequest>,
    payload: &[u8],
    overrides: Option<&serde_json::Value>,
    reach: Reach,
) -> (Context, Option<Overrides>) {
    let mut ctx = Context::new();
    let overrides = if reach.context || overrides.is_none() {
        let (context_value, overrides) = context_object(req, overrides, reach.context);
        if reach.context {
            ctx.insert("context", context_value);
        }
        Some(overrides)
    } else {
        None
    };
    ctx.insert("input", Value::Object(Rc::new(Input::new(req, payload))));
    ctx.insert("util", Value::Object(Rc::new(Util)));
    if reach.stage_variables {
        let mut sv =
            JavaMap::with_capacity_and_hasher(req.stage_variables.len(), rustc_hash::FxBuildHasher);
        for (k, v) in &req.stage_variables {
            sv.insert(Rc::from(k.as_str()), Value::str(v));
        }
        ctx.insert("stageVariables", Value::map(sv));
    }
    (ctx, overrides)
}

// ------------------------------------------------------------------------ JSON values

/// A JSON value as `$input.path` and `$util.parseJson` return it: objects are Java maps
/// (printing `{a=1}`), arrays are JSON arrays (printing compact JSON), strings, numbers and
/// booleans are their Java counterparts, `null` is null.
///
/// The copy is charged to the render's memory budget; past it, the rest of the copy is
/// null and the budget trips (the render fails at the call).
pub fn navigable(v: &serde_json::Value) -> Value {
    if budget::tripped() {
        return Value::Null;
    }
    match v {
        serde_json::Value::Object(o) => {
            if !budget::charge_or_trip(o.len() * NODE_BYTES) {
                return Value::Null;
            }
            let mut m = JavaMap::with_capacity_and_hasher(o.len(), rustc_hash::FxBuildHasher);
            for (k, v) in o {
                m.insert(Rc::from(k.as_str()), navigable(v));
            }
            Value::map(m)
        }
        serde_json::Value::Array(a) => {
            if !budget::charge_or_trip(a.len() * NODE_BYTES) {
                return Value::Null;
            }
            json_array(a.iter().map(navigable).collect())
        }
        serde_json::Value::String(s) if !budget::charge_or_trip(s.len()) => Value::Null,
        other => crate::vtl::from_json(other),
    }
}

/// What one JSON element costs the memory budget when it is copied (besides its text).
const NODE_BYTES: usize = 48;

/// JSON text of a document part, charged to the memory budget as it is written.
fn json_text(v: &serde_json::Value) -> Result<String, MethodError> {
    struct Budgeted(Vec<u8>);
    impl std::io::Write for Budgeted {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() + buf.len() > budget::remaining() {
                return Err(std::io::Error::other("memory"));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = Budgeted(Vec::new());
    if serde_json::to_writer(&mut w, v).is_err() {
        return Err(budget::charge(usize::MAX).unwrap_err());
    }
    budget::charge(w.0.len())?;
    Ok(String::from_utf8(w.0).unwrap_or_default())
}

/// A JSON array value (prints as compact JSON) holding `items`.
fn json_array(items: Vec<Value>) -> Value {
    Value::Object(Rc::new(JsonArray {
        items: crate::vtl::value::new_list(items),
    }))
}

/// Serialise a template value back to JSON (for printing JSON arrays).
///
/// Nesting past the render's depth limit (a list that holds itself) and text past the
/// memory budget trip the budget; the rest of the value is then null.
pub fn to_json(v: &Value) -> serde_json::Value {
    to_json_in(v, budget::base_depth())
}

fn to_json_in(v: &Value, depth: usize) -> serde_json::Value {
    let to_json = |v: &Value| to_json_in(v, depth + 1);
    if budget::tripped() || !budget::depth_ok(depth) || !budget::charge_or_trip(NODE_BYTES) {
        return serde_json::Value::Null;
    }
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => (*i).into(),
        Value::Long(l) => (*l).into(),
        Value::BigInt(b) => i64::try_from(**b).map_or_else(|_| b.to_string().into(), Into::into),
        Value::Double(d) => {
            serde_json::Number::from_f64(*d).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Str(s) => serde_json::Value::String(s.to_string()),
        Value::List(l) => serde_json::Value::Array(l.borrow().iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.borrow()
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
        Value::Object(o) => match o.as_value() {
            Some(inner) => to_json_in(&inner, depth + 1),
            None => serde_json::Value::String(v.to_java_string()),
        },
        Value::Block(_) => serde_json::Value::String(String::new()),
    }
}

/// A JSON array from a payload: a list that prints as compact JSON.
struct JsonArray {
    items: crate::vtl::value::ListRef,
}

impl HostObject for JsonArray {
    fn class_name(&self) -> &str {
        "JSONArray"
    }

    fn property(&self, name: &str) -> Outcome {
        match methods::property(&Value::List(self.items.clone()), name) {
            Some(v) => Outcome::Value(v),
            None => Outcome::NoSuchMember,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError> {
        if name == "toString" && args.is_empty() {
            let mut s = String::new();
            self.write_display(&mut s);
            return Ok(Outcome::Value(Value::Str(Rc::from(s.as_str()))));
        }
        Ok(
            match methods::call(&Value::List(self.items.clone()), name, args)? {
                Some(v) => Outcome::Value(v),
                None => Outcome::NoSuchMember,
            },
        )
    }

    fn write_display(&self, out: &mut String) {
        let json = serde_json::Value::Array(self.items.borrow().iter().map(to_json).collect());
        out.push_str(&json.to_string());
    }

    fn as_value(&self) -> Option<Value> {
        Some(Value::List(self.items.clone()))
    }
}

// ------------------------------------------------------------------------ $input

/// `$input`: the payload and the method request parameters.
struct Input {
    /// `$input.body`: the payload text (`{}` when empty).
    body: Rc<str>,
    /// The payload as a JSON document, parsed on first use. A payload that is not JSON is
    /// the JSON string of its text (so `$` is that string and `$.x` is a miss).
    document: OnceCell<Rc<serde_json::Value>>,
    /// `$input.params()`, built on first use.
    params: OnceCell<Value>,
    /// The method request (path, query string, headers) the params are built from.
    request: Arc<MethodRequest>,
}

impl Input {
    fn new(req: &Arc<MethodRequest>, payload: &[u8]) -> Self {
        let text = String::from_utf8_lossy(payload);
        let body: Rc<str> = if text.is_empty() {
            Rc::from("{}")
        } else {
            Rc::from(text.as_ref())
        };
        Input {
            body,
            document: OnceCell::new(),
            params: OnceCell::new(),
            request: Arc::clone(req),
        }
    }

    fn params(&self) -> &Value {
        self.params.get_or_init(|| params_map(&self.request))
    }

    fn document(&self) -> &serde_json::Value {
        self.document.get_or_init(|| parsed_payload(&self.body))
    }

    fn select(&self, path: &str) -> Result<SelectionRef<'_>, MethodError> {
        let compiled = jsonpath::compile(path)
            .map_err(|e| MethodError(format!("invalid JSONPath expression '{path}': {e}")))?;
        let found = compiled.select_borrowed(self.document());
        if let Some(why) = budget::failure() {
            return Err(MethodError(why));
        }
        Ok(found)
    }
}

thread_local! {
    /// The last payload parsed on this thread: the workbench re-renders the same body on
    /// every keystroke, and a served API often sees the same body again.
    static LAST_PAYLOAD: std::cell::RefCell<Option<(Rc<str>, Rc<serde_json::Value>)>> =
        const { std::cell::RefCell::new(None) };
}

/// The payload as a JSON document (a payload that is not JSON is the JSON string of its
/// text), parsed once per distinct payload per thread.
fn parsed_payload(body: &Rc<str>) -> Rc<serde_json::Value> {
    if let Some(doc) = LAST_PAYLOAD.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(text, _)| Rc::ptr_eq(text, body) || **text == **body)
            .map(|(_, doc)| doc.clone())
    }) {
        return doc;
    }
    let doc = Rc::new(
        super::json::parse_str(body)
            .unwrap_or_else(|_| serde_json::Value::String(body.to_string())),
    );
    LAST_PAYLOAD.with(|c| *c.borrow_mut() = Some((body.clone(), doc.clone())));
    doc
}

fn string_map(m: &IndexMap<String, String>) -> Value {
    let mut out = JavaMap::default();
    for (k, v) in m {
        out.insert(Rc::from(k.as_str()), Value::str(v));
    }
    Value::map(out)
}

/// `$input.params()`: `{path: {...}, querystring: {...}, header: {...}}`.
fn params_map(req: &MethodRequest) -> Value {
    let mut m = JavaMap::default();
    m.insert(Rc::from("path"), string_map(&req.path_parameters));
    m.insert(Rc::from("querystring"), string_map(&req.single_query()));
    m.insert(Rc::from("header"), string_map(&req.visible_headers()));
    Value::map(m)
}

fn lookup_param(params: &Value, name: &str) -> Value {
    // Path first, then query string, then header (header names case-insensitively).
    if let Value::Map(m) = params {
        let m = m.borrow();
        for (i, section) in ["path", "querystring", "header"].iter().enumerate() {
            if let Some(Value::Map(s)) = m.get(*section) {
                let s = s.borrow();
                if let Some(v) = s.get(name) {
                    return v.clone();
                }
                if i == 2
                    && let Some((_, v)) = s.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
                {
                    return v.clone();
                }
            }
        }
    }
    Value::str("")
}

/// [`lookup_param`] on the map [`params_map`] would build, without building it.
fn lookup_param_direct(req: &MethodRequest, name: &str) -> Value {
    if let Some(v) = req.path_parameters.get(name) {
        return Value::str(v);
    }
    // The query string keeps the last value of a name.
    if let Some((_, v)) = req.query.iter().rev().find(|(k, _)| k == name) {
        return Value::str(v);
    }
    let visible = || {
        req.headers
            .iter()
            .filter(|(k, _)| !crate::gateway::request::is_hidden_header(k))
    };
    // A header of exactly this name (its last value), else the first name that matches
    // ignoring case (that name's last value).
    let last_of = |exact: &str| {
        visible()
            .rev()
            .find(|(k, _)| k == exact)
            .map(|(_, v)| Value::str(v))
    };
    if let Some(v) = last_of(name) {
        return v;
    }
    visible()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(k, _)| last_of(k))
        .unwrap_or_else(|| Value::str(""))
}

impl HostObject for Input {
    fn class_name(&self) -> &str {
        "Input"
    }

    fn property(&self, name: &str) -> Outcome {
        match name {
            "body" => Outcome::Value(Value::Str(self.body.clone())),
            _ => Outcome::NoSuchMember,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError> {
        Ok(match (name, args) {
            ("getBody", []) => self.property("body"),
            ("params", []) => Outcome::Value(self.params().clone()),
            ("params", [Value::Str(n)]) => Outcome::Value(match self.params.get() {
                // Built (and perhaps changed by the template): look there.
                Some(params) => lookup_param(params, n),
                None => lookup_param_direct(&self.request, n),
            }),
            // The whole document: no JSONPath evaluation, no copy of the tree.
            ("path", [Value::Str(p)]) if p.trim() == "$" => {
                Outcome::Value(navigable(self.document()))
            }
            ("json", [Value::Str(p)]) if p.trim() == "$" => {
                Outcome::Value(Value::str(&json_text(self.document())?))
            }
            ("path", [Value::Str(p)]) => Outcome::Value(match self.select(p)? {
                SelectionRef::Missing => Value::Null,
                SelectionRef::One(v) => navigable(&v),
                SelectionRef::Many(vs) => json_array(vs.iter().map(|v| navigable(v)).collect()),
            }),
            ("json", [Value::Str(p)]) => Outcome::Value(match self.select(p)? {
                SelectionRef::Missing => Value::str(""),
                SelectionRef::One(v) => Value::str(&json_text(&v)?),
                SelectionRef::Many(vs) => {
                    let mut items = Vec::with_capacity(vs.len());
                    for v in &vs {
                        items.push(json_text(v)?);
                    }
                    Value::str(&format!("[{}]", items.join(",")))
                }
            }),
            ("path" | "json" | "params", [Value::Null]) => {
                return Err(MethodError(format!(
                    "$input.{name}() needs a string argument, got null"
                )));
            }
            _ => Outcome::NoSuchMember,
        })
    }

    fn write_display(&self, out: &mut String) {
        out.push_str("com.amazonaws.apigateway.Input");
    }
}

// ------------------------------------------------------------------------ $util

/// `$util`: escaping, encoding and JSON parsing helpers.
struct Util;

fn text_arg(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Str(s) => Some(s.to_string()),
        other => Some(other.to_java_string()),
    }
}

impl HostObject for Util {
    fn class_name(&self) -> &str {
        "Util"
    }

    fn property(&self, _name: &str) -> Outcome {
        Outcome::NoSuchMember
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError> {
        let [arg] = args else {
            return Ok(Outcome::NoSuchMember);
        };
        let text = text_arg(arg);
        let err = |e: util::UtilError| MethodError(e.to_string());
        Ok(Outcome::Value(match name {
            "escapeJavaScript" => match text {
                Some(t) => Value::str(&util::escape_javascript(&t)),
                None => Value::Null,
            },
            // `urlEncode(null)` is recorded as an empty string.
            "urlEncode" => Value::str(&util::url_encode(text.as_deref().unwrap_or(""))),
            "urlDecode" => match text {
                Some(t) => Value::str(&util::url_decode(&t).map_err(err)?),
                None => Value::Null,
            },
            "base64Encode" => match text {
                Some(t) => Value::str(&util::base64_encode(&t)),
                None => Value::Null,
            },
            "base64Decode" => match text {
                Some(t) => Value::str(&util::base64_decode(&t).map_err(err)?),
                None => Value::Null,
            },
            "parseJson" => match text {
                Some(t) => {
                    let v: serde_json::Value = super::json::parse_str(&t).map_err(|e| {
                        MethodError(format!("$util.parseJson: the text is not valid JSON: {e}"))
                    })?;
                    navigable(&v)
                }
                None => Value::Null,
            },
            _ => return Ok(Outcome::NoSuchMember),
        }))
    }

    fn write_display(&self, out: &mut String) {
        out.push_str("com.amazonaws.apigateway.Util");
    }
}

// ------------------------------------------------------------------------ $context

/// A map inside `$context` (`identity`, `authorizer`, `requestOverride`, ...). It behaves as
/// a Java map, but printing it gives an empty string, as recorded on AWS.
struct ContextMap {
    map: MapRef,
}

impl HostObject for ContextMap {
    fn class_name(&self) -> &str {
        "ContextMap"
    }

    fn property(&self, name: &str) -> Outcome {
        match self.map.borrow().get(name) {
            Some(v) => Outcome::Value(v.clone()),
            None => Outcome::NoSuchMember,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError> {
        if name == "toString" && args.is_empty() {
            return Ok(Outcome::Value(Value::str("")));
        }
        Ok(
            match methods::call(&Value::Map(self.map.clone()), name, args)? {
                Some(v) => Outcome::Value(v),
                None => Outcome::NoSuchMember,
            },
        )
    }

    fn write_display(&self, _out: &mut String) {}

    fn as_value(&self) -> Option<Value> {
        Some(Value::Map(self.map.clone()))
    }
}

fn context_map(m: JavaMap) -> (Value, MapRef) {
    let map = crate::vtl::value::new_map(m);
    (Value::Object(Rc::new(ContextMap { map: map.clone() })), map)
}

/// A `$context` value: nested objects become context maps.
fn context_value(v: &serde_json::Value, stringify: bool) -> Value {
    match v {
        serde_json::Value::Object(o) => {
            let mut m = JavaMap::default();
            for (k, v) in o {
                m.insert(
                    Rc::from(k.as_str()),
                    context_value(v, stringify && k != "claims"),
                );
            }
            context_map(m).0
        }
        serde_json::Value::Number(_) | serde_json::Value::Bool(_) if stringify => {
            Value::str(&v.to_string())
        }
        other => crate::vtl::from_json(other),
    }
}

fn override_maps(keys: &[&str], given: Option<&serde_json::Value>) -> (Value, MapRef) {
    let mut m = JavaMap::with_capacity_and_hasher(keys.len(), rustc_hash::FxBuildHasher);
    for k in keys {
        m.insert(interned(k), context_map(JavaMap::default()).0);
    }
    if let Some(serde_json::Value::Object(o)) = given {
        for (k, v) in o {
            m.insert(Rc::from(k.as_str()), context_value(v, false));
        }
    }
    context_map(m)
}

thread_local! {
    /// `$context`'s fixed key names, allocated once per thread.
    static KEYS: rustc_hash::FxHashMap<&'static str, Rc<str>> = CONTEXT_ORDER
        .iter()
        .chain(IDENTITY_ORDER)
        .chain(&["path", "header", "querystring"])
        .map(|k| (*k, Rc::from(*k)))
        .collect();
}

/// A key name, shared when it is one of `$context`'s own.
fn interned(key: &str) -> Rc<str> {
    KEYS.with(|k| k.get(key).cloned())
        .unwrap_or_else(|| Rc::from(key))
}

/// `$context` (when `full`; else only the override maps, and `Value::Null`).
fn context_object(
    req: &Arc<MethodRequest>,
    seeded: Option<&serde_json::Value>,
    full: bool,
) -> (Value, Overrides) {
    let given = &req.context;
    let seed = |key: &str| seeded.and_then(|s| s.get(key)).or_else(|| given.get(key));
    let (request_override, request_map) =
        override_maps(&["path", "header", "querystring"], seed("requestOverride"));
    let (response_override, response_map) = override_maps(&["header"], seed("responseOverride"));
    let overrides = Overrides {
        request: request_map,
        response: response_map,
    };
    if !full {
        return (Value::Null, overrides);
    }
    let mut built = JavaMap::with_capacity_and_hasher(4, rustc_hash::FxBuildHasher);
    built.insert(interned("requestOverride"), request_override);
    built.insert(interned("responseOverride"), response_override);
    let context = LazyContext {
        req: Arc::clone(req),
        built: std::cell::RefCell::new(built),
        full: OnceCell::new(),
    };
    (Value::Object(Rc::new(context)), overrides)
}

/// `$context`, built entry by entry as the template reads it (most templates read two or
/// three of its twenty keys). Anything that needs the whole map (a method call, `#foreach`,
/// `#set` of a key, comparing it) builds the whole map once, in AWS's key order and with the
/// entries already read, and from then on the map is all there is. It prints as an empty
/// string, like the context's nested maps.
struct LazyContext {
    req: Arc<MethodRequest>,
    /// The entries read so far (the override maps from the start).
    built: std::cell::RefCell<JavaMap>,
    /// The whole map, once something needed it.
    full: OnceCell<MapRef>,
}

impl LazyContext {
    /// The value of `key` from the request's context, as a new template value.
    fn entry(&self, key: &str) -> Option<Value> {
        let given = &self.req.context;
        match key {
            "identity" => {
                let ident = given.get("identity").and_then(|v| v.as_object());
                let mut im = JavaMap::with_capacity_and_hasher(
                    IDENTITY_ORDER.len(),
                    rustc_hash::FxBuildHasher,
                );
                for k in IDENTITY_ORDER {
                    let v = ident
                        .and_then(|i| i.get(*k))
                        .map_or(Value::Null, |v| context_value(v, false));
                    im.insert(interned(k), v);
                }
                if let Some(i) = ident {
                    for (k, v) in i {
                        if !IDENTITY_ORDER.contains(&k.as_str()) {
                            im.insert(Rc::from(k.as_str()), context_value(v, false));
                        }
                    }
                }
                Some(context_map(im).0)
            }
            "authorizer" => given.get(key).map(|v| context_value(v, true)),
            _ => given.get(key).map(|v| context_value(v, false)),
        }
    }

    /// The whole map (built on first need).
    fn full(&self) -> &MapRef {
        self.full.get_or_init(|| {
            let given = &self.req.context;
            let built = self.built.borrow();
            let mut m = JavaMap::with_capacity_and_hasher(
                CONTEXT_ORDER.len() + given.len(),
                rustc_hash::FxBuildHasher,
            );
            let keys = CONTEXT_ORDER.iter().copied().chain(
                given
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !CONTEXT_ORDER.contains(k)),
            );
            for key in keys {
                if let Some(v) = built.get(key).cloned().or_else(|| self.entry(key)) {
                    m.insert(interned(key), v);
                }
            }
            crate::vtl::value::new_map(m)
        })
    }
}

impl HostObject for LazyContext {
    fn class_name(&self) -> &str {
        "ContextMap"
    }

    fn property(&self, name: &str) -> Outcome {
        if let Some(full) = self.full.get() {
            return match full.borrow().get(name) {
                Some(v) => Outcome::Value(v.clone()),
                None => Outcome::NoSuchMember,
            };
        }
        if let Some(v) = self.built.borrow().get(name) {
            return Outcome::Value(v.clone());
        }
        match self.entry(name) {
            Some(v) => {
                self.built.borrow_mut().insert(interned(name), v.clone());
                Outcome::Value(v)
            }
            None => Outcome::NoSuchMember,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError> {
        if name == "toString" && args.is_empty() {
            return Ok(Outcome::Value(Value::str("")));
        }
        Ok(
            match methods::call(&Value::Map(self.full().clone()), name, args)? {
                Some(v) => Outcome::Value(v),
                None => Outcome::NoSuchMember,
            },
        )
    }

    fn write_display(&self, _out: &mut String) {}

    fn as_value(&self) -> Option<Value> {
        Some(Value::Map(self.full().clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vtl::{Policy, Template};

    fn render(
        template: &str,
        req: serde_json::Value,
        payload: &str,
    ) -> Result<String, crate::vtl::VtlError> {
        let req = MethodRequest::from_case_json(&req).unwrap();
        let (mut ctx, _) = template_context(&req, payload.as_bytes());
        Template::parse(template)?.render(&mut ctx, &Policy::api_gateway())
    }

    #[test]
    fn context_read_key_by_key_behaves_as_the_whole_map() {
        let mut r = req();
        r["context"] = serde_json::json!({
            "stage": "dev", "requestId": "r1", "apiId": "a1",
            "identity": {"sourceIp": "198.51.100.7"}, "custom": "c"
        });
        let t = |template: &str| render(template, r.clone(), "{}").unwrap();
        // Entries read one by one, then the whole map: AWS's key order, extra keys last.
        assert_eq!(
            t("$context.stage $context.requestId|#foreach($k in $context.keySet())$k,#end"),
            "dev r1|requestOverride,stage,requestId,identity,responseOverride,apiId,custom,"
        );
        // An entry read (and changed) before the whole map is built is the same object after.
        assert_eq!(
            t(
                "$context.identity.put('x', 'y')$context.size()|$context.identity.x|$context.identity.sourceIp"
            ),
            "7|y|198.51.100.7"
        );
        // #set of a key, then reading it (and it joins the map).
        assert_eq!(
            t("#set($context.mine = 'm')$context.mine|$context.containsKey('mine')"),
            "m|true"
        );
        // A missing key is a miss, the context itself prints as nothing.
        assert_eq!(t("[$!context.nothing][$context]"), "[][]");
        // The same answers when the whole map is built first.
        assert_eq!(
            t("$context.keySet().size()|$context.stage|$context.identity.sourceIp"),
            "7|dev|198.51.100.7"
        );
    }

    #[test]
    fn a_single_parameter_is_found_as_in_the_whole_params_map() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let mut req = MethodRequest::default();
        req.path_parameters.insert("id".into(), "7".into());
        req.path_parameters
            .insert("Both".into(), "from-path".into());
        req.query = pairs(&[("q", "1"), ("q", "2"), ("Both", "from-query"), ("h", "q")]);
        req.headers = pairs(&[
            ("X-Dup", "a"),
            ("x-dup", "b"),
            ("X-Dup", "c"),
            ("Content-Length", "3"),
            ("Host", "example.com"),
            ("h", "from-header"),
        ]);
        let whole = params_map(&req);
        for name in [
            "id",
            "Both",
            "both",
            "q",
            "h",
            "X-Dup",
            "x-dup",
            "X-DUP",
            "content-length",
            "Content-Length",
            "host",
            "HOST",
            "missing",
            "",
        ] {
            assert_eq!(
                lookup_param_direct(&req, name).to_java_string(),
                lookup_param(&whole, name).to_java_string(),
                "{name}"
            );
        }
    }

    fn req() -> serde_json::Value {
        serde_json::json!({"method": "POST", "resource": "/t", "path": "/t",
            "headers": {"Content-Type": "application/json", "X-Trace": "abc"},
            "queryStringParameters": {"q": "a b"}})
    }

    #[test]
    fn body_that_is_not_json() {
        assert_eq!(
            render(
                "$input.path('$')|$input.path('$.a')|$input.json('$')",
                req(),
                "a=b"
            )
            .unwrap(),
            "a=b||\"a=b\""
        );
    }

    #[test]
    fn empty_payload_is_braces() {
        assert_eq!(
            render("$input.body|$input.json('$')|$input.path('$')", req(), "").unwrap(),
            "{}|{}|{}"
        );
    }

    #[test]
    fn missing_parameter_and_header_lookup() {
        assert_eq!(
            render(
                "[$input.params('nope')][$input.params('x-trace')][$input.params('q')]",
                req(),
                ""
            )
            .unwrap(),
            "[][abc][a b]"
        );
    }

    #[test]
    fn jsonpath_into_a_string_is_a_miss() {
        assert_eq!(
            render(
                "[$input.path('$.a.b')][$input.json('$.a.b')]",
                req(),
                r#"{"a": "text"}"#
            )
            .unwrap(),
            "[][]"
        );
    }

    #[test]
    fn invalid_jsonpath_is_a_render_error_with_position() {
        let e = render("ok\n  $input.path('$.a[')", req(), "{}").unwrap_err();
        assert_eq!(e.kind, crate::vtl::ErrorKind::Render);
        assert_eq!((e.line, e.col), (2, 9));
        assert!(e.message.contains("JSONPath"), "{}", e.message);
    }

    #[test]
    fn arrays_print_as_json_and_objects_as_maps() {
        let out = render(
            "$input.path('$')|$input.path('$.l')|$input.path('$.l')[1]|$input.path('$.l').size()",
            req(),
            r#"{"l": [1, {"a": "b"}], "n": 2.5}"#,
        )
        .unwrap();
        assert_eq!(out, r#"{l=[1,{"a":"b"}], n=2.5}|[1,{"a":"b"}]|{a=b}|2"#);
    }

    #[test]
    fn overrides_are_writable_and_readable() {
        let r = MethodRequest::from_case_json(&req()).unwrap();
        let (mut ctx, ov) = template_context(&r, b"{}");
        let t = Template::parse("#set($context.requestOverride.header.X = 'v')#set($context.responseOverride.status = 202)$context.responseOverride.status").unwrap();
        assert_eq!(t.render(&mut ctx, &Policy::api_gateway()).unwrap(), "202");
        let header = ov.request.borrow().get("header").cloned().unwrap();
        assert_eq!(
            methods::index(&header, &Value::str("X"))
                .unwrap()
                .unwrap()
                .to_java_string(),
            "v"
        );
        assert!(ov.response.borrow().contains_key("status"));
    }

    #[test]
    fn util_functions() {
        let out = render(r#"$util.escapeJavaScript("it's ""q""")|$util.urlEncode("a b&")|$util.urlDecode("a+b%21")|$util.base64Encode("hi")|$util.base64Decode("aGk=")|$util.parseJson('{"a":[1]}').a[0]"#, req(), "").unwrap();
        assert_eq!(out, r#"it\'s \"q\"|a+b%26|a b!|aGk=|hi|1"#);
    }

    #[test]
    fn bad_base64_is_a_render_error() {
        let e = render("$util.base64Decode('***')", req(), "").unwrap_err();
        assert_eq!(e.kind, crate::vtl::ErrorKind::Render);
    }
}
