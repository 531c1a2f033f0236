//! Response header names as API Gateway spells them. hyper writes every HTTP/1 header name
//! in lowercase (`content-type`, `x-amzn-requestid`); API Gateway sends `Content-Type`,
//! `x-amzn-RequestId`, `x-amz-apigw-id`, and a mapped header as its mapping names it. The
//! names are the same ignoring case, so the bytes can be respelled in place, with no change
//! of length: [`Respeller`] follows the responses a connection writes, holds each response
//! head until it is whole, respells its names and lets the body go by.
//!
//! The handler queues each HTTP/1 response's [`Spelling`] (HTTP/1.1 answers requests in
//! order, so the queue and the heads line up); a name not in it (one hyper added: `Date`,
//! `Content-Length`, `Connection`) is written in title case, as the gateway writes those.
//! Anything this does not follow (HTTP/2, a chunked or close-delimited body, a head it
//! cannot parse) is passed on unchanged from there on: the casing may then be hyper's,
//! never the bytes wrong.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Largest response head held back; a larger one is passed on as it is.
const MAX_HEAD: usize = 64 * 1024;
/// Most header lines respelled.
const MAX_HEADERS: usize = 128;
/// Body bytes that follow a held head are copied after it (one write for both) up to this.
pub const COPY_BODY_MAX: usize = 16 * 1024;

/// How one response's header names are written, and whether it has a body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spelling {
    /// The names as the gateway spells them.
    pub names: Vec<String>,
    /// The answer to a HEAD request: its `Content-Length` announces a body never sent.
    pub head_request: bool,
}

/// The spellings of a connection's responses, oldest first.
pub type Spellings = Arc<Mutex<VecDeque<Spelling>>>;

/// Where the writer is in the response stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Collecting a response head.
    Head,
    /// Passing on this many body bytes.
    Body(u64),
    /// Passing everything on unchanged.
    Off,
}

/// What [`Respeller::take`] did with the bytes it was offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    /// This many were taken in: they are in [`Respeller::pending`] or held as part of a head.
    Held(usize),
    /// This many may be written straight through (then call [`Respeller::passed`]).
    Through(usize),
}

/// Follows the bytes a connection writes and respells response heads.
#[derive(Debug)]
pub struct Respeller {
    state: State,
    /// The head being collected.
    head: Vec<u8>,
    /// Bytes ready to write, respelled, from `sent` on.
    pending: Vec<u8>,
    sent: usize,
    spellings: Spellings,
}

impl Respeller {
    /// A writer that takes each response's spelling from `spellings`.
    pub fn new(spellings: Spellings) -> Respeller {
        Respeller {
            state: State::Head,
            head: Vec::new(),
            pending: Vec::new(),
            sent: 0,
            spellings,
        }
    }

    /// Bytes waiting to be written.
    pub fn pending(&self) -> &[u8] {
        &self.pending[self.sent..]
    }

    /// `n` bytes of [`Respeller::pending`] were written.
    pub fn sent(&mut self, n: usize) {
        self.sent += n;
        if self.sent >= self.pending.len() {
            self.pending.clear();
            self.sent = 0;
        }
    }

    /// Whether nothing is held back: every byte taken has been written, or is part of a
    /// head not yet whole.
    pub fn is_drained(&self) -> bool {
        self.pending().is_empty()
    }

    /// Whether everything goes through unchanged from now on.
    pub fn is_off(&self) -> bool {
        self.state == State::Off && self.head.is_empty()
    }

