//! Cases from Go's `fmt` documentation and `fmt_test.go` for the verbs templates use.

use super::{sprint, sprintf, sprintln};
use crate::template::Value;

fn i(v: i64) -> Value {
    Value::Int(v)
}
fn f(v: f64) -> Value {
    Value::Float(v)
}
fn s(v: &str) -> Value {
    Value::from(v)
}

#[test]
fn printf_matches_go_for_each_verb() {
    let cases: &[(&str, Vec<Value>, &str)] = &[
        ("%d", vec![i(12345)], "12345"),
        ("%v", vec![i(-12345)], "-12345"),
        ("%+d", vec![i(12345)], "+12345"),
        ("% d", vec![i(12345)], " 12345"),
        ("%6d", vec![i(12345)], " 12345"),
        ("%-6d|", vec![i(12345)], "12345 |"),
        ("%06d", vec![i(-123)], "-00123"),
        ("%.5d", vec![i(-123)], "-00123"),
        ("%.0d", vec![i(0)], ""),
        ("%x", vec![i(255)], "ff"),
        ("%X", vec![i(255)], "FF"),
        ("%#x", vec![i(255)], "0xff"),
        ("%#08x", vec![i(255)], "0x000000ff"),
        ("%o", vec![i(8)], "10"),
        ("%#o", vec![i(8)], "010"),
        ("%O", vec![i(8)], "0o10"),
        ("%b", vec![i(5)], "101"),
        ("%c", vec![i(65)], "A"),
        ("%q", vec![i(65)], "'A'"),
        ("%U", vec![i(0x1F600)], "U+1F600"),
        ("%#U", vec![i(65)], "U+0041 'A'"),
        ("%s", vec![s("hi")], "hi"),
        ("%5s|", vec![s("hi")], "   hi|"),
        ("%-5s|", vec![s("hi")], "hi   |"),
        ("%05s", vec![s("hi")], "000hi"),
        ("%.1s", vec![s("日本")], "日"),
        ("%q", vec![s("a\"b\n")], "\"a\\\"b\\n\""),
        ("%#q", vec![s("ab")], "`ab`"),
        ("%x", vec![s("hi")], "6869"),
        ("% x", vec![s("hi")], "68 69"),
        ("%X", vec![s("hi")], "6869"),
        ("%t", vec![Value::Bool(true)], "true"),
        ("%v", vec![f(1e6)], "1e+06"),
        ("%v", vec![f(100.0)], "100"),
        ("%v", vec![f(3.5)], "3.5"),
        ("%v", vec![f(1e21)], "1e+21"),
        ("%v", vec![f(1e-7)], "1e-07"),
        ("%f", vec![f(3.14259)], "3.142590"),
        ("%.2f", vec![f(3.14259)], "3.14"),
        ("%8.3f|", vec![f(-3.14259)], "  -3.143|"),
        ("%08.3f", vec![f(-3.14259)], "-003.143"),
        ("%+.1f", vec![f(2.0)], "+2.0"),
        ("%e", vec![f(1234.5678)], "1.234568e+03"),
        ("%E", vec![f(1234.5678)], "1.234568E+03"),
        ("%g", vec![f(1234.5678)], "1234.5678"),
        ("%.3g", vec![f(1234.5678)], "1.23e+03"),
        ("%G", vec![f(1e-10)], "1E-10"),
        ("%v", vec![f(f64::INFINITY)], "+Inf"),
        ("%v", vec![f(f64::NEG_INFINITY)], "-Inf"),
        ("%v", vec![f(f64::NAN)], "NaN"),
        ("%5.1f|", vec![f(f64::INFINITY)], " +Inf|"),
        ("%d", vec![s("hi")], "%!d(string=hi)"),
        ("%s", vec![i(1)], "%!s(int=1)"),
        ("%d", vec![f(1.5)], "%!d(float64=1.5)"),
        ("%s", vec![Value::Nil], "%!s(<nil>)"),
        ("%v", vec![Value::Nil], "<nil>"),
        ("%d", vec![], "%!d(MISSING)"),
        ("%d", vec![i(1), i(2)], "1%!(EXTRA int=2)"),
        ("%", vec![], "%!(NOVERB)"),
        ("%%", vec![], "%"),
        ("%*d", vec![i(5), i(42)], "   42"),
        ("%-*d|", vec![i(5), i(42)], "42   |"),
        ("%.*f", vec![i(2), f(3.14259)], "3.14"),
        ("%*d", vec![s("x"), i(42)], "%!(BADWIDTH)42"),
        ("%d", vec![Value::list(vec![i(1), i(2)])], "[1 2]"),
        (
            "%s",
            vec![Value::list(vec![i(1), s("a")])],
            "[%!s(int=1) a]",
        ),
        (
            "%v",
            vec![Value::map([("b", i(2)), ("a", i(1))])],
            "map[a:1 b:2]",
        ),
        ("%03d", vec![Value::list(vec![i(1), i(2)])], "[001 002]"),
        ("%[2]d %[1]d", vec![i(11), i(22)], "22 11"),
        ("%[3]*.[2]*[1]f", vec![f(12.0), i(2), i(6)], " 12.00"),
        ("%d %d %#[1]x %#x", vec![i(16), i(17)], "16 17 0x10 0x11"),
        ("%[5]d", vec![i(1)], "%!d(BADINDEX)"),
        ("%[1]d %d", vec![i(1)], "1 %!d(MISSING)"),
        ("%[2]d", vec![i(1), i(2)], "2"),
        ("%#v", vec![s("a")], "\"a\""),
        (
            "%#v",
            vec![Value::list(vec![i(1), s("b"), Value::Nil])],
            "[]interface {}{1, \"b\", interface {}(nil)}",
        ),
        (
            "%#v",
            vec![Value::map([("a", i(1))])],
            "map[string]interface {}{\"a\":1}",
        ),
        ("%#v", vec![Value::Nil], "<nil>"),
        ("%.3v", vec![f(3.14259)], "3.14"),
        ("%.20g", vec![f(0.1)], "0.10000000000000000555"),
        ("%e", vec![f(0.0)], "0.000000e+00"),
        ("%v", vec![f(-0.0)], "-0"),
        ("%99999999d", vec![i(1)], "%!(NOVERB)%!(EXTRA int=1)"),
    ];
    let mut failures = Vec::new();
    for (format, args, want) in cases {
        let got = sprintf(format, args);
        if got != *want {
            failures.push(format!("{format:?} {args:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sprint_puts_spaces_only_between_non_strings() {
    assert_eq!(
        sprint(&[i(1), i(2), s("a"), i(3), s("b"), s("c")]),
        "1 2a3bc"
    );
    assert_eq!(sprintln(&[s("a"), i(1), s("b")]), "a 1 b\n");
    assert_eq!(sprint(&[Value::Nil, i(1)]), "<nil> 1");
}

proptest::proptest! {
    #[test]
    fn any_format_string_formats_without_panicking(format in "[%0-9.*#+ \\[\\]a-zA-Z-]{0,12}", n in -5i64..5) {
        let args = [i(n), f(1.5), s("x"), Value::Nil, Value::list(vec![i(1)])];
        let _ = sprintf(&format, &args);
    }
}
