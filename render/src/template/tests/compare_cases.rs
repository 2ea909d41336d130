//! Go's `cmpTests` from `exec_test.go`; Go's unsigned fields are plain ints here, and its complex cases
//! are skipped.

use super::json;
use crate::template::Value;

fn cmp_data() -> Value {
    json(serde_json::json!({"Uthree": 3, "Ufour": 4, "NegOne": -1, "Three": 3}))
}

/// Go's `cmpTests`, each run as `{{if EXPR}}true{{else}}false{{end}}`.
#[test]
fn go_comparison_tests_agree() {
    let table: &[(&str, Result<bool, &str>)] = &[
        ("eq true true", Ok(true)),
        ("eq true false", Ok(false)),
        ("eq 1.5 1.5", Ok(true)),
        ("eq 1.5 2.5", Ok(false)),
        ("eq 1 1", Ok(true)),
        ("eq 1 2", Ok(false)),
        ("eq `xy` `xy`", Ok(true)),
        ("eq `xy` `xyz`", Ok(false)),
        ("eq .Uthree .Uthree", Ok(true)),
        ("eq .Uthree .Ufour", Ok(false)),
        ("eq 3 4 5 6 3", Ok(true)),
        ("eq 3 4 5 6 7", Ok(false)),
        ("ne true true", Ok(false)),
        ("ne true false", Ok(true)),
        ("ne 1.5 1.5", Ok(false)),
        ("ne 1.5 2.5", Ok(true)),
        ("ne 1 1", Ok(false)),
        ("ne 1 2", Ok(true)),
        ("ne `xy` `xy`", Ok(false)),
        ("ne `xy` `xyz`", Ok(true)),
        ("ne .Uthree .Uthree", Ok(false)),
        ("ne .Uthree .Ufour", Ok(true)),
        ("lt 1.5 1.5", Ok(false)),
        ("lt 1.5 2.5", Ok(true)),
        ("lt 1 1", Ok(false)),
        ("lt 1 2", Ok(true)),
        ("lt `xy` `xy`", Ok(false)),
        ("lt `xy` `xyz`", Ok(true)),
        ("lt .Uthree .Uthree", Ok(false)),
        ("lt .Uthree .Ufour", Ok(true)),
        ("le 1.5 1.5", Ok(true)),
        ("le 1.5 2.5", Ok(true)),
        ("le 2.5 1.5", Ok(false)),
        ("le 1 1", Ok(true)),
        ("le 1 2", Ok(true)),
        ("le 2 1", Ok(false)),
        ("le `xy` `xy`", Ok(true)),
        ("le `xy` `xyz`", Ok(true)),
        ("le `xyz` `xy`", Ok(false)),
        ("le .Uthree .Uthree", Ok(true)),
        ("le .Uthree .Ufour", Ok(true)),
        ("le .Ufour .Uthree", Ok(false)),
        ("gt 1.5 1.5", Ok(false)),
        ("gt 1.5 2.5", Ok(false)),
        ("gt 1 1", Ok(false)),
        ("gt 2 1", Ok(true)),
        ("gt 1 2", Ok(false)),
        ("gt `xy` `xy`", Ok(false)),
        ("gt `xy` `xyz`", Ok(false)),
        ("gt .Uthree .Uthree", Ok(false)),
        ("gt .Uthree .Ufour", Ok(false)),
        ("gt .Ufour .Uthree", Ok(true)),
        ("ge 1.5 1.5", Ok(true)),
        ("ge 1.5 2.5", Ok(false)),
        ("ge 2.5 1.5", Ok(true)),
        ("ge 1 1", Ok(true)),
        ("ge 1 2", Ok(false)),
        ("ge 2 1", Ok(true)),
        ("ge `xy` `xy`", Ok(true)),
        ("ge `xy` `xyz`", Ok(false)),
        ("ge `xyz` `xy`", Ok(true)),
        ("ge .Uthree .Uthree", Ok(true)),
        ("ge .Uthree .Ufour", Ok(false)),
        ("ge .Ufour .Uthree", Ok(true)),
        ("eq .Uthree .Three", Ok(true)),
        ("eq .Three .Uthree", Ok(true)),
        ("le .Uthree .Three", Ok(true)),
        ("lt .Ufour .Three", Ok(false)),
        ("gt .Ufour .Three", Ok(true)),
        ("eq .NegOne .Uthree", Ok(false)),
        ("ne .NegOne .Uthree", Ok(true)),
        ("lt .NegOne .Uthree", Ok(true)),
        ("ge .Uthree .NegOne", Ok(true)),
        ("eq (index `x` 0) 'x'", Ok(true)),
        ("eq (index `x` 0) 'y'", Ok(false)),
        ("eq .Ptr .NilPtr", Ok(false)),
        ("eq .NilPtr .NilPtr", Ok(true)),
        ("eq `xy` 1", Err("incompatible types for comparison")),
        ("eq 2 2.0", Err("incompatible types for comparison")),
        ("lt true true", Err("invalid type for comparison")),
        ("eq .Map .Map", Err("non-comparable type")),
        ("lt .NilPtr 1", Err("invalid type for comparison")),
    ];
    let mut failures = Vec::new();
    for (expr, want) in table {
        let text = format!("{{{{if {expr}}}}}true{{{{else}}}}false{{{{end}}}}");
        let mut data = cmp_data();
        if let Value::Map(m) = &mut data {
            m.insert("Ptr", Value::Int(1));
            m.insert("NilPtr", Value::Nil);
            m.insert("Map", Value::map([("a", Value::Int(1))]));
        }
        let got = super::render(&text, data);
        let ok = match (&got, want) {
            (Ok(out), Ok(w)) => out == &w.to_string(),
            (Err(e), Err(w)) => e.contains(w),
            _ => false,
        };
        if !ok {
            failures.push(format!("{expr}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
