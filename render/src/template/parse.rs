//! The parser: tokens to trees, following Go's `text/template/parse/parse.go`, including its error texts.

use std::sync::Arc;

use super::ast::{Branch, Node, Tree};
use super::lex::{Tok, Token, lex};
use super::literal::unquote;

mod pipeline;

type PResult<T> = Result<T, String>;

/// What ended an item list.
enum End {
    End,
    Else,
}

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    line: usize,
    parse_name: &'a str,
    src: Arc<str>,
    has_func: &'a dyn Fn(&str) -> bool,
    vars: Vec<String>,
    range_depth: usize,
    action_line: usize,
    trees: Vec<Tree>,
    depth: usize,
}

/// How deeply control structures and parentheses may nest (Go's `maxStackDepth` is 10000; each level
/// costs several Rust stack frames, so ours is lower).
const MAX_DEPTH: usize = 1_000;

/// Parse one file. The result holds the file's own tree (named `name`) first, then its `define`s and
/// `block`s. `has_func` tells which function names exist.
pub(crate) fn parse(
    name: &str,
    src: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<Vec<Tree>, String> {
    let mut p = Parser {
        toks: lex(src),
        i: 0,
        line: 1,
        parse_name: name,
        src: Arc::from(src),
        has_func,
        vars: vec!["$".into()],
        range_depth: 0,
        action_line: 0,
        trees: Vec::new(),
        depth: 0,
    };
    let root = p.top()?;
    let main = Tree {
        name: name.into(),
        parse_name: name.into(),
        src: p.src.clone(),
        root,
    };
    let mut trees = vec![main];
    for t in p.trees {
        // Go's Tree.add: a later non-empty definition of the same name in one file is an error.
        if let Some(prev) = trees.iter_mut().find(|x| x.name == t.name) {
            if !prev.is_empty() && !t.is_empty() {
                return Err(format!(
                    "template: {}:{}: template: multiple definition of template {:?}",
                    name, p.line, t.name
                ));
            }
            if prev.is_empty() {
                *prev = t;
            }
            continue;
        }
        trees.push(t);
    }
    Ok(trees)
}

/// Go's `item.String`, used in "unexpected" messages.
fn describe(t: &Tok) -> String {
    let raw = match t {
        Tok::Eof => return "EOF".into(),
        Tok::Error(e) => return e.clone(),
        Tok::Keyword(k) => return format!("<{k}>"),
        Tok::Text(s)
        | Tok::Ident(s)
        | Tok::Variable(s)
        | Tok::Str(s)
        | Tok::RawStr(s)
        | Tok::Char(s) => s.clone(),
        Tok::Number(s) => s.clone(),
        Tok::Field(s) => format!(".{s}"),
        Tok::LeftDelim => "{{".into(),
        Tok::RightDelim => "}}".into(),
        Tok::Space => " ".into(),
        Tok::Bool(b) => b.to_string(),
        Tok::Nil => return "<nil>".into(),
        Tok::Dot => ".".into(),
        Tok::Pipe => "|".into(),
        Tok::Declare => ":=".into(),
        Tok::Assign => "=".into(),
        Tok::Comma => ",".into(),
        Tok::Punct(c) => c.to_string(),
        Tok::LeftParen => "(".into(),
        Tok::RightParen => ")".into(),
    };
    if raw.chars().count() > 10 {
        let short: String = raw.chars().take(10).collect();
        format!("{short:?}...")
    } else {
        format!("{raw:?}")
    }
}

impl Parser<'_> {
    fn next(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        self.line = t.line;
        self.i += 1;
        t
    }
    fn backup(&mut self) {
        self.i -= 1;
    }
    fn peek(&mut self) -> Token {
        let at = self.i;
        let t = self.next();
        self.i = at;
        t
    }
    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.tok != Tok::Space {
                return t;
            }
        }
    }
    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }
    fn err<T>(&self, msg: impl std::fmt::Display) -> PResult<T> {
        Err(format!(
            "template: {}:{}: {}",
            self.parse_name, self.line, msg
        ))
    }
    fn unexpected<T>(&self, t: &Token, context: &str) -> PResult<T> {
        if let Tok::Error(e) = &t.tok {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != t.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if e.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.err(format!("{e}{extra}"));
        }
        self.err(format!("unexpected {} in {}", describe(&t.tok), context))
    }
    fn expect(&mut self, want: &Tok, context: &str) -> PResult<Token> {
        let t = self.next_non_space();
        if &t.tok != want {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().tok != Tok::Eof {
            if self.peek().tok == Tok::LeftDelim {
                let at = self.i;
                self.next();
                if self.next_non_space().tok == Tok::Keyword("define") {
                    self.definition()?;
                    continue;
                }
                self.i = at;
            }
            match self.text_or_action()? {
                Ok(n) => root.push(n),
                Err(End::Else) => return self.err("unexpected {{else}}"),
                Err(_) => return self.err("unexpected {{end}}"),
            }
        }
        Ok(root)
    }

    fn definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, context)?;
        self.expect(&Tok::RightDelim, context)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (root, end) = self.item_list()?;
        self.vars = saved;
        if !matches!(end, End::End) {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_tree(name, root);
        Ok(())
    }

    fn add_tree(&mut self, name: String, root: Vec<Node>) {
        let tree = Tree {
            name,
            parse_name: self.parse_name.into(),
            src: self.src.clone(),
            root,
        };
        self.trees.push(tree);
    }

    fn template_name(&mut self, t: &Token, context: &str) -> PResult<String> {
        match &t.tok {
            Tok::Str(s) | Tok::RawStr(s) => unquote(s).or_else(|e| self.err(e)),
            _ => self.unexpected(t, context),
        }
    }

    /// Parse nodes until `{{end}}`, `{{else}}` or the end of input (an error).
    fn item_list(&mut self) -> PResult<(Vec<Node>, End)> {
        if self.depth >= MAX_DEPTH {
            return self.err("max control structure depth exceeded");
        }
        self.depth += 1;
        let r = self.item_list_inner();
        self.depth -= 1;
        r
    }

    fn item_list_inner(&mut self) -> PResult<(Vec<Node>, End)> {
        let mut list = Vec::new();
        while self.peek_non_space().tok != Tok::Eof {
            match self.text_or_action()? {
                Ok(n) => list.push(n),
                Err(end) => return Ok((list, end)),
            }
        }
        self.err("unexpected EOF")
    }

    fn text_or_action(&mut self) -> PResult<Result<Node, End>> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text(s) => Ok(Ok(Node::Text(s))),
            Tok::LeftDelim => {
                self.action_line = t.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Result<Node, End>> {
        let t = self.next_non_space();
        let node = match t.tok {
            Tok::Keyword("block") => self.block()?,
            Tok::Keyword(k @ ("break" | "continue")) => {
                let after = self.next_non_space();
                if after.tok != Tok::RightDelim {
                    return self.unexpected(&after, &format!("{{{{{k}}}}}"));
                }
                if self.range_depth == 0 {
                    return self.err(format!("{{{{{k}}}}} outside {{{{range}}}}"));
                }
                if k == "break" {
                    Node::Break
                } else {
                    Node::Continue
                }
            }
            Tok::Keyword("else") => {
                let peek = self.peek_non_space();
                if matches!(peek.tok, Tok::Keyword("if" | "with")) {
                    return Ok(Err(End::Else));
                }
                self.expect(&Tok::RightDelim, "else")?;
                return Ok(Err(End::Else));
            }
            Tok::Keyword("end") => {
                self.expect(&Tok::RightDelim, "end")?;
                return Ok(Err(End::End));
            }
            Tok::Keyword("if") => Node::If(self.control("if")?),
            Tok::Keyword("range") => Node::Range(self.control("range")?),
            Tok::Keyword("with") => Node::With(self.control("with")?),
            Tok::Keyword("template") => {
                let context = "template clause";
                let name_tok = self.next_non_space();
                let name = self.template_name(&name_tok, context)?;
                let pipe = if self.next_non_space().tok != Tok::RightDelim {
                    self.backup();
                    Some(self.pipeline(context, &Tok::RightDelim)?)
                } else {
                    None
                };
                Node::Template {
                    pos: name_tok.pos,
                    name,
                    pipe,
                }
            }
            _ => {
                self.backup();
                Node::Action(self.pipeline("command", &Tok::RightDelim)?)
            }
        };
        Ok(Ok(node))
    }

    fn block(&mut self) -> PResult<Node> {
        let context = "block clause";
        let name_tok = self.next_non_space();
        let name = self.template_name(&name_tok, context)?;
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_depth = std::mem::take(&mut self.range_depth);
        let (root, end) = self.item_list()?;
        self.vars = saved;
        self.range_depth = saved_depth;
        if !matches!(end, End::End) {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_tree(name.clone(), root);
        Ok(Node::Template {
            pos: name_tok.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        let nvars = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(nvars);
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, end) = listed?;
        let else_list = match end {
            End::End => None,
            End::Else => {
                let peek = self.peek().tok;
                if (context == "if" && peek == Tok::Keyword("if"))
                    || (context == "with" && peek == Tok::Keyword("with"))
                {
                    self.next();
                    let inner = self.control(context)?;
                    Some(vec![if context == "if" {
                        Node::If(inner)
                    } else {
                        Node::With(inner)
                    }])
                } else {
                    let (l, end) = self.item_list()?;
                    if !matches!(end, End::End) {
                        return self.err("expected end; found {{else}}");
                    }
                    Some(l)
                }
            }
        };
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }
}
