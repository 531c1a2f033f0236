//! The command line: the workbench (default), `render` and `run`. See `CONTRACT.md` in the
//! shared folder for the contract the conformance suites and benchmarks rely on.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

mod lint;
mod token;

use crate::gateway;
use crate::vtl::{Context, ErrorKind, Policy, Template, VtlError};

/// gatebench: step through AWS API Gateway integrations and mapping templates.
#[derive(Parser, Debug)]
#[command(name = "gatebench", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Session file to open in the workbench (default: the built-in session).
    session: Option<PathBuf>,
    /// Workbench: serve the session on this address from the start (listen mode; the `L`
    /// key toggles it, on 127.0.0.1:8080 unless given here).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Workbench: allow a non-loopback --listen address (reachable from other machines).
    #[arg(long)]
    allow_remote: bool,
    /// The settings file (keys, theme); default: $GATEBENCH_CONFIG, else
    /// $XDG_CONFIG_HOME/gatebench/config.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render one mapping template and print exactly the output.
    Render(RenderArgs),
    /// Run one request through a session's integration and print the execution log.
    Run(RunArgs),
    /// Serve a session's API on loopback for real clients (curl, a frontend, a test suite).
    Serve(ServeArgs),
    /// Import an OpenAPI export or a CloudFormation/SAM template as a session, or a curl
    /// command line as a request.
    Import(ImportArgs),
    /// Print a session's saved request as a curl command line.
    Curl(CurlArgs),
    /// Where the workbench's files are: the settings file, the log.
    Config(ConfigArgs),
    /// Sign a test JWT for a session's Cognito user pool (its `privateKey`), or print the
    /// JWKS of that key.
    Token(token::TokenArgs),
    /// Find mistakes in mapping templates: in sessions, template files and imported API
    /// definitions (`--explain RULE` says what a rule finds).
    Lint(lint::LintArgs),
}

#[derive(clap::Args, Debug)]
struct ConfigArgs {
    /// Print the settings file's path (whether it exists or not).
    #[arg(long)]
    path: bool,
    /// Print the log file's path.
    #[arg(long)]
    log_path: bool,
}

#[derive(clap::Args, Debug)]
struct ImportArgs {
    /// OpenAPI 2/3 (JSON or YAML) or a CloudFormation/SAM template.
    #[arg(required_unless_present = "curl", conflicts_with = "curl")]
    file: Option<PathBuf>,
    /// A curl command line: print it as a request file for `gatebench run --request`.
    #[arg(long)]
    curl: Option<String>,
    /// Write the session here (atomically) instead of printing it; an existing file is kept
    /// unless `--force` is given.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// Let `-o` replace an existing file.
    #[arg(long, requires = "output")]
    force: bool,
}

#[derive(clap::Args, Debug)]
struct CurlArgs {
    /// The session file.
    session: PathBuf,
    /// Which saved request (0-based).
    #[arg(default_value_t = 0)]
    index: usize,
    /// Base URL of the API (e.g. what `gatebench serve` listens on).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base_url: String,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// The session file (TOML).
    session: PathBuf,
    /// Address to listen on (default: the session's `listen`, else 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Allow a non-loopback address (the API becomes reachable from other machines).
    #[arg(long)]
    allow_remote: bool,
    /// Print one example request line per method (`METHOD /stage/path`) and exit.
    #[arg(long)]
    print_routes: bool,
    /// No access-log line per request (for load tests).
    #[arg(long, short)]
    quiet: bool,
    /// Seconds a client has to send a request head (from its first byte; on a new
    /// connection, from the connect) before the connection is closed.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    header_timeout: std::time::Duration,
    /// Seconds a keep-alive connection may stay idle between requests.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = seconds)]
    idle_timeout: std::time::Duration,
    /// Seconds a client has to send a request body (past it: 408).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    body_timeout: std::time::Duration,
    /// Most open connections (when full, the longest-idle one is closed to make room).
    #[arg(long, value_name = "N", default_value = "512", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
}

