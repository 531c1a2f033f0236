//! Reliability suite for the VTL engine: no template can take the process down. Each
//! reproduction (self-containing values, values nested a million deep, templates that build
//! without bound or never finish, a panic) must end with Velocity's own output or a clean
//! one-line render error, in bounded time and memory.
//!
//! Budgets are lowered where the default would only make the (debug) test slower; a few
//! cases run under the default policy to show the defaults hold.

use std::cell::Cell;
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use gatebench::gateway::request::MethodRequest;
use gatebench::gateway::variables::template_context;
use gatebench::vtl::{Context, ErrorKind, Policy, Template, Value, VtlError};

/// A small budget: large enough for every ordinary template, small enough to be reached in
/// a fraction of a second by the runaway ones.
fn small() -> Policy {
    Policy {
        max_memory_bytes: 2 << 20,
        max_steps: 2_000_000,
        ..Policy::velocity()
    }
}

fn render(src: &str, policy: &Policy) -> Result<String, VtlError> {
    let t = Template::parse(src).expect("the template parses");
    t.render(&mut Context::new(), policy)
}

/// Render on a thread with a 2 MB stack (what `serve`'s workers have), within `limit`.
fn render_bounded(src: &'static str, policy: Policy, limit: Duration) -> Result<String, VtlError> {
    let start = Instant::now();
    let out = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || render(src, &policy))
        .unwrap()
        .join()
        .expect("the render thread does not die");
    let took = start.elapsed();
    assert!(took < limit, "{src:?} took {took:?}, more than {limit:?}");
    out
}

/// The render fails with a render error whose message contains `needle`, on one line.
fn assert_render_error(r: Result<String, VtlError>, needle: &str) -> VtlError {
    let e = match r {
        Ok(out) => panic!(
            "expected a render error mentioning {needle:?}, got {} bytes of output",
            out.len()
        ),
        Err(e) => e,
    };
    assert_eq!(e.kind, ErrorKind::Render, "{e}");
    assert!(e.line >= 1 && e.col >= 1, "no position: {e}");
    assert!(e.message.contains(needle), "{e}");
    assert!(!e.to_string().contains('\n'), "two lines: {e:?}");
    e
}

const FAST: Duration = Duration::from_secs(5);

// ------------------------------------------------------------------ values that hold themselves

