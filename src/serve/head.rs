//! Header names as the client wrote them. hyper hands the server lowercase names, but API
//! Gateway keeps the client's casing (and order) in `$input.params()` and the proxy event.
//! [`HeadSniffer`] wraps a connection, reads each request head as it goes by (with `httparse`)
//! and queues its headers; the handler takes them in order (HTTP/1.1 answers requests on a
//! connection in order) and uses them when they name the same headers as hyper's, else keeps
//! hyper's.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use std::future::Future as _;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::casing::{Respeller, Spellings, Take};
use tokio_util::sync::CancellationToken;

/// Largest request head looked at; a larger one stops the sniffing for the connection.
const MAX_HEAD: usize = 64 * 1024;
/// Most header lines looked at.
const MAX_HEADERS: usize = 128;

/// Header lines as written: name, value.
pub type HeaderLines = Vec<(String, String)>;

/// The heads read on one connection, oldest first.
pub type Heads = Arc<Mutex<VecDeque<HeaderLines>>>;

enum State {
    /// Reading a request head.
    Head,
    /// Skipping this many body bytes.
    Body(u64),
    /// A chunked body: reading a chunk-size line.
    ChunkSize,
    /// A chunked body: skipping this many bytes of chunk data.
    ChunkData(u64),
    /// A chunked body: skipping the CRLF after chunk data (this many bytes left).
    ChunkEnd(u8),
    /// A chunked body: reading trailer lines up to the empty one.
    Trailers,
    /// Gave up for this connection (unknown body framing, oversized or unparsable head).
    Off,
}

/// How a request's body is framed.
enum Framing {
    /// `Content-Length` (or no body).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Something else: the end of the body cannot be told.
    Unknown,
}

/// Longest chunk-size or trailer line looked at.
const MAX_LINE: usize = 4096;

/// Timeouts a connection is held to (see [`super::Limits`]).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// From a head's first byte (or, on a fresh connection, from the accept) to its end.
    pub header_read: Duration,
    /// Between requests, with nothing in flight.
    pub idle: Duration,
}

/// What the server knows about one open connection (shared by its reader, its requests and
/// the accept loop, which closes idle connections to make room).
#[derive(Debug)]
pub struct ConnState {
    /// Requests of this connection being answered.
    pub in_flight: AtomicUsize,
    /// Closes the connection (eviction when the server is full).
    pub evict: CancellationToken,
    /// When the connection was accepted.
    epoch: Instant,
    /// Milliseconds from `epoch` to the last byte read or written.
    last_activity: AtomicU64,
    /// Between requests (no head or body being read).
    between: AtomicBool,
}

impl Default for ConnState {
    fn default() -> Self {
        ConnState {
            in_flight: AtomicUsize::new(0),
            evict: CancellationToken::new(),
            epoch: Instant::now(),
            last_activity: AtomicU64::new(0),
            between: AtomicBool::new(true),
        }
    }
}

impl ConnState {
    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_activity.store(ms, Ordering::Relaxed);
    }

    /// When the connection last read or wrote.
    pub fn last_activity(&self) -> Instant {
        self.epoch + Duration::from_millis(self.last_activity.load(Ordering::Relaxed))
    }

    /// Idle: between requests with nothing in flight (safe to close).
    pub fn is_idle(&self) -> bool {
        self.between.load(Ordering::Relaxed) && self.in_flight.load(Ordering::Relaxed) == 0
    }
}

/// Counts a request in flight on its connection while alive.
pub struct InFlight(Arc<ConnState>);

