//! Cases ported from Go's `text/template/exec_test.go` (`execTests`, `cmpTests` and the named tests).
//! Expected outputs are Go's. Skipped, because our value model has no such thing: complex numbers,
//! unsigned and sized integer types and maps with non-string keys, channels, pointers and typed nil
//! pointers, `String()`/`Error()` methods on data, struct field types in error messages, and
//! non-empty interface types.

use super::fixtures::{T, funcs};
use super::{Case, json, nil, run_cases};
use crate::template::Value;

fn t() -> Value {
    T::value()
}
fn int13() -> Value {
    Value::Int(13)
}
fn int5() -> Value {
    Value::Int(5)
}
fn zero() -> Value {
    Value::Int(0)
}
fn float() -> Value {
    Value::Float(15.1)
}
fn yes() -> Value {
    Value::Bool(true)
}
fn hello() -> Value {
    Value::from("hello")
}
fn its() -> Value {
    Value::from("It'd be nice.")
}
fn slice() -> Value {
    json(serde_json::json!([-1, -2, -3]))
}
fn two22() -> Value {
    json(serde_json::json!({"two": 22}))
}
fn cause() -> Value {
    json(serde_json::json!({"cause": "neglect"}))
}
fn int123() -> Value {
    Value::Int(123)
}

macro_rules! cases {
    ($($name:literal, $input:expr, $data:expr, $want:expr;)*) => {
        vec![$(Case { name: $name, input: $input, data: $data, want: $want }),*]
    };
}