/// A duration in seconds (decimals allowed), from 1 ms to a day.
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(0.001..=86_400.0).contains(&secs) {
        return Err(format!("{text} is not between 0.001 and 86400 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The session file (TOML).
    session: PathBuf,
    /// A request JSON file (`method`, `path`, `rawQuery`, `headers` as pairs, `body` or
    /// `bodyBase64`); default: the session's first saved request.
    #[arg(long)]
    request: Option<PathBuf>,
    /// Print one JSON object with the response, the backend request and the log.
    #[arg(long)]
    json: bool,
    /// After the execution log, print the stages for reading: each stage's outcome and
    /// notes, the authorization stage in full (checks, identity, cache, authorizer event and
    /// answer, claims, `$context.authorizer`).
    #[arg(long, conflicts_with = "json")]
    stages: bool,
}

/// Which side of the integration a template maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Phase {
    /// An integration request template.
    Request,
    /// An integration response template.
    Response,
}

#[derive(clap::Args, Debug)]
struct RenderArgs {
    /// The template file.
    #[arg(long)]
    template: PathBuf,
    /// A JSON object whose top-level keys become variables (stock Velocity 1.7 rules).
    #[arg(long, conflicts_with = "request", required_unless_present = "request")]
    context: Option<PathBuf>,
    /// A method request (a template case's `request` object): render as API Gateway does.
    #[arg(long)]
    request: Option<PathBuf>,
    /// Which template this is (with --request).
    #[arg(long, value_enum, default_value = "request")]
    phase: Phase,
    /// The integration response (`statusCode`, `headers`, `body`) for --phase response.
    #[arg(long)]
    integration_response: Option<PathBuf>,
    /// Render N times after warming up (with --timing).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Print timing as one JSON line on stderr.
    #[arg(long)]
    timing: bool,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Render(args)) => render(&args),
        Some(Command::Run(args)) => run(&args),
        Some(Command::Serve(args)) => serve(&args),
        Some(Command::Import(args)) => import(&args),
        Some(Command::Curl(args)) => curl(&args),
        Some(Command::Config(args)) => config(&args, cli.config.as_deref()),
        Some(Command::Token(args)) => token::token(&args),
        Some(Command::Lint(args)) => lint::lint(&args),
        None => crate::workbench_entry(
            cli.session.as_deref(),
            &crate::WorkbenchArgs {
                addr: cli.listen,
                allow_remote: cli.allow_remote,
                config: cli.config,
            },
        ),
    }
}

/// `gatebench config --path` / `--log-path`.
fn config(args: &ConfigArgs, flag: Option<&Path>) -> ExitCode {
    let (what, path) = if args.log_path {
        ("log file", crate::runtime::log::log_path())
    } else if args.path {
        ("settings file", crate::app::config::Config::path(flag))
    } else {
        eprintln!("error: say what to print: --path (the settings file) or --log-path");
        return ExitCode::from(2);
    };
    match path {
        Some(p) => {
            println!("{}", p.display());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "error: no {what} location: set HOME (or GATEBENCH_CONFIG / GATEBENCH_STATE_DIR)"
            );
            ExitCode::from(1)
        }
    }
}

/// A failure before rendering (unreadable or invalid input files): exit status 1.
fn input_error(path: &Path, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {}: {msg}", path.display());
    ExitCode::from(1)
}

fn read(path: &Path) -> Result<String, ExitCode> {
    crate::session::file::read_text(path).map_err(|e| input_error(path, e))
}

fn read_json(path: &Path) -> Result<serde_json::Value, ExitCode> {
    let text = read(path)?;
    serde_json::from_str(&text).map_err(|e| input_error(path, format!("invalid JSON: {e}")))
}

/// Exit status and the one error line the contract asks for.
fn vtl_failure(e: &VtlError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(match e.kind {
        ErrorKind::Parse => 2,
        ErrorKind::Render => 3,
    })
}

/// What a render needs besides the template: a fresh context for each run, and the policy.
struct Setup {
    policy: Policy,
    make_context: Box<dyn Fn() -> Context>,
}

fn setup(args: &RenderArgs) -> Result<Setup, ExitCode> {
    if let Some(path) = &args.context {
        let json = read_json(path)?;
        let serde_json::Value::Object(obj) = json else {
            return Err(input_error(path, "the context must be a JSON object"));
        };
        let ctx = Context::from_json_object(&obj);
        return Ok(Setup {
            policy: Policy::velocity(),
            make_context: Box::new(move || ctx.clone()),
        });
    }
    let Some(path) = &args.request else {
        return Err(ExitCode::from(1));
    };
    let request = read_json(path)?;
    let response = match &args.integration_response {
        Some(p) => Some(read_json(p)?),
        None => None,
    };
    let phase = match args.phase {
        Phase::Request => gateway::Phase::Request,
        Phase::Response => gateway::Phase::Response,
    };
    let setup = gateway::mapping_setup(&request, phase, response.as_ref())
        .map_err(|e| input_error(path, e))?;
    Ok(Setup {
        policy: setup.policy.clone(),
        make_context: Box::new(move || setup.context().0),
    })
}