impl InFlight {
    /// Count one more request on `conn`.
    pub fn new(conn: &Arc<ConnState>) -> InFlight {
        conn.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(conn))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// A connection that notes each request head it reads, and ends itself (a read error) when
/// a head takes too long or it stays idle too long.
pub struct HeadSniffer<IO> {
    io: IO,
    state: State,
    buf: Vec<u8>,
    heads: Heads,
    conn: Arc<ConnState>,
    timeouts: Option<Timeouts>,
    /// Whether a request head has been read on this connection.
    served: bool,
    /// When the head being read started.
    head_started: Option<Instant>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Respells the response heads written (see [`super::casing`]); `None`: written as hyper
    /// writes them.
    out: Option<Respeller>,
}

impl<IO> HeadSniffer<IO> {
    /// Wrap `io`; heads go to `heads`. No timeouts.
    pub fn new(io: IO, heads: Heads) -> Self {
        HeadSniffer {
            io,
            state: State::Head,
            buf: Vec::new(),
            heads,
            conn: Arc::default(),
            timeouts: None,
            served: false,
            head_started: None,
            sleep: None,
            out: None,
        }
    }

    /// Write response header names as `spellings` spell them (see [`super::casing`]).
    pub fn respelled(self, spellings: Spellings) -> Self {
        HeadSniffer {
            out: Some(Respeller::new(spellings)),
            ..self
        }
    }

    /// Wrap `io` for the server: heads go to `heads`, `conn` is kept up to date, and
    /// `timeouts` apply.
    pub fn watched(io: IO, heads: Heads, conn: Arc<ConnState>, timeouts: Timeouts) -> Self {
        HeadSniffer {
            conn,
            timeouts: Some(timeouts),
            ..HeadSniffer::new(io, heads)
        }
    }

    /// When this connection must have made progress by, in its current phase (`None`: no
    /// limit now, e.g. while a request is answered; bodies are timed by the handler).
    fn deadline(&self) -> Option<Instant> {
        let t = self.timeouts?;
        let reading_head = matches!(self.state, State::Head) && !self.buf.is_empty();
        if reading_head {
            return self.head_started.map(|s| s + t.header_read);
        }
        if self.conn.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let wait = if self.served { t.idle } else { t.header_read };
        Some(self.conn.last_activity() + wait)
    }

    /// Note where the connection is (for the timers and the accept loop).
    fn note_phase(&mut self) {
        let between = matches!(self.state, State::Head | State::Off) && self.buf.is_empty();
        if matches!(self.state, State::Head) && !self.buf.is_empty() {
            self.head_started.get_or_insert_with(Instant::now);
        } else {
            self.head_started = None;
        }
        self.conn.between.store(between, Ordering::Relaxed);
    }

    /// Follow the bytes just read. Body bytes are only counted; head bytes are kept until
    /// the head is complete.
    fn observe(&mut self, input: &[u8]) {
        // After a head, what followed it in the same read (a body, a pipelined request).
        let mut carry: Option<Vec<u8>> = None;
        let mut pos = 0;
        loop {
            let src: &[u8] = carry.as_deref().unwrap_or(input);
            if pos >= src.len() {
                return;
            }
            match self.state {
                State::Off => return,
                State::Body(n) => {
                    let k = usize::try_from(n)
                        .unwrap_or(usize::MAX)
                        .min(src.len() - pos);
                    let left = n - k as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Body(left)
                    };
                    pos += k;
                }
                State::ChunkData(n) => {
                    let k = usize::try_from(n)
                        .unwrap_or(usize::MAX)
                        .min(src.len() - pos);
                    let left = n - k as u64;
                    self.state = if left == 0 {
                        State::ChunkEnd(2)
                    } else {
                        State::ChunkData(left)
                    };
                    pos += k;
                }
                State::ChunkEnd(n) => {
                    pos += 1;
                    self.state = if n <= 1 {
                        State::ChunkSize
                    } else {
                        State::ChunkEnd(n - 1)
                    };
                }
                State::ChunkSize | State::Trailers => {
                    // One line at a time, up to its LF.
                    let line_end = src[pos..].iter().position(|&b| b == b'\n');
                    let take = line_end.map_or(src.len() - pos, |i| i + 1);
                    self.buf.extend_from_slice(&src[pos..pos + take]);
                    pos += take;
                    if line_end.is_none() {
                        if self.buf.len() > MAX_LINE {
                            self.off();
                        }
                        continue;
                    }
                    let line = std::mem::take(&mut self.buf);
                    let text = String::from_utf8_lossy(&line);
                    let text = text.trim_end_matches(['\r', '\n']);
                    self.state = match self.state {
                        State::ChunkSize => {
                            let size = text.split(';').next().unwrap_or("").trim();
                            match u64::from_str_radix(size, 16) {
                                Ok(0) => State::Trailers,
                                Ok(n) => State::ChunkData(n),
                                Err(_) => State::Off,
                            }
                        }
                        // The empty line ends the message.
                        _ if text.is_empty() => State::Head,
                        _ => State::Trailers,
                    };
                }
                State::Head => {
                    self.buf.extend_from_slice(&src[pos..]);
                    let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        if self.buf.len() > MAX_HEAD {
                            self.off();
                        }
                        return;
                    };
                    let head_len = end + 4;
                    self.served = true;
                    self.state = match parse(&self.buf[..head_len]) {
                        Some((headers, body)) => {
                            if let Ok(mut q) = self.heads.lock() {
                                q.push_back(headers);
                            }
                            match body {
                                Framing::Length(0) => State::Head,
                                Framing::Length(n) => State::Body(n),
                                Framing::Chunked => State::ChunkSize,
                                Framing::Unknown => State::Off,
                            }
                        }
                        None => State::Off,
                    };
                    let rest = self.buf.split_off(head_len);
                    self.buf.clear();
                    carry = Some(rest);
                    pos = 0;
                }
            }
        }
    }

    fn off(&mut self) {
        self.state = State::Off;
        self.buf = Vec::new();
    }
}