    /// Offer the next bytes to write. Head bytes are held (and, once the head is whole,
    /// respelled into `pending`); body bytes right after a held head are copied behind it
    /// when small; other body bytes go through.
    pub fn take(&mut self, data: &[u8]) -> Take {
        match self.state {
            State::Off => Take::Through(data.len()),
            State::Body(n) => {
                let k = usize::try_from(n).unwrap_or(usize::MAX).min(data.len());
                if !self.pending().is_empty() && self.pending.len() + k <= COPY_BODY_MAX {
                    self.pending.extend_from_slice(&data[..k]);
                    self.body_done(k);
                    Take::Held(k)
                } else {
                    Take::Through(k)
                }
            }
            State::Head => {
                let from = self.head.len().saturating_sub(3);
                self.head.extend_from_slice(data);
                if !self.head.starts_with(&b"HTTP/"[..self.head.len().min(5)]) {
                    // Not HTTP/1 (an HTTP/2 connection): leave it alone.
                    self.give_up();
                    return Take::Held(data.len());
                }
                let Some(at) = self.head[from..].windows(4).position(|w| w == b"\r\n\r\n") else {
                    if self.head.len() > MAX_HEAD {
                        self.give_up();
                    }
                    return Take::Held(data.len());
                };
                let end = from + at + 4;
                let beyond = self.head.len() - end;
                self.head.truncate(end);
                self.finish_head();
                Take::Held(data.len() - beyond)
            }
        }
    }

    /// `n` body bytes went through.
    pub fn passed(&mut self, n: usize) {
        if let State::Body(_) = self.state {
            self.body_done(n);
        }
    }

    fn body_done(&mut self, n: usize) {
        if let State::Body(left) = self.state {
            let left = left.saturating_sub(n as u64);
            self.state = if left == 0 {
                State::Head
            } else {
                State::Body(left)
            };
        }
    }

    /// Pass what is held on as it is, and everything after it.
    fn give_up(&mut self) {
        let head = std::mem::take(&mut self.head);
        self.pending.extend_from_slice(&head);
        self.state = State::Off;
    }

    /// A whole head is in `head`: respell it into `pending` and follow its body.
    fn finish_head(&mut self) {
        let mut head = std::mem::take(&mut self.head);
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut res = httparse::Response::new(&mut slots);
        let Ok(httparse::Status::Complete(_)) = res.parse(&head) else {
            self.pending.extend_from_slice(&head);
            self.state = State::Off;
            return;
        };
        let code = res.code.unwrap_or(0);
        if (100..200).contains(&code) {
            // An interim answer (100 Continue): no body, and the request's answer follows.
            self.pending.extend_from_slice(&head);
            self.state = State::Head;
            return;
        }
        let spelling = self
            .spellings
            .lock()
            .ok()
            .and_then(|mut q| q.pop_front())
            .unwrap_or_default();
        let base = head.as_ptr() as usize;
        let mut length: Option<u64> = None;
        let mut chunked = false;
        let mut renames: Vec<(usize, Vec<u8>)> = Vec::with_capacity(res.headers.len());
        for h in res.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                length = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse().ok());
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = true;
            }
            let spelled = spelling
                .names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(h.name))
                .map_or_else(|| title_case(h.name), |n| n.as_bytes().to_vec());
            if spelled.as_slice() != h.name.as_bytes() {
                renames.push((h.name.as_ptr() as usize - base, spelled));
            }
        }
        for (at, name) in renames {
            head[at..at + name.len()].copy_from_slice(&name);
        }
        self.pending.extend_from_slice(&head);
        let bodiless = spelling.head_request || code == 204 || code == 304;
        self.state = match (bodiless, chunked, length) {
            (true, _, _) | (false, false, Some(0)) => State::Head,
            (false, false, Some(n)) => State::Body(n),
            // A chunked or close-delimited body: not followed.
            _ => State::Off,
        };
    }
}

