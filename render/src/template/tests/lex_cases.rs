//! Cases ported from Go's `text/template/parse/lex_test.go` (`lexTests`). Skipped: complex numbers and
//! custom delimiters. Go reports a character outside ASCII punctuation as unrecognized; other printable
//! ASCII is passed to the parser, which rejects it.

use crate::template::lex::{Tok, lex};

fn kinds(src: &str) -> Vec<Tok> {
    lex(src).into_iter().map(|t| t.tok).collect()
}

fn num(s: &str) -> Tok {
    Tok::Number(s.into())
}
fn field(s: &str) -> Tok {
    Tok::Field(s.into())
}
fn var(s: &str) -> Tok {
    Tok::Variable(s.into())
}
fn ident(s: &str) -> Tok {
    Tok::Ident(s.into())
}
fn err(s: &str) -> Tok {
    Tok::Error(s.into())
}

#[test]
fn go_lex_tests_produce_the_same_tokens() {
    use Tok::{
        Comma, Declare, Dot, Eof, LeftDelim as L, LeftParen, Pipe, RightDelim as R, RightParen,
        Space as S,
    };
    let cases: Vec<(&str, Vec<Tok>)> = vec![
        ("", vec![Eof]),
        (" \t\n", vec![Tok::Text(" \t\n".into()), Eof]),
        (
            "now is the time",
            vec![Tok::Text("now is the time".into()), Eof],
        ),
        (
            "hello-{{/* this is a comment */}}-world",
            vec![Tok::Text("hello-".into()), Tok::Text("-world".into()), Eof],
        ),
        (
            "{{,@% }}",
            vec![L, Comma, Tok::Punct('@'), Tok::Punct('%'), S, R, Eof],
        ),
        (
            "{{((3))}}",
            vec![
                L,
                LeftParen,
                LeftParen,
                num("3"),
                RightParen,
                RightParen,
                R,
                Eof,
            ],
        ),
        ("{{}}", vec![L, R, Eof]),
        ("{{for}}", vec![L, ident("for"), R, Eof]),
        (
            r#"{{"abc \n\t\" "}}"#,
            vec![L, Tok::Str(r#""abc \n\t\" ""#.into()), R, Eof],
        ),
        (
            "{{`abc\\n\\t\\\" `}}",
            vec![L, Tok::RawStr("`abc\\n\\t\\\" `".into()), R, Eof],
        ),
        (
            "{{`now is{{\n}}the time`}}",
            vec![L, Tok::RawStr("`now is{{\n}}the time`".into()), R, Eof],
        ),
        (
            "{{1 02 0x14 1e3 +1.2e-4}}",
            vec![
                L,
                num("1"),
                S,
                num("02"),
                S,
                num("0x14"),
                S,
                num("1e3"),
                S,
                num("+1.2e-4"),
                R,
                Eof,
            ],
        ),
        (
            r"{{'a' '\n' '\'' '\\' '\u00FF' '\xFF' '本'}}",
            vec![
                L,
                Tok::Char("'a'".into()),
                S,
                Tok::Char(r"'\n'".into()),
                S,
                Tok::Char(r"'\''".into()),
                S,
                Tok::Char(r"'\\'".into()),
                S,
                Tok::Char(r"'\u00FF'".into()),
                S,
                Tok::Char(r"'\xFF'".into()),
                S,
                Tok::Char("'本'".into()),
                R,
                Eof,
            ],
        ),
        (
            "{{true false}}",
            vec![L, Tok::Bool(true), S, Tok::Bool(false), R, Eof],
        ),
        ("{{.}}", vec![L, Dot, R, Eof]),
        ("{{nil}}", vec![L, Tok::Nil, R, Eof]),
        (
            "{{.x . .2 .x.y.z}}",
            vec![
                L,
                field("x"),
                S,
                Dot,
                S,
                num(".2"),
                S,
                field("x"),
                field("y"),
                field("z"),
                R,
                Eof,
            ],
        ),
        (
            "{{range if else end with}}",
            vec![
                L,
                Tok::Keyword("range"),
                S,
                Tok::Keyword("if"),
                S,
                Tok::Keyword("else"),
                S,
                Tok::Keyword("end"),
                S,
                Tok::Keyword("with"),
                R,
                Eof,
            ],
        ),
        (
            "{{$c := printf $ $hello $23 $ $var.Field .Method}}",
            vec![
                L,
                var("$c"),
                S,
                Declare,
                S,
                ident("printf"),
                S,
                var("$"),
                S,
                var("$hello"),
                S,
                var("$23"),
                S,
                var("$"),
                S,
                var("$var"),
                field("Field"),
                S,
                field("Method"),
                R,
                Eof,
            ],
        ),
        ("{{$x 23}}", vec![L, var("$x"), S, num("23"), R, Eof]),
        (
            r#"intro {{echo hi 1.2 |noargs|args 1 "hi"}} outro"#,
            vec![
                Tok::Text("intro ".into()),
                L,
                ident("echo"),
                S,
                ident("hi"),
                S,
                num("1.2"),
                S,
                Pipe,
                ident("noargs"),
                Pipe,
                ident("args"),
                S,
                num("1"),
                S,
                Tok::Str("\"hi\"".into()),
                R,
                Tok::Text(" outro".into()),
                Eof,
            ],
        ),
        (
            "{{$v := 3}}",
            vec![L, var("$v"), S, Declare, S, num("3"), R, Eof],
        ),
        (
            "{{$v , $w := 3}}",
            vec![
                L,
                var("$v"),
                S,
                Comma,
                S,
                var("$w"),
                S,
                Declare,
                S,
                num("3"),
                R,
                Eof,
            ],
        ),
        (
            "{{(.X).Y}}",
            vec![L, LeftParen, field("X"), RightParen, field("Y"), R, Eof],
        ),
        (
            "hello- {{- 3 -}} -world",
            vec![
                Tok::Text("hello-".into()),
                L,
                num("3"),
                R,
                Tok::Text("-world".into()),
                Eof,
            ],
        ),
        (
            "hello- {{- /* hello */ -}} -world",
            vec![Tok::Text("hello-".into()), Tok::Text("-world".into()), Eof],
        ),
        (
            "#{{\x01}}",
            vec![
                Tok::Text("#".into()),
                L,
                err("unrecognized character in action: U+0001"),
            ],
        ),
        (
            "{{range",
            vec![L, Tok::Keyword("range"), err("unclosed action")],
        ),
        ("{{\"\n\"}}", vec![L, err("unterminated quoted string")]),
        ("{{`xx}}", vec![L, err("unterminated raw quoted string")]),
        ("{{'\n}}", vec![L, err("unterminated character constant")]),
        ("{{3k}}", vec![L, err("bad number syntax: \"3k\"")]),
        (
            "{{(3}}",
            vec![L, LeftParen, num("3"), err("unclosed left paren")],
        ),
        ("{{3)}}", vec![L, num("3"), err("unexpected right paren")]),
        ("{{|||||}}", vec![L, Pipe, Pipe, Pipe, Pipe, Pipe, R, Eof]),
        (
            "hello-{{/*/}}-world",
            vec![Tok::Text("hello-".into()), err("unclosed comment")],
        ),
        (
            "hello-{{/* */ }}-world",
            vec![
                Tok::Text("hello-".into()),
                err("comment ends before closing delimiter"),
            ],
        ),
        (
            "hello-{.}}-world",
            vec![Tok::Text("hello-{.}}-world".into()), Eof],
        ),
    ];
    let mut failures = Vec::new();
    for (input, want) in &cases {
        let got = kinds(input);
        if &got != want {
            failures.push(format!("{input:?}:\n    want {want:?}\n    got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn go_lex_positions_are_byte_offsets() {
    let toks = lex("0123{{hello}}xyz");
    let pos: Vec<usize> = toks.iter().map(|t| t.pos).collect();
    assert_eq!(pos, vec![0, 4, 6, 11, 13, 16]);
}
