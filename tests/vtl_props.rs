//! Property tests: the engine never panics, whatever the template, and every error points at
//! a real line and column. Templates are built from VTL fragments and from mutated
//! conformance templates.

mod common;

use std::sync::OnceLock;

use gatebench::vtl::{Context, Policy, Template, Value, from_json};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "$a",
    "$!a",
    "${a}",
    "$!{b}",
    "$m.k",
    "$m.k.x",
    "$l[0]",
    "$l[-1]",
    "$s.length()",
    "$s.substring(1)",
    "$s.split(\",\")",
    "$m.put(\"z\", 1)",
    "$l.add(2)",
    "#set($a = ",
    "#set($m.q = 3)",
    ")",
    "(",
    "#if(",
    "#elseif(",
    "#else",
    "#end",
    "#foreach($i in ",
    "$l",
    "[1..3]",
    "[3..1]",
    "$i",
    "$foreach.hasNext",
    "$velocityCount",
    "#break",
    "#stop",
    "#macro(mm $p)",
    "#mm(",
    "#mm($a)",
    "$p",
    "#define($d)",
    "$d",
    "#evaluate(",
    "\"#set($z = 1)$z\"",
    "#include($nope)",
    "#parse('x')",
    "##c\n",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "\\",
    "\\$a",
    "\\#if",
    " ",
    "\n",
    "\r\n",
    "\t",
    "text",
    "{",
    "}",
    "\"",
    "'",
    ",",
    "1",
    "-1",
    "2.5",
    "0",
    "true",
    "false",
    " + ",
    " - ",
    " * ",
    " / ",
    " % ",
    " == ",
    " != ",
    " < ",
    " && ",
    " || ",
    "!",
    " and ",
    " not ",
    "[",
    "]",
    "{\"k\": 1}",
    ":",
    "..",
    "$",
    "#",
    "é",
    "😀",
    "$s.replaceAll(\"(a)\", \"$1\")",
    "$s.matches(\"[\")",
    "#@mm()",
    "$bodyContent",
    "$m.entrySet()",
    "$m.keySet()",
];

fn context() -> Context {
    let json: serde_json::Value = serde_json::json!({
        "a": 1, "s": "a,b,c", "l": [1, "two", null, 3.5], "m": {"k": {"x": true}, "n": null},
    });
    let mut ctx = Context::from_json_object(json.as_object().unwrap());
    ctx.insert(
        "big",
        from_json(&serde_json::json!(9_007_199_254_740_993u64)),
    );
    ctx.insert("str", Value::str("x"));
    ctx
}

fn seeds() -> &'static Vec<String> {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let folder = common::conformance_dir().join("velocity");
        common::cases::load_cases(&folder)
            .into_iter()
            .filter_map(|c| c.json["template"].as_str().map(str::to_string))
            .collect()
    })
}

fn check(src: &str) {
    for policy in [Policy::velocity(), Policy::api_gateway()] {
        let policy = Policy {
            max_output_bytes: 1 << 20,
            max_total_iterations: 100_000,
            ..policy
        };
        match Template::parse(src) {
            Ok(t) => {
                let mut ctx = context();
                if let Err(e) = t.render(&mut ctx, &policy) {
                    assert!(
                        e.line >= 1 && e.col >= 1,
                        "bad position in {e:?} for {src:?}"
                    );
                }
            }
            Err(e) => assert!(
                e.line >= 1 && e.col >= 1,
                "bad position in {e:?} for {src:?}"
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn fragments_never_panic(parts in prop::collection::vec(0..FRAGMENTS.len(), 0..40)) {
        let src: String = parts.iter().map(|&i| FRAGMENTS[i]).collect();
        check(&src);
    }

    #[test]
    fn mutated_cases_never_panic(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..FRAGMENTS.len(), 0u8..3), 1..6),
    ) {
        let mut src = seed.get(seeds()).clone();
        for (at, frag, op) in edits {
            let mut pos = at.index(src.len() + 1);
            while !src.is_char_boundary(pos) {
                pos -= 1;
            }
            match op {
                0 => src.insert_str(pos, FRAGMENTS[frag]),
                1 => {
                    let mut end = (pos + 3).min(src.len());
                    while !src.is_char_boundary(end) {
                        end += 1;
                    }
                    src.replace_range(pos..end, "");
                }
                _ => src.truncate(pos),
            }
        }
        check(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        check(&src);
    }
}

#[test]
fn deep_recursion_is_bounded() {
    let src = "#macro(r $n)#r($n)#end#r(1)";
    let err = Template::parse(src)
        .unwrap()
        .render(&mut Context::new(), &Policy::velocity())
        .unwrap_err();
    assert!(err.message.contains("nesting"), "{err}");
}

#[test]
fn runaway_loops_are_bounded() {
    let src =
        "#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000])#end#end#end";
    let policy = Policy {
        max_total_iterations: 10_000,
        ..Policy::velocity()
    };
    let err = Template::parse(src)
        .unwrap()
        .render(&mut Context::new(), &policy)
        .unwrap_err();
    assert!(err.message.contains("loop iterations"), "{err}");
}

#[test]
fn output_is_bounded() {
    let src = "#set($s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')#foreach($i in [1..100000])$s$s$s$s#end";
    let policy = Policy {
        max_output_bytes: 1 << 20,
        ..Policy::velocity()
    };
    let err = Template::parse(src)
        .unwrap()
        .render(&mut Context::new(), &policy)
        .unwrap_err();
    assert!(err.message.contains("output exceeds"), "{err}");
}

#[test]
fn gateway_policy_caps_foreach_at_1000() {
    let src = "#foreach($i in [1..5000])#set($last = $i)#end$last";
    let out = Template::parse(src)
        .unwrap()
        .render(&mut Context::new(), &Policy::api_gateway())
        .unwrap();
    assert_eq!(out, "1000");
    let out = Template::parse(src)
        .unwrap()
        .render(&mut Context::new(), &Policy::velocity())
        .unwrap();
    assert_eq!(out, "5000");
}

#[test]
fn gateway_policy_prints_null_as_nothing() {
    let src = "[$nope][$m.x][${y}]";
    let t = Template::parse(src).unwrap();
    assert_eq!(
        t.render(&mut Context::new(), &Policy::api_gateway())
            .unwrap(),
        "[][][]"
    );
    assert_eq!(
        t.render(&mut Context::new(), &Policy::velocity()).unwrap(),
        src
    );
}

#[test]
fn gateway_policy_rejects_templates_over_300kb() {
    let src = "x".repeat(300 * 1024 + 1);
    assert!(Template::parse_with(&src, &Policy::api_gateway()).is_err());
    assert!(Template::parse_with(&src, &Policy::velocity()).is_ok());
}

#[test]
fn deep_nesting_is_a_parse_error_not_a_crash() {
    for src in [
        "#if(true)".repeat(100_000),
        format!("#set($x = {}1{})", "(".repeat(100_000), ")".repeat(100_000)),
        format!("#set($x = {}{})", "[".repeat(100_000), "]".repeat(100_000)),
        format!("#set($x = {}true)", "!".repeat(100_000)),
        format!("$a.b({})", "$a.b(".repeat(50_000)),
        format!("#set($x = {}1)", "1 + ".repeat(100_000)),
    ] {
        let err = Template::parse(&src).err();
        assert!(err.is_some_and(|e| e.line >= 1), "expected a parse error");
    }
}