/// `content-length` → `Content-Length`.
fn title_case(name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    let mut start = true;
    for b in name.bytes() {
        out.push(if start {
            b.to_ascii_uppercase()
        } else {
            b.to_ascii_lowercase()
        });
        start = b == b'-';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Write `chunks` through a respeller as a connection would (what is held is written
    /// before what follows), and return the bytes that reach the wire.
    fn written(spellings: Vec<Spelling>, chunks: &[&[u8]]) -> Vec<u8> {
        let queue = Spellings::default();
        queue.lock().unwrap().extend(spellings);
        let mut r = Respeller::new(queue);
        let mut wire = Vec::new();
        for chunk in chunks {
            let mut rest: &[u8] = chunk;
            while !rest.is_empty() {
                match r.take(rest) {
                    Take::Held(n) => rest = &rest[n..],
                    Take::Through(n) => {
                        wire.extend_from_slice(r.pending());
                        let k = r.pending().len();
                        r.sent(k);
                        wire.extend_from_slice(&rest[..n]);
                        r.passed(n);
                        rest = &rest[n..];
                    }
                }
            }
            wire.extend_from_slice(r.pending());
            let k = r.pending().len();
            r.sent(k);
        }
        wire
    }

    fn spelled(names: &[&str]) -> Spelling {
        Spelling {
            names: names.iter().map(|s| s.to_string()).collect(),
            head_request: false,
        }
    }

    const TWO: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: r1\r\nx-amz-apigw-id: a1\r\ncontent-length: 2\r\ndate: Thu, 03 Dec 2026 18:00:00 GMT\r\n\r\n{}HTTP/1.1 404 Not Found\r\nx-custom-header: v\r\ncontent-length: 5\r\n\r\nnope!";

    fn expected() -> Vec<u8> {
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-amzn-RequestId: r1\r\nx-amz-apigw-id: a1\r\nContent-Length: 2\r\nDate: Thu, 03 Dec 2026 18:00:00 GMT\r\n\r\n{}HTTP/1.1 404 Not Found\r\nX-custom-HEADER: v\r\nContent-Length: 5\r\n\r\nnope!".to_vec()
    }

    fn both() -> Vec<Spelling> {
        vec![
            spelled(&["Content-Type", "x-amzn-RequestId", "x-amz-apigw-id"]),
            spelled(&["X-custom-HEADER"]),
        ]
    }

    #[test]
    fn names_are_spelled_as_the_gateway_wrote_them_else_in_title_case() {
        assert_eq!(written(both(), &[TWO]), expected());
    }

    #[test]
    fn any_split_of_the_stream_gives_the_same_bytes() {
        for i in 1..TWO.len() {
            for j in i..TWO.len() {
                let got = written(both(), &[&TWO[..i], &TWO[i..j], &TWO[j..]]);
                assert_eq!(got, expected(), "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn bodies_are_never_changed() {
        let body = b"content-type: x\r\n\r\nHTTP/1.1 200 OK\r\nabc";
        let mut stream =
            format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
        stream.extend_from_slice(body);
        let mut want =
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        want.extend_from_slice(body);
        assert_eq!(written(vec![], &[&stream]), want);
        // A large body goes through after its head, unchanged.
        let big = vec![b'x'; 3 * COPY_BODY_MAX];
        let mut stream =
            format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", big.len()).into_bytes();
        let head_len = stream.len();
        stream.extend_from_slice(&big);
        let got = written(
            vec![],
            &[&stream[..head_len + 10], &stream[head_len + 10..]],
        );
        assert_eq!(&got[head_len..], &big[..]);
    }

    #[test]
    fn head_answers_interim_answers_and_empty_statuses_have_no_body() {
        let stream: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nHTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\nHTTP/1.1 200 OK\r\nx-b: 2\r\ncontent-length: 0\r\n\r\n";
        let head = Spelling {
            names: vec![],
            head_request: true,
        };
        let got = written(vec![head, spelled(&["x-A"]), spelled(&["X-b"])], &[stream]);
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 204 No Content\r\nx-A: 1\r\n\r\nHTTP/1.1 200 OK\r\nX-b: 2\r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn what_is_not_followed_passes_unchanged() {
        // HTTP/2 frames.
        let h2: &[u8] = b"\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64";
        assert_eq!(
            written(vec![], &[h2, b"content-type"]),
            [h2, b"content-type"].concat()
        );
        // A chunked body: the head is respelled, the rest passes as it is.
        let chunked: &[u8] = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nx-a: 1\r\n\r\n";
        let got = String::from_utf8(written(vec![], &[chunked])).unwrap();
        assert!(got.starts_with("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assert!(got.ends_with("x-a: 1\r\n\r\n"), "{got}");
        // A head that does not parse.
        let junk: &[u8] = b"HTTP/1.1 2xx\r\nbad header\r\n\r\nrest";
        assert_eq!(written(vec![], &[junk]), junk);
    }
}
