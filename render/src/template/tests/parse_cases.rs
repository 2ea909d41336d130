//! Cases ported from Go's `text/template/parse/parse_test.go` (`parseTests`, `errorTests`, `numberTests`).
//! Skipped: complex constants, custom delimiters, `ParseComments` mode, functions named like keywords,
//! and the depth tests that rely on Go lowering its depth limit to 3 for testing.

use crate::template::ast::list_string;
use crate::template::parse::parse;

fn parse_root(name: &str, input: &str) -> Result<String, String> {
    let has = |f: &str| f == "printf" || f == "contains";
    parse(name, input, &has).map(|trees| list_string(&trees[0].root))
}

#[test]
fn go_parse_tests_print_the_same_tree() {
    let ok: &[(&str, &str, &str)] = &[
        ("empty", "", ""),
        ("comment", "{{/*\n\n\n*/}}", ""),
        ("spaces", " \t\n", "\" \\t\\n\""),
        ("text", "some text", "\"some text\""),
        ("field", "{{.X}}", "{{.X}}"),
        ("simple command", "{{printf}}", "{{printf}}"),
        ("$ invocation", "{{$}}", "{{$}}"),
        (
            "variable invocation",
            "{{with $x := 3}}{{$x 23}}{{end}}",
            "{{with $x := 3}}{{$x 23}}{{end}}",
        ),
        ("variable with fields", "{{$.I}}", "{{$.I}}"),
        (
            "multi-word command",
            "{{printf `%d` 23}}",
            "{{printf `%d` 23}}",
        ),
        ("pipeline", "{{.X|.Y}}", "{{.X | .Y}}"),
        ("pipeline with decl", "{{$x := .X|.Y}}", "{{$x := .X | .Y}}"),
        (
            "nested pipeline",
            "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
            "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
        ),
        (
            "field applied to parentheses",
            "{{(.Y .Z).Field}}",
            "{{(.Y .Z).Field}}",
        ),
        (
            "simple if",
            "{{if .X}}hello{{end}}",
            "{{if .X}}\"hello\"{{end}}",
        ),
        (
            "if with else",
            "{{if .X}}true{{else}}false{{end}}",
            "{{if .X}}\"true\"{{else}}\"false\"{{end}}",
        ),
        (
            "if with else if",
            "{{if .X}}true{{else if .Y}}false{{end}}",
            "{{if .X}}\"true\"{{else}}{{if .Y}}\"false\"{{end}}{{end}}",
        ),
        (
            "if else chain",
            "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
            "\"+\"{{if .X}}\"X\"{{else}}{{if .Y}}\"Y\"{{else}}{{if .Z}}\"Z\"{{end}}{{end}}{{end}}\"+\"",
        ),
        (
            "simple range",
            "{{range .X}}hello{{end}}",
            "{{range .X}}\"hello\"{{end}}",
        ),
        (
            "chained field range",
            "{{range .X.Y.Z}}hello{{end}}",
            "{{range .X.Y.Z}}\"hello\"{{end}}",
        ),
        (
            "nested range",
            "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
            "{{range .X}}\"hello\"{{range .Y}}\"goodbye\"{{end}}{{end}}",
        ),
        (
            "range with else",
            "{{range .X}}true{{else}}false{{end}}",
            "{{range .X}}\"true\"{{else}}\"false\"{{end}}",
        ),
        (
            "range over pipeline",
            "{{range .X|.M}}true{{else}}false{{end}}",
            "{{range .X | .M}}\"true\"{{else}}\"false\"{{end}}",
        ),
        (
            "range []int",
            "{{range .SI}}{{.}}{{end}}",
            "{{range .SI}}{{.}}{{end}}",
        ),
        (
            "range 1 var",
            "{{range $x := .SI}}{{.}}{{end}}",
            "{{range $x := .SI}}{{.}}{{end}}",
        ),
        (
            "range 2 vars",
            "{{range $x, $y := .SI}}{{.}}{{end}}",
            "{{range $x, $y := .SI}}{{.}}{{end}}",
        ),
        (
            "range with break",
            "{{range .SI}}{{.}}{{break}}{{end}}",
            "{{range .SI}}{{.}}{{break}}{{end}}",
        ),
        (
            "range with continue",
            "{{range .SI}}{{.}}{{continue}}{{end}}",
            "{{range .SI}}{{.}}{{continue}}{{end}}",
        ),
        (
            "constants",
            "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}",
            "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}",
        ),
        ("template", "{{template `x`}}", "{{template \"x\"}}"),
        (
            "template with arg",
            "{{template `x` .Y}}",
            "{{template \"x\" .Y}}",
        ),
        (
            "with",
            "{{with .X}}hello{{end}}",
            "{{with .X}}\"hello\"{{end}}",
        ),
        (
            "with with else",
            "{{with .X}}hello{{else}}goodbye{{end}}",
            "{{with .X}}\"hello\"{{else}}\"goodbye\"{{end}}",
        ),
        (
            "with with else with",
            "{{with .X}}hello{{else with .Y}}goodbye{{end}}",
            "{{with .X}}\"hello\"{{else}}{{with .Y}}\"goodbye\"{{end}}{{end}}",
        ),
        (
            "with else chain",
            "{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}",
            "{{with .X}}\"X\"{{else}}{{with .Y}}\"Y\"{{else}}{{with .Z}}\"Z\"{{end}}{{end}}{{end}}",
        ),
        ("trim left", "x \r\n\t{{- 3}}", "\"x\"{{3}}"),
        ("trim right", "{{3 -}}\n\n\ty", "{{3}}\"y\""),
        (
            "trim left and right",
            "x \r\n\t{{- 3 -}}\n\n\ty",
            "\"x\"{{3}}\"y\"",
        ),
        (
            "trim with extra spaces",
            "x\n{{-  3   -}}\ny",
            "\"x\"{{3}}\"y\"",
        ),
        ("comment trim left", "x \r\n\t{{- /* hi */}}", "\"x\""),
        ("comment trim right", "{{/* hi */ -}}\n\n\ty", "\"y\""),
        (
            "comment trim left and right",
            "x \r\n\t{{- /* */ -}}\n\n\ty",
            "\"x\"\"y\"",
        ),
        (
            "block definition",
            "{{block \"foo\" .}}hello{{end}}",
            "{{template \"foo\" .}}",
        ),
        (
            "newline in assignment",
            "{{ $x \n := \n 1 \n }}",
            "{{$x := 1}}",
        ),
        (
            "newline in pipeline",
            "{{\n\"x\"\n|\nprintf\n}}",
            "{{\"x\" | printf}}",
        ),
        ("newline in comment", "{{/*\nhello\n*/}}", ""),
        ("newline in trimmed comment", "{{-\n/*\nhello\n*/\n-}}", ""),
        (
            "spaces around continue",
            "{{range .SI}}{{.}}{{ continue }}{{end}}",
            "{{range .SI}}{{.}}{{continue}}{{end}}",
        ),
        (
            "spaces around break",
            "{{range .SI}}{{.}}{{ break }}{{end}}",
            "{{range .SI}}{{.}}{{break}}{{end}}",
        ),
        ("bug0a", "{{$x := 0}}{{$x}}", "{{$x := 0}}{{$x}}"),
        ("bug1c", "{{$x:=.}}{{$x +2}}", "{{$x := .}}{{$x +2}}"),
        (
            "bug2a",
            "{{range $x := 0}}{{$x}}{{end}}",
            "{{range $x := 0}}{{$x}}{{end}}",
        ),
        (
            "bug2b",
            "{{range $x = 0}}{{$x}}{{end}}",
            "{{range $x = 0}}{{$x}}{{end}}",
        ),
        ("paren nesting normal", "{{ (( 1 )) }}", "{{((1))}}"),
        (
            "paren nesting in pipeline",
            "{{ ((( 1 ))) | printf }}",
            "{{(((1))) | printf}}",
        ),
        (
            "paren nesting with other constructs",
            "{{ if ((( true ))) }}YES{{ end }}",
            "{{if (((true)))}}\"YES\"{{end}}",
        ),
    ];
    let mut failures = Vec::new();
    for (name, input, want) in ok {
        match parse_root(name, input) {
            Ok(got) if got == *want => {}
            other => failures.push(format!("{name}: {input:?}: want {want:?}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn go_parse_error_tests_fail_to_parse() {
    let bad: &[(&str, &str)] = &[
        ("emptyAction", "{{}}"),
        ("newline in empty action", "{{\n}}"),
        ("unclosed action", "hello{{range"),
        ("unmatched end", "{{end}}"),
        ("unmatched else", "{{else}}"),
        ("unmatched else after if", "{{if .X}}hello{{end}}{{else}}"),
        ("multiple else", "{{if .X}}1{{else}}2{{else}}3{{end}}"),
        ("missing end", "hello{{range .x}}"),
        ("missing end after else", "hello{{range .x}}{{else}}"),
        ("undefined function", "hello{{undefined}}"),
        ("undefined variable", "{{$x}}"),
        (
            "variable undefined after end",
            "{{with $x := 4}}{{end}}{{$x}}",
        ),
        ("variable undefined in template", "{{template $v}}"),
        ("declare with field", "{{with $x.Y := 4}}{{end}}"),
        ("template with field ref", "{{template .X}}"),
        ("template with var", "{{template $v}}"),
        ("invalid punctuation", "{{printf 3, 4}}"),
        ("multidecl outside range", "{{with $v, $u := 3}}{{end}}"),
        (
            "too many decls in range",
            "{{range $u, $v, $w := 3}}{{end}}",
        ),
        ("dot applied to parentheses", "{{printf (printf .).}}"),
        ("adjacent args", "{{printf 3`x`}}"),
        ("adjacent args with .", "{{printf `x`.}}"),
        (
            "extra end after if",
            "{{if .X}}a{{else if .Y}}b{{end}}{{end}}",
        ),
        ("break outside range", "{{range .}}{{end}} {{break}}"),
        ("continue outside range", "{{range .}}{{end}} {{continue}}"),
        ("break in range else", "{{range .}}{{else}}{{break}}{{end}}"),
        (
            "continue in range else",
            "{{range .}}{{else}}{{continue}}{{end}}",
        ),
        ("bug0b", "{{$x += 1}}{{$x}}"),
        ("bug0c", "{{$x ! 2}}{{$x}}"),
        ("bug0d", "{{$x % 3}}{{$x}}"),
        ("bug0e", "{{range $x := $y := 3}}{{end}}"),
        ("bug1a", "{{$x:=.}}{{$x!2}}"),
        ("bug1b", "{{$x:=.}}{{$x+2}}"),
        ("dot after integer", "{{1.E}}"),
        ("dot after float", "{{0.1.E}}"),
        ("dot after boolean", "{{true.E}}"),
        ("dot after char", "{{'a'.any}}"),
        ("dot after string", r#"{{"hello".guys}}"#),
        ("dot after dot", "{{..E}}"),
        ("dot after nil", "{{nil.E}}"),
        ("wrong pipeline dot", "{{12|.}}"),
        ("wrong pipeline number", "{{.|12|printf}}"),
        ("wrong pipeline string", "{{.|printf|\"error\"}}"),
        ("wrong pipeline char", "{{12|printf|'e'}}"),
        ("wrong pipeline boolean", "{{.|true}}"),
        ("wrong pipeline nil", "{{'c'|nil}}"),
        ("empty pipeline", r#"{{printf "%d" ( ) }}"#),
        ("block without pipeline", r#"{{block "foo"}}hello{{end}}"#),
    ];
    let passed: Vec<_> = bad
        .iter()
        .filter(|(n, i)| parse_root(n, i).is_ok())
        .map(|(n, _)| *n)
        .collect();
    assert!(passed.is_empty(), "parsed but Go rejects: {passed:?}");
}

#[test]
fn go_error_tests_give_gos_messages() {
    let table: &[(&str, &str, &str)] = &[
        ("unclosed1", "line1\n{{", "unclosed1:2: unclosed action"),
        (
            "unclosed2",
            "line1\n{{define `x`}}line2\n{{",
            "unclosed2:3: unclosed action",
        ),
        (
            "unclosed3",
            "line1\n{{\"x\"\n\"y\"\n",
            "unclosed3:4: unclosed action started at unclosed3:2",
        ),
        (
            "unclosed4",
            "{{\n\n\n\n\n",
            "unclosed4:6: unclosed action started at unclosed4:1",
        ),
        (
            "var1",
            "line1\n{{\nx\n}}",
            "var1:3: function \"x\" not defined",
        ),
        ("function", "{{foo}}", "function \"foo\" not defined"),
        ("comment1", "{{/*}}", "comment1:1: unclosed comment"),
        (
            "comment2",
            "{{/*\nhello\n}}",
            "comment2:1: unclosed comment",
        ),
        ("lparen", "{{.X (1 2 3}}", "unclosed left paren"),
        ("rparen", "{{.X 1 2 3 ) }}", "unexpected right paren"),
        ("rparen2", "{{(.X 1 2 3", "unclosed action"),
        ("space", "{{`x`3}}", "in operand"),
        ("idchar", "{{a#}}", "'#'"),
        ("charconst", "{{'a}}", "unterminated character constant"),
        ("stringconst", r#"{{"a}}"#, "unterminated quoted string"),
        ("rawstringconst", "{{`a}}", "unterminated raw quoted string"),
        ("number", "{{0xi}}", "number syntax"),
        (
            "multidefine",
            "{{define `a`}}a{{end}}{{define `a`}}b{{end}}",
            "multiple definition of template",
        ),
        ("eof", "{{range .X}}", "unexpected EOF"),
        (
            "variable",
            "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}",
            "unexpected \":=\"",
        ),
        ("multidecl", "{{$a,$b,$c := 23}}", "too many declarations"),
        ("undefvar", "{{$a}}", "undefined variable"),
        ("wrongdot", "{{true.any}}", "unexpected . after term"),
        (
            "wrongpipeline",
            "{{12|false}}",
            "non executable command in pipeline",
        ),
        (
            "emptypipeline",
            "{{ ( ) }}",
            "missing value for parenthesized pipeline",
        ),
        (
            "multilinerawstring",
            "{{ $v := `\n` }} {{",
            "multilinerawstring:2: unclosed action",
        ),
        ("rangeundefvar", "{{range $k}}{{end}}", "undefined variable"),
        (
            "rangeundefvars",
            "{{range $k, $v}}{{end}}",
            "undefined variable",
        ),
        (
            "rangemissingvalue1",
            "{{range $k,}}{{end}}",
            "missing value for range",
        ),
        (
            "rangemissingvalue2",
            "{{range $k, $v := }}{{end}}",
            "missing value for range",
        ),
        (
            "rangenotvariable1",
            "{{range $k, .}}{{end}}",
            "range can only initialize variables",
        ),
        (
            "rangenotvariable2",
            "{{range $k, 123 := .}}{{end}}",
            "range can only initialize variables",
        ),
        (
            "unterminated raw string line",
            "hello\n\n{{`unterminated\n\n\n\n}}\n some more\n\n",
            "X:3: unterminated raw quoted string",
        ),
    ];
    let mut failures = Vec::new();
    for (name, input, want) in table {
        let pname = if name.starts_with("unterminated") {
            "X"
        } else {
            name
        };
        match parse_root(pname, input) {
            Err(e) if e.contains(want) && e.starts_with("template: ") => {}
            other => failures.push(format!("{name}: want {want:?}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{{{{{}1{}}}}}", "(".repeat(20_000), ")".repeat(20_000));
    let err = crate::template::Template::new("deep")
        .parse(&deep)
        .unwrap_err()
        .to_string();
    assert!(err.contains("max expression depth exceeded"), "{err}");
    let fine = format!("{{{{{}1{}}}}}", "(".repeat(900), ")".repeat(900));
    let t = crate::template::Template::new("fine").parse(&fine).unwrap();
    assert_eq!(
        t.execute("fine", &crate::template::Value::Nil).unwrap(),
        "1"
    );
    drop(t);
    let nested = format!("{}x{}", "{{if 1}}".repeat(900), "{{end}}".repeat(900));
    let t = crate::template::Template::new("nested")
        .parse(&nested)
        .unwrap();
    assert_eq!(
        t.execute("nested", &crate::template::Value::Nil).unwrap(),
        "x"
    );
    drop(t);
    let ifs = "{{if 1}}".repeat(20_000);
    let err = crate::template::Template::new("deep")
        .parse(&ifs)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("max control structure depth exceeded"),
        "{err}"
    );
}

#[test]
fn go_number_tests_parse_like_go() {
    use crate::template::literal::parse_number;
    let ints: &[(&str, i64)] = &[
        ("0", 0),
        ("-0", 0),
        ("73", 73),
        ("7_3", 73),
        ("0b10_010_01", 73),
        ("0B10_010_01", 73),
        ("073", 0o73),
        ("0o73", 0o73),
        ("0O73", 0o73),
        ("0x73", 0x73),
        ("0X73", 0x73),
        ("0x7_3", 0x73),
        ("-73", -73),
        ("+73", 73),
        ("100", 100),
        ("1e9", 1_000_000_000),
        ("-1e9", -1_000_000_000),
        ("0x_1p4", 16),
        ("0X_1P4", 16),
        ("0123", 0o123),
        ("-0x0", 0),
        ("0xdeadbeef", 0xdeadbeef),
        ("'a'", 'a' as i64),
        ("'\\n'", '\n' as i64),
        ("'\\\\'", '\\' as i64),
        ("'\\''", '\'' as i64),
        ("'\\xFF'", 0xFF),
        ("'パ'", 0x30d1),
        ("'\\u30d1'", 0x30d1),
        ("'\\U000030d1'", 0x30d1),
        ("0xef", 0xef),
    ];
    for (text, want) in ints {
        let n = parse_number(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(n.int, Some(*want), "{text}");
    }
    let floats: &[(&str, f64)] = &[
        ("-1.2", -1.2),
        ("1e19", 1e19),
        ("1e1_9", 1e19),
        ("1E19", 1e19),
        ("-1e19", -1e19),
        ("0x_1p-4", 1.0 / 16.0),
    ];
    for (text, want) in floats {
        let n = parse_number(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(n.float, Some(*want), "{text}");
        assert_eq!(n.int, None, "{text}");
    }
    for bad in [
        "+-2",
        "0x123.",
        "1e.",
        "0xi.",
        "1+2.",
        "'x",
        "'xx'",
        "'433937734937734969526500969526500'",
    ] {
        assert!(parse_number(bad).is_err(), "{bad} parsed");
    }
}
