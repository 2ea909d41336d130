//! Pipelines, commands and operands: the inside of an action.

use super::{MAX_DEPTH, PResult, Parser};
use crate::template::ast::{Arg, Command, Pipe};
use crate::template::lex::Tok;
use crate::template::literal::{parse_number, unquote};

impl Parser<'_> {
    pub(super) fn pipeline(&mut self, context: &str, end: &Tok) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        loop {
            let v = self.peek_non_space();
            let Tok::Variable(name) = &v.tok else { break };
            let before = self.i;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.tok {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.tok == Tok::Assign;
                    self.next_non_space();
                    pipe.decl.push((v.pos, name.clone()));
                    self.vars.push(name.clone());
                }
                Tok::Comma => {
                    self.next_non_space();
                    pipe.decl.push((v.pos, name.clone()));
                    self.vars.push(name.clone());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue,
                            _ => return self.err("range can only initialize variables"),
                        }
                    }
                    return self.err(format!("too many declarations in {context}"));
                }
                _ => self.i = before,
            }
            break;
        }
        loop {
            let t = self.next_non_space();
            if &t.tok == end {
                return self.check_pipeline(pipe, context);
            }
            match t.tok {
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::RawStr(_)
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: Pipe, context: &str) -> PResult<Pipe> {
        if pipe.cmds.is_empty() {
            return self.err(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String { .. }
            ) {
                return self.err(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(pipe)
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(a) = self.operand()? {
                args.push(a);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if args.is_empty() {
            return self.err("empty command");
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if !matches!(self.peek().tok, Tok::Field(_)) {
            return Ok(Some(node));
        }
        let pos = self.peek().pos;
        let mut fields = Vec::new();
        while let Tok::Field(f) = self.peek().tok {
            self.next();
            fields.push(f);
        }
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field { pos, idents }
            }
            Arg::Variable { mut idents, .. } => {
                idents.extend(fields);
                Arg::Variable { pos, idents }
            }
            Arg::Bool(..) | Arg::String { .. } | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                let quoted = format!("{node}");
                return self.err(format!("unexpected . after term {quoted:?}"));
            }
            node => Arg::Chain {
                pos,
                node: Box::new(node),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        let pos = t.pos;
        Ok(Some(match t.tok {
            Tok::Ident(name) => {
                if !(self.has_func)(&name) {
                    return self.err(format!("function {name:?} not defined"));
                }
                Arg::Ident { pos, name }
            }
            Tok::Dot => Arg::Dot(pos),
            Tok::Nil => Arg::Nil(pos),
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return self.err(format!("undefined variable {name:?}"));
                }
                Arg::Variable {
                    pos,
                    idents: vec![name],
                }
            }
            Tok::Field(f) => Arg::Field {
                pos,
                idents: vec![f],
            },
            Tok::Bool(b) => Arg::Bool(pos, b),
            Tok::Char(text) | Tok::Number(text) => match parse_number(&text) {
                Ok(n) => Arg::Number(pos, n),
                Err(e) => return self.err(e),
            },
            Tok::LeftParen => {
                if self.depth >= MAX_DEPTH {
                    return self.err("max expression depth exceeded");
                }
                self.depth += 1;
                let pipe = self.pipeline("parenthesized pipeline", &Tok::RightParen);
                self.depth -= 1;
                Arg::Pipe(Box::new(pipe?))
            }
            Tok::Str(quoted) | Tok::RawStr(quoted) => match unquote(&quoted) {
                Ok(value) => Arg::String { pos, quoted, value },
                Err(e) => return self.err(e),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}