fn exec_tests() -> Vec<Case> {
    cases![
        // Trivial cases.
        "empty", "", nil, Ok("");
        "text", "some text", nil, Ok("some text");
        "nil action", "{{nil}}", nil, Err("nil is not a command");
        // Ideal constants.
        "ideal int", "{{typeOf 3}}", zero, Ok("int");
        "ideal float", "{{typeOf 1.0}}", zero, Ok("float64");
        "ideal exp float", "{{typeOf 1e1}}", zero, Ok("float64");
        "ideal int big", "{{typeOf 0x7fffffffffffffff}}", zero, Ok("int");
        "ideal too big", "{{typeOf 0x8000000000000000}}", zero, Err("overflows int");
        "ideal nil without type", "{{nil}}", zero, Err("nil is not a command");
        // Fields of structs.
        ".X", "-{{.X}}-", t, Ok("-x-");
        ".U.V", "-{{.U.V}}-", t, Ok("-v-");
        ".unexported", "{{.unexported}}", t, Err("can't evaluate field unexported in type *template.T");
        // Fields on maps.
        "map .one", "{{.MSI.one}}", t, Ok("1");
        "map .two", "{{.MSI.two}}", t, Ok("2");
        "map .NO", "{{.MSI.NO}}", t, Ok("<no value>");
        "map .one interface", "{{.MXI.one}}", t, Ok("1");
        "map .WRONG args", "{{.MSI.one 1}}", t, Err("one is not a method but has arguments");
        // Dots of all kinds to test basic evaluation.
        "dot int", "<{{.}}>", int13, Ok("<13>");
        "dot float", "<{{.}}>", float, Ok("<15.1>");
        "dot bool", "<{{.}}>", yes, Ok("<true>");
        "dot string", "<{{.}}>", hello, Ok("<hello>");
        "dot slice", "<{{.}}>", slice, Ok("<[-1 -2 -3]>");
        "dot map", "<{{.}}>", two22, Ok("<map[two:22]>");
        // Variables.
        "$ int", "{{$}}", int123, Ok("123");
        "$.I", "{{$.I}}", t, Ok("17");
        "$.U.V", "{{$.U.V}}", t, Ok("v");
        "declare in action", "{{$x := $.U.V}}{{$x}}", t, Ok("v");
        "simple assignment", "{{$x := 2}}{{$x = 3}}{{$x}}", t, Ok("3");
        "nested assignment", "{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}", t, Ok("3");
        "nested assignment changes the last declaration",
            "{{$x := 1}}{{if true}}{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{end}}{{$x}}", t, Ok("1");
        // Pointers, as plain values.
        "*int", "{{.PI}}", t, Ok("23");
        "*string", "{{.PS}}", t, Ok("a string");
        "*[]int", "{{.PSI}}", t, Ok("[21 22 23]");
        "*[]int[1]", "{{index .PSI 1}}", t, Ok("22");
        // Empty interfaces holding values.
        "empty nil", "{{.Empty0}}", t, Ok("<no value>");
        "empty with int", "{{.Empty1}}", t, Ok("3");
        "empty with string", "{{.Empty2}}", t, Ok("empty2");
        "empty with slice", "{{.Empty3}}", t, Ok("[7 8]");
        "empty with struct", "{{.Empty4}}", t, Ok("{UinEmpty}");
        "empty with struct, field", "{{.Empty4.V}}", t, Ok("UinEmpty");
        // Method calls.
        ".Method0", "-{{.Method0}}-", t, Ok("-M0-");
        ".Method1(1234)", "-{{.Method1 1234}}-", t, Ok("-1234-");
        ".Method1(.I)", "-{{.Method1 .I}}-", t, Ok("-17-");
        ".Method2(3, .X)", "-{{.Method2 3 .X}}-", t, Ok("-Method2: 3 x-");
        ".Method2(.U16, `str`)", "-{{.Method2 .U16 `str`}}-", t, Ok("-Method2: 16 str-");
        ".Method2(.U16, $x)", "{{if $x := .X}}-{{.Method2 .U16 $x}}{{end}}-", t, Ok("-Method2: 16 x-");
        ".Method3(nil constant)", "-{{.Method3 nil}}-", t, Ok("-Method3: <nil>-");
        ".Method3(nil value)", "-{{.Method3 .MXI.unset}}-", t, Ok("-Method3: <nil>-");
        "method on var", "{{if $x := .}}-{{$x.Method2 .U16 $x.X}}{{end}}-", t, Ok("-Method2: 16 x-");
        "method on chained var",
            "{{range .MSIone}}{{if $.U.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}",
            t, Ok("true");
        "chained method",
            "{{range .MSIone}}{{if $.GetU.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}",
            t, Ok("true");
        "chained method on variable", "{{with $x := .}}{{with .SI}}{{$.GetU.TrueFalse $.True}}{{end}}{{end}}",
            t, Ok("true");
        ".NilOKFunc not nil", "{{call .NilOKFunc .PI}}", t, Ok("false");
        ".NilOKFunc nil", "{{call .NilOKFunc nil}}", t, Ok("true");
        // Function call builtin.
        ".BinaryFunc", "{{call .BinaryFunc `1` `2`}}", t, Ok("[1=2]");
        ".VariadicFunc0", "{{call .VariadicFunc}}", t, Ok("<>");
        ".VariadicFunc2", "{{call .VariadicFunc `he` `llo`}}", t, Ok("<he+llo>");
        ".VariadicFuncInt", "{{call .VariadicFuncInt 33 `he` `llo`}}", t, Ok("33=<he+llo>");
        "if .BinaryFunc call", "{{ if .BinaryFunc}}{{call .BinaryFunc `1` `2`}}{{end}}", t, Ok("[1=2]");
        "if not .BinaryFunc call", "{{ if not .BinaryFunc}}{{call .BinaryFunc `1` `2`}}{{else}}No{{end}}", t, Ok("No");
        ".ErrFunc", "{{call .ErrFunc}}", t, Ok("bla");
        "call nil", "{{call nil}}", t, Err("call of nil");
        // Erroneous function calls (check args).
        ".BinaryFuncTooFew", "{{call .BinaryFunc `1`}}", t, Err("error calling call");
        ".BinaryFuncTooMany", "{{call .BinaryFunc `1` `2` `3`}}", t, Err("error calling call");
        ".BinaryFuncBad0", "{{call .BinaryFunc 1 3}}", t, Err("error calling call");
        ".BinaryFuncBad1", "{{call .BinaryFunc `1` 3}}", t, Err("error calling call");
        ".VariadicFuncBad0", "{{call .VariadicFunc 3}}", t, Err("error calling call");
        ".VariadicFuncIntBad0", "{{call .VariadicFuncInt}}", t, Err("error calling call");
        ".VariadicFuncIntBad`", "{{call .VariadicFuncInt `x`}}", t, Err("error calling call");
        ".VariadicFuncNilBad", "{{call .VariadicFunc nil}}", t, Err("error calling call");
        // Pipelines.
        "pipeline", "-{{.Method0 | .Method2 .U16}}-", t, Ok("-Method2: 16 M0-");
        "pipeline func", "-{{call .VariadicFunc `llo` | call .VariadicFunc `he` }}-", t, Ok("-<he+<llo>>-");
        // Nil values aren't missing arguments.
        "nil pipeline", "{{ .Empty0 | call .NilOKFunc }}", t, Ok("true");
        "nil call arg", "{{ call .NilOKFunc .Empty0 }}", t, Ok("true");
        // Parenthesized expressions.
        "parens in pipeline", "{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}", t, Ok("1 5 15");
        "parens: $ in paren", "{{($).X}}", t, Ok("x");
        "parens: $.GetU in paren", "{{($.GetU).V}}", t, Ok("v");
        "parens: $ in paren in pipe", "{{($ | echo).X}}", t, Ok("x");
        "parens: spaces and args", r#"{{(makemap "up" "down" "left" "right").left}}"#, t, Ok("right");
        // If.
        "if true", "{{if true}}TRUE{{end}}", t, Ok("TRUE");
        "if false", "{{if false}}TRUE{{else}}FALSE{{end}}", t, Ok("FALSE");
        "if nil", "{{if nil}}TRUE{{end}}", t, Err("nil is not a command");
        "if on typed nil interface value", "{{if .Empty0}}TRUE{{end}}", t, Ok("");
        "if 1", "{{if 1}}NON-ZERO{{else}}ZERO{{end}}", t, Ok("NON-ZERO");
        "if 0", "{{if 0}}NON-ZERO{{else}}ZERO{{end}}", t, Ok("ZERO");
        "if 1.5", "{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}", t, Ok("NON-ZERO");
        "if 0.0", "{{if .FloatZero}}NON-ZERO{{else}}ZERO{{end}}", t, Ok("ZERO");
        "if emptystring", "{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "if string", "{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}", t, Ok("NON-EMPTY");
        "if emptyslice", "{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "if slice", "{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}", t, Ok("NON-EMPTY");
        "if emptymap", "{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "if map", "{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}", t, Ok("NON-EMPTY");
        "if map unset", "{{if .MXI.none}}NON-ZERO{{else}}ZERO{{end}}", t, Ok("ZERO");
        "if map not unset", "{{if not .MXI.none}}ZERO{{else}}NON-ZERO{{end}}", t, Ok("ZERO");
        "if $x with $y int", "{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}", t, Ok("true,17");
        "if $x with $x int", "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}", t, Ok("17,true");
        "if else if", "{{if false}}FALSE{{else if true}}TRUE{{end}}", t, Ok("TRUE");
        "if else chain", "{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", t, Ok("3");
        // Print etc.
        "print", r#"{{print "hello, print"}}"#, t, Ok("hello, print");
        "print 123", "{{print 1 2 3}}", t, Ok("1 2 3");
        "print nil", "{{print nil}}", t, Ok("<nil>");
        "println", "{{println 1 2 3}}", t, Ok("1 2 3\n");
        "printf int", r#"{{printf "%04x" 127}}"#, t, Ok("007f");
        "printf float", r#"{{printf "%g" 3.5}}"#, t, Ok("3.5");
        "printf string", r#"{{printf "%s" "hello"}}"#, t, Ok("hello");
        "printf function", r#"{{printf "%#q" zeroArgs}}"#, t, Ok("`zeroArgs`");
        "printf field", r#"{{printf "%s" .U.V}}"#, t, Ok("v");
        "printf method", r#"{{printf "%s" .Method0}}"#, t, Ok("M0");
        "printf dot", r#"{{with .I}}{{printf "%d" .}}{{end}}"#, t, Ok("17");
        "printf var", r#"{{with $x := .I}}{{printf "%d" $x}}{{end}}"#, t, Ok("17");
        // HTML.
        "html", r#"{{html "<script>alert(\"XSS\");</script>"}}"#, nil,
            Ok("&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;");
        "html pipeline", r#"{{printf "<script>alert(\"XSS\");</script>" | html}}"#, nil,
            Ok("&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;");
        "html ps", "{{html .PS}}", t, Ok("a string");
        "html untyped nil", "{{html .Empty0}}", t, Ok("&lt;no value&gt;");
        // JavaScript.
        "js", "{{js .}}", its, Ok(r"It\'d be nice.");
        // URL query.
        "urlquery", r#"{{"http://www.example.org/"|urlquery}}"#, nil, Ok("http%3A%2F%2Fwww.example.org%2F");
        // Booleans.
        "not", "{{not true}} {{not false}}", nil, Ok("false true");
        "and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", nil, Ok("false 0 0 1");
        "or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", nil, Ok("0 1 true 1");
        "or short-circuit", "{{or 0 1 (index nil 0)}}", nil, Ok("1");
        "and short-circuit", "{{and 1 0 (index nil 0)}}", nil, Ok("0");
        "or short-circuit2", "{{or 0 0 (index nil 0)}}", nil, Err("index of untyped nil");
        "and short-circuit2", "{{and 1 1 (index nil 0)}}", nil, Err("index of untyped nil");
        "and pipe-true", "{{1 | and 1}}", nil, Ok("1");
        "and pipe-false", "{{0 | and 1}}", nil, Ok("0");
        "or pipe-true", "{{1 | or 0}}", nil, Ok("1");
        "or pipe-false", "{{0 | or 0}}", nil, Ok("0");
        "and undef", "{{and 1 .Unknown}}", nil, Ok("<no value>");
        "or undef", "{{or 0 .Unknown}}", nil, Ok("<no value>");
        "boolean if", "{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}", t, Ok("TRUE");
        "boolean if not", "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}", nil, Ok("FALSE");
        "boolean if pipe", "{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}", nil, Ok("FALSE");
        // Indexing.
        "slice[0]", "{{index .SI 0}}", t, Ok("3");
        "slice[1]", "{{index .SI 1}}", t, Ok("4");
        "slice[HUGE]", "{{index .SI 10}}", t, Err("index out of range: 10");
        "slice[WRONG]", "{{index .SI `hello`}}", t, Err("cannot index slice/array with type string");
        "slice[nil]", "{{index .SI nil}}", t, Err("cannot index slice/array with nil");
        "map[one]", "{{index .MSI `one`}}", t, Ok("1");
        "map[two]", "{{index .MSI `two`}}", t, Ok("2");
        "map[nil]", "{{index .MSI nil}}", t, Err("value is nil; should be of type string");
        "map[WRONG]", "{{index .MSI 10}}", t, Err("value has type int; should be string");
        "double index", "{{index .SMSI 1 `eleven`}}", t, Ok("11");
        "nil[1]", "{{index nil 1}}", t, Err("index of untyped nil");
        "string[0]", "{{index `abc` 1}}", t, Ok("98");
        // Slicing.
        "slice[:]", "{{slice .SI}}", t, Ok("[3 4 5]");
        "slice[1:]", "{{slice .SI 1}}", t, Ok("[4 5]");
        "slice[1:2]", "{{slice .SI 1 2}}", t, Ok("[4]");
        "slice[-1:]", "{{slice .SI -1}}", t, Err("index out of range: -1");
        "slice[1:-2]", "{{slice .SI 1 -2}}", t, Err("index out of range: -2");
        "slice[1:2:-1]", "{{slice .SI 1 2 -1}}", t, Err("index out of range: -1");
        "slice[2:1]", "{{slice .SI 2 1}}", t, Err("invalid slice index: 2 > 1");
        "slice[2:2:1]", "{{slice .SI 2 2 1}}", t, Err("invalid slice index: 2 > 1");
        "out of range", "{{slice .SI 4 5}}", t, Err("index out of range: 4");
        "out of range no error", "{{slice .SI 3}}", t, Ok("[]");
        "3-index slice of string", "{{slice .X 0 1 2}}", t, Err("cannot 3-index slice a string");
        "slice[1:2:2]", "{{slice .SI 1 2 2}}", t, Ok("[4]");
        "string[:]", "{{slice .PS}}", t, Ok("a string");
        "string[0:1]", "{{slice .PS 0 1}}", t, Ok("a");
        "string[:1]", "{{slice .PS 2}}", t, Ok("string");
        "string[1:2:3]", "{{slice .PS 1 2 3}}", t, Err("cannot 3-index slice a string");
        "slice of nil", "{{slice nil}}", t, Err("slice of untyped nil");
        "slice out of range 3-index", "{{slice .SI 2 2 5}}", t, Err("index out of range: 5");
        "slice of an interface field", "{{slice .Empty3 0 1}}", t, Ok("[7]");
        "string out of range", "{{slice .X 1 5}}", t, Err("index out of range: 5");
        "index of an interface field", "{{index .Empty3 0}}", t, Ok("7");
        "slice of int", "{{slice 1}}", t, Err("can't slice item of type int");
        // Len.
        "slice", "{{len .SI}}", t, Ok("3");
        "map", "{{len .MSI }}", t, Ok("3");
        "len of int", "{{len 3}}", t, Err("len of type int");
        "len of nothing", "{{len .Empty0}}", t, Err("len of");
        "len of an interface field", "{{len .Empty3}}", t, Ok("2");
        // With.
        "with true", "{{with true}}{{.}}{{end}}", t, Ok("true");
        "with false", "{{with false}}{{.}}{{else}}FALSE{{end}}", t, Ok("FALSE");
        "with 1", "{{with 1}}{{.}}{{else}}ZERO{{end}}", t, Ok("1");
        "with 0", "{{with 0}}{{.}}{{else}}ZERO{{end}}", t, Ok("ZERO");
        "with 1.5", "{{with 1.5}}{{.}}{{else}}ZERO{{end}}", t, Ok("1.5");
        "with 0.0", "{{with .FloatZero}}{{.}}{{else}}ZERO{{end}}", t, Ok("ZERO");
        "with emptystring", "{{with ``}}{{.}}{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "with string", "{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}", t, Ok("notempty");
        "with emptyslice", "{{with .SIEmpty}}{{.}}{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "with slice", "{{with .SI}}{{.}}{{else}}EMPTY{{end}}", t, Ok("[3 4 5]");
        "with emptymap", "{{with .MSIEmpty}}{{.}}{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "with map", "{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}", t, Ok("map[one:1]");
        "with empty interface, struct field", "{{with .Empty4}}{{.V}}{{end}}", t, Ok("UinEmpty");
        "with $x int", "{{with $x := .I}}{{$x}}{{end}}", t, Ok("17");
        "with $x struct.U.V", "{{with $x := $}}{{$x.U.V}}{{end}}", t, Ok("v");
        "with variable and action", "{{with $x := $}}{{$y := $.U.V}}{{$y}}{{end}}", t, Ok("v");
        "with on typed nil interface value", "{{with .Empty0}}TRUE{{ end }}", t, Ok("");
        "with else with", "{{with 0}}{{.}}{{else with true}}{{.}}{{end}}", t, Ok("true");
        "with else with chain", "{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}", t,
            Ok("notempty");
        // Range.
        "range []int", "{{range .SI}}-{{.}}-{{end}}", t, Ok("-3--4--5-");
        "range empty no else", "{{range .SIEmpty}}-{{.}}-{{end}}", t, Ok("");
        "range []int else", "{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}", t, Ok("-3--4--5-");
        "range empty else", "{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "range []int break else", "{{range .SI}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}", t, Ok("-3-");
        "range []int continue else", "{{range .SI}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}", t,
            Ok("-3--4--5-");
        "range []bool", "{{range .SB}}-{{.}}-{{end}}", t, Ok("-true--false-");
        "range []int method", "{{range .SI | .MAdd .I}}-{{.}}-{{end}}", t, Ok("-20--21--22-");
        "range map", "{{range .MSI}}-{{.}}-{{end}}", t, Ok("-1--3--2-");
        "range empty map no else", "{{range .MSIEmpty}}-{{.}}-{{end}}", t, Ok("");
        "range map else", "{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}", t, Ok("-1--3--2-");
        "range empty map else", "{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", t, Ok("EMPTY");
        "range empty interface", "{{range .Empty3}}-{{.}}-{{else}}EMPTY{{end}}", t, Ok("-7--8-");
        "range empty nil", "{{range .Empty0}}-{{.}}-{{end}}", t, Ok("");
        "range $x SI", "{{range $x := .SI}}<{{$x}}>{{end}}", t, Ok("<3><4><5>");
        "range $x $y SI", "{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}", t, Ok("<0=3><1=4><2=5>");
        "range $x MSIone", "{{range $x := .MSIone}}<{{$x}}>{{end}}", t, Ok("<1>");
        "range $x $y MSIone", "{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}", t, Ok("<one=1>");
        "range $x PSI", "{{range $x := .PSI}}<{{$x}}>{{end}}", t, Ok("<21><22><23>");
        "declare in range", "{{range $x := .PSI}}<{{$foo:=$x}}{{$x}}>{{end}}", t, Ok("<21><22><23>");
        "range int", "{{range 5}}{{.}} {{end}}", nil, Ok("0 1 2 3 4 ");
        "range int var", "{{range $i := 3}}{{$i}}{{end}}", nil, Ok("012");
        "range int zero else", "{{range 0}}x{{else}}empty{{end}}", nil, Ok("empty");
        "range int two vars", "{{range $i, $x := 3}}{{end}}", nil, Err("can't use 3 to iterate over more than one variable");
        "range string", "{{range `abc`}}{{.}}{{end}}", nil, Err("range can't iterate over abc");
        "range assign", "{{$i := 0}}{{$x := 0}}{{range $i, $x = .SI}}{{end}}{{$i}}={{$x}}", t, Ok("2=5");
        "range assign one", "{{$x := 0}}{{range $x = .SI}}{{end}}{{$x}}", t, Ok("5");
        // Cute examples.
        "or as if true", r#"{{or .SI "slice is empty"}}"#, t, Ok("[3 4 5]");
        "or as if false", r#"{{or .SIEmpty "slice is empty"}}"#, t, Ok("slice is empty");
        // Error handling.
        "error method, error", "{{.MyError true}}", t, Err("my error");
        "error method, no error", "{{.MyError false}}", t, Ok("false");
        // Fixed bugs.
        "bug0", "{{range .MSIone}}{{if $.Method1 .}}X{{end}}{{end}}", t, Ok("X");
        "bug3", "{{with $}}{{.Method0}}{{end}}", t, Ok("M0");
        "bug4", "{{if .Empty0}}non-nil{{else}}nil{{end}}", t, Ok("nil");
        "bug7a", "{{3 2}}", t, Err("can't give argument to non-function 3");
        "bug7b", "{{$x := 1}}{{$x 2}}", t, Err("can't give argument to non-function $x");
        "bug7c", "{{$x := 1}}{{3 | $x}}", t, Err("can't give argument to non-function $x");
        "bug8a", "{{3|oneArg}}", t, Err("error calling oneArg");
        "bug9", "{{.cause}}", cause, Ok("neglect");
        "bug10", "{{mapOfThree.three}}-{{(mapOfThree).three}}", zero, Ok("3-3");
        "bug12xe", "{{printf `%T` 0xef}}", t, Ok("int");
        "bug12xE", "{{printf `%T` 0xEE}}", t, Ok("int");
        "bug12Xe", "{{printf `%T` 0Xef}}", t, Ok("int");
        "bug12XE", "{{printf `%T` 0XEE}}", t, Ok("int");
        "bug13", "{{print (.Copy).I}}", t, Ok("17");
        "bug14a", "{{(nil).True}}", t, Err("nil is not a command");
        "bug14c", r#"{{$x := (1.0)}}{{$y := ("hello")}}{{$x.anything}}{{$y.true}}"#, t,
            Err("can't evaluate field anything in type float64");
        "bug15", "{{valueString returnInt}}", t, Err("error calling valueString");
        "bug16a", "{{true|printf}}", t, Err("wrong type for value; expected string; got bool");
        "bug16b", "{{1|printf}}", t, Err("wrong type for value; expected string; got int");
        "bug16c", "{{1.1|printf}}", t, Err("wrong type for value; expected string; got float64");
        "bug16d", "{{'x'|printf}}", t, Err("wrong type for value; expected string; got int");
        "bug16f", "{{true|twoArgs \"xxx\"}}", t, Err("error calling twoArgs");
        "bug16g", "{{\"aaa\" |twoArgs \"bbb\"}}", t, Ok("twoArgs=bbbaaa");
        "bug16h", "{{1|oneArg}}", t, Err("error calling oneArg");
        "bug16i", "{{\"aaa\"|oneArg}}", t, Ok("oneArg=aaa");
        "bug16k", "{{\"aaa\"|printf }}", t, Ok("aaa");
        "bug18a", "{{eq . '.'}}", || Value::Int(46), Ok("true");
        "bug18b", "{{eq . 'e'}}", || Value::Int(101), Ok("true");
        "bug18c", "{{eq . 'P'}}", || Value::Int(80), Ok("true");
    ]
}

