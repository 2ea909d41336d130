//! Builds the tree of a template from its items: text, output actions, variables, `if`, `with` and `range`.
//! Variables are checked here, as Go does: using an undeclared one is a syntax error.

use std::fmt;

use yaml_serde::Value;

use super::error::{Error, Result};
use super::lex::Item;
use super::token::{Token, tokenize};

/// One node of a parsed template.
#[derive(Debug)]
pub(super) enum Node {
    /// Literal text.
    Text(String),
    /// `{{ expr }}`: prints the value.
    Print { expr: Expr, line: usize },
    /// `{{ $x := expr }}` or `{{ $x = expr }}`: prints nothing.
    Bind {
        var: String,
        expr: Expr,
        declare: bool,
        line: usize,
    },
    /// `{{ if }}`, any `{{ else if }}`, an optional `{{ else }}`, `{{ end }}`.
    If {
        branches: Vec<Branch>,
        otherwise: Vec<Node>,
    },
    /// `{{ with expr }}`: runs the body with dot set to the value when it is true.
    With {
        branch: Branch,
        otherwise: Vec<Node>,
    },
    /// `{{ range [$k,] [$v :=] expr }}`: runs the body once per element, with dot set to it.
    Range {
        key: Option<String>,
        value: Option<String>,
        branch: Branch,
        otherwise: Vec<Node>,
    },
}

/// A condition or collection with the nodes it controls.
#[derive(Debug)]
pub(super) struct Branch {
    pub expr: Expr,
    pub line: usize,
    pub body: Vec<Node>,
}

/// Where a field chain starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Root {
    /// The current dot.
    Dot,
    /// A variable, `$` included.
    Var(String),
}

/// A value in an action.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    /// A field chain from dot or from a variable; an empty chain is the value itself.
    Field { root: Root, path: Vec<String> },
    /// A constant.
    Literal(Value),
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field { root, path } => {
                let head = match root {
                    Root::Dot if path.is_empty() => ".",
                    Root::Dot => "",
                    Root::Var(name) => name,
                };
                f.write_str(head)?;
                path.iter().try_for_each(|p| write!(f, ".{p}"))
            }
            Self::Literal(value) => write!(f, "{value:?}"),
        }
    }
}

/// How a list of nodes ended.
enum Boundary {
    Eof,
    End { line: usize },
    Else { rest: Vec<Token>, line: usize },
}

/// Parses lexed items into nodes.
pub(super) fn parse(items: Vec<Item>) -> Result<Vec<Node>> {
    let mut parser = Parser {
        items: items.into_iter(),
        scopes: vec![vec!["$".to_owned()]],
    };
    match parser.list()? {
        (nodes, Boundary::Eof) => Ok(nodes),
        (_, Boundary::End { line }) => Err(Error::syntax(line, "unexpected {{end}}")),
        (_, Boundary::Else { line, .. }) => Err(Error::syntax(line, "unexpected {{else}}")),
    }
}

struct Parser {
    items: std::vec::IntoIter<Item>,
    /// Declared variables, innermost block last.
    scopes: Vec<Vec<String>>,
}

impl Parser {
    /// Parses nodes up to the end of input, an `{{end}}` or an `{{else ...}}`.
    fn list(&mut self) -> Result<(Vec<Node>, Boundary)> {
        let mut nodes = Vec::new();
        while let Some(item) = self.items.next() {
            let (body, line) = match item {
                Item::Text(text) => {
                    nodes.push(Node::Text(text));
                    continue;
                }
                Item::Action { body, line } => (body, line),
            };
            let mut tokens = tokenize(&body, line)?;
            let keyword = match tokens.first() {
                Some(Token::Word(w)) => w.clone(),
                _ => String::new(),
            };
            let header = if keyword.is_empty() {
                tokens
            } else {
                tokens.split_off(1)
            };
            match keyword.as_str() {
                "end" if header.is_empty() => return Ok((nodes, Boundary::End { line })),
                "end" => return Err(Error::syntax(line, "unexpected tokens after end")),
                "else" => return Ok((nodes, Boundary::Else { rest: header, line })),
                "if" => nodes.push(self.parse_if(header, line)?),
                "with" => nodes.push(self.parse_with(header, line)?),
                "range" => nodes.push(self.parse_range(header, line)?),
                "" => nodes.push(self.action(header, line)?),
                word @ ("define" | "template" | "block" | "break" | "continue") => {
                    return Err(Error::syntax(
                        line,
                        format!("{{{{{word}}}}} is not supported"),
                    ));
                }
                word => {
                    return Err(Error::syntax(
                        line,
                        format!(
                            "function \"{word}\" is not supported (only fields, variables and constants are)"
                        ),
                    ));
                }
            }
        }
        Ok((nodes, Boundary::Eof))
    }

    /// A plain action: an output, a declaration or an assignment.
    fn action(&mut self, tokens: Vec<Token>, line: usize) -> Result<Node> {
        match tokens.as_slice() {
            [
                Token::Var(var, path),
                op @ (Token::Declare | Token::Assign),
                rest @ ..,
            ] if path.is_empty() => {
                let declare = *op == Token::Declare;
                let expr = self.expr(rest, line, "declaration")?;
                if declare {
                    self.declare(var);
                } else if var == "$" || !self.is_declared(var) {
                    return Err(Error::syntax(line, format!("undefined variable \"{var}\"")));
                }
                Ok(Node::Bind {
                    var: var.clone(),
                    expr,
                    declare,
                    line,
                })
            }
            _ => Ok(Node::Print {
                expr: self.expr(&tokens, line, "command")?,
                line,
            }),
        }
    }

