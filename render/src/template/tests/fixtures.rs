//! Stand-ins for the Go test suite's `tVal` (a `*T` struct with fields and methods) and its functions.

use std::sync::Arc;

use crate::template::{Func, Funcs, Map, Object, Value, fmt};

/// Go's `U`: a struct with field `V` and method `TrueFalse`.
#[derive(Debug)]
pub(super) struct U(pub(super) &'static str);

impl Object for U {
    fn type_name(&self) -> &str {
        "*template.U"
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "V").then(|| Value::from(self.0))
    }
    fn has_method(&self, name: &str) -> bool {
        name == "TrueFalse"
    }
    fn call_method(&self, _: &str, args: &[Value]) -> Result<Value, String> {
        match args {
            [Value::Bool(b)] => Ok(Value::from(if *b { "true" } else { "" })),
            _ => Err("wrong arguments for TrueFalse".into()),
        }
    }
    fn display(&self) -> String {
        format!("{{{}}}", self.0)
    }
}

/// Go's `T`.
#[derive(Debug)]
pub(super) struct T(Map);

fn func(f: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static) -> Value {
    Value::Func(Func(Arc::new(move |_: &mut _, a: &[Value]| f(a))))
}

fn strings(args: &[Value]) -> Result<Vec<String>, String> {
    args.iter()
        .map(|a| {
            a.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("wrong type {}", a.type_name()))
        })
        .collect()
}

fn ints(v: &[i64]) -> Value {
    Value::list(v.iter().map(|i| Value::Int(*i)).collect())
}

impl T {
    pub(super) fn value() -> Value {
        let m = Map::new();
        let u = |s| Value::Object(Arc::new(U(s)));
        let map = |kv: &[(&str, i64)]| Value::map(kv.iter().map(|(k, v)| (*k, Value::Int(*v))));
        for (k, v) in [
            ("True", Value::Bool(true)),
            ("I", Value::Int(17)),
            ("U16", Value::Int(16)),
            ("X", Value::from("x")),
            ("FloatZero", Value::Float(0.0)),
            ("U", u("v")),
            ("SI", ints(&[3, 4, 5])),
            ("SIEmpty", ints(&[])),
            (
                "SB",
                Value::list(vec![Value::Bool(true), Value::Bool(false)]),
            ),
            ("MSI", map(&[("one", 1), ("two", 2), ("three", 3)])),
            ("MSIone", map(&[("one", 1)])),
            ("MSIEmpty", map(&[])),
            ("MXI", map(&[("one", 1)])),
            (
                "SMSI",
                Value::list(vec![
                    map(&[("one", 1), ("two", 2)]),
                    map(&[("eleven", 11), ("twelve", 12)]),
                ]),
            ),
            ("Empty0", Value::Nil),
            ("Empty1", Value::Int(3)),
            ("Empty2", Value::from("empty2")),
            ("Empty3", ints(&[7, 8])),
            ("Empty4", u("UinEmpty")),
            ("PI", Value::Int(23)),
            ("PS", Value::from("a string")),
            ("PSI", ints(&[21, 22, 23])),
            (
                "BinaryFunc",
                func(|a| match strings(a)?.as_slice() {
                    [x, y] => Ok(Value::from(format!("[{x}={y}]"))),
                    _ => Err(format!("wrong number of args: want 2 got {}", a.len())),
                }),
            ),
            (
                "VariadicFunc",
                func(|a| Ok(Value::from(format!("<{}>", strings(a)?.join("+"))))),
            ),
            (
                "VariadicFuncInt",
                func(|a| match a.split_first() {
                    Some((Value::Int(n), rest)) => {
                        Ok(Value::from(format!("{n}=<{}>", strings(rest)?.join("+"))))
                    }
                    _ => Err("wrong arguments".into()),
                }),
            ),
            (
                "NilOKFunc",
                func(|a| Ok(Value::Bool(matches!(a, [Value::Nil])))),
            ),
            ("ErrFunc", func(|_| Ok(Value::from("bla")))),
        ] {
            m.insert(k, v);
        }
        Value::Object(Arc::new(T(m)))
    }
}

impl Object for T {
    fn type_name(&self) -> &str {
        "*template.T"
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.0.get(name)
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Method0" | "Method1" | "Method2" | "Method3" | "Copy" | "MAdd" | "MyError" | "GetU"
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args) {
            ("Method0", []) => Ok(Value::from("M0")),
            ("Method1", [Value::Int(i)]) => Ok(Value::Int(*i)),
            ("Method2", [Value::Int(a), Value::String(b)]) => {
                Ok(Value::from(format!("Method2: {a} {b}")))
            }
            ("Method3", [v]) => Ok(Value::from(format!("Method3: {}", fmt::display(v)))),
            ("Copy", []) => Ok(Value::Object(Arc::new(T(self
                .0
                .entries()
                .into_iter()
                .collect())))),
            ("MAdd", [Value::Int(a), Value::List(l)]) => {
                let out: Result<Vec<Value>, String> = l
                    .iter()
                    .map(|x| match x {
                        Value::Int(x) => Ok(Value::Int(x + a)),
                        _ => Err("not an int".into()),
                    })
                    .collect();
                Ok(Value::list(out?))
            }
            ("MyError", [Value::Bool(true)]) => Err("my error".into()),
            ("MyError", [Value::Bool(false)]) => Ok(Value::Bool(false)),
            ("GetU", []) => Ok(self.0.get("U").unwrap_or_default()),
            _ => Err(format!("wrong arguments for {name}")),
        }
    }
}

/// The functions Go's `testExecute` registers, where our value model can express them.
pub(super) fn funcs() -> Funcs {
    let mut f = Funcs::new();
    f.insert("add", |_, a| {
        a.iter()
            .map(|v| match v {
                Value::Int(i) => Ok(*i),
                v => Err(format!(
                    "wrong type for value; expected int; got {}",
                    v.type_name()
                )),
            })
            .sum::<Result<i64, String>>()
            .map(Value::Int)
    });
    f.insert("echo", |_, a| Ok(a.first().cloned().unwrap_or_default()));
    f.insert("makemap", |_, a| {
        let s = strings(a)?;
        Ok(Value::map(
            s.chunks(2)
                .map(|kv| (kv[0].clone(), Value::from(kv[1].clone()))),
        ))
    });
    f.insert("mapOfThree", |_, _| {
        Ok(Value::map([("three", Value::Int(3))]))
    });
    f.insert("oneArg", |_, a| match strings(a)?.as_slice() {
        [x] => Ok(Value::from(format!("oneArg={x}"))),
        _ => Err("wrong number of args".into()),
    });
    f.insert("twoArgs", |_, a| match strings(a)?.as_slice() {
        [x, y] => Ok(Value::from(format!("twoArgs={x}{y}"))),
        _ => Err("wrong number of args".into()),
    });
    f.insert("zeroArgs", |_, _| Ok(Value::from("zeroArgs")));
    f.insert("returnInt", |_, _| Ok(Value::Int(7)));
    f.insert("typeOf", |_, a| {
        Ok(Value::from(
            a.first().map_or("<nil>".into(), Value::type_name),
        ))
    });
    f.insert("valueString", |_, a| match a {
        [Value::String(_)] => Ok(Value::from("value is ignored")),
        _ => Err("wrong type for value; expected string".into()),
    });
    f
}