/// The headers of a request head, and how its body is framed.
fn parse(head: &[u8]) -> Option<(HeaderLines, Framing)> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return None,
    }
    let mut length = Some(0);
    let mut coding: Option<String> = None;
    let mut headers = Vec::with_capacity(req.headers.len());
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value).into_owned();
        if h.name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok();
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            coding = Some(value.clone());
        }
        headers.push((h.name.to_string(), value));
    }
    // Transfer-Encoding wins over Content-Length; chunked must be the last coding.
    let framing = match (coding, length) {
        (Some(c), _) => {
            let last = c.rsplit(',').next().unwrap_or("").trim();
            if last.eq_ignore_ascii_case("chunked") {
                Framing::Chunked
            } else {
                Framing::Unknown
            }
        }
        (None, Some(n)) => Framing::Length(n),
        (None, None) => Framing::Unknown,
    };
    Some((headers, framing))
}

impl<IO: AsyncRead + Unpin> AsyncRead for HeadSniffer<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        match &polled {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.conn.touch();
                    if matches!(this.state, State::Off) {
                        // Bytes of unknown meaning: not between requests.
                        this.served = true;
                    } else {
                        this.observe(&buf.filled()[before..]);
                    }
                    this.note_phase();
                }
            }
            Poll::Pending => {
                if let Some(deadline) = this.deadline() {
                    let deadline = tokio::time::Instant::from_std(deadline);
                    let sleep = this
                        .sleep
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                    if sleep.deadline() != deadline {
                        sleep.as_mut().reset(deadline);
                    }
                    if sleep.as_mut().poll(cx).is_ready() {
                        let what = if this.head_started.is_some() {
                            "the request head did not arrive in time"
                        } else {
                            "the connection was idle too long"
                        };
                        return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, what)));
                    }
                }
            }
            Poll::Ready(Err(_)) => {}
        }
        polled
    }
}

