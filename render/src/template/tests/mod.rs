//! Tests of the whole engine: Go's own test tables, Helm-style behaviour, and parser robustness.

mod compare_cases;
mod exec_cases;
mod fixtures;
mod helm;
mod interface_cases;
mod lex_cases;
mod parse_cases;
mod props;

use super::{Funcs, Template, Value};

/// One table row: a template, its data, and Go's output or a substring of Go's error.
pub(super) struct Case {
    pub(super) name: &'static str,
    pub(super) input: &'static str,
    pub(super) data: fn() -> Value,
    pub(super) want: Result<&'static str, &'static str>,
}

/// Run every case; collect all mismatches so one run reports them all.
pub(super) fn run_cases(cases: &[Case], funcs: &Funcs) -> usize {
    let mut failures = Vec::new();
    for c in cases {
        let got = Template::new(c.name)
            .funcs(funcs)
            .parse(c.input)
            .and_then(|t| t.execute(c.name, &(c.data)()))
            .map_err(|e| e.to_string());
        let ok = match (&got, &c.want) {
            (Ok(out), Ok(want)) => out == want,
            (Err(e), Err(want)) => e.contains(want),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: {:?}\n    want {:?}\n    got  {:?}",
                c.name, c.input, c.want, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

/// Parse and execute `input` as template "t" with `data` and no added functions.
pub(super) fn render(input: &str, data: Value) -> Result<String, String> {
    Template::new("t")
        .parse(input)
        .and_then(|t| t.execute("t", &data))
        .map_err(|e| e.to_string())
}

pub(super) fn json(v: serde_json::Value) -> Value {
    Value::from(v)
}

pub(super) fn nil() -> Value {
    Value::Nil
}
