//! One request through the gateway pipeline in process (no network): the CPU cost behind
//! listen mode's throughput, for the MOCK load-test session and the built-in default session.

use std::path::PathBuf;

use gatebench::backend::CannedBackend;
use gatebench::gateway::pipeline::{RunOptions, run};
use gatebench::session::Session;

/// The binary's allocator, so the numbers are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn session(name: &str) -> Session {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name);
    Session::load(&p).expect("session loads")
}

fn bench_session(bencher: divan::Bencher, name: &str, execution_log: bool) {
    let s = session(name);
    let req = gatebench::session::client_request(&s.requests[0]).expect("request");
    let backend = CannedBackend::default();
    let opts = RunOptions {
        execution_log,
        ..RunOptions::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    bencher.bench_local(|| rt.block_on(run(&s.api, &req, &backend, &opts)));
}

/// As the workbench serves: the trace carries the console execution log.
#[divan::bench]
fn mock_load_test_session(b: divan::Bencher) {
    bench_session(b, "benches/serve-mock.toml", true);
}

/// As `gatebench serve` serves: no execution log (nobody reads it).
#[divan::bench]
fn mock_load_test_session_headless(b: divan::Bencher) {
    bench_session(b, "benches/serve-mock.toml", false);
}

#[divan::bench]
fn default_session(b: divan::Bencher) {
    bench_session(b, "sessions/mock.toml", true);
}
