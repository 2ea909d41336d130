//! The parser and executor never panic, whatever the input.

use proptest::prelude::*;

use crate::template::{Template, Value};

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
        if let Ok(t) = Template::new("p").parse(&text) {
            let _ = t.execute("p", &Value::Nil);
        }
    }

    #[test]
    fn random_template_soup_never_panics(parts in prop::collection::vec(fragment(), 0..40)) {
        let text: String = parts.concat();
        if let Ok(t) = Template::new("p").parse(&text) {
            let data = Value::from(serde_json::json!({"A": [1, {"B": "x"}], "x": null}));
            let _ = t.execute("p", &data);
        }
    }
}
