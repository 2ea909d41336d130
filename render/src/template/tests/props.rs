//! The parser and executor never panic, whatever the input.

use proptest::prelude::*;

use crate::template::{Template, Value};

/// The engine turns a panic on its worker thread into an error with this text (`exec::on_big_stack`), so a
/// panic shows up as an error, and the properties look for it.
const PANICKED: &str = "the engine panicked";

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("{{- ".to_string()),
        Just(" -}}".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        prop::sample::select(vec![
            "if",
            "else",
            "end",
            "range",
            "with",
            "define",
            "template",
            "block",
            "break",
            "continue",
            "nil",
            "true",
            ":=",
            "=",
            "|",
            "(",
            ")",
            ".",
            "$",
            "$x",
            ".A",
            "\"",
            "`",
            "'",
            ",",
            " ",
            "\n",
            "1",
            "0x",
            "1e",
            "-",
            "\\",
            "printf",
            "index",
            "len",
            "eq",
            "and",
            "print \"%d\"",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in any::<String>()) {
        match Template::new("p").parse(&text) {
            Ok(t) => {
                if let Err(e) = t.execute("p", &Value::Nil) {
                    prop_assert!(!e.to_string().contains(PANICKED), "{e}");
                }
            }
            Err(e) => prop_assert!(!e.to_string().contains(PANICKED), "{e}"),
        }
    }

    #[test]
    fn random_template_soup_never_panics(parts in prop::collection::vec(fragment(), 0..40)) {
        let text: String = parts.concat();
        match Template::new("p").parse(&text) {
            Ok(t) => {
                let data = Value::from(serde_json::json!({"A": [1, {"B": "x"}], "x": null}));
                if let Err(e) = t.execute("p", &data) {
                    prop_assert!(!e.to_string().contains(PANICKED), "{e}");
                }
            }
            Err(e) => prop_assert!(!e.to_string().contains(PANICKED), "{e}"),
        }
    }
}
