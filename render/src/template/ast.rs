//! The parse tree. `Display` prints nodes the way Go's `Node.String` does, which error messages quote.

use std::fmt;
use std::sync::Arc;

/// One parsed template: the body of a file, a `define` or a `block`.
#[derive(Debug)]
pub(crate) struct Tree {
    /// The template's name (the file name, or the `define`d name).
    pub(crate) name: String,
    /// The name of the file it was parsed from, for error locations.
    pub(crate) parse_name: String,
    /// The file's text, for turning byte offsets into lines and columns.
    pub(crate) src: Arc<str>,
    pub(crate) root: Vec<Node>,
}

impl Tree {
    /// `NAME:LINE:COL` for a byte offset, with Go's zero-based column.
    pub(crate) fn location(&self, pos: usize) -> String {
        let before = &self.src[..pos.min(self.src.len())];
        let line = 1 + before.matches('\n').count();
        let col = match before.rfind('\n') {
            Some(i) => pos - i - 1,
            None => pos,
        };
        format!("{}:{}:{}", self.parse_name, line, col)
    }

    /// Whether the tree holds nothing but whitespace text, like Go's `IsEmptyTree`.
    pub(crate) fn is_empty(&self) -> bool {
        self.root
            .iter()
            .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()))
    }
}

/// A node in a list.
#[derive(Debug)]
pub(crate) enum Node {
    Text(String),
    Action(Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

/// The shared shape of `if`, `range` and `with`.
#[derive(Debug)]
pub(crate) struct Branch {
    pub(crate) pipe: Pipe,
    pub(crate) list: Vec<Node>,
    pub(crate) else_list: Option<Vec<Node>>,
}

/// A pipeline with optional variable declarations.
#[derive(Debug)]
pub(crate) struct Pipe {
    pub(crate) pos: usize,
    pub(crate) is_assign: bool,
    pub(crate) decl: Vec<(usize, String)>,
    pub(crate) cmds: Vec<Command>,
}

/// One command of a pipeline: a function or operand and its arguments.
#[derive(Debug)]
pub(crate) struct Command {
    pub(crate) pos: usize,
    pub(crate) args: Vec<Arg>,
}

/// A number constant, with every interpretation that fits, as Go's `NumberNode`.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub(crate) text: String,
    pub(crate) int: Option<i64>,
    pub(crate) is_uint: bool,
    pub(crate) float: Option<f64>,
    pub(crate) is_char: bool,
}

/// An operand.
#[derive(Debug)]
pub(crate) enum Arg {
    /// `.A.B`
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.A.B`; `idents[0]` is the variable.
    Variable {
        pos: usize,
        idents: Vec<String>,
    },
    /// `(pipe).A.B` or `fn.A`.
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
    /// A function name.
    Ident {
        pos: usize,
        name: String,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Number),
    /// The quoted source text and the unquoted value.
    String {
        pos: usize,
        quoted: String,
        value: String,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    /// The byte offset of the operand.
    pub(crate) fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::String { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _) => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

fn dotted(f: &mut fmt::Formatter<'_>, idents: &[String]) -> fmt::Result {
    idents.iter().try_for_each(|i| write!(f, ".{i}"))
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => dotted(f, idents),
            Arg::Variable { idents, .. } => {
                f.write_str(&idents[0])?;
                dotted(f, &idents[1..])
            }
            Arg::Chain { node, fields, .. } => {
                match node.as_ref() {
                    Arg::Pipe(p) => write!(f, "({p})")?,
                    n => write!(f, "{n}")?,
                }
                dotted(f, fields)
            }
            Arg::Ident { name, .. } => f.write_str(name),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "({p})"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            let names: Vec<&str> = self.decl.iter().map(|(_, n)| n.as_str()).collect();
            let op = if self.is_assign { "=" } else { ":=" };
            write!(f, "{} {op} ", names.join(", "))?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Go's `ListNode.String`: text quoted, actions and control structures in their canonical form.
pub(crate) fn list_string(list: &[Node]) -> String {
    list.iter().map(|n| n.to_string()).collect()
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let branch = |f: &mut fmt::Formatter<'_>, kw: &str, b: &Branch| {
            write!(f, "{{{{{kw} {}}}}}{}", b.pipe, list_string(&b.list))?;
            if let Some(e) = &b.else_list {
                write!(f, "{{{{else}}}}{}", list_string(e))?;
            }
            f.write_str("{{end}}")
        };
        match self {
            Node::Text(t) => f.write_str(&super::fmt::quote(t)),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::If(b) => branch(f, "if", b),
            Node::Range(b) => branch(f, "range", b),
            Node::With(b) => branch(f, "with", b),
            Node::Template {
                name, pipe: None, ..
            } => write!(f, "{{{{template {}}}}}", super::fmt::quote(name)),
            Node::Template {
                name,
                pipe: Some(p),
                ..
            } => {
                write!(f, "{{{{template {} {p}}}}}", super::fmt::quote(name))
            }
            Node::Break => f.write_str("{{break}}"),
            Node::Continue => f.write_str("{{continue}}"),
        }
    }
}
