//! The executor: walks a tree with data, following Go's `text/template/exec.go`.

use std::fmt::Display;
use std::sync::Arc;

use super::ast::{Arg, Branch, Command, Node, Number, Pipe, Tree};
use super::builtins::{self, Builtin};
use super::funcs::CallContext;
use super::value::Value;
use super::{Error, Result, Template, fmt};

mod field;

/// Stack size of the thread that executes templates.
pub(crate) const STACK_SIZE: usize = 64 << 20;
/// How deep `template` and `include` calls may nest (Go allows 100000 on a growable stack).
pub(crate) const MAX_DEPTH: usize = 1000;

/// Where an error happened: a node's offset and how it prints.
pub(crate) struct At<'a> {
    pub(crate) pos: usize,
    pub(crate) node: &'a dyn Display,
}

impl<'a> At<'a> {
    pub(crate) fn arg(a: &'a Arg) -> Self {
        At {
            pos: a.pos(),
            node: a,
        }
    }
    pub(crate) fn cmd(c: &'a Command) -> Self {
        At {
            pos: c.pos,
            node: c,
        }
    }
}

/// What a list did: ran to its end, or hit `{{break}}` or `{{continue}}`.
#[derive(PartialEq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

pub(crate) struct State<'a> {
    pub(crate) tmpl: &'a Template,
    root: &'a str,
    tree: Arc<Tree>,
    vars: Vec<Var>,
    /// Whether dot is a range element, whose Go static type is `interface {}`.
    dot_iface: bool,
    depth: usize,
}

/// A variable. `iface` marks values bound by `range`, whose Go static type is `interface {}`: a nil one is
/// a nil interface, and fields of it are nil-pointer errors rather than "no value".
struct Var {
    name: String,
    value: Value,
    iface: bool,
}

impl Var {
    fn new(name: &str, value: Value) -> Self {
        Var {
            name: name.to_string(),
            value,
            iface: false,
        }
    }
}