    fn parse_if(&mut self, header: Vec<Token>, line: usize) -> Result<Node> {
        let mut branches = Vec::new();
        let (mut header, mut line) = (header, line);
        loop {
            let expr = self.expr(&header, line, "if")?;
            let (body, end) = self.scoped(|p| p.list())?;
            branches.push(Branch { expr, line, body });
            match end {
                Boundary::End { .. } => {
                    return Ok(Node::If {
                        branches,
                        otherwise: Vec::new(),
                    });
                }
                Boundary::Else { rest, .. } if rest.is_empty() => {
                    let otherwise = self.until_end("if", line)?;
                    return Ok(Node::If {
                        branches,
                        otherwise,
                    });
                }
                Boundary::Else {
                    mut rest,
                    line: else_line,
                } if rest.first() == Some(&Token::Word("if".into())) => {
                    header = rest.split_off(1);
                    line = else_line;
                }
                Boundary::Else { line, .. } => {
                    return Err(Error::syntax(line, "expected {{else}} or {{else if}}"));
                }
                Boundary::Eof => return Err(unclosed("if", line)),
            }
        }
    }

    fn parse_with(&mut self, header: Vec<Token>, line: usize) -> Result<Node> {
        let expr = self.expr(&header, line, "with")?;
        let (body, otherwise) = self.body_and_else("with", line, &[])?;
        Ok(Node::With {
            branch: Branch { expr, line, body },
            otherwise,
        })
    }

    fn parse_range(&mut self, header: Vec<Token>, line: usize) -> Result<Node> {
        let (key, value, rest) = match header.as_slice() {
            [
                Token::Var(k, kp),
                Token::Comma,
                Token::Var(v, vp),
                Token::Declare,
                rest @ ..,
            ] if kp.is_empty() && vp.is_empty() => (Some(k.clone()), Some(v.clone()), rest),
            [Token::Var(v, vp), Token::Declare, rest @ ..] if vp.is_empty() => {
                (None, Some(v.clone()), rest)
            }
            rest => (None, None, rest),
        };
        let expr = self.expr(rest, line, "range")?;
        let vars: Vec<String> = key.iter().chain(&value).cloned().collect();
        let (body, otherwise) = self.body_and_else("range", line, &vars)?;
        Ok(Node::Range {
            key,
            value,
            branch: Branch { expr, line, body },
            otherwise,
        })
    }

    /// The body of `with` or `range` (with `vars` declared in it) and its optional `{{else}}` part.
    fn body_and_else(
        &mut self,
        keyword: &str,
        line: usize,
        vars: &[String],
    ) -> Result<(Vec<Node>, Vec<Node>)> {
        let (body, end) = self.scoped(|p| {
            vars.iter().for_each(|v| p.declare(v));
            p.list()
        })?;
        match end {
            Boundary::End { .. } => Ok((body, Vec::new())),
            Boundary::Else { rest, .. } if rest.is_empty() => {
                Ok((body, self.until_end(keyword, line)?))
            }
            Boundary::Else { line, .. } => Err(Error::syntax(
                line,
                format!("only a plain {{{{else}}}} may follow {{{{{keyword}}}}}"),
            )),
            Boundary::Eof => Err(unclosed(keyword, line)),
        }
    }

    /// The nodes of a final `{{else}}` part, up to its `{{end}}`.
    fn until_end(&mut self, keyword: &str, line: usize) -> Result<Vec<Node>> {
        match self.scoped(|p| p.list())? {
            (nodes, Boundary::End { .. }) => Ok(nodes),
            (_, Boundary::Else { line, .. }) => Err(Error::syntax(
                line,
                format!("{{{{else}}}} after the final {{{{else}}}} of {{{{{keyword}}}}}"),
            )),
            (_, Boundary::Eof) => Err(unclosed(keyword, line)),
        }
    }

    /// Runs `f` inside a new variable scope.
    fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.scopes.push(Vec::new());
        let result = f(self);
        self.scopes.pop();
        result
    }

    fn declare(&mut self, var: &str) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(var.to_owned());
        }
    }

    fn is_declared(&self, var: &str) -> bool {
        self.scopes.iter().flatten().any(|v| v == var)
    }

    /// Exactly one operand: a field chain, a variable or a constant.
    fn expr(&self, tokens: &[Token], line: usize, context: &str) -> Result<Expr> {
        let expr = match tokens.first() {
            None => return Err(Error::syntax(line, format!("missing value for {context}"))),
            Some(Token::Dot(path)) => Expr::Field {
                root: Root::Dot,
                path: path.clone(),
            },
            Some(Token::Var(var, path)) if self.is_declared(var) => Expr::Field {
                root: Root::Var(var.clone()),
                path: path.clone(),
            },
            Some(Token::Var(var, _)) => {
                return Err(Error::syntax(line, format!("undefined variable \"{var}\"")));
            }
            Some(Token::Literal(value)) => Expr::Literal(value.clone()),
            Some(Token::Word(word)) => {
                return Err(Error::syntax(
                    line,
                    format!(
                        "function \"{word}\" is not supported (only fields, variables and constants are)"
                    ),
                ));
            }
            Some(other) => {
                return Err(Error::syntax(
                    line,
                    format!("unexpected \"{other}\" in {context}"),
                ));
            }
        };
        match tokens.get(1) {
            None => Ok(expr),
            Some(Token::Pipe) => Err(Error::syntax(line, "pipelines (|) are not supported")),
            Some(next) => Err(Error::syntax(
                line,
                format!("unexpected \"{next}\" after {expr} in {context}"),
            )),
        }
    }
}

fn unclosed(keyword: &str, line: usize) -> Error {
    Error::syntax(
        line,
        format!("{{{{{keyword}}}}} has no matching {{{{end}}}}"),
    )
}
