//! The mapping templates of a method, as the Template pane lists them: request templates by
//! content type, then each integration response's templates by content type.

use crate::gateway::Phase;
use crate::gateway::api::Method;

/// One mapping template of a method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSlot {
    /// Request or response side.
    pub phase: Phase,
    /// The integration response key (response side only).
    pub response: Option<String>,
    /// The content type the template is for.
    pub content_type: String,
}

impl TemplateSlot {
    /// A label such as `request application/json` or `response 404 application/json`.
    pub fn label(&self) -> String {
        match (&self.phase, &self.response) {
            (Phase::Request, _) => format!("request {}", self.content_type),
            (Phase::Response, Some(r)) => format!("response {r} {}", self.content_type),
            (Phase::Response, None) => format!("response {}", self.content_type),
        }
    }

    /// The template text in `method`.
    pub fn text<'a>(&self, method: &'a Method) -> Option<&'a str> {
        let i = &method.integration;
        match self.phase {
            Phase::Request => i.request_templates.get(&self.content_type),
            Phase::Response => i
                .integration_responses
                .get(self.response.as_deref()?)?
                .response_templates
                .get(&self.content_type),
        }
        .map(String::as_str)
    }

    /// Replace the template text in `method`; false when the slot no longer exists.
    pub fn set_text(&self, method: &mut Method, text: String) -> bool {
        let i = &mut method.integration;
        let slot = match self.phase {
            Phase::Request => i.request_templates.get_mut(&self.content_type),
            Phase::Response => self
                .response
                .as_deref()
                .and_then(|r| i.integration_responses.get_mut(r))
                .and_then(|r| r.response_templates.get_mut(&self.content_type)),
        };
        match slot {
            Some(t) => {
                *t = text;
                true
            }
            None => false,
        }
    }
}

/// Every template of a method, request side first.
pub fn slots(method: &Method) -> Vec<TemplateSlot> {
    let i = &method.integration;
    let mut out: Vec<TemplateSlot> = i
        .request_templates
        .keys()
        .map(|ct| TemplateSlot {
            phase: Phase::Request,
            response: None,
            content_type: ct.clone(),
        })
        .collect();
    for (key, r) in &i.integration_responses {
        out.extend(r.response_templates.keys().map(|ct| TemplateSlot {
            phase: Phase::Response,
            response: Some(key.clone()),
            content_type: ct.clone(),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::route;
    use crate::session::Session;

    #[test]
    fn slots_of_the_default_session() {
        let s = Session::builtin_default();
        let m = route::first_method(&s.api).unwrap();
        let method = m.get(&s.api).unwrap();
        let labels: Vec<String> = slots(method).iter().map(TemplateSlot::label).collect();
        assert_eq!(
            labels,
            [
                "request application/json",
                "response 200 application/json",
                "response 404 application/json"
            ]
        );
        let mut method = method.clone();
        let slot = &slots(&method)[2];
        assert!(slot.set_text(&mut method, "x".into()));
        assert_eq!(slot.text(&method), Some("x"));
    }
}