thread_local! {
    /// Whether this thread is one that [`on_big_stack`] started.
    static ON_BIG_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` on a thread with a [`STACK_SIZE`] stack: parsing and executing recurse on the Rust stack, and
/// a large one keeps the depth limits, not the stack size, the thing that stops runaway nesting.
///
/// Starting a thread costs far more than a small template takes to run, so when the caller already is
/// such a thread `f` runs right there: a whole chart can be rendered on one big stack (see
/// `helm::render`). Every top-level call runs at depth 0, so the depth limits still hold.
pub(crate) fn on_big_stack<R: Send>(f: impl FnOnce() -> Result<R> + Send) -> Result<R> {
    if ON_BIG_STACK.get() {
        return f();
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, || {
                ON_BIG_STACK.set(true);
                f()
            })
            .map_err(|e| Error::Exec(format!("template: cannot start a thread: {e}")))?
            .join()
            .unwrap_or_else(|_| {
                Err(Error::Exec(
                    "template: internal error: the engine panicked".into(),
                ))
            })
    })
}

/// Execute template `name` of `tmpl` with `data`; `root` is the name the outermost execution started with.
pub(crate) fn run(
    tmpl: &Template,
    root: &str,
    name: &str,
    data: &Value,
    depth: usize,
) -> Result<String> {
    let Some(tree) = tmpl.tree(name) else {
        return Err(Error::Exec(format!(
            "template: no template {name:?} associated with template {:?}",
            tmpl.name()
        )));
    };
    if depth >= MAX_DEPTH {
        return Err(Error::Exec(format!(
            "template: {name}: exceeded maximum template depth ({MAX_DEPTH})"
        )));
    }
    let mut st = State {
        tmpl,
        root,
        tree: tree.clone(),
        vars: vec![Var::new("$", data.clone())],
        dot_iface: false,
        depth,
    };
    let mut out = String::new();
    st.walk_list(data, &tree.root, &mut out)?;
    Ok(out)
}

impl State<'_> {
    /// Go's `state.errorf`: location, template name and the node, then the message.
    pub(crate) fn err(&self, at: &At<'_>, msg: impl Display) -> Error {
        let mut context = at.node.to_string();
        if context.chars().count() > 20 {
            context = context.chars().take(20).collect::<String>() + "...";
        }
        Error::Exec(format!(
            "template: {}: executing {:?} at <{}>: {}",
            self.tree.location(at.pos),
            self.tree.name,
            context,
            msg
        ))
    }

    pub(crate) fn call_context(&self) -> CallContext<'_> {
        CallContext {
            tmpl: self.tmpl,
            root: self.root,
            depth: self.depth,
        }
    }

    fn walk_list(&mut self, dot: &Value, list: &[Node], out: &mut String) -> Result<Flow> {
        for n in list {
            let flow = self.walk(dot, n, out)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &Node, out: &mut String) -> Result<Flow> {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print(pipe, &v, out)?;
                }
            }
            Node::If(b) => return self.walk_if_or_with(dot, b, false, out),
            Node::With(b) => return self.walk_if_or_with(dot, b, true, out),
            Node::Range(b) => return self.walk_range(dot, b, out),
            Node::Template { pos, name, pipe } => {
                self.walk_template(dot, *pos, name, pipe.as_ref(), out)?
            }
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print(&self, pipe: &Pipe, v: &Value, out: &mut String) -> Result<()> {
        match v {
            Value::Nil => out.push_str("<no value>"),
            Value::Func(_) => {
                let at = At {
                    pos: pipe.pos,
                    node: pipe,
                };
                return Err(self.err(&at, format!("can't print {pipe} of type {}", v.type_name())));
            }
            v => out.push_str(&fmt::display(v)),
        }
        Ok(())
    }

    fn walk_if_or_with(
        &mut self,
        dot: &Value,
        b: &Branch,
        with: bool,
        out: &mut String,
    ) -> Result<Flow> {
        let mark = self.vars.len();
        let v = self.eval_pipeline(dot, &b.pipe)?;
        let flow = if v.truth() && with {
            let saved = std::mem::replace(&mut self.dot_iface, false);
            let flow = self.walk_list(&v, &b.list, out);
            self.dot_iface = saved;
            flow
        } else if v.truth() {
            self.walk_list(dot, &b.list, out)
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e, out)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        flow
    }

    fn walk_range(&mut self, dot: &Value, b: &Branch, out: &mut String) -> Result<Flow> {
        let outer = self.vars.len();
        let v = self.eval_pipeline(dot, &b.pipe)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::List(l) => l
                .iter()
                .enumerate()
                .map(|(i, e)| (Value::Int(i as i64), e.clone()))
                .collect(),
            Value::Map(m) => m
                .entries()
                .into_iter()
                .map(|(k, e)| (Value::String(k), e))
                .collect(),
            Value::Object(o) if let Some(entries) = o.entries() => entries
                .into_iter()
                .map(|(k, e)| (Value::String(k), e))
                .collect(),
            Value::Int(n) => {
                if b.pipe.decl.len() > 1 {
                    let at = At {
                        pos: b.pipe.pos,
                        node: &b.pipe,
                    };
                    return Err(self.err(
                        &at,
                        format!("can't use {n} to iterate over more than one variable"),
                    ));
                }
                (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect()
            }
            Value::Nil => Vec::new(),
            other => {
                let at = At {
                    pos: b.pipe.pos,
                    node: &b.pipe,
                };
                return Err(self.err(
                    &at,
                    format!("range can't iterate over {}", fmt::display(other)),
                ));
            }
        };
        let mark = self.vars.len();
        let mut result = Ok(Flow::Normal);
        let saved_iface = std::mem::replace(&mut self.dot_iface, !matches!(v, Value::Int(_)));
        for (index, elem) in &items {
            self.bind_range_vars(&b.pipe, index, elem);
            let flow = self.walk_list(elem, &b.list, out);
            self.vars.truncate(mark);
            match flow {
                Ok(Flow::Break) => break,
                Ok(_) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.dot_iface = saved_iface;
        if items.is_empty()
            && let Some(e) = &b.else_list
        {
            // A `break` or `continue` here belongs to an enclosing range.
            result = self.walk_list(dot, e, out);
        }
        self.vars.truncate(outer);
        result
    }

    fn bind_range_vars(&mut self, pipe: &Pipe, index: &Value, elem: &Value) {
        let n = self.vars.len();
        let iface = self.dot_iface;
        match (pipe.decl.len(), pipe.is_assign) {
            (0, _) => {}
            (1, true) => self.set_var(&pipe.decl[0].1, elem.clone(), iface),
            (_, true) => {
                self.set_var(&pipe.decl[0].1, index.clone(), false);
                self.set_var(&pipe.decl[1].1, elem.clone(), iface);
            }
            (1, false) => {
                self.vars[n - 1].value = elem.clone();
                self.vars[n - 1].iface = iface;
            }
            (_, false) => {
                self.vars[n - 1].value = elem.clone();
                self.vars[n - 1].iface = iface;
                self.vars[n - 2].value = index.clone();
            }
        }
    }

    fn walk_template(
        &mut self,
        dot: &Value,
        pos: usize,
        name: &str,
        pipe: Option<&Pipe>,
        out: &mut String,
    ) -> Result<()> {
        let shown = match pipe {
            Some(p) => format!("{{{{template {} {p}}}}}", fmt::quote(name)),
            None => format!("{{{{template {}}}}}", fmt::quote(name)),
        };
        let at = At { pos, node: &shown };
        let Some(tree) = self.tmpl.tree(name).cloned() else {
            return Err(self.err(&at, format!("template {name:?} not defined")));
        };
        if self.depth + 1 >= MAX_DEPTH {
            return Err(self.err(
                &at,
                format!("exceeded maximum template depth ({MAX_DEPTH})"),
            ));
        }
        let data = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Nil,
        };
        let mut inner = State {
            tmpl: self.tmpl,
            root: self.root,
            tree: tree.clone(),
            vars: vec![Var::new("$", data.clone())],
            dot_iface: false,
            depth: self.depth + 1,
        };
        inner.walk_list(&data, &tree.root, out)?;
        Ok(())
    }

    pub(crate) fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        let mut value = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for (pos, name) in &pipe.decl {
            if pipe.is_assign {
                if !self.vars.iter().any(|v| &v.name == name) {
                    let at = At {
                        pos: *pos,
                        node: name,
                    };
                    return Err(self.err(&at, format!("undefined variable: {name}")));
                }
                self.set_var(name, value.clone(), false);
            } else {
                self.vars.push(Var::new(name, value.clone()));
            }
        }
        Ok(value)
    }

    fn set_var(&mut self, name: &str, value: Value, iface: bool) {
        if let Some(slot) = self.vars.iter_mut().rev().find(|v| v.name == name) {
            slot.value = value;
            slot.iface = iface;
        }
    }

    /// The value of variable `name`, and whether it is a range-bound `interface {}`.
    fn var(&self, at: &At<'_>, name: &str) -> Result<(Value, bool)> {
        match self.vars.iter().rev().find(|v| v.name == name) {
            Some(v) => Ok((v.value.clone(), v.iface)),
            None => Err(self.err(at, format!("undefined variable: {name}"))),
        }
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Value>) -> Result<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.err(
                &At::arg(&args[0]),
                format!("can't give argument to non-function {}", args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Command, fin: Option<Value>) -> Result<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                let recv = (dot.clone(), self.dot_iface);
                self.eval_field_chain(dot, recv, first, idents, &cmd.args, fin)
            }
            Arg::Chain { node, fields, .. } => {
                self.eval_chain(dot, first, node, fields, &cmd.args, fin)
            }
            Arg::Ident { name, .. } => {
                self.eval_function(dot, first, &At::cmd(cmd), name, &cmd.args[1..], fin)
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                self.eval_pipeline(dot, p)
            }
            Arg::Variable { idents, .. } => self.eval_variable(dot, first, idents, &cmd.args, fin),
            _ => {
                self.not_a_function(&cmd.args, &fin)?;
                match first {
                    Arg::Nil(_) => Err(self.err(&At::arg(first), "nil is not a command")),
                    _ => self.eval_arg(dot, first),
                }
            }
        }
    }

    pub(crate) fn eval_args(
        &mut self,
        dot: &Value,
        args: &[Arg],
        fin: Option<Value>,
    ) -> Result<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len() + 1);
        for a in args {
            out.push(self.eval_arg(dot, a)?);
        }
        out.extend(fin);
        Ok(out)
    }

    pub(crate) fn eval_arg(&mut self, dot: &Value, arg: &Arg) -> Result<Value> {
        let one = std::slice::from_ref(arg);
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Value::Nil),
            Arg::Field { idents, .. } => {
                let recv = (dot.clone(), self.dot_iface);
                self.eval_field_chain(dot, recv, arg, idents, one, None)
            }
            Arg::Variable { idents, .. } => self.eval_variable(dot, arg, idents, one, None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Ident { name, .. } => self.eval_function(dot, arg, &At::arg(arg), name, &[], None),
            Arg::Chain { node, fields, .. } => self.eval_chain(dot, arg, node, fields, one, None),
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::String { value, .. } => Ok(Value::String(value.clone())),
            Arg::Number(_, n) => self.ideal_constant(arg, n),
        }
    }

    /// Go's `idealConstant`: a float when written like one, otherwise an int.
    fn ideal_constant(&self, arg: &Arg, n: &Number) -> Result<Value> {
        let t = &n.text;
        let hex_int =
            t.len() > 2 && (t.starts_with("0x") || t.starts_with("0X")) && !t.contains(['p', 'P']);
        if !n.is_char && !hex_int && n.float.is_some() && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(n.float.unwrap_or_default()));
        }
        match n.int {
            Some(i) => Ok(Value::Int(i)),
            None => Err(self.err(&At::arg(arg), format!("{t} overflows int"))),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        ident: &Arg,
        call_at: &At<'_>,
        name: &str,
        args: &[Arg],
        fin: Option<Value>,
    ) -> Result<Value> {
        if let Some(f) = self.tmpl.funcs.get(name) {
            let argv = self.eval_args(dot, args, fin)?;
            let mut cx = self.call_context();
            return (f.0)(&mut cx, &argv)
                .map_err(|e| self.err(call_at, format!("error calling {name}: {e}")));
        }
        match Builtin::lookup(name) {
            Some(b) => builtins::call(self, b, dot, ident, call_at, args, fin),
            None => Err(self.err(
                &At::arg(ident),
                format!("{name:?} is not a defined function"),
            )),
        }
    }
}