#[test]
fn a_list_holding_itself_prints_like_velocity() {
    let out = render_bounded("#set($l=[])#set($d=$l.add($l))$l", Policy::velocity(), FAST);
    assert_eq!(out.unwrap(), "[(this Collection)]");
    let out = render_bounded(
        "#set($l=[1])#set($d=$l.add($l))#set($d=$l.add(2))$l",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(out.unwrap(), "[1, (this Collection), 2]");
}

#[test]
fn a_map_holding_itself_prints_like_velocity() {
    let out = render_bounded(
        "#set($m={})#set($d=$m.put(\"a\",$m))$m",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(out.unwrap(), "{a=(this Map)}");
    let out = render_bounded(
        "#set($m={})#set($d=$m.put(\"a\",$m))#set($m.b=$m)$m $m.entrySet()",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(
        out.unwrap(),
        "{a=(this Map), b=(this Map)} [a={a=(this Map), b=(this Map)}, b={a=(this Map), b=(this Map)}]"
    );
    let out = render_bounded(
        "#set($l=[])#set($d=$l.add($l))#set($m={\"x\":$l})$m \"$l\"",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(
        out.unwrap(),
        "{x=[(this Collection)]} \"[(this Collection)]\""
    );
}

#[test]
fn an_indirect_cycle_is_a_render_error_as_java_overflows() {
    // Velocity 1.7: java.lang.StackOverflowError.
    let r = render_bounded(
        "#set($l=[])#set($k=[$l])#set($d=$l.add($k))$l",
        Policy::velocity(),
        FAST,
    );
    let e = assert_render_error(r, "contains itself");
    assert_eq!((e.line, e.col), (1, 44));
    // Through a map entry (a host object printing the value it holds).
    let r = render_bounded(
        "#set($m={\"a\":0})#set($l=[])#set($m.a=$l)#set($e=$m.entrySet())#set($d=$l.add($e))$l",
        Policy::velocity(),
        FAST,
    );
    assert_render_error(r, "contains itself");
}

#[test]
fn comparing_self_containing_lists() {
    // The same list: Java's equals answers at once.
    let out = render_bounded(
        "#set($l=[])#set($d=$l.add($l))#if($l == $l)eq#end $l.contains($l) $l.indexOf($l)",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(out.unwrap(), "eq true 0");
    // Two different ones: Java overflows its stack, Velocity reports a render error.
    let r = render_bounded(
        "#set($l=[])#set($d=$l.add($l))#set($k=[])#set($d=$k.add($k))#if($l == $k)eq#else ne#end",
        Policy::velocity(),
        FAST,
    );
    let e = assert_render_error(r, "contains itself");
    assert_eq!((e.line, e.col), (1, 68));
    let r = render_bounded(
        "#set($m={})#set($d=$m.put(\"a\",$m))#set($n={})#set($d=$n.put(\"a\",$n))$m.equals($n)",
        Policy::velocity(),
        FAST,
    );
    assert_render_error(r, "contains itself");
}

#[test]
fn serialising_a_self_containing_json_array_is_a_render_error() {
    let req = MethodRequest::from_case_json(&serde_json::json!({
        "method": "POST", "resource": "/", "path": "/", "body": "{\"a\":[1,2]}"
    }))
    .unwrap();
    let (mut ctx, _) = template_context(&req, b"{\"a\":[1,2]}");
    let t = Template::parse("#set($a=$input.path('$.a'))#set($d=$a.add($a))$a").unwrap();
    let r = t.render(&mut ctx, &Policy::api_gateway());
    assert_render_error(r, "contains itself");
}

#[test]
fn a_map_as_its_own_key_does_not_panic() {
    let out = render_bounded(
        "#set($m={'a':1})#set($s=$m.remove($m))$s $m",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(out.unwrap(), "$s {a=1}");
    let out = render_bounded(
        "#set($m={'a':1})#set($s=$m.put($m, 2))#set($m[$m]=3)$m.size()",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(out.unwrap(), "3");
}

/// A host object that counts how many of its kind were freed.
struct Probe(Rc<Cell<usize>>);

impl Drop for Probe {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

impl gatebench::vtl::HostObject for Probe {
    fn class_name(&self) -> &str {
        "Probe"
    }
    fn property(&self, _name: &str) -> gatebench::vtl::Outcome {
        gatebench::vtl::Outcome::NoSuchMember
    }
    fn call(
        &self,
        _name: &str,
        _args: &[Value],
    ) -> Result<gatebench::vtl::Outcome, gatebench::vtl::MethodError> {
        Ok(gatebench::vtl::Outcome::NoSuchMember)
    }
    fn write_display(&self, out: &mut String) {
        out.push_str("probe");
    }
}

#[test]
fn self_containing_values_are_freed_when_the_render_ends() {
    // Rc alone would leak every list that holds itself, and what it holds (the probe).
    let t = Template::parse(
        "#set($l=[$probe])#set($k={'l':$l})#set($d=$l.add($k))#set($d=$l.add($l))$l.size()#set($l=0)#set($k=0)",
    )
    .unwrap();
    let freed = Rc::new(Cell::new(0));
    for _ in 0..5 {
        let mut ctx = Context::new();
        ctx.insert("probe", Value::Object(Rc::new(Probe(freed.clone()))));
        assert_eq!(t.render(&mut ctx, &Policy::velocity()).unwrap(), "3");
    }
    assert_eq!(freed.get(), 5, "the lists holding the probes were freed");
    // Kept by the context when the render ends: freed with the context.
    let t =
        Template::parse("#set($l=[$probe])#set($d=$l.add($l))#set($m={})#set($m.m=$m)").unwrap();
    for _ in 0..5 {
        let mut ctx = Context::new();
        ctx.insert("probe", Value::Object(Rc::new(Probe(freed.clone()))));
        t.render(&mut ctx, &Policy::api_gateway()).unwrap();
    }
    assert_eq!(freed.get(), 10, "the contexts took their cycles with them");
    // A cycle through lists the caller built (a JSON context).
    let t = Template::parse("#set($d=$m.k.add($m))#set($d=$m.put('self', $m))").unwrap();
    for _ in 0..5 {
        let mut ctx = Context::new();
        let m = gatebench::vtl::from_json(&serde_json::json!({"k": [1, {"x": [2]}]}));
        if let Value::Map(r) = &m {
            r.borrow_mut()
                .insert("p".into(), Value::Object(Rc::new(Probe(freed.clone()))));
        }
        ctx.insert("m", m);
        t.render(&mut ctx, &Policy::api_gateway()).unwrap();
    }
    assert_eq!(
        freed.get(),
        15,
        "cycles through the caller's values were freed"
    );
    // A cycle the context still reaches stays intact.
    let t = Template::parse("#set($l=[$probe])#set($d=$l.add($l))").unwrap();
    let mut ctx = Context::new();
    ctx.insert("probe", Value::Object(Rc::new(Probe(freed.clone()))));
    t.render(&mut ctx, &Policy::velocity()).unwrap();
    assert_eq!(freed.get(), 15);
    let Some(Value::List(l)) = ctx.get("l") else {
        panic!("$l is a list");
    };
    assert_eq!(l.borrow().len(), 2);
    l.borrow_mut().clear();
}

// ------------------------------------------------------------------ deep nesting

#[test]
fn a_list_nested_100000_deep_prints_as_an_error() {
    let r = render_bounded(
        "#set($l=[])#foreach($i in [1..100000])#set($l=[$l])#end$l",
        Policy::velocity(),
        Duration::from_secs(10),
    );
    assert_render_error(r, "nested more than 1000 levels");
}

#[test]
fn a_list_nested_80000_deep_on_a_2mb_stack() {
    // `serve` renders on 2 MB stacks: printing, comparing and dropping must all hold.
    let r = render_bounded(
        "#set($l=[])#set($k=[])#foreach($i in [1..80000])#set($l=[$l])#set($k=[$k])#end#if($l == $k)eq#end",
        Policy::velocity(),
        Duration::from_secs(10),
    );
    assert_render_error(r, "nested more than 1000 levels");
}

#[test]
fn values_nested_a_million_deep_drop_without_recursion() {
    let dropped = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let mut l = Value::list(Vec::new());
            let mut m = Value::map(Default::default());
            for _ in 0..1_000_000 {
                l = Value::list(vec![l]);
            }
            for _ in 0..300_000 {
                let mut e = gatebench::vtl::value::JavaMap::default();
                e.insert("a".into(), m);
                m = Value::map(e);
            }
            drop(l);
            drop(m);
            true
        })
        .unwrap()
        .join();
    assert!(matches!(dropped, Ok(true)));
}

#[test]
fn a_template_building_deep_values_finishes() {
    // Built by the template, dropped when the render ends (the context goes away).
    let out = render_bounded(
        "#set($l=[])#set($m={})#foreach($i in [1..200000])#set($l=[$l])#set($m={'a':$m})#end done",
        Policy::velocity(),
        Duration::from_secs(20),
    );
    assert_eq!(out.unwrap(), " done");
}

#[test]
fn printing_999_levels_works_on_a_2mb_stack() {
    let out = render_bounded(
        "#set($l=[])#foreach($i in [1..999])#set($l=[$l])#end$l.toString().length()",
        Policy::velocity(),
        FAST,
    );
    assert_eq!(out.unwrap(), "2000");
}

// ------------------------------------------------------------------ memory

#[test]
fn string_doubling_hits_the_memory_budget() {
    let r = render_bounded(
        "#set($s='ab')#foreach($i in [1..60])#set($s = $s + $s)#end$s.length()",
        small(),
        FAST,
    );
    assert_render_error(r, "memory limit of 2097152 bytes");
    let r = render_bounded(
        "#set($s='ab')#foreach($i in [1..60])#set($s = \"$s$s\")#end$s.length()",
        small(),
        FAST,
    );
    assert_render_error(r, "memory limit");
}

#[test]
fn string_methods_hit_the_memory_budget() {
    for src in [
        "#set($s='ab')#foreach($i in [1..60])#set($s = $s.concat($s))#end$s.length()",
        "#set($s='ab')#foreach($i in [1..60])#set($s = $s.toUpperCase().concat($s))#end$s.length()",
        "#set($s='aaaa')#foreach($i in [1..60])#set($s = $s.replace('a', 'aa'))#end$s.length()",
        "#set($s='aaaa')#foreach($i in [1..60])#set($s = $s.replace('', 'aa'))#end$s.length()",
        "#set($s='aaaa')#foreach($i in [1..60])#set($s = $s.replaceAll('a', 'aa'))#end$s.length()",
    ] {
        let src: &'static str = src;
        let start = Instant::now();
        let r = render_bounded(src, small(), FAST);
        eprintln!("{src}: {:?}", start.elapsed());
        assert_render_error(r, "memory limit");
    }
    // The regex engine is slow in debug builds: a smaller budget.
    let policy = Policy {
        max_memory_bytes: 256 << 10,
        ..small()
    };
    let r = render_bounded(
        "#set($s='aaaa')#foreach($i in [1..60])#set($s = $s.replaceAll('a+', '$0$0'))#end$s.length()",
        policy,
        FAST,
    );
    assert_render_error(r, "memory limit");
}

#[test]
fn list_and_map_growth_hits_the_memory_budget() {
    for src in [
        "#set($l=[1])#foreach($i in [1..60])#set($d = $l.addAll($l))#end$l.size()",
        "#set($l=[])#foreach($i in [1..1000000])#set($d = $l.add($i))#end$l.size()",
        "#set($m={})#foreach($i in [1..1000000])#set($d = $m.put(\"k$i\", $i))#end$m.size()",
        "#set($m={})#foreach($i in [1..1000000])#set($m[\"k$i\"] = $i)#end$m.size()",
        "#set($m={})#foreach($i in [1..1000])#set($d=$m.put(\"k$i\",$i))#end#foreach($i in [1..100000])#set($n={})#set($d=$n.putAll($m))#end",
        "#set($l=[1,1,1,1,1,1,1,1])#foreach($i in [1..40])#set($l=[$l,$l,$l,$l,$l,$l,$l,$l])#end$l",
        "#set($l=[1,1,1,1,1,1,1,1])#foreach($i in [1..40])#set($l=[$l,$l,$l,$l,$l,$l,$l,$l])#end#set($s=\"$l\")",
    ] {
        let src: &'static str = src;
        let r = render_bounded(src, small(), FAST);
        assert_render_error(r, "memory limit");
    }
}

#[test]
fn plain_text_in_nested_loops_hits_the_output_and_memory_limits() {
    let r = render_bounded(
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx#end#end#end",
        small(),
        FAST,
    );
    assert_render_error(r, "memory limit");
    let policy = Policy {
        max_output_bytes: 1 << 20,
        ..small()
    };
    let r = render_bounded(
        "#foreach($a in [1..1000])#foreach($b in [1..1000])xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx#end#end",
        policy,
        FAST,
    );
    assert_render_error(r, "output exceeds the limit of 1048576 bytes");
}

#[test]
fn a_huge_range_is_walked_not_built() {
    // With a 1 MB budget, building [1..10000000] (240 MB of values) would fail.
    let policy = Policy {
        max_memory_bytes: 1 << 20,
        ..Policy::api_gateway()
    };
    let out = render_bounded(
        "#foreach($i in [1..10000000])#if($foreach.hasNext)#else$i#end#end$foreach",
        policy.clone(),
        FAST,
    )
    .unwrap();
    assert_eq!(out, "");
    let out = render_bounded(
        "#foreach($i in [10000000..1])#set($last=$i)#end$last $velocityCount",
        policy.clone(),
        FAST,
    )
    .unwrap();
    assert_eq!(out, "9999001 ");
    // Assigned or printed, a range is a list and is charged.
    let r = render_bounded("#set($r=[1..10000000])$r.size()", policy, FAST);
    assert_render_error(r, "memory limit of 1048576 bytes");
}

#[test]
fn the_default_budget_holds_for_doubling() {
    let r = render_bounded(
        "#set($s='ab')#foreach($i in [1..60])#set($s = $s.concat($s))#end$s.length()",
        Policy::api_gateway(),
        Duration::from_secs(20),
    );
    assert_render_error(r, "memory limit of 268435456 bytes");
}

// ------------------------------------------------------------------ time

/// 3^19 macro calls: never finishes without a budget.
const FAN_OUT: &str =
    "#macro(a $s)#if($s.length() < 19)#a(\"$s.\")#a(\"$s.\")#a(\"$s.\")#end#end#a(\"\")x";

#[test]
fn a_macro_fan_out_hits_the_step_budget() {
    let policy = Policy {
        max_steps: 300_000,
        ..Policy::api_gateway()
    };
    let r = render_bounded(FAN_OUT, policy, FAST);
    assert_render_error(r, "evaluation steps");
}

#[test]
fn a_macro_fan_out_hits_the_deadline() {
    let policy = Policy {
        deadline: Some(Instant::now() + Duration::from_millis(300)),
        ..Policy::api_gateway()
    };
    let r = render_bounded(FAN_OUT, policy, Duration::from_secs(3));
    assert_render_error(r, "time limit");
}

#[test]
fn comparing_a_shared_structure_is_bounded() {
    // 2^40 element comparisons without the step budget.
    let r = render_bounded(
        "#set($a=[1,1])#set($b=[1,1])#foreach($i in [1..40])#set($a=[$a,$a])#set($b=[$b,$b])#end#if($a == $b)eq#end",
        small(),
        FAST,
    );
    assert_render_error(r, "evaluation steps");
}

// ------------------------------------------------------------------ JSONPath on a deep body

/// A legal body nested `depth` deep, each level holding `pad` bytes of text.
fn deep_body(depth: usize, pad: usize) -> String {
    let filler = "x".repeat(pad);
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str("{\"p\":\"");
        s.push_str(&filler);
        s.push_str("\",\"c\":");
    }
    s.push('1');
    for _ in 0..depth {
        s.push('}');
    }
    s
}

#[test]
fn a_deep_scan_of_a_deep_body_hits_the_memory_budget() {
    let body = deep_body(120, 4 << 10);
    let req = MethodRequest::from_case_json(&serde_json::json!({
        "method": "POST", "resource": "/", "path": "/", "body": body
    }))
    .unwrap();
    for src in [
        "$input.path('$..*')",
        "$input.json('$..*')",
        "$input.path('$..*').size()",
    ] {
        let (mut ctx, _) = template_context(&req, body.as_bytes());
        let start = Instant::now();
        let r = Template::parse(src).unwrap().render(&mut ctx, &small());
        assert!(start.elapsed() < FAST, "{src} took {:?}", start.elapsed());
        assert_render_error(r, "memory limit");
    }
    // A scan that copies little is fine.
    let (mut ctx, _) = template_context(&req, body.as_bytes());
    let out = Template::parse("$input.json('$..c').length()")
        .unwrap()
        .render(&mut ctx, &Policy::api_gateway());
    assert!(out.is_err() || !out.unwrap().is_empty());
}

/// A JSON body nested deeper than serde_json's default 128 levels is JSON to the gateway:
/// `$input` reads it, up to 1000 levels, on a 2 MB stack (a workbench or `serve` thread);
/// deeper, it is the text of a body that does not parse (never a crash).
#[test]
fn deep_json_bodies_parse_as_the_gateway_parses_them() {
    let check = |depth: usize, src: &'static str| -> String {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let body = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
                let req = MethodRequest::from_case_json(&serde_json::json!({
                    "method": "POST", "resource": "/", "path": "/", "body": body
                }))
                .unwrap();
                let (mut ctx, _) = template_context(&req, body.as_bytes());
                Template::parse(src)
                    .unwrap()
                    .render(&mut ctx, &Policy::api_gateway())
                    .unwrap_or_else(|e| format!("error: {e}"))
            })
            .unwrap()
            .join()
            .expect("no stack overflow")
    };
    assert_eq!(
        check(200, "$input.path('$').size() $input.json('$').length()"),
        "1 401"
    );
    assert_eq!(
        check(
            1000,
            "$input.path('$..*').size() $input.json('$').length() $util.parseJson($input.body).size()"
        ),
        "1000 2001 1"
    );
    // Past the depth the gateway's parser takes: the body is text, as a malformed one is.
    assert_eq!(check(1001, "$input.json('$').length()"), "2005");
    assert_eq!(check(100_000, "$input.path('$').length()"), "200001");
}

// ------------------------------------------------------------------ the binary

fn cli(name: &str, template: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("gatebench-isolation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let t = dir.join(format!("{name}.vtl"));
    let c = dir.join("context.json");
    std::fs::write(&t, template).unwrap();
    std::fs::write(&c, "{}").unwrap();
    Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .args(["render", "--template"])
        .arg(&t)
        .arg("--context")
        .arg(&c)
        .output()
        .unwrap()
}

/// Exit status 3 and exactly one `error: LINE:COL: message` line.
fn assert_cli_render_error(name: &str, template: &str, needle: &str) {
    let out = cli(name, template);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{name}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
    assert!(stderr.starts_with("error: 1:"), "{name}: {stderr}");
    assert!(stderr.contains(needle), "{name}: {stderr}");
}

#[test]
fn the_binary_prints_cycles_and_fails_cleanly() {
    let out = cli("cycle", "#set($l=[])#set($d=$l.add($l))$l");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[(this Collection)]");
    let out = cli("own-key", "#set($m={'a':1})#set($s=$m.remove($m))$m");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{a=1}");
    assert_cli_render_error(
        "indirect",
        "#set($l=[])#set($k=[$l])#set($d=$l.add($k))$l",
        "contains itself",
    );
    assert_cli_render_error(
        "equals",
        "#set($l=[])#set($d=$l.add($l))#set($k=[])#set($d=$k.add($k))#if($l == $k)eq#end",
        "contains itself",
    );
    assert_cli_render_error(
        "regex",
        "#set($s='x')$s.matches('(')",
        "PatternSyntaxException",
    );
    assert_cli_render_error(
        "concat",
        "#set($s='ab')#foreach($i in [1..60])#set($s = $s.concat($s))#end$s.length()",
        "memory limit",
    );
}
