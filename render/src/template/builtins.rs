//! Go's predefined template functions, with Go's argument checks and error texts.

use super::ast::Arg;
use super::exec::{At, State};
use super::value::Value;
use super::{Result, fmt};

mod compare;
mod escape;

/// The predefined functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Html,
    Js,
    Urlquery,
    Call,
}

impl Builtin {
    /// The builtin called `name`.
    pub(crate) fn lookup(name: &str) -> Option<Builtin> {
        use Builtin::*;
        Some(match name {
            "and" => And,
            "or" => Or,
            "not" => Not,
            "len" => Len,
            "index" => Index,
            "slice" => Slice,
            "print" => Print,
            "printf" => Printf,
            "println" => Println,
            "eq" => Eq,
            "ne" => Ne,
            "lt" => Lt,
            "le" => Le,
            "gt" => Gt,
            "ge" => Ge,
            "html" => Html,
            "js" => Js,
            "urlquery" => Urlquery,
            "call" => Call,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        use Builtin::*;
        match self {
            And => "and",
            Or => "or",
            Not => "not",
            Len => "len",
            Index => "index",
            Slice => "slice",
            Print => "print",
            Printf => "printf",
            Println => "println",
            Eq => "eq",
            Ne => "ne",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
            Html => "html",
            Js => "js",
            Urlquery => "urlquery",
            Call => "call",
        }
    }

    /// Fixed arguments, and whether more may follow (Go's variadic).
    fn arity(self) -> (usize, bool) {
        use Builtin::*;
        match self {
            And | Or | Index | Slice | Printf | Eq | Call => (1, true),
            Not | Len => (1, false),
            Ne | Lt | Le | Gt | Ge => (2, false),
            Print | Println | Html | Js | Urlquery => (0, true),
        }
    }
}

/// Call builtin `b` with argument nodes `args` and the piped-in value `fin`.
pub(crate) fn call(
    st: &mut State<'_>,
    b: Builtin,
    dot: &Value,
    ident: &Arg,
    call_at: &At<'_>,
    args: &[Arg],
    fin: Option<Value>,
) -> Result<Value> {
    let name = b.name();
    let got = args.len() + usize::from(fin.is_some());
    let (fixed, variadic) = b.arity();
    if variadic && got < fixed {
        let msg = format!("wrong number of args for {name}: want at least {fixed} got {got}");
        return Err(st.err(&At::arg(ident), msg));
    }
    if !variadic && got != fixed {
        return Err(st.err(
            &At::arg(ident),
            format!("wrong number of args for {name}: want {fixed} got {got}"),
        ));
    }
    if matches!(b, Builtin::And | Builtin::Or) {
        let mut v = Value::Nil;
        for a in args {
            v = st.eval_arg(dot, a)?;
            if v.truth() == (b == Builtin::Or) {
                return Ok(v);
            }
        }
        return Ok(fin.unwrap_or(v));
    }
    let argv = st.eval_args(dot, args, fin)?;
    if b == Builtin::Printf && !matches!(argv[0], Value::String(_)) {
        let at = args.first().map_or_else(|| At::arg(ident), At::arg);
        let msg = format!(
            "wrong type for value; expected string; got {}",
            argv[0].type_name()
        );
        return Err(st.err(&at, msg));
    }
    apply(st, b, &argv).map_err(|e| st.err(call_at, format!("error calling {name}: {e}")))
}

fn apply(st: &State<'_>, b: Builtin, args: &[Value]) -> Result<Value, String> {
    use Builtin::*;
    Ok(match b {
        And => args
            .iter()
            .find(|v| !v.truth())
            .or(args.last())
            .cloned()
            .unwrap_or_default(),
        Or => args
            .iter()
            .find(|v| v.truth())
            .or(args.last())
            .cloned()
            .unwrap_or_default(),
        Not => Value::Bool(!args[0].truth()),
        Len => Value::Int(len(&args[0])?),
        Index => index(&args[0], &args[1..])?,
        Slice => slice(&args[0], &args[1..])?,
        Print => Value::String(fmt::sprint(args)),
        Println => Value::String(fmt::sprintln(args)),
        Printf => Value::String(fmt::sprintf(
            args[0].as_str().unwrap_or_default(),
            &args[1..],
        )),
        Eq => Value::Bool(compare::eq(&args[0], &args[1..])?),
        Ne => Value::Bool(!compare::eq(&args[0], &args[1..])?),
        Lt => Value::Bool(compare::lt(&args[0], &args[1])?),
        Le => Value::Bool(compare::le(&args[0], &args[1])?),
        Gt => Value::Bool(!compare::le(&args[0], &args[1])?),
        Ge => Value::Bool(!compare::lt(&args[0], &args[1])?),
        Html => Value::String(escape::html(&escape::eval_args(args))),
        Js => Value::String(escape::js(&escape::eval_args(args))),
        Urlquery => Value::String(escape::query(&escape::eval_args(args))),
        Call => match &args[0] {
            Value::Func(f) => {
                let mut cx = st.call_context();
                (f.0)(&mut cx, &args[1..])?
            }
            Value::Nil => return Err("call of nil".into()),
            v => return Err(format!("non-function of type {}", v.type_name())),
        },
    })
}

fn len(v: &Value) -> Result<i64, String> {
    Ok(match v {
        Value::String(s) => s.len() as i64,
        Value::List(l) => l.len() as i64,
        Value::Map(m) => m.len() as i64,
        Value::Object(o) if let Some(entries) = o.entries() => entries.len() as i64,
        Value::Object(o) if let Some(bytes) = o.bytes() => bytes.len() as i64,
        Value::Nil => return Err("len of nil pointer".into()),
        v => return Err(format!("len of type {}", v.type_name())),
    })
}

fn index_arg(i: &Value, cap: usize) -> Result<usize, String> {
    let x = match i {
        Value::Int(x) => *x,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        v => {
            return Err(format!(
                "cannot index slice/array with type {}",
                v.type_name()
            ));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for i in indexes {
        item = match &item {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l) => {
                let x = index_arg(i, l.len())?;
                l.get(x)
                    .cloned()
                    .ok_or("reflect: slice index out of range")?
            }
            Value::String(s) => {
                let x = index_arg(i, s.len())?;
                Value::Int(i64::from(
                    *s.as_bytes()
                        .get(x)
                        .ok_or("reflect: string index out of range")?,
                ))
            }
            Value::Map(m) => match i {
                Value::String(k) => m.get(k).unwrap_or_default(),
                Value::Nil => return Err("value is nil; should be of type string".into()),
                v => {
                    return Err(format!(
                        "value has type {}; should be string",
                        v.type_name()
                    ));
                }
            },
            v => return Err(format!("can't index item of type {}", v.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(_) if indexes.len() == 3 => {
            return Err("cannot 3-index slice a string".into());
        }
        Value::String(s) => s.len(),
        Value::List(l) => l.len(),
        v => return Err(format!("can't slice item of type {}", v.type_name())),
    };
    let mut idx = [0, len, len];
    for (n, i) in indexes.iter().enumerate() {
        idx[n] = index_arg(i, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(match item {
        Value::String(s) => {
            let bytes = &s.as_bytes()[idx[0]..idx[1]];
            Value::String(String::from_utf8_lossy(bytes).into_owned())
        }
        Value::List(l) => Value::list(l[idx[0]..idx[1]].to_vec()),
        _ => Value::Nil,
    })
}