#[test]
fn go_exec_tests_produce_gos_output() {
    run_cases(&exec_tests(), &funcs());
}

#[test]
fn a_nested_template_error_names_the_innermost_template_and_its_position() {
    let text = "line 1\nline 2\nline 3\n{{template \"one\" .}}\n{{define \"one\"}}{{template \"two\" .}}{{end}}\n\
                {{define \"two\"}}{{template \"three\" .}}{{end}}\n{{define \"three\"}}{{index \"hi\" $}}{{end}}";
    let t = crate::template::Template::new("top").parse(text).unwrap();
    let err = t.execute("top", &int5()).unwrap_err().to_string();
    assert_eq!(
        err,
        "template: top:7:20: executing \"three\" at <index \"hi\" $>: error calling index: index out of range: 5"
    );
}

#[test]
fn missing_map_keys_follow_the_missingkey_option() {
    use crate::template::{MissingKey, Options, Template};
    let data = json(serde_json::json!({"x": 99}));
    let run = |mk| {
        Template::new("t1")
            .options(Options { missing_key: mk })
            .parse("{{.x}} {{.y}}")
            .unwrap()
            .execute("t1", &data)
            .map_err(|e| e.to_string())
    };
    assert_eq!(run(MissingKey::Default).unwrap(), "99 <no value>");
    // Go prints the zero of the element type; for Helm's map[string]interface{} that is a nil interface.
    assert_eq!(run(MissingKey::Zero).unwrap(), "99 <no value>");
    assert!(
        run(MissingKey::Error)
            .unwrap_err()
            .contains("map has no entry for key \"y\"")
    );
    let nil_data = Template::new("t")
        .options(Options {
            missing_key: MissingKey::Error,
        })
        .parse("{{.x}}")
        .unwrap()
        .execute("t", &Value::Nil);
    assert!(
        nil_data
            .unwrap_err()
            .to_string()
            .contains("nil data; no entry for key \"x\"")
    );
}

