//! The Java methods and properties templates call on values: `String`, `List`, `Map`,
//! numbers and booleans, with Java's overload rules (no narrowing: `substring(1.0)` finds no
//! method) and Java's exceptions (which abort the render).
//!
//! The folder's face: it declares the files and re-exports what the evaluator calls.
//! - `property.rs`: `$v.name`, `$v[i]` and `#set` on them;
//! - `dispatch.rs`: `$v.name(args)`, choosing the family by the value's type;
//! - `string.rs`, `regex.rs`, `list.rs`, `map.rs`, `number.rs`: one Java class each
//!   (`regex.rs` is `java.util.regex` as `String` uses it);
//! - `common.rs`: the leaf they all share (result helpers, `toString`/`equals`).
//!
//! Arrows run one way: `property` -> `dispatch` -> the class files -> `common`, and
//! `string` -> `regex`; everything numeric or about equality comes from `vtl/ops.rs`, never
//! from the evaluator.

mod common;
mod dispatch;
mod list;
mod map;
mod number;
mod property;
mod regex;
mod string;

pub use dispatch::call;
pub use property::{index, map_entry, property, property_cached, set_index, set_property};
pub use regex::compile_java_regex;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vtl::budget;
    use crate::vtl::value::Value;
    use common::MethodResult;
    use regex::{java_replace, split};

    fn s(v: MethodResult) -> String {
        v.unwrap().unwrap().to_java_string()
    }

    #[test]
    fn split_follows_java() {
        assert_eq!(s(split("a,b,,c", ",", 0)), "[a, b, , c]");
        assert_eq!(s(split("a,b,,", ",", 0)), "[a, b]");
        assert_eq!(s(split("abc", ".", 0)), "[]");
        assert_eq!(s(split(",a", ",", 0)), "[, a]");
        assert_eq!(s(split("abc", "", 0)), "[a, b, c]");
        assert_eq!(s(split("a,b,c", ",", 2)), "[a, b,c]");
        assert_eq!(s(split("", ",", 0)), "[]");
    }

    #[test]
    fn replacement_groups() {
        let re = compile_java_regex("(\\w+)@(\\w+)").unwrap();
        assert_eq!(
            java_replace(&re, "joe@example", "$2 at $1", true).unwrap(),
            "example at joe"
        );
        let re = compile_java_regex("a").unwrap();
        assert!(java_replace(&re, "abc", "$", true).is_err());
        assert_eq!(java_replace(&re, "aXa", "\\$", true).unwrap(), "$X$");
    }

    #[test]
    fn a_map_can_be_its_own_key() {
        let m = Value::map(Default::default());
        assert!(call(&m, "put", &[m.clone(), Value::Int(1)]).is_ok());
        assert_eq!(m.to_java_string(), "{{}=1}");
        let r = call(&m, "remove", std::slice::from_ref(&m)).unwrap();
        assert!(r.is_none());
        set_index(&m, &m.clone(), Value::Int(2)).unwrap();
        assert_eq!(
            call(&m, "size", &[]).unwrap().unwrap().to_java_string(),
            "2"
        );
    }

    #[test]
    fn growth_is_charged_before_it_is_built() {
        let policy = crate::vtl::Policy {
            max_memory_bytes: 1000,
            ..crate::vtl::Policy::velocity()
        };
        let _scope = budget::Scope::enter(&policy);
        let s = Value::str(&"a".repeat(100));
        assert!(
            call(
                &s,
                "replace",
                &[Value::str("a"), Value::str(&"b".repeat(20))]
            )
            .is_err()
        );
        assert!(budget::tripped());
    }

    #[test]
    fn regex_errors_are_one_line() {
        let e = compile_java_regex("(").err().unwrap();
        assert!(!e.0.contains('\n'), "{e:?}");
    }
}
