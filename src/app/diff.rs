//! "What changed": the client's request against the endpoint request the gateway sent, so a
//! learner sees what the integration did (path and query rewritten, headers added, dropped or
//! mapped, the body transformed by the template). Lines start with `+`, `-`, `~` or a space,
//! so the view reads without colour.

use crate::app::view_model::Tok;
use crate::app::view_model::body::{StyledText, json_or_plain};
use crate::gateway::pipeline::ClientRequest;
use crate::gateway::trace::HttpMessage;

/// Above this many lines per side, bodies are compared as a whole (the line diff is
/// quadratic).
const MAX_DIFF_LINES: usize = 800;

fn push(out: &mut StyledText, mark: char, text: &str) {
    let line = format!("{mark} {text}");
    let tok = match mark {
        '+' => Tok::Added,
        '-' => Tok::Removed,
        '~' => Tok::Changed,
        _ => Tok::Plain,
    };
    out.push_line(&line, &[(0..line.len(), tok)]);
}

fn heading(out: &mut StyledText, text: &str) {
    out.push_line(text, &[(0..text.len(), Tok::Header)]);
}

/// Body lines for comparing: pretty when JSON.
fn body_lines(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let (view, _) = json_or_plain(&text);
    view.lines_from(0).map(|l| l.text.to_string()).collect()
}

/// A line diff (longest common subsequence): `(mark, line)` in order.
fn line_diff<'a>(a: &'a [String], b: &'a [String]) -> Vec<(char, &'a str)> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((' ', a[i].as_str()));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(('+', b[j].as_str()));
            j += 1;
        } else {
            out.push(('-', a[i].as_str()));
            i += 1;
        }
    }
    out
}

/// Compare the client request with the endpoint request.
pub fn changes(client: &ClientRequest, endpoint: Option<&HttpMessage>) -> StyledText {
    let mut out = StyledText::default();
    let Some(e) = endpoint else {
        out.push_plain("Nothing was sent to a backend, so nothing changed on the way.");
        return out;
    };
    heading(&mut out, "request line");
    let client_line = if client.raw_query.is_empty() {
        format!("{} {}", client.method, client.path)
    } else {
        format!("{} {}?{}", client.method, client.path, client.raw_query)
    };
    let endpoint_line = format!("{} {}", e.method, e.url);
    push(&mut out, '-', &client_line);
    push(&mut out, '+', &endpoint_line);

    heading(&mut out, "headers");
    let find = |list: &[(String, String)], name: &str| {
        list.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    for (k, v) in &client.headers {
        match find(&e.headers, k) {
            None => push(&mut out, '-', &format!("{k}: {v}")),
            Some(ev) if ev == *v => push(&mut out, ' ', &format!("{k}: {v}")),
            Some(ev) => push(&mut out, '~', &format!("{k}: {v} → {ev}")),
        }
    }
    for (k, v) in &e.headers {
        if find(&client.headers, k).is_none() {
            push(&mut out, '+', &format!("{k}: {v}"));
        }
    }

    heading(&mut out, "body");
    if client.body == e.body {
        out.push_plain("  passed through unchanged");
        return out;
    }
    let (a, b) = (body_lines(&client.body), body_lines(&e.body));
    if a.len() > MAX_DIFF_LINES || b.len() > MAX_DIFF_LINES {
        push(
            &mut out,
            '~',
            &format!(
                "{} bytes → {} bytes (too long to compare line by line)",
                client.body.len(),
                e.body.len()
            ),
        );
        return out;
    }
    for (mark, line) in line_diff(&a, &b) {
        push(&mut out, mark, line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &StyledText) -> Vec<String> {
        t.lines_from(0).map(|l| l.text.to_string()).collect()
    }

    #[test]
    fn shows_line_header_and_body_changes() {
        let client = ClientRequest {
            method: "POST".into(),
            path: "/dev/pets/7".into(),
            raw_query: "a=1".into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("User-Agent".into(), "curl".into()),
                ("X-Drop".into(), "1".into()),
            ],
            body: br#"{"name":"Rex","age":3}"#.to_vec(),
        };
        let endpoint = HttpMessage {
            method: "POST".into(),
            url: "http://backend/pets/7".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("User-Agent".into(), "AmazonAPIGateway".into()),
                ("X-Added".into(), "yes".into()),
            ],
            body: br#"{"name":"Rex","years":3}"#.to_vec(),
            ..HttpMessage::default()
        };
        let t = texts(&changes(&client, Some(&endpoint)));
        assert_eq!(
            t,
            [
                "request line",
                "- POST /dev/pets/7?a=1",
                "+ POST http://backend/pets/7",
                "headers",
                "  Content-Type: application/json",
                "~ User-Agent: curl → AmazonAPIGateway",
                "- X-Drop: 1",
                "+ X-Added: yes",
                "body",
                "  {",
                "    \"name\": \"Rex\",",
                "+   \"years\": 3",
                "-   \"age\": 3",
                "  }",
            ]
        );
    }

    #[test]
    fn no_backend_and_unchanged_bodies() {
        let client = ClientRequest::default();
        assert_eq!(texts(&changes(&client, None)).len(), 1);
        let e = HttpMessage::default();
        let t = texts(&changes(&client, Some(&e)));
        assert_eq!(
            t.last().map(String::as_str),
            Some("  passed through unchanged")
        );
    }
}
