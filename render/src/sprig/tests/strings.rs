//! String functions, from Sprig's `strings_test.go` and the goutils and xstrings cases it relies on.

use super::{check, check_err, check_with};
use crate::template::Value;

#[test]
fn trimming_functions_take_the_cutset_or_affix_first() {
    check(&[
        (r#"{{trim "   5.00   "}}"#, "5.00"),
        (r#"{{trimAll "$" "$5.00$"}}"#, "5.00"),
        (r#"{{trimall "$" "$5.00$"}}"#, "5.00"),
        (r#"{{trimPrefix "$" "$5.00"}}"#, "5.00"),
        (r#"{{trimSuffix "$" "5.00$"}}"#, "5.00"),
        (r#"{{trimPrefix "x" "$5.00"}}"#, "$5.00"),
    ]);
}

#[test]
fn substr_and_trunc_slice_bytes_with_sprigs_bounds() {
    check(&[
        (r#"{{"fooo" | substr 0 3 }}"#, "foo"),
        (r#"{{"foo" | substr 0 10 }}"#, "foo"),
        (r#"{{"hello" | substr -1 2 }}"#, "he"),
        (r#"{{"hello" | substr 2 -1 }}"#, "llo"),
        (r#"{{ "foooooo" | trunc 3 }}"#, "foo"),
        (r#"{{ "baaaaaar" | trunc -3 }}"#, "aar"),
        (r#"{{ "baaaaaar" | trunc -999 }}"#, "baaaaaar"),
        (r#"{{ "baaaaaz" | trunc 0 }}"#, ""),
    ]);
    check_err(&[(r#"{{"foo" | substr 5 6 }}"#, "slice bounds out of range")]);
}

#[test]
fn quote_skips_nil_and_escapes_like_go() {
    let data = Value::from(serde_json::json!({"value": null, "n": 1.5}));
    check_with(
        &data,
        &[
            (r#"{{quote "a" "b" "c"}}"#, r#""a" "b" "c""#),
            (r#"{{quote "\"a\"" "b" "c"}}"#, r#""\"a\"" "b" "c""#),
            (r#"{{quote 1 2 3 }}"#, r#""1" "2" "3""#),
            (r#"{{ .value | quote }}"#, ""),
            (r#"{{ quote .n "x\ty" }}"#, r#""1.5" "x\ty""#),
            (r#"{{squote "a" "b" "c"}}"#, "'a' 'b' 'c'"),
            (r#"{{squote 1 2 3 }}"#, "'1' '2' '3'"),
            (r#"{{ .value | squote }}"#, ""),
        ],
    );
}

#[test]
fn string_tests_take_the_needle_first() {
    check(&[
        (r#"{{if contains "cat" "fair catch"}}1{{end}}"#, "1"),
        (r#"{{if hasPrefix "cat" "catch"}}1{{end}}"#, "1"),
        (r#"{{if hasSuffix "cat" "ducat"}}1{{end}}"#, "1"),
        (r#"{{contains "dog" "fair catch"}}"#, "false"),
    ]);
}

#[test]
fn split_functions_return_indexed_maps_or_lists() {
    check(&[
        (r#"{{$v := "foo$bar$baz" | split "$"}}{{$v._0}}"#, "foo"),
        (r#"{{$v := "foo$bar$baz" | split "$"}}{{$v._2}}"#, "baz"),
        (
            r#"{{$v := "foo$bar$baz" | splitn "$" 2}}{{$v._1}}"#,
            "bar$baz",
        ),
        (r#"{{ splitList "," "a,b,,c" }}"#, "[a b  c]"),
        (r#"{{ splitList "" "abc" | len }}"#, "3"),
    ]);
}

#[test]
fn join_and_sort_alpha_stringify_any_list() {
    let data = Value::from(serde_json::json!({"V": "abc", "L": ["1", null, "2"]}));
    check_with(
        &data,
        &[
            (r#"{{ tuple "a" "b" "c" | join "-" }}"#, "a-b-c"),
            (r#"{{ tuple 1 2 3 | join "-" }}"#, "1-2-3"),
            (r#"{{ join "-" .V }}"#, "abc"),
            (r#"{{ join "-" .L }}"#, "1-2"),
            (r#"{{ list "c" "a" "b" | sortAlpha | join "" }}"#, "abc"),
            (r#"{{ list 2 1 4 3 | sortAlpha | join "" }}"#, "1234"),
            (
                r#"{{ $s := list 1 2 3 | toStrings }}{{ index $s 1 | kindOf }}"#,
                "string",
            ),
            (r#"{{ list 1 .missing 2 | toStrings }}"#, "[1 2]"),
            (r#"{{ toString 1.5 | kindOf }}"#, "string"),
            (r#"{{ toString 1000000.0 }}"#, "1e+06"),
        ],
    );
}

#[test]
fn goutils_functions_abbreviate_wrap_and_take_initials() {
    check(&[
        (r#"{{abbrev 5 "hello world"}}"#, "he..."),
        (r#"{{abbrev 3 "hello world"}}"#, ""),
        (r#"{{abbrev 20 "hello world"}}"#, "hello world"),
        (r#"{{abbrevboth 5 10 "1234 5678 9123"}}"#, "...5678..."),
        (r#"{{nospace "h e l l o "}}"#, "hello"),
        (r#"{{untitle "First Try"}}"#, "first try"),
        (r#"{{initials "First Try"}}"#, "FT"),
        (r#"{{wrap 5 "Hello World"}}"#, "Hello\nWorld"),
        (r#"{{wrapWith 5 "\t" "Hello World"}}"#, "Hello\tWorld"),
        (r#"{{wrapWith 3 "|" "abcdefg"}}"#, "abc|def|g"),
        (r#"{{wrap 3 "abcdefg hi"}}"#, "abcdefg\nhi"),
        (
            r#"{{title "hello world-wide_web"}}"#,
            "Hello World-Wide_web",
        ),
        (r#"{{swapcase "This Is A.Test"}}"#, "tHIS iS a.tEST"),
    ]);
}

#[test]
fn case_conversions_follow_xstrings() {
    check(&[
        (r#"{{snakecase "FirstName"}}"#, "first_name"),
        (r#"{{snakecase "HTTPServer"}}"#, "http_server"),
        (r#"{{snakecase "NoHTTPS"}}"#, "no_https"),
        (r#"{{snakecase "GO_PATH"}}"#, "go_path"),
        (r#"{{snakecase "GO PATH"}}"#, "go_path"),
        (r#"{{snakecase "GO-PATH"}}"#, "go_path"),
        (r#"{{snakecase "_camelCase"}}"#, "_camel_case"),
        (r#"{{snakecase "Wi_thF"}}"#, "wi_th_f"),
        (
            r#"{{snakecase "_AnotherTES_TCaseP"}}"#,
            "_another_tes_t_case_p",
        ),
        (r#"{{snakecase "HELLO____WORLD"}}"#, "hello____world"),
        (r#"{{snakecase "http2xx"}}"#, "http_2xx"),
        (r#"{{snakecase "HTTP2XX"}}"#, "http_2xx"),
        (r#"{{snakecase "HTTP20xOK"}}"#, "http_20x_ok"),
        (r#"{{snakecase "HTTP20XStatus"}}"#, "http_20x_status"),
        (r#"{{snakecase "HTTP-20xStatus"}}"#, "http_20x_status"),
        (r#"{{snakecase "Bld4Floor"}}"#, "bld4_floor"),
        (r#"{{snakecase "  sentence case  "}}"#, "__sentence_case__"),
        (
            r#"{{snakecase " Mixed-hyphen case _and SENTENCE_case and UPPER-case"}}"#,
            "_mixed_hyphen_case__and_sentence_case_and_upper_case",
        ),
        (r#"{{kebabcase "FirstName"}}"#, "first-name"),
        (
            r#"{{kebabcase "_AnotherTES_TCaseP"}}"#,
            "-another-tes-t-case-p",
        ),
        (r#"{{kebabcase "HTTPServer"}}"#, "http-server"),
        (r#"{{camelcase "http_server"}}"#, "HttpServer"),
        (r#"{{camelcase "_camel_case"}}"#, "_CamelCase"),
        (r#"{{camelcase "no_https"}}"#, "NoHttps"),
        (r#"{{camelcase "_complex__case_"}}"#, "_Complex_Case_"),
        (r#"{{camelcase "all"}}"#, "All"),
        (r#"{{camelcase "GOLANG_IS_GREAT"}}"#, "GolangIsGreat"),
    ]);
}

#[test]
fn cat_indent_replace_and_plural_format_text() {
    let data = Value::from(serde_json::json!({"value": null}));
    check_with(
        &data,
        &[
            (r#"{{$b := "b"}}{{"c" | cat "a" $b}}"#, "a b c"),
            (r#"{{ .value | cat "a" "b"}}"#, "a b"),
            (r#"{{ cat "a" 1 2.5 (list 1 2) }}"#, "a 1 2.5 [1 2]"),
            (r#"{{indent 4 "a\nb\nc"}}"#, "    a\n    b\n    c"),
            (r#"{{nindent 4 "a\nb\nc"}}"#, "\n    a\n    b\n    c"),
            (
                r#"{{"I Am Henry VIII" | replace " " "-"}}"#,
                "I-Am-Henry-VIII",
            ),
            (r#"{{"ab" | replace "" "-"}}"#, "-a-b-"),
            (
                r#"{{$num := len "two"}}{{$num}} {{$num | plural "1 char" "chars"}}"#,
                "3 chars",
            ),
            (r#"{{len "t" | plural "cheese" "%d chars"}}"#, "cheese"),
            (r#"{{ repeat 3 "ab" }}"#, "ababab"),
            (r#"{{ upper "abc" }}{{ lower "DEF" }}"#, "ABCdef"),
        ],
    );
}

#[test]
fn typed_parameters_refuse_other_types_as_go_does() {
    check_err(&[
        (
            r#"{{ upper 1 }}"#,
            "wrong type for value; expected string; got int",
        ),
        (r#"{{ trunc 1.5 "abc" }}"#, "expected int; got float64"),
        (r#"{{ upper .missing }}"#, "invalid value; expected string"),
        (r#"{{ repeat -1 "a" }}"#, "negative Repeat count"),
        (r#"{{ upper "a" "b" }}"#, "wrong number of args"),
        (r#"{{ indent -1 "a" }}"#, "negative Repeat count"),
    ]);
}

#[test]
fn case_mapping_is_letter_for_letter_as_in_go() {
    check(&[
        (r#"{{ upper "straße" }}"#, "STRAßE"),
        (r#"{{ lower "İSTANBUL" }}"#, "istanbul"),
        (r#"{{ upper "ǆemal" }}"#, "ǄEMAL"),
        (r#"{{ swapcase "Straße" }}"#, "sTRAßE"),
        (r#"{{ title "élan vital" }}"#, "Élan Vital"),
    ]);
}
