//! Reliability suite for listen mode and the backends (failure isolation): a bad template,
//! body, connection or backend costs its own request a gateway status, in bounded time,
//! while other clients are answered. Every test runs the real `gatebench serve` binary on
//! loopback against real misbehaving peers (raw TCP clients, an endless chunked backend,
//! Python functions that crash or exit).

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

// ---------------------------------------------------------------------------------------
// Helpers

/// A folder of its own for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gatebench-isolation-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Tests that run a Python function need python3: fail with one line when it is missing.
fn require_python3() {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "python3 is required by this test and was not found on PATH"
    );
}

/// A MOCK method answering `status` with `template` as its response template.
fn mock_route(path: &str, status: u16, template: &str, timeout_ms: u64) -> String {
    format!(
        r#"
[[api.resources]]
path = "{path}"

[api.resources.methods.GET.integration]
type = "MOCK"
timeoutInMillis = {timeout_ms}

[api.resources.methods.GET.integration.requestTemplates]
"application/json" = '{{"statusCode": 200}}'

[api.resources.methods.GET.integration.integrationResponses.200]
statusCode = "{status}"

[api.resources.methods.GET.integration.integrationResponses.200.responseTemplates]
"application/json" = '{template}'
"#
    )
}

/// A fast route every test asks while something misbehaves.
fn fast_route() -> String {
    mock_route("/fast", 200, r#"{"fast": true}"#, 29000)
}

/// A Lambda integration (`AWS_PROXY` or `AWS`) at `path`.
fn lambda_route(path: &str, kind: &str, timeout_ms: u64) -> String {
    let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations";
    let custom = if kind == "AWS" {
        "\n[api.resources.methods.GET.integration.integrationResponses.200]\nstatusCode = \"200\"\n"
            .to_string()
    } else {
        String::new()
    };
    format!(
        r#"
[[api.resources]]
path = "{path}"

[api.resources.methods.GET.integration]
type = "{kind}"
httpMethod = "POST"
uri = "{uri}"
timeoutInMillis = {timeout_ms}
{custom}"#
    )
}

/// Write a session with these routes and backend; returns its path.
fn session(dir: &Path, routes: &[String], backend: &str) -> PathBuf {
    let text = format!(
        "version = 1\nname = \"isolation\"\n\n[api]\napiId = \"iso1234567\"\n{}\n[backend]\n{backend}\n",
        routes.concat()
    );
    let path = dir.join("session.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Address space allowed to a served gatebench (and its functions): room for the render
/// pool's reserved stacks (8 x 128 MB) and the allocator's reservations; far below what an
/// unbounded body would take.
const MEMORY_CAP_KIB: u64 = 4 * 1024 * 1024;

/// A `gatebench serve` process; killed when dropped.
struct Gate {
    child: Child,
    addr: SocketAddr,
}

impl Gate {
    /// Start `gatebench serve SESSION` on a free loopback port, under a cap on its address
    /// space ([`MEMORY_CAP_KIB`]): unbounded buffering makes it fail instead of eating the
    /// machine.
    fn start(session: &Path, extra: &[&str]) -> Gate {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v {MEMORY_CAP_KIB} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_gatebench"))
            .arg("serve")
            .arg(session)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gatebench starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut addr = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.split("on http://").nth(1) {
                addr = rest.split_whitespace().next().map(|a| a.parse().unwrap());
                break;
            }
            assert!(!line.starts_with("error"), "gatebench serve failed: {line}");
        }
        // Keep reading its stderr (the access log) so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Gate {
            child,
            addr: addr.expect("gatebench printed its address"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process still runs.
    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Wait at most `limit` for the process to end.
    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    gatebench::backend::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// GET `path`: status, body, time taken.
async fn get(gate: &Gate, path: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let resp = client()
        .get(gate.url(path))
        .send()
        .await
        .expect("an answer");
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    (status, body, started.elapsed())
}

/// The fast route answers without being held up (see [`PROMPT`]).
async fn assert_fast_route_answers(gate: &Gate) {
    let (status, body, took) = get(gate, "/fast").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        took < PROMPT,
        "another client waited {took:?} (expected under {PROMPT:?})"
    );
}

/// Send raw bytes and read what comes back until the server closes or `limit` passes.
async fn raw(addr: SocketAddr, request: &[u8], limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, s.read_to_end(&mut out)).await;
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

/// Read the first response's head (up to the blank line) from a raw exchange.
/// Send `request` as raw bytes; the answer's status must be `status`, within `within`.
async fn answers_raw(gate: &Gate, request: &[u8], status: u16, within: Duration) {
    let (head, took) = raw_head(gate.addr, request, Duration::from_secs(5)).await;
    assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "{head}");
    assert!(took < within, "took {took:?}");
}

async fn raw_head(addr: SocketAddr, request: &[u8], limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(limit, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if out.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

/// Whether the server closes this connection within `limit` (EOF or reset).
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit.saturating_sub(started.elapsed()), s.read(&mut buf)).await
        {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// Listening TCP sockets held by a process (Linux: its fds against /proc/net/tcp*).
fn listening_sockets(pid: u32) -> usize {
    let mut inodes = std::collections::HashSet::new();
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
    {
        if let Ok(target) = std::fs::read_link(fd.path()) {
            let t = target.to_string_lossy().into_owned();
            if let Some(inode) = t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')) {
                inodes.insert(inode.to_string());
            }
        }
    }
    let mut count = 0;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() > 9 && cols[3] == "0A" && inodes.contains(cols[9]) {
                count += 1;
            }
        }
    }
    count
}

/// Peak resident memory of a process, in KiB (VmHWM).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// A template that would run for minutes (10^9 loop steps): it ends at its route's integration
/// timeout, or at the engine's step limit (20,000,000 steps: seconds in a debug build, longer
/// on a loaded machine), whichever comes first; either way its request gets a 500.
const ENDLESS_TEMPLATE: &str = "#foreach($k in [1..1000])#foreach($i in [1..1000])#foreach($j in [1..1000])#set($x = $j)#end#end#end done";

/// How long a request that must not wait for anything may take: far more than any of these
/// answers needs, even on a loaded 2-core machine, and far less than what a client kept
/// waiting would wait (the routes' 20 s and 29 s integration timeouts, a render that runs to
/// the step limit). The tests prove isolation by order of events where they can; this bound
/// only tells "answered" from "held up".
const PROMPT: Duration = Duration::from_secs(8);

// ---------------------------------------------------------------------------------------
// Rendering off the async workers

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_templates_do_not_hold_up_other_routes() {
    let dir = scratch("slow");
    let s = session(
        &dir,
        &[
            mock_route("/slow", 200, ENDLESS_TEMPLATE, 6000),
            fast_route(),
        ],
        "type = \"echo\"",
    );
    let gate = Gate::start(&s, &["--quiet"]);
    // Warm up (first connection, parsed-template cache).
    assert_fast_route_answers(&gate).await;
    let started = Instant::now();
    let slow: Vec<_> = (0..2)
        .map(|_| {
            let url = gate.url("/slow");
            tokio::spawn(async move {
                let r = client().get(url).send().await.unwrap();
                (r.status().as_u16(), Instant::now())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    // While both render, other routes answer at once, again and again.
    let mut fast_done = Instant::now();
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let (status, body, took) = get(&gate, "/fast").await;
        assert_eq!(status, 200, "{body}");
        assert!(took < PROMPT, "another client waited {took:?}");
        slowest = slowest.max(took);
        fast_done = Instant::now();
    }
    eprintln!("slowest of 5 fast requests during two slow renders: {slowest:?}");
    for h in slow {
        let (status, done) = h.await.unwrap();
        // Ended by the integration timeout (or the step limit): that request's 500 only.
        assert_eq!(status, 500);
        assert!(
            done > fast_done,
            "the slow renders ended before the fast requests: the test proves nothing"
        );
    }
    eprintln!(
        "two endless renders ended after {:?}; the fast route answered meanwhile",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_past_the_integration_timeout_is_a_500_at_the_timeout() {
    let dir = scratch("deadline");
    let s = session(
        &dir,
        &[
            mock_route("/slow", 200, ENDLESS_TEMPLATE, 300),
            fast_route(),
        ],
        "type = \"echo\"",
    );
    let gate = Gate::start(&s, &[]);
    let (status, body, took) = get(&gate, "/slow").await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("Internal server error"), "{body}");
    // The step limit would end it only after seconds (20,000,000 steps); the answer came at
    // the 300 ms timeout.
    assert!(took < Duration::from_secs(4), "answered after {took:?}");
    assert_fast_route_answers(&gate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_lists_print_up_to_the_depth_limit_and_cost_one_request_past_it() {
    let dir = scratch("deep");
    // A list 900 deep prints (the async workers' 2 MB stacks overflowed, aborting the
    // process, some 2,000 levels deep in a debug build); 50,000 deep is past the engine's
    // value depth limit: a render error, that request's 500, never the server.
    let within = "#set($l = [])#foreach($i in [1..900])#set($l = [$l])#end$l";
    let past =
        "#set($l = [])#foreach($i in [1..1000])#foreach($j in [1..50])#set($l = [$l])#end#end$l";
    let s = session(
        &dir,
        &[
            mock_route("/within", 200, within, 29000),
            mock_route("/past", 200, past, 29000),
            fast_route(),
        ],
        "type = \"echo\"",
    );
    let mut gate = Gate::start(&s, &[]);
    let (status, body, _) = get(&gate, "/within").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.len(), 1802);
    assert!(body.starts_with("[[[[") && body.ends_with("]]]]"));
    let (status, body, took) = get(&gate, "/past").await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("Internal server error"), "{body}");
    assert!(took < Duration::from_secs(20), "answered after {took:?}");
    assert!(gate.alive(), "the server died");
    assert_fast_route_answers(&gate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_server_within_a_bound_despite_renders_and_half_sent_requests() {
    let dir = scratch("ctrlc");
    let s = session(
        &dir,
        &[
            mock_route("/slow", 200, ENDLESS_TEMPLATE, 29000),
            fast_route(),
        ],
        "type = \"echo\"",
    );
    let mut gate = Gate::start(&s, &["--header-timeout", "60", "--body-timeout", "60"]);
    assert_fast_route_answers(&gate).await;
    // A head that never ends, a body that never ends, two renders in flight.
    let mut half_head = TcpStream::connect(gate.addr).await.unwrap();
    half_head
        .write_all(b"GET /fast HTTP/1.1\r\nHost: x\r\nX-Part")
        .await
        .unwrap();
    let mut half_body = TcpStream::connect(gate.addr).await.unwrap();
    half_body
        .write_all(b"POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        .await
        .unwrap();
    for _ in 0..2 {
        let url = gate.url("/slow");
        tokio::spawn(async move { client().get(url).send().await });
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &gate.pid().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = gate.wait_exit(Duration::from_secs(8));
    let took = started.elapsed();
    assert!(status.is_some(), "still running {took:?} after Ctrl-C");
    eprintln!("stopped {took:?} after Ctrl-C");
    drop((half_head, half_body));
}

// ---------------------------------------------------------------------------------------
// Backends

/// A backend on loopback that reads each request's head, then answers with `answer`.
async fn raw_backend<F, Fut>(answer: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = s.read(&mut buf).await;
                answer(s).await;
            });
        }
    });
    addr
}

/// A backend that answers every request with headers, then chunks forever.
async fn endless_backend() -> SocketAddr {
    raw_backend(|mut s| async move {
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        if s.write_all(head).await.is_err() {
            return;
        }
        let data = vec![b'x'; 64 * 1024];
        let chunk = [format!("{:x}\r\n", data.len()).as_bytes(), &data, b"\r\n"].concat();
        while s.write_all(&chunk).await.is_ok() {}
    })
    .await
}

/// A backend that declares a body over 10 MB and sends none.
async fn oversize_declaring_backend() -> SocketAddr {
    raw_backend(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 11534336\r\n\r\n")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await
}

fn http_route(path: &str, backend: SocketAddr, timeout_ms: u64) -> String {
    format!(
        r#"
[[api.resources]]
path = "{path}"

[api.resources.methods.GET.integration]
type = "HTTP"
httpMethod = "GET"
uri = "http://{backend}/"
timeoutInMillis = {timeout_ms}

[api.resources.methods.GET.integration.integrationResponses.200]
statusCode = "200"
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_chunked_backend_is_cut_at_10_mb_with_a_500() {
    let backend = endless_backend().await;
    let dir = scratch("endless");
    let s = session(
        &dir,
        &[http_route("/endless", backend, 20000), fast_route()],
        "type = \"http\"",
    );
    let mut gate = Gate::start(&s, &[]);
    let calls: Vec<_> = (0..3)
        .map(|_| {
            let url = gate.url("/endless");
            tokio::spawn(async move {
                let started = Instant::now();
                let r = client().get(url).send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.text().await.unwrap(), started.elapsed())
            })
        })
        .collect();
    assert_fast_route_answers(&gate).await;
    for c in calls {
        let (status, body, took) = c.await.unwrap();
        assert_eq!(status, 500, "{body}");
        assert_eq!(body, r#"{"message":"Internal server error"}"#);
        assert!(took < PROMPT, "took {took:?}");
    }
    assert!(gate.alive());
    let rss = peak_rss_kib(gate.pid());
    eprintln!("peak RSS with three endless backends: {} MiB", rss / 1024);
    assert!(rss < 400 * 1024, "peak RSS {rss} KiB");
    assert_fast_route_answers(&gate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_explains_an_oversized_integration_response() {
    use gatebench::gateway::pipeline::{ClientRequest, RunOptions, run};
    let backend = endless_backend().await;
    let api: gatebench::gateway::api::Api = serde_json::from_value(serde_json::json!({
        "resources": [{"path": "/x", "methods": {"GET": {
            "integration": {"type": "HTTP_PROXY", "httpMethod": "GET",
                "uri": format!("http://{backend}/"), "timeoutInMillis": 20000}
        }}}]
    }))
    .unwrap();
    let request = ClientRequest {
        method: "GET".into(),
        path: "/x".into(),
        ..ClientRequest::default()
    };
    let http = gatebench::backend::http::HttpBackend::new();
    let t = run(&api, &request, &http, &RunOptions::default()).await;
    assert_eq!(t.response.status, 500);
    assert_eq!(
        t.response.body_text(),
        r#"{"message":"Internal server error"}"#
    );
    assert!(
        t.log.iter().any(|l| l.contains(
            "Execution failed due to an oversized integration response: the integration response exceeds the gateway's limit of 10485760 bytes"
        )),
        "{:#?}",
        t.log
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_oversize_backend_answer_is_refused_without_waiting() {
    let backend = oversize_declaring_backend().await;
    let dir = scratch("declared");
    let s = session(
        &dir,
        &[http_route("/big", backend, 20000), fast_route()],
        "type = \"http\"",
    );
    let gate = Gate::start(&s, &[]);
    let (status, body, took) = get(&gate, "/big").await;
    assert_eq!(status, 500, "{body}");
    assert!(took < PROMPT, "took {took:?}");
}

/// A Python function speaking the Runtime API; `mode` picks its misbehaviour.
const FUNCTION: &str = r#"
import json, os, sys, urllib.request
mode = sys.argv[1]
base = "http://%s/2018-06-01/runtime/invocation" % os.environ["AWS_LAMBDA_RUNTIME_API"]
while True:
    with urllib.request.urlopen(base + "/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        r.read()
    if mode == "crash":
        os._exit(3)
    if mode == "segv":
        os.kill(os.getpid(), 11)
    size = int(mode.split(":")[1]) if mode.startswith("big:") else 2
    body = json.dumps({"statusCode": 200, "body": "x" * size}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(base + "/" + rid + "/response", data=body, method="POST")).read()
    except Exception:
        pass
    if mode == "once":
        sys.exit(0)
"#;

/// A session with a local function in `dir/fn.py` run as `python3 fn.py MODE`.
fn function_session(dir: &Path, mode: &str) -> PathBuf {
    std::fs::write(dir.join("fn.py"), FUNCTION).unwrap();
    session(
        dir,
        &[
            lambda_route("/proxy", "AWS_PROXY", 20000),
            lambda_route("/custom", "AWS", 20000),
            fast_route(),
        ],
        &format!("type = \"local\"\ncommand = [\"python3\", \"fn.py\", \"{mode}\"]"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_function_is_a_502_at_once_not_a_timeout() {
    require_python3();
    let dir = scratch("crash");
    let gate = Gate::start(&function_session(&dir, "crash"), &[]);
    let (status, body, took) = get(&gate, "/proxy").await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body, r#"{"message":"Internal server error"}"#);
    assert!(took < PROMPT, "took {took:?}");
    eprintln!("502 for an exited function after {took:?}");
    // AWS custom: Lambda's Runtime.ExitError goes through the integration responses (here
    // only a default one, which passes the error object through).
    let (status, body, took) = get(&gate, "/custom").await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["errorType"], "Runtime.ExitError");
    let message = v["errorMessage"].as_str().unwrap();
    assert!(
        message.contains("Runtime exited with error: exit status 3"),
        "{message}"
    );
    assert!(took < PROMPT, "took {took:?}");
    assert_fast_route_answers(&gate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_killed_by_a_signal_is_reported_as_lambda_does() {
    require_python3();
    let dir = scratch("segv");
    let gate = Gate::start(&function_session(&dir, "segv"), &[]);
    let (status, body, took) = get(&gate, "/custom").await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["errorType"], "Runtime.ExitError");
    assert!(
        v["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Runtime exited with error: signal: segmentation fault"),
        "{body}"
    );
    assert!(took < PROMPT, "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_that_exits_after_answering_serves_every_call_and_leaks_no_listener() {
    require_python3();
    let dir = scratch("once");
    let gate = Gate::start(&function_session(&dir, "once"), &["--quiet"]);
    let started = Instant::now();
    for i in 0..30 {
        let (status, body, took) = get(&gate, "/proxy").await;
        assert_eq!((status, body.as_str()), (200, "xx"), "call {i}");
        assert!(took < PROMPT, "call {i} took {took:?}");
    }
    // Let the last process's exit be noticed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sockets = listening_sockets(gate.pid());
    eprintln!(
        "30 calls (30 restarts) in {:?}; listening sockets now: {sockets}",
        started.elapsed()
    );
    // The server's own, and at most one Runtime API host.
    assert!(
        sockets <= 2,
        "{sockets} listening sockets after 30 restarts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_3_mb_result_is_accepted_and_a_7_mb_one_is_lambdas_error() {
    require_python3();
    let dir = scratch("big3");
    let gate = Gate::start(&function_session(&dir, "big:3000000"), &[]);
    let (status, body, took) = get(&gate, "/proxy").await;
    assert_eq!(status, 200);
    assert_eq!(body.len(), 3_000_000);
    assert!(took < PROMPT, "took {took:?}");
    drop(gate);

    let dir = scratch("big7");
    let gate = Gate::start(&function_session(&dir, "big:7000000"), &[]);
    let (status, body, took) = get(&gate, "/proxy").await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body, r#"{"message":"Internal server error"}"#);
    assert!(took < PROMPT, "took {took:?}");
    let (status, body, _) = get(&gate, "/custom").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["errorType"], "Function.ResponseSizeTooLarge", "{body}");
    assert_fast_route_answers(&gate).await;
}

#[test]
fn the_shipped_lambda_session_runs_from_its_own_folder() {
    require_python3();
    let sessions = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .args(["run", "pets-lambda.toml", "--json"])
        .current_dir(&sessions)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["response"]["status"], 200, "{v}");
    eprintln!("the shipped Lambda session ran in {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------
// Connections

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_sockets_past_the_cap_never_lock_out_other_clients() {
    let dir = scratch("cap");
    let s = session(&dir, &[fast_route()], "type = \"echo\"");
    // Timeouts long enough not to help: only the cap's eviction can make room.
    let gate = Gate::start(
        &s,
        &[
            "--quiet",
            "--header-timeout",
            "60",
            "--idle-timeout",
            "60",
            "--max-connections",
            "64",
        ],
    );
    let mut silent = Vec::new();
    for _ in 0..300 {
        silent.push(TcpStream::connect(gate.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..3 {
        let (status, _, took) = get(&gate, "/fast").await;
        assert_eq!(status, 200);
        assert!(took < PROMPT, "a client waited {took:?}");
        eprintln!("answered in {took:?} with 300 silent sockets open (cap 64)");
    }
    let fds = open_fds(gate.pid());
    eprintln!("descriptors held by the server: {fds}");
    assert!(fds < 64 + 40, "{fds} descriptors open");
    drop(silent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_idle_connections_are_closed_after_their_timeouts() {
    let dir = scratch("idle");
    let s = session(&dir, &[fast_route()], "type = \"echo\"");
    let gate = Gate::start(
        &s,
        &["--quiet", "--header-timeout", "1", "--idle-timeout", "1.5"],
    );
    // A connection that never sends a byte: closed after the header timeout.
    let mut fresh = TcpStream::connect(gate.addr).await.unwrap();
    let closed = closed_within(&mut fresh, Duration::from_secs(4)).await;
    let closed = closed.expect("a silent connection stayed open");
    assert!(
        closed >= Duration::from_millis(800),
        "closed after {closed:?}"
    );
    eprintln!("silent connection closed after {closed:?}");
    // A keep-alive connection after its answer: closed after the idle timeout.
    let mut kept = TcpStream::connect(gate.addr).await.unwrap();
    kept.write_all(b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = kept.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let closed = closed_within(&mut kept, Duration::from_secs(5)).await;
    let closed = closed.expect("an idle keep-alive connection stayed open");
    assert!(
        closed >= Duration::from_millis(1300),
        "closed after {closed:?}"
    );
    eprintln!("idle keep-alive connection closed after {closed:?}");
}

/// Open descriptors of a process.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_head_is_cut_off_after_the_header_timeout() {
    let dir = scratch("halfhead");
    let s = session(&dir, &[fast_route()], "type = \"echo\"");
    let gate = Gate::start(&s, &["--header-timeout", "1"]);
    let mut half = TcpStream::connect(gate.addr).await.unwrap();
    half.write_all(b"GET /fast HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    assert_fast_route_answers(&gate).await;
    let closed = closed_within(&mut half, Duration::from_secs(4)).await;
    let closed = closed.expect("a half-sent head kept its connection");
    assert!(closed < Duration::from_secs(3), "closed after {closed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_gets_408_after_the_body_timeout() {
    let dir = scratch("stallbody");
    let s = session(&dir, &[fast_route()], "type = \"echo\"");
    let gate = Gate::start(&s, &["--body-timeout", "1"]);
    answers_raw(
        &gate,
        b"GET /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
        408,
        Duration::from_secs(3),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_length_over_10_mb_is_413_at_once() {
    let dir = scratch("declared413");
    let s = session(&dir, &[fast_route()], "type = \"echo\"");
    let gate = Gate::start(&s, &[]);
    answers_raw(
        &gate,
        b"POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n",
        413,
        PROMPT,
    )
    .await;
    assert_fast_route_answers(&gate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_chunked_body_is_400() {
    let dir = scratch("badchunk");
    let s = session(&dir, &[fast_route()], "type = \"echo\"");
    let gate = Gate::start(&s, &[]);
    answers_raw(&gate, b"POST /fast HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400, PROMPT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_cannot_send_101_switching_protocols() {
    let dir = scratch("status101");
    let s = session(
        &dir,
        &[
            mock_route(
                "/override",
                200,
                "#set($context.responseOverride.status = 101)upgraded",
                29000,
            ),
            mock_route("/selected", 101, "upgraded", 29000),
            fast_route(),
        ],
        "type = \"echo\"",
    );
    let gate = Gate::start(&s, &[]);
    for path in ["/override", "/selected"] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let (out, _) = raw(gate.addr, request.as_bytes(), Duration::from_secs(5)).await;
        assert!(out.starts_with("HTTP/1.1 500"), "{path}: {out}");
        assert!(
            out.ends_with(r#"{"message":"Internal server error"}"#),
            "{out}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_204_goes_out_without_a_body_and_the_connection_stays_in_step() {
    let dir = scratch("status204");
    let s = session(
        &dir,
        &[
            mock_route("/empty", 204, "printed anyway", 29000),
            fast_route(),
        ],
        "type = \"echo\"",
    );
    let gate = Gate::start(&s, &[]);
    // Two requests on one connection: the second answer must start where the first ended.
    let (out, _) = raw(
        gate.addr,
        b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    let (first, rest) = out.split_once("\r\n\r\n").expect("a first answer");
    assert!(first.starts_with("HTTP/1.1 204"), "{out}");
    assert!(
        !first.to_ascii_lowercase().contains("content-length"),
        "{first}"
    );
    assert!(rest.starts_with("HTTP/1.1 200"), "{out}");
    assert!(!out.contains("printed anyway"), "{out}");
}