#[test]
fn block_defines_a_default_that_a_later_define_overrides() {
    use crate::template::Template;
    let mut t = Template::new("outer")
        .parse(r#"a({{block "inner" .}}bar({{.}})baz{{end}})b"#)
        .unwrap();
    assert_eq!(t.execute("outer", &hello()).unwrap(), "a(bar(hello)baz)b");
    t.add("overlay", r#"{{define "inner"}}foo({{.}})bar{{end}}"#)
        .unwrap();
    assert_eq!(
        t.execute("outer", &Value::from("goodbye")).unwrap(),
        "a(foo(goodbye)bar)b"
    );
}

#[test]
fn a_recursive_template_walks_a_tree() {
    let tree = json(serde_json::json!({"Val": 1,
        "Left": {"Val": 2, "Left": {"Val": 3, "Left": {"Val": 4}}, "Right": {"Val": 5, "Left": {"Val": 6}}},
        "Right": {"Val": 7, "Left": {"Val": 8, "Left": {"Val": 9}}, "Right": {"Val": 10, "Left": {"Val": 11}}}}));
    let text = "\n\t{{- define \"tree\" -}}\n\t[\n\t\t{{- .Val -}}\n\t\t{{- with .Left -}}\n\t\t\t{{template \"tree\" . -}}\n\
                \t\t{{- end -}}\n\t\t{{- with .Right -}}\n\t\t\t{{- template \"tree\" . -}}\n\t\t{{- end -}}\n\t]\n\t{{- end -}}\n";
    let t = crate::template::Template::new("root").parse(text).unwrap();
    assert_eq!(
        t.execute("tree", &tree).unwrap(),
        "[1[2[3[4]][5[6]]][7[8[9]][10[11]]]]"
    );
}
