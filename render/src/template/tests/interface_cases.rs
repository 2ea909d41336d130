//! Go's `TestInterfaceValues`, `TestExecuteGivesExecError` and `TestJSEscaping` from `exec_test.go`.

use std::sync::Arc;

use super::render;
use crate::template::{Func, Value};

fn data() -> Value {
    let plus_one = Value::Func(Func(Arc::new(|_: &mut _, a: &[Value]| match a {
        [Value::Int(i)] => Ok(Value::Int(i + 1)),
        _ => Err("wrong arguments".into()),
    })));
    let ints = |v: &[i64]| Value::list(v.iter().map(|i| Value::Int(*i)).collect());
    Value::map([
        ("Nil", Value::Nil),
        ("Slice", ints(&[0, 1, 2, 3])),
        ("One", Value::Int(1)),
        ("Two", Value::Int(2)),
        ("Zero", Value::Int(0)),
        ("PlusOne", plus_one),
    ])
}

#[test]
fn go_interface_value_tests_agree() {
    let table: &[(&str, Result<&str, &str>)] = &[
        ("{{index .Nil 1}}", Err("index of untyped nil")),
        ("{{index .Slice 2}}", Ok("2")),
        ("{{index .Slice .Two}}", Ok("2")),
        ("{{call .Nil 1}}", Err("call of nil")),
        ("{{call .PlusOne 1}}", Ok("2")),
        ("{{call .PlusOne .One}}", Ok("2")),
        ("{{and (index .Slice 0) true}}", Ok("0")),
        ("{{and .Zero true}}", Ok("0")),
        ("{{and (index .Slice 1) false}}", Ok("false")),
        ("{{and .One false}}", Ok("false")),
        ("{{or (index .Slice 0) false}}", Ok("false")),
        ("{{or .Zero false}}", Ok("false")),
        ("{{or (index .Slice 1) true}}", Ok("1")),
        ("{{or .One true}}", Ok("1")),
        ("{{not (index .Slice 0)}}", Ok("true")),
        ("{{not .Zero}}", Ok("true")),
        ("{{not (index .Slice 1)}}", Ok("false")),
        ("{{not .One}}", Ok("false")),
        ("{{eq (index .Slice 0) .Zero}}", Ok("true")),
        ("{{eq (index .Slice 1) .One}}", Ok("true")),
        ("{{ne (index .Slice 0) .Zero}}", Ok("false")),
        ("{{ne (index .Slice 1) .One}}", Ok("false")),
        ("{{ge (index .Slice 0) .One}}", Ok("false")),
        ("{{ge (index .Slice 1) .Zero}}", Ok("true")),
        ("{{gt (index .Slice 0) .One}}", Ok("false")),
        ("{{gt (index .Slice 1) .Zero}}", Ok("true")),
        ("{{le (index .Slice 0) .One}}", Ok("true")),
        ("{{le (index .Slice 1) .Zero}}", Ok("false")),
        ("{{lt (index .Slice 0) .One}}", Ok("true")),
        ("{{lt (index .Slice 1) .Zero}}", Ok("false")),
    ];
    let mut failures = Vec::new();
    for (text, want) in table {
        let got = render(text, data());
        let ok = match (&got, want) {
            (Ok(out), Ok(w)) => out == w,
            (Err(e), Err(w)) => e.contains(w),
            _ => false,
        };
        if !ok {
            failures.push(format!("{text}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_field_of_an_int_is_an_execution_error() {
    let err = render("hello, {{.X.Y}}", Value::Int(0)).unwrap_err();
    assert!(err.contains("field X in type int"), "{err}");
}

#[test]
fn js_escaping_matches_go() {
    for (input, want) in [
        ("a", "a"),
        ("'foo", r"\'foo"),
        (r#"Go "jump" \"#, r#"Go \"jump\" \\"#),
        (
            "Yukihiro says \"今日は世界\"",
            r#"Yukihiro says \"今日は世界\""#,
        ),
        ("<html>", r"\u003Chtml\u003E"),
        ("no = in attributes", r"no \u003D in attributes"),
        (
            "&#x27; does not become HTML entity",
            r"\u0026#x27; does not become HTML entity",
        ),
        ("tab\there", r"tab\u0009here"),
    ] {
        assert_eq!(
            render("{{js .}}", Value::from(input)).unwrap(),
            want,
            "{input}"
        );
    }
}