fn render(args: &RenderArgs) -> ExitCode {
    let source = match read(&args.template) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let setup = match setup(args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let parse_start = Instant::now();
    let template = match Template::parse_with(&source, &setup.policy) {
        Ok(t) => t,
        Err(e) => return vtl_failure(&e),
    };
    let parse_ns = parse_start.elapsed().as_nanos();
    let output = match template.render(&mut (setup.make_context)(), &setup.policy) {
        Ok(out) => out,
        Err(e) => return vtl_failure(&e),
    };
    if args.timing {
        let n = args.repeat.max(1);
        let warmup = n.clamp(3, 50);
        let mut samples = Vec::with_capacity(n as usize);
        for i in 0..warmup + n {
            let mut ctx = (setup.make_context)();
            let start = Instant::now();
            let r = template.render(&mut ctx, &setup.policy);
            let ns = start.elapsed().as_nanos();
            drop(std::hint::black_box(r));
            if i >= warmup {
                samples.push(ns);
            }
        }
        samples.sort_unstable();
        let median = samples[samples.len() / 2];
        let min = samples[0];
        eprintln!(
            "{{\"engine\":\"gatebench\",\"renders\":{n},\"parse_ns\":{parse_ns},\"ns_per_render_median\":{median},\"ns_per_render_min\":{min}}}"
        );
    }
    print_exact(&output)
}

/// Write exactly `text` to stdout (no newline added); exit status 1 if stdout is gone.
fn print_exact(text: &str) -> ExitCode {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    }
}

/// The tokio runtime for headless commands.
fn async_runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(1)
        })
}

/// A session or request file problem: exit status 2 with `error: FILE:LINE: message`.
pub(crate) fn invalid_file(path: &Path, line: usize, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {}:{line}: {msg}", path.display());
    ExitCode::from(2)
}

fn run(args: &RunArgs) -> ExitCode {
    use crate::session::SavedRequest;
    use crate::session::{client_request, run_session};
    let session = match load_session_or_exit(&args.session) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let saved: SavedRequest = match &args.request {
        Some(path) => {
            let text = match crate::session::file::read_text(path) {
                Ok(t) => t,
                Err(e) => return invalid_file(path, 1, e),
            };
            match serde_json::from_str(&text) {
                Ok(r) => r,
                Err(e) => return invalid_file(path, e.line().max(1), e),
            }
        }
        None => match session.requests.first() {
            Some(r) => r.clone(),
            None => {
                return invalid_file(
                    &args.session,
                    1,
                    "the session has no saved request; pass --request FILE",
                );
            }
        },
    };
    let request = match client_request(&saved) {
        Ok(r) => r,
        Err(e) => return invalid_file(args.request.as_deref().unwrap_or(&args.session), 1, e),
    };
    let runtime = match async_runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let trace = runtime.block_on(run_session(&session, &request));
    let out = if args.json {
        let mut headers = serde_json::Map::new();
        for (k, v) in &trace.response.headers {
            let joined = match headers.get(k) {
                Some(serde_json::Value::String(prev)) => format!("{prev}, {v}"),
                _ => v.clone(),
            };
            headers.insert(k.clone(), serde_json::Value::String(joined));
        }
        let backend_request = trace.endpoint_request.as_ref().map(|r| {
            serde_json::json!({
                "method": r.method,
                "url": r.url,
                "headers": r.headers.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>(),
                "body": r.body_text(),
            })
        });
        let json = serde_json::json!({
            "response": {"status": trace.response.status, "headers": headers, "body": trace.response.body_text()},
            "backendRequest": backend_request,
            "log": trace.log,
        });
        format!("{json}\n")
    } else if args.stages {
        format!(
            "{}\n\n{}",
            trace.log.join("\n"),
            gateway::trace::stages_text(&trace)
        )
    } else {
        trace.log.join("\n")
    };
    print_exact(&out)
}

