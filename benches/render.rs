//! One benchmark per shared workload in `benches/workloads/` (the project's copy of
//! `../shared/bench/workloads/`): parse once, then render with the workload's context exactly
//! as `gatebench render --context` does.

use std::path::PathBuf;

use gatebench::vtl::{Context, Policy, Template};

/// The binary's allocator, so the numbers are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn workload(name: &str) -> (Template, Context) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("benches/workloads")
        .join(name);
    let src = std::fs::read_to_string(dir.join("template.vtl")).expect("workload template");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("context.json")).expect("context"))
            .expect("context JSON");
    let serde_json::Value::Object(obj) = json else {
        panic!("context of {name} is not an object");
    };
    (
        Template::parse(&src).expect("workload parses"),
        Context::from_json_object(&obj),
    )
}

fn bench_workload(bencher: divan::Bencher, name: &str) {
    let (template, ctx) = workload(name);
    let policy = Policy::velocity();
    bencher
        .with_inputs(|| ctx.clone())
        .bench_local_refs(|ctx| template.render(ctx, &policy).expect("renders"));
}

#[divan::bench]
fn small(b: divan::Bencher) {
    bench_workload(b, "small");
}

#[divan::bench]
fn foreach_1k(b: divan::Bencher) {
    bench_workload(b, "foreach-1k");
}

#[divan::bench]
fn big_body(b: divan::Bencher) {
    bench_workload(b, "big-body");
}

#[divan::bench]
fn strings(b: divan::Bencher) {
    bench_workload(b, "strings");
}

#[divan::bench]
fn nested(b: divan::Bencher) {
    bench_workload(b, "nested");
}

#[divan::bench]
fn macro_arith(b: divan::Bencher) {
    bench_workload(b, "macro-arith");
}

/// Parsing cost of the largest workload template, for the re-render-on-keystroke budget.
#[divan::bench]
fn parse_macro_arith(b: divan::Bencher) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/workloads/macro-arith");
    let src = std::fs::read_to_string(dir.join("template.vtl")).expect("template");
    b.bench(|| Template::parse(divan::black_box(&src)).map(|_| ()));
}

/// A template of API Gateway's largest size (300 KB), made of the workload templates
/// (those without macros) one after another: parsing it must stay well under 5 ms.
fn template_300k() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/workloads");
    let parts: Vec<String> = ["small", "foreach-1k", "big-body", "strings", "nested"]
        .iter()
        .map(|n| std::fs::read_to_string(dir.join(n).join("template.vtl")).expect("template"))
        .collect();
    let mut src = String::new();
    while src.len() < 300 * 1024 {
        for p in &parts {
            src.push_str(p);
        }
    }
    src
}

#[divan::bench]
fn parse_300k(b: divan::Bencher) {
    let src = template_300k();
    b.bench(|| Template::parse(divan::black_box(&src)).map(|_| ()));
}
