//! Mapping template rendering for runs: a per-thread cache of parsed templates, deadlines,
//! renders handed to an [`super::Offload`], and a run's render of one mapping template.

use super::*;

thread_local! {
    /// Parsed templates by source text: a served API renders the same few templates for
    /// every request.
    static TEMPLATE_CACHE: std::cell::RefCell<rustc_hash::FxHashMap<String, std::rc::Rc<(Template, Reach)>>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// Most templates kept parsed per thread.
const TEMPLATE_CACHE_SIZE: usize = 64;

pub(super) fn parsed_template(
    source: &str,
    policy: &crate::vtl::Policy,
) -> Result<std::rc::Rc<(Template, Reach)>, VtlError> {
    if let Some(t) = TEMPLATE_CACHE.with(|c| c.borrow().get(source).cloned()) {
        return Ok(t);
    }
    let t = std::rc::Rc::new((Template::parse_with(source, policy)?, Reach::of(source)));
    TEMPLATE_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= TEMPLATE_CACHE_SIZE {
            c.clear();
        }
        c.insert(source.to_string(), t.clone());
    });
    Ok(t)
}

/// Render a mapping template as the gateway does; `overrides_in` seeds
/// `$context.requestOverride` / `responseOverride` (carried from the request template to the
/// response template). Returns the output and the override maps after the render.
pub fn render_template(
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
) -> (Result<String, VtlError>, Json) {
    render_template_until(template, req, payload, overrides_in, None)
}

/// [`render_template`] with a deadline: the integration's timeout, from when the render
/// starts.
pub fn render_template_until(
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
    deadline: Option<Instant>,
) -> (Result<String, VtlError>, Json) {
    // A runaway template stops itself at the integration timeout (and frees its thread).
    let policy = crate::vtl::Policy {
        deadline,
        ..crate::vtl::Policy::api_gateway()
    };
    render_with(template, req, payload, overrides_in, policy)
}

/// The most evaluation steps of a render tried on the calling thread before it goes to the
/// offload pool (a small template on a small body takes tens to a few thousand).
const INLINE_STEPS: u64 = 5_000;
/// The most memory such a render may take.
const INLINE_MEMORY_BYTES: usize = 4 * 1024 * 1024;
/// The largest template tried on the calling thread (its parse nests as deep as its text).
const INLINE_TEMPLATE_BYTES: usize = 16 * 1024;
/// The largest payload tried on the calling thread.
const INLINE_PAYLOAD_BYTES: usize = 256 * 1024;
/// The deepest payload nesting tried on the calling thread (printing and dropping nest as
/// deep as the values: the async workers' stacks are small).
const INLINE_PAYLOAD_DEPTH: usize = 64;

/// A render on the calling thread under a small budget, for a template and payload small
/// enough that it cannot need a large stack: `None` when they are not, or when the render
/// failed (it ran out of the small budget, or failed for good: either way the full render
/// on the pool gives the answer, the same one for a render that fails for good). Rendering
/// is a pure function of its inputs, so a finished render here is the pool's answer too,
/// without the two thread hand-offs.
fn render_inline(
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
    deadline: Instant,
) -> Option<(Result<String, VtlError>, Json)> {
    if template.len() > INLINE_TEMPLATE_BYTES
        || payload.len() > INLINE_PAYLOAD_BYTES
        || crate::gateway::json::depth(payload, INLINE_PAYLOAD_DEPTH) > INLINE_PAYLOAD_DEPTH
    {
        return None;
    }
    let policy = crate::vtl::Policy {
        deadline: Some(deadline),
        max_steps: INLINE_STEPS,
        max_memory_bytes: INLINE_MEMORY_BYTES,
        ..crate::vtl::Policy::api_gateway()
    };
    let done = render_with(template, req, payload, overrides_in, policy);
    done.0.is_ok().then_some(done)
}

fn render_with(
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
    policy: crate::vtl::Policy,
) -> (Result<String, VtlError>, Json) {
    let parsed = match parsed_template(template, &policy) {
        Ok(t) => t,
        Err(e) => return (Err(e), overrides_in.clone()),
    };
    let seeded = overrides_in.is_object().then_some(overrides_in);
    let (template, reach) = &*parsed;
    let (mut ctx, overrides) = template_context_for(req, payload, seeded, *reach);
    let out = template.render(&mut ctx, &policy);
    let exported = match overrides {
        Some(o) => json!({
            "requestOverride": to_json(&crate::vtl::Value::Map(o.request.clone())),
            "responseOverride": to_json(&crate::vtl::Value::Map(o.response.clone())),
        }),
        // The template cannot reach `$context`: the overrides it was given pass through.
        None => overrides_in.clone(),
    };
    (out, exported)
}

/// Render on the offload pool and wait at most `limit` for it. A render that overruns, or
/// whose job was dropped (it panicked, the pool is gone), is a render error: the gateway's
/// 500 for this request only.
pub(super) async fn render_offloaded(
    offload: &Offload,
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
    limit: Duration,
) -> (Result<String, VtlError>, Json) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (template, req, payload, overrides) = (
        template.to_string(),
        std::sync::Arc::clone(req),
        payload.to_vec(),
        overrides_in.clone(),
    );
    (offload.0)(Box::new(move || {
        let deadline = Instant::now() + limit;
        let _ = tx.send(render_template_until(
            &template,
            &req,
            &payload,
            &overrides,
            Some(deadline),
        ));
    }));
    let failed = |message: String| {
        let mut e = VtlError::new(crate::vtl::ErrorKind::Render, 0, message);
        e.line = 1;
        e.col = 1;
        (Err(e), overrides_in.clone())
    };
    match tokio::time::timeout(limit, rx).await {
        Ok(Ok(out)) => out,
        Ok(Err(_)) => failed("the render stopped before finishing".to_string()),
        Err(_) => failed(format!(
            "the template did not finish within the integration timeout of {} ms",
            limit.as_millis()
        )),
    }
}

impl Run<'_> {
    /// Render a request or response mapping template (of integration response `response`),
    /// recording it in the trace; on failure answer the client (500) and return `None`.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn render_mapping(
        &mut self,
        stage: Stage,
        response: Option<&str>,
        key: &str,
        template: &str,
        req: &std::sync::Arc<MethodRequest>,
        payload: &[u8],
        overrides_in: &Json,
        limit: Duration,
    ) -> Option<(String, Json)> {
        let (output, overrides) = match &self.opts.offload {
            None => render_template_until(
                template,
                req,
                payload,
                overrides_in,
                Some(Instant::now() + limit),
            ),
            Some(offload) => {
                match render_inline(template, req, payload, overrides_in, Instant::now() + limit) {
                    Some(done) => done,
                    None => {
                        render_offloaded(offload, template, req, payload, overrides_in, limit).await
                    }
                }
            }
        };
        let rendered = Some(RenderedTemplate {
            content_type: key.to_string(),
            response: response.map(str::to_string),
            template: template.to_string(),
            output: output.clone(),
        });
        let side = if stage == Stage::IntegrationRequest {
            self.trace.request_template = rendered;
            "request"
        } else {
            self.trace.response_template = rendered;
            "response"
        };
        match output {
            Ok(text) => Some((text, overrides)),
            Err(e) => {
                let why = format!(
                    "the {side} template failed at {}:{}: {}",
                    e.line, e.col, e.message
                );
                let reason = format!(
                    "Unable to transform {side}: {}:{}: {}",
                    e.line, e.col, e.message
                );
                self.config_failure(stage, &why, &reason);
                None
            }
        }
    }
}