pub(crate) fn load_session_or_exit(path: &Path) -> Result<crate::session::Session, ExitCode> {
    use crate::session::{Session, SessionError};
    match Session::load(path) {
        Ok(s) => Ok(s),
        Err(SessionError::Invalid {
            path,
            line,
            message,
        }) => Err(invalid_file(&path, line, message)),
        Err(SessionError::Io { path, source }) => Err(invalid_file(&path, 1, source)),
    }
}

fn serve(args: &ServeArgs) -> ExitCode {
    let session = match load_session_or_exit(&args.session) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.print_routes {
        for line in crate::serve::example_routes(&session) {
            println!("{line}");
        }
        return ExitCode::SUCCESS;
    }
    let runtime = match async_runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let code = runtime.block_on(async {
        // One access-log line per request, written with a single call (stderr is unbuffered).
        let observer: crate::serve::Observer = std::sync::Arc::new(|s: crate::serve::Served| {
            use std::io::Write as _;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            let query = if s.request.raw_query.is_empty() {
                String::new()
            } else {
                format!("?{}", s.request.raw_query)
            };
            let line = format!(
                "{} {} {}{query} -> {} ({} ms)\n",
                crate::gateway::exec_log::console_timestamp(
                    u64::try_from(now.as_millis()).unwrap_or(0)
                ),
                s.request.method,
                s.request.path,
                s.trace.response.status,
                s.latency.as_millis()
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        });
        let name = session.name.clone();
        let listen = args
            .listen
            .or(session.listen)
            .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
        let server = match crate::serve::Server::bind(
            session,
            listen,
            args.allow_remote,
            (!args.quiet).then_some(observer),
        )
        .await
        {
            // Nothing here reads the console execution log.
            Ok(s) => s.without_execution_log().limits(crate::serve::Limits {
                header_read: args.header_timeout,
                idle: args.idle_timeout,
                body: args.body_timeout,
                max_connections: args.max_connections as usize,
                ..crate::serve::Limits::default()
            }),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let addr = server
            .local_addr()
            .map_or_else(|_| listen.to_string(), |a| a.to_string());
        let scope = if listen.ip().is_loopback() {
            "loopback only"
        } else {
            "REACHABLE FROM OTHER MACHINES"
        };
        eprintln!("gatebench: serving \"{name}\" on http://{addr} ({scope}); Ctrl-C stops");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match server.run(shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        }
    });
    // The server gave requests in flight their grace period; never wait longer for what
    // is left (a stuck connection, a render that has not finished).
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    code
}

/// Why `-o` did not write.
const KEPT: &str = "the file exists and was left as it is (--force replaces it)";

fn write_out(text: &str, output: Option<&Path>, force: bool) -> ExitCode {
    match output {
        Some(path) => {
            let written = if force {
                crate::session::write_atomic(path, text.as_bytes())
            } else {
                crate::session::write_new(path, text.as_bytes())
            };
            match written {
                Ok(()) => {
                    eprintln!("gatebench: wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => input_error(path, KEPT),
                Err(e) => input_error(path, e),
            }
        }
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
    }
}

fn import(args: &ImportArgs) -> ExitCode {
    // Say it before importing; the write itself checks again (never replacing a file).
    if let Some(out) = &args.output
        && !args.force
        && std::fs::symlink_metadata(out).is_ok()
    {
        return input_error(out, KEPT);
    }
    match import_text(args) {
        Ok(text) => write_out(&text, args.output.as_deref(), args.force),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The imported session (TOML) or request (JSON), warnings printed on the way.
fn import_text(args: &ImportArgs) -> Result<String, String> {
    if let Some(cmd) = &args.curl {
        let req = crate::import::import_curl(cmd).map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&req).map_err(|e| e.to_string())?;
        return Ok(format!("{json}\n"));
    }
    let file = args.file.as_deref().ok_or("nothing to import")?;
    let imported = crate::import::import_file(file).map_err(|e| e.to_string())?;
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    imported.session.to_toml().map_err(|e| e.to_string())
}

fn curl(args: &CurlArgs) -> ExitCode {
    let session = match load_session_or_exit(&args.session) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Some(req) = session.requests.get(args.index) else {
        return invalid_file(
            &args.session,
            1,
            format!(
                "the session has {} saved request(s); there is no request {}",
                session.requests.len(),
                args.index
            ),
        );
    };
    println!("{}", crate::import::to_curl(req, &args.base_url));
    ExitCode::SUCCESS
}
