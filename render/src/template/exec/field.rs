//! Field chains: `.a.b`, `$x.a.b` and `(pipe).a.b` on maps and host objects, with Go's missing-key
//! modes and its nil-pointer errors.

use super::{At, State};
use crate::template::ast::Arg;
use crate::template::value::Value;
use crate::template::{MissingKey, Result};

impl State<'_> {
    pub(super) fn eval_variable(
        &mut self,
        dot: &Value,
        node: &Arg,
        idents: &[String],
        args: &[Arg],
        fin: Option<Value>,
    ) -> Result<Value> {
        let (v, iface) = self.var(&At::arg(node), &idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args, &fin)?;
            return Ok(v);
        }
        self.eval_field_chain(dot, (v, iface), node, &idents[1..], args, fin)
    }

    pub(super) fn eval_chain(
        &mut self,
        dot: &Value,
        chain: &Arg,
        node: &Arg,
        fields: &[String],
        args: &[Arg],
        fin: Option<Value>,
    ) -> Result<Value> {
        if matches!(node, Arg::Nil(_)) {
            return Err(self.err(
                &At::arg(chain),
                format!("indirection through explicit nil in {chain}"),
            ));
        }
        let v = self.eval_arg(dot, node)?;
        self.eval_field_chain(dot, (v, false), chain, fields, args, fin)
    }

    /// Evaluate `.a.b.c` on `receiver`; the last field gets `args` (whose first is the node itself). The
    /// receiver's flag tells whether its Go static type is `interface {}` (a range element).
    pub(super) fn eval_field_chain(
        &mut self,
        dot: &Value,
        receiver: (Value, bool),
        node: &Arg,
        idents: &[String],
        args: &[Arg],
        fin: Option<Value>,
    ) -> Result<Value> {
        // A nil receiver at the start is Go's invalid value, unless it is a range element: that, like a nil
        // found in a map, is a nil interface.
        let (receiver, iface) = receiver;
        let mut recv = if receiver.is_nil() && !iface {
            None
        } else {
            Some(receiver)
        };
        let mut fin = fin;
        for (i, name) in idents.iter().enumerate() {
            let last = i + 1 == idents.len();
            let (a, f) = if last {
                (args, fin.take())
            } else {
                (std::slice::from_ref(node), None)
            };
            recv = self.eval_field(dot, name, node, a, f, recv, i == 0 && !iface)?;
        }
        Ok(recv.unwrap_or_default())
    }

    #[allow(clippy::too_many_arguments)] // Mirrors Go's evalField; bundling would only rename the list.
    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: &Arg,
        args: &[Arg],
        fin: Option<Value>,
        recv: Option<Value>,
        first: bool,
    ) -> Result<Option<Value>> {
        let at = At::arg(node);
        let Some(r) = recv else {
            if self.tmpl.options.missing_key == MissingKey::Error {
                return Err(self.err(&at, format!("nil data; no entry for key {name:?}")));
            }
            return Ok(None);
        };
        let has_args = args.len() > 1 || fin.is_some();
        let type_name = if first {
            r.type_name()
        } else {
            "interface {}".into()
        };
        match &r {
            Value::Nil => {
                Err(self.err(&at, format!("nil pointer evaluating interface {{}}.{name}")))
            }
            Value::Object(o) if o.has_method(name) => {
                let argv = self.eval_args(dot, &args[1..], fin)?;
                o.call_method(name, &argv)
                    .map(Some)
                    .map_err(|e| self.err(&at, format!("error calling {name}: {e}")))
            }
            Value::Object(o) => match o.field(name) {
                Some(_) if has_args => Err(self.err(
                    &at,
                    format!("{name} has arguments but cannot be invoked as function"),
                )),
                Some(v) => Ok(Some(v)),
                None => Err(self.err(
                    &at,
                    format!("can't evaluate field {name} in type {type_name}"),
                )),
            },
            Value::Map(m) => {
                if has_args {
                    return Err(self.err(&at, format!("{name} is not a method but has arguments")));
                }
                match (m.get(name), self.tmpl.options.missing_key) {
                    (Some(v), _) => Ok(Some(v)),
                    (None, MissingKey::Default) => Ok(None),
                    (None, MissingKey::Zero) => Ok(Some(Value::Nil)),
                    (None, MissingKey::Error) => {
                        Err(self.err(&at, format!("map has no entry for key {name:?}")))
                    }
                }
            }
            _ => Err(self.err(
                &at,
                format!("can't evaluate field {name} in type {type_name}"),
            )),
        }
    }
}
