//! Conversions and math, from Sprig's `numeric_test.go` and the `cast` rules.

use super::{check, check_err, check_with};
use crate::template::Value;

fn helm_values() -> Value {
    Value::from(serde_json::json!({"replicas": 3.0, "ratio": 2.75, "port": "8080", "big": 1e6}))
}

#[test]
fn int_conversions_follow_cast() {
    check_with(
        &helm_values(),
        &[
            (r#"{{ .replicas | int }}"#, "3"),
            (r#"{{ .ratio | int }}"#, "2"),
            (r#"{{ .port | int64 }}"#, "8080"),
            (r#"{{ "12.00" | int }}"#, "12"),
            (r#"{{ "0x1F" | int }}"#, "31"),
            (r#"{{ "nope" | int }}"#, "0"),
            (r#"{{ true | int }}"#, "1"),
            (r#"{{ int nil }}"#, "0"),
            (r#"{{ .missing | int }}"#, "0"),
            (r#"{{ .big | int }}"#, "1000000"),
            (r#"{{ "42" | atoi }}"#, "42"),
            (r#"{{ "0x1F" | atoi }}"#, "0"),
            (r#"{{ "1.5" | float64 }}"#, "1.5"),
            (r#"{{ 3 | float64 | kindOf }}"#, "float64"),
            (r#"{{ "0777" | toDecimal }}"#, "511"),
            (r#"{{ 777 | toDecimal }}"#, "511"),
            (r#"{{ "888" | toDecimal }}"#, "0"),
            (r#"{{ 770 | toDecimal }} {{ 755 | toDecimal }}"#, "504 493"),
        ],
    );
}

#[test]
fn kinds_and_types_name_go_types() {
    check_with(
        &helm_values(),
        &[
            (
                r#"{{ kindOf "a" }} {{ kindOf 1 }} {{ kindOf .ratio }} {{ kindOf (list) }} {{ kindOf (dict) }} {{ kindOf nil }} {{ kindOf true }}"#,
                "string int float64 slice map invalid bool",
            ),
            (
                r#"{{ kindIs "int" 1 }} {{ kindIs "string" 1 }}"#,
                "true false",
            ),
            (
                r#"{{ typeOf (list) }} {{ typeOf (dict) }} {{ typeOf .port }}"#,
                "[]interface {} map[string]interface {} string",
            ),
            (
                r#"{{ typeIs "float64" .replicas }} {{ typeIsLike "*int" 1 }} {{ typeIsLike "int" 1 }}"#,
                "true false true",
            ),
            (
                r#"{{ typeIsLike "semver.Version" (semver "1.0.0") }} {{ typeOf (semver "1.0.0") }}"#,
                "true *semver.Version",
            ),
        ],
    );
}

#[test]
fn integer_math_converts_operands_to_int64() {
    check_with(
        &helm_values(),
        &[
            (r#"{{ 3 | add1 }}"#, "4"),
            (r#"{{ add 1 2 3 }}"#, "6"),
            (r#"{{ add 1 .ratio "3" }}"#, "6"),
            (r#"{{ add }}"#, "0"),
            (r#"{{ sub 3 2 }}"#, "1"),
            (r#"{{ div 7 2 }}"#, "3"),
            (r#"{{ div -7 2 }}"#, "-3"),
            (r#"{{ mod 10 4 }}"#, "2"),
            (r#"{{ mul 1 2 3 }}"#, "6"),
            (r#"{{ mul .replicas 2 }}"#, "6"),
            (r#"{{ 1 | mul "2" 3 "4" }}"#, "24"),
            (r#"{{ 3 | sub 14 }}"#, "11"),
            (r#"{{ 4 | div 5 }}"#, "1"),
            (r#"{{ biggest 1 2 3 345 5 6 7 }}"#, "345"),
            (r#"{{ max 345 }}"#, "345"),
            (r#"{{ add "x" 2 }}"#, "2"),
            (r#"{{ max 1 2 3 }}"#, "3"),
            (r#"{{ biggest 5 2 }}"#, "5"),
            (r#"{{ min 1 2 3 }}"#, "1"),
            (r#"{{ add 1 2 | kindOf }}"#, "int"),
        ],
    );
    check_err(&[
        (r#"{{ div 1 0 }}"#, "integer divide by zero"),
        (r#"{{ mod 1 0 }}"#, "integer divide by zero"),
    ]);
}

#[test]
fn float_math_rounds_the_way_sprig_does() {
    check(&[
        (r#"{{ floor 1.5 }}"#, "1"),
        (r#"{{ floor "1.5" }}"#, "1"),
        (r#"{{ ceil 1.5 }}"#, "2"),
        (r#"{{ ceil 1 | kindOf }}"#, "float64"),
        (r#"{{ round 3.746 2 }}"#, "3.75"),
        (r#"{{ round 3.746 2 0.5 }}"#, "3.75"),
        (r#"{{ round 123.5555 3 }}"#, "123.556"),
        (r#"{{ round 123.55555 3 0.6 }}"#, "123.555"),
        (r#"{{ round -1.5 0 }}"#, "-2"),
        (r#"{{ addf 1.5 2 2 }}"#, "5.5"),
        (r#"{{ addf 0.1 0.2 }}"#, "0.3"),
        (r#"{{ add1f 2.5 }}"#, "3.5"),
        (r#"{{ subf 4.5 2 2 }}"#, "0.5"),
        (r#"{{ mulf 1.5 2 2 }}"#, "6"),
        (r#"{{ mulf 1.1 3 }}"#, "3.3"),
        (r#"{{ divf 6 2 2 }}"#, "1.5"),
        (r#"{{ divf 1 3 }}"#, "0.3333333333333333"),
        (r#"{{ maxf 1 2.5 3 }}"#, "3"),
        (r#"{{ maxf 1 2 3 345.7 5 6 7}}"#, "345.7"),
        (r#"{{ minf 1.4 2 3 345.6 5 6 7}}"#, "1.4"),
        (r#"{{ round "123.55555" 3 }}"#, "123.556"),
        (r#"{{ round 123.500001 0 }}"#, "124"),
        (r#"{{ round 123.49999999 0 }}"#, "123"),
        (r#"{{ round 123.2329999 2 0.3 }}"#, "123.23"),
        (r#"{{ round 123.233 2 0.3 }}"#, "123.24"),
        (r#"{{ 3.4 | add1f }}"#, "4.4"),
        (r#"{{ 3 | addf 1.5 2.2 }}"#, "6.7"),
        (r#"{{ 2 | divf 5 4 }}"#, "0.625"),
        (r#"{{ 1.2 | mulf "2.4" 10 "4" }}"#, "115.2"),
        (r#"{{ 3 | subf 4.5 1 }}"#, "0.5"),
        (r#"{{ ceil "123.01" }} {{ floor "123.9999" }}"#, "124 123"),
        (r#"{{ minf 1.5 2 3 }}"#, "1.5"),
    ]);
    check_err(&[(r#"{{ divf 1 0 }}"#, "division by zero")]);
}

#[test]
fn rand_int_stays_in_its_half_open_range() {
    for (lo, hi) in [(10, 11), (10, 13), (0, 1), (5, 50)] {
        for _ in 0..20 {
            let out = super::render(&format!("{{{{ randInt {lo} {hi} }}}}"), &Value::Nil).unwrap();
            let n: i64 = out.parse().unwrap();
            assert!((lo..hi).contains(&n), "{lo} {hi} {n}");
        }
    }
    check_err(&[(r#"{{ randInt 5 5 }}"#, "invalid argument")]);
}