/// Write what `out` holds to `io`.
fn drain<IO: AsyncWrite + Unpin>(
    io: &mut IO,
    out: &mut Respeller,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    while !out.pending().is_empty() {
        match Pin::new(&mut *io).poll_write(cx, out.pending()) {
            Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
            Poll::Ready(Ok(n)) => out.sent(n),
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
    }
    Poll::Ready(Ok(()))
}

impl<IO: AsyncWrite + Unpin> HeadSniffer<IO> {
    /// The respeller, unless everything goes straight through now.
    fn respeller(&mut self) -> Option<&mut Respeller> {
        self.out
            .as_mut()
            .filter(|o| !(o.is_off() && o.is_drained()))
    }

    /// Write what is held, then flush or shut down.
    fn drained(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.out.as_mut() {
            Some(out) => drain(&mut self.io, out, cx),
            None => Poll::Ready(Ok(())),
        }
    }

    /// Bytes taken in by the respeller: send what is ready now (what stays goes with the next
    /// write or flush), and say they were written.
    fn held(&mut self, n: usize, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Err(e)) = self.drained(cx) {
            return Poll::Ready(Err(e));
        }
        if n > 0 {
            self.conn.touch();
        }
        Poll::Ready(Ok(n))
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for HeadSniffer<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.respeller().is_some() {
            std::task::ready!(this.drained(cx))?;
            if let Some(out) = this.out.as_mut() {
                match out.take(data) {
                    Take::Held(n) => return this.held(n, cx),
                    Take::Through(n) => {
                        let polled = Pin::new(&mut this.io).poll_write(cx, &data[..n]);
                        if let Poll::Ready(Ok(m)) = &polled {
                            out.passed(*m);
                            if *m > 0 {
                                this.conn.touch();
                            }
                        }
                        return polled;
                    }
                }
            }
        }
        let polled = Pin::new(&mut this.io).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = &polled
            && *n > 0
        {
            this.conn.touch();
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.drained(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.drained(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.respeller().is_some() {
            std::task::ready!(this.drained(cx))?;
            // Take in what the respeller holds (a head, a small body behind it); the first
            // bytes that go straight through are written alone.
            let mut taken = 0;
            if let Some(out) = this.out.as_mut() {
                'bufs: for buf in bufs {
                    let mut rest: &[u8] = buf;
                    while !rest.is_empty() {
                        match out.take(rest) {
                            Take::Held(n) => {
                                taken += n;
                                rest = &rest[n..];
                            }
                            Take::Through(n) => {
                                if taken > 0 || !out.is_drained() {
                                    break 'bufs;
                                }
                                let polled = Pin::new(&mut this.io).poll_write(cx, &rest[..n]);
                                if let Poll::Ready(Ok(m)) = &polled {
                                    out.passed(*m);
                                    if *m > 0 {
                                        this.conn.touch();
                                    }
                                }
                                return polled;
                            }
                        }
                    }
                }
            }
            return this.held(taken, cx);
        }
        let polled = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = &polled
            && *n > 0
        {
            this.conn.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// Who is on the other end of a connection, and the heads it sent.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The client's address.
    pub addr: SocketAddr,
    /// Its request heads, as written.
    pub heads: Heads,
    /// The connection's state.
    pub conn: Arc<ConnState>,
    /// How its HTTP/1 responses' header names are written, in order.
    pub spellings: Spellings,
}

impl Peer {
    /// The next request's headers as the client wrote them, when they are the ones hyper
    /// parsed (same names, ignoring case, same count); else `None`.
    pub fn take_headers(&self, parsed: &axum::http::HeaderMap) -> Option<Vec<(String, String)>> {
        let sniffed = self.heads.lock().ok()?.pop_front()?;
        if sniffed.len() != parsed.len() {
            return None;
        }
        let mut a: Vec<String> = sniffed
            .iter()
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect();
        // One name per value (`len()` counts values too).
        let mut b: Vec<&str> = parsed.iter().map(|(k, _)| k.as_str()).collect();
        a.sort_unstable();
        b.sort_unstable();
        (a == b).then_some(sniffed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(chunks: &[&[u8]]) -> Vec<Vec<(String, String)>> {
        let heads = Heads::default();
        let mut s = HeadSniffer::new((), Arc::clone(&heads));
        for c in chunks {
            s.observe(c);
        }
        heads.lock().unwrap().drain(..).collect()
    }

    fn names(h: &[(String, String)]) -> Vec<&str> {
        h.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn heads_across_reads_bodies_and_pipelined_requests() {
        let heads = sniff(&[
            b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Len",
            b"gth: 5\r\nX-Mixed-Case: 1\r\n\r\nhel",
            b"loGET /b HTTP/1.1\r\nhost: x\r\nX-ONE: 1\r\nx-one: 2\r\n\r\n",
        ]);
        assert_eq!(heads.len(), 2);
        assert_eq!(
            names(&heads[0]),
            ["Host", "Content-Type", "Content-Length", "X-Mixed-Case"]
        );
        assert_eq!(heads[0][1].1, "application/json");
        assert_eq!(names(&heads[1]), ["host", "X-ONE", "x-one"]);
    }

    #[test]
    fn any_split_of_the_stream_gives_the_same_heads() {
        let stream: &[u8] = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello\r\n\r\nxGET /b HTTP/1.1\r\nX-B: 1\r\n\r\nPUT /c HTTP/1.1\r\ncontent-length: 2\r\nX-C: 2\r\n\r\nok";
        let whole = sniff(&[stream]);
        assert_eq!(whole.len(), 3);
        assert_eq!(names(&whole[1]), ["X-B"]);
        assert_eq!(names(&whole[2]), ["content-length", "X-C"]);
        for i in 1..stream.len() {
            for j in i..stream.len() {
                let parts = sniff(&[&stream[..i], &stream[i..j], &stream[j..]]);
                assert_eq!(parts, whole, "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn chunked_bodies_are_followed_to_their_end() {
        let stream: &[u8] = b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhe\r\n\r\r\na\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\nX-B: 1\r\n\r\n";
        let whole = sniff(&[stream]);
        assert_eq!(whole.len(), 2);
        assert_eq!(names(&whole[1]), ["Host", "X-B"]);
        for i in 1..stream.len() {
            for j in i..stream.len() {
                let parts = sniff(&[&stream[..i], &stream[i..j], &stream[j..]]);
                assert_eq!(parts, whole, "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn an_unknown_body_framing_stops_the_sniffing() {
        let heads = sniff(&[
            b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nzz",
            b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n",
        ]);
        assert_eq!(heads.len(), 1, "the first head only");
    }

    #[test]
    fn each_phase_has_its_own_timeout() {
        let t = Timeouts {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
        };
        let conn = Arc::new(ConnState::default());
        let mut s = HeadSniffer::watched((), Heads::default(), Arc::clone(&conn), t);
        // A fresh connection: the header timeout, from the accept.
        let d = s.deadline().unwrap();
        assert!(d <= conn.epoch + t.header_read + Duration::from_millis(50));
        // Mid-head: the header timeout, from its first byte.
        s.observe(b"GET / HTTP/1.1\r\nHost");
        s.note_phase();
        assert!(!conn.is_idle());
        let started = s.head_started.unwrap();
        assert_eq!(s.deadline(), Some(started + t.header_read));
        // Head done, request in flight: no limit (the backend has its own).
        s.observe(b": x\r\n\r\n");
        s.note_phase();
        let flight = InFlight::new(&conn);
        assert_eq!(s.deadline(), None);
        assert!(!conn.is_idle());
        // Answered: the idle timeout.
        drop(flight);
        assert!(conn.is_idle());
        let d = s.deadline().unwrap();
        assert!(d >= conn.last_activity() + t.idle);
    }

    #[test]
    fn headers_are_used_only_when_they_match_hypers() {
        let peer = Peer {
            addr: "127.0.0.1:1".parse().unwrap(),
            heads: Heads::default(),
            conn: Arc::default(),
            spellings: Spellings::default(),
        };
        let mut parsed = axum::http::HeaderMap::new();
        parsed.append("host", "x".parse().unwrap());
        parsed.append("x-one", "1".parse().unwrap());
        parsed.append("x-one", "2".parse().unwrap());
        let sniffed = vec![
            ("Host".to_string(), "x".to_string()),
            ("X-One".to_string(), "1".to_string()),
            ("x-ONE".to_string(), "2".to_string()),
        ];
        peer.heads.lock().unwrap().push_back(sniffed.clone());
        peer.heads
            .lock()
            .unwrap()
            .push_back(vec![("Host".to_string(), "x".to_string())]);
        assert_eq!(peer.take_headers(&parsed), Some(sniffed));
        // Not the same headers: hyper's are kept.
        assert_eq!(peer.take_headers(&parsed), None);
        // Nothing queued.
        assert_eq!(peer.take_headers(&parsed), None);
    }
}
