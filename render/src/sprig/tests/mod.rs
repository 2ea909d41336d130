//! Sprig's behaviour, case by case: tables ported from Masterminds/sprig's own tests.

use crate::template::{Template, Value};

use super::funcs;

/// Renders `text` with `data`, or the error's text.
fn render(text: &str, data: &Value) -> Result<String, String> {
    Template::new("t")
        .funcs(&funcs())
        .parse(text)
        .map_err(|e| e.to_string())?
        .execute("t", data)
        .map_err(|e| e.to_string())
}

/// Checks each `(template, expected output)` against empty data.
fn check(cases: &[(&str, &str)]) {
    check_with(&Value::Nil, cases);
}

/// Checks each `(template, expected output)` against `data`.
fn check_with(data: &Value, cases: &[(&str, &str)]) {
    for (text, want) in cases {
        match render(text, data) {
            Ok(got) => assert_eq!(&got, want, "{text}"),
            Err(e) => panic!("{text}: {e}"),
        }
    }
}

/// Checks each `(template, error substring)`.
fn check_err(cases: &[(&str, &str)]) {
    for (text, want) in cases {
        match render(text, &Value::Nil) {
            Ok(got) => panic!("{text}: expected an error with {want:?}, got {got:?}"),
            Err(e) => assert!(e.contains(want), "{text}: {e:?} lacks {want:?}"),
        }
    }
}

mod dates;
mod defaults;
mod dicts;
mod encoding;
mod lists;
mod numbers;
mod regex;
mod strings;
