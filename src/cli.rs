//! The command line: the workbench (default), `render` and `run`. See `CONTRACT.md` in the
//! shared folder for the contract the conformance suites and benchmarks rely on.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

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
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render one mapping template and print exactly the output.
    Render(RenderArgs),
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
        None => crate::workbench_entry(cli.session.as_deref()),
    }
}

/// A failure before rendering (unreadable or invalid input files): exit status 1.
fn input_error(path: &Path, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {}: {msg}", path.display());
    ExitCode::from(1)
}

fn read(path: &Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| input_error(path, e))
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
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
