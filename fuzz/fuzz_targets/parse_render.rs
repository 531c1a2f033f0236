//! Parse and render arbitrary text with both policies: the engine must never panic, hang or
//! run out of memory (the policy's guards bound every render: memory, steps, value depth).
//!
//! Run with the dictionary and seeds of value-building constructs (self-containing lists and
//! maps, doubling, nested literals, macro fan-out, huge ranges):
//! `cargo fuzz run parse_render corpus/parse_render seeds/parse_render -- -dict=parse_render.dict`
#![no_main]

use gatebench::vtl::{Context, Policy, Template, Value, from_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = Template::parse(src) else {
        return;
    };
    for policy in [Policy::velocity(), Policy::api_gateway()] {
        let policy = Policy {
            max_output_bytes: 1 << 20,
            max_total_iterations: 100_000,
            max_range_len: 100_000,
            max_memory_bytes: 8 << 20,
            max_steps: 1_000_000,
            ..policy
        };
        let mut ctx = Context::new();
        ctx.insert("a", Value::Int(1));
        ctx.insert("s", Value::str("a,b,c"));
        ctx.insert(
            "m",
            from_json(&serde_json_value()),
        );
        let _ = template.render(&mut ctx, &policy);
    }
});

fn serde_json_value() -> gatebench_json::Value {
    gatebench_json::json!({"k": [1, 2.5, null, "x"], "n": {"deep": true}})
}

use gatebench::__private_json as gatebench_json;
