//! The lexer: template text to tokens, following Go's `text/template/parse/lex.go` rules for delimiters,
//! trim markers, comments, quoting and numbers.

/// The kinds of token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// Plain text outside actions, already trimmed.
    Text(String),
    LeftDelim,
    RightDelim,
    /// A run of spaces inside an action.
    Space,
    Ident(String),
    /// `.Name`; the name without the dot.
    Field(String),
    /// `$name` or `$`, with the dollar.
    Variable(String),
    Keyword(&'static str),
    /// An interpreted string literal, still quoted.
    Str(String),
    /// A raw string literal, still quoted.
    RawStr(String),
    /// A character constant, still quoted.
    Char(String),
    Number(String),
    Bool(bool),
    Nil,
    Dot,
    Pipe,
    Declare,
    Assign,
    Comma,
    /// Any other printable ASCII character; only the parser rejects it, as in Go.
    Punct(char),
    LeftParen,
    RightParen,
    Eof,
    Error(String),
}

/// A token with its byte offset and 1-based line.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: usize,
    pub(crate) line: usize,
}

const KEYWORDS: &[&str] = &[
    "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with",
];
const SPACE: &[char] = &[' ', '\t', '\r', '\n'];

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
    paren_depth: usize,
    /// A byte offset and its line, so lines are counted once, not from the start for every token.
    mark: (usize, usize),
}

/// Split `src` into tokens. The last token is `Eof` or `Error`.
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let mut l = Lexer {
        src,
        pos: 0,
        out: Vec::new(),
        paren_depth: 0,
        mark: (0, 1),
    };
    l.run();
    l.out
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn line_at(&mut self, pos: usize) -> usize {
        let (from, line) = if pos >= self.mark.0 {
            self.mark
        } else {
            (0, 1)
        };
        let line = line + self.src[from..pos].matches('\n').count();
        self.mark = (pos, line);
        line
    }
    fn emit(&mut self, tok: Tok, pos: usize) {
        let line = self.line_at(pos);
        self.out.push(Token { tok, pos, line });
    }
    fn fail(&mut self, msg: String, pos: usize) -> Result<(), ()> {
        self.emit(Tok::Error(msg), pos);
        Err(())
    }

    fn run(&mut self) {
        let mut trim_next = false;
        loop {
            let rest = self.rest();
            let (text_end, found) = match rest.find("{{") {
                Some(i) => (self.pos + i, true),
                None => (self.src.len(), false),
            };
            let mut text = &self.src[self.pos..text_end];
            let left_trim = found && self.src[text_end + 2..].starts_with('-') && {
                let after = &self.src[text_end + 3..];
                after.starts_with(SPACE)
            };
            if trim_next {
                text = text.trim_start_matches(SPACE);
            }
            if left_trim {
                text = text.trim_end_matches(SPACE);
            }
            if !text.is_empty() {
                self.emit(Tok::Text(text.to_string()), self.pos);
            }
            if !found {
                self.emit(Tok::Eof, self.src.len());
                return;
            }
            self.pos = text_end;
            match self.action(left_trim) {
                Ok(trim) => trim_next = trim,
                Err(()) => return,
            }
        }
    }

    /// Lex one action starting at `{{`; returns whether it ended with a right trim marker.
    fn action(&mut self, left_trim: bool) -> Result<bool, ()> {
        let start = self.pos;
        self.pos += 2;
        if left_trim {
            self.pos += 2;
        }
        if self.rest().starts_with("/*") {
            return self.comment(start);
        }
        self.emit(Tok::LeftDelim, start);
        self.paren_depth = 0;
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren_depth > 0 {
                    return self
                        .fail("unclosed left paren".into(), self.pos)
                        .map(|_| false);
                }
                let p = self.pos;
                self.pos += if trim { 4 } else { 2 };
                self.emit(Tok::RightDelim, p);
                return Ok(trim);
            }
            self.inside_action()?;
        }
    }

    /// `Some(trim)` when the input is at `}}` or ` -}}`.
    fn at_right_delim(&self) -> Option<bool> {
        let rest = self.rest();
        if rest.starts_with("}}") {
            Some(false)
        } else if rest.len() >= 4 && rest.starts_with(SPACE) && rest[1..].starts_with("-}}") {
            Some(true)
        } else {
            None
        }
    }

    fn comment(&mut self, start: usize) -> Result<bool, ()> {
        let Some(end) = self.rest()[2..].find("*/") else {
            return self.fail("unclosed comment".into(), start).map(|_| false);
        };
        self.pos += 2 + end + 2;
        match self.at_right_delim() {
            Some(trim) => {
                self.pos += if trim { 4 } else { 2 };
                Ok(trim)
            }
            None => self
                .fail("comment ends before closing delimiter".into(), start)
                .map(|_| false),
        }
    }

    fn inside_action(&mut self) -> Result<(), ()> {
        let p = self.pos;
        let Some(c) = self.peek() else {
            return self.fail("unclosed action".into(), self.pos);
        };
        match c {
            c if SPACE.contains(&c) => {
                while let Some(c) = self.peek() {
                    if !SPACE.contains(&c) || self.at_right_delim() == Some(true) {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos > p {
                    self.emit(Tok::Space, p);
                }
            }
            '=' => self.single(Tok::Assign),
            ':' => {
                if !self.rest().starts_with(":=") {
                    return self.fail("expected :=".into(), p);
                }
                self.pos += 2;
                self.emit(Tok::Declare, p);
            }
            '|' => self.single(Tok::Pipe),
            ',' => self.single(Tok::Comma),
            '(' => {
                self.paren_depth += 1;
                self.single(Tok::LeftParen);
            }
            ')' => {
                if self.paren_depth == 0 {
                    return self.fail("unexpected right paren".into(), p);
                }
                self.paren_depth -= 1;
                self.single(Tok::RightParen);
            }
            '"' => return self.quote(p),
            '`' => return self.raw_quote(p),
            '\'' => return self.char_const(p),
            '$' => return self.field_or_var(p, true),
            '.' => {
                let next = self.src.as_bytes().get(p + 1).copied();
                if next.is_some_and(|b| b.is_ascii_digit()) {
                    return self.number(p);
                }
                return self.field_or_var(p, false);
            }
            '+' | '-' | '0'..='9' => return self.number(p),
            c if is_alnum(c) => return self.identifier(p),
            c if c.is_ascii_graphic() => self.single(Tok::Punct(c)),
            c => {
                return self.fail(
                    format!("unrecognized character in action: {}", unicode_repr(c)),
                    p,
                );
            }
        }
        Ok(())
    }

    fn single(&mut self, tok: Tok) {
        let p = self.pos;
        self.pos += 1;
        self.emit(tok, p);
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if SPACE.contains(&c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with("}}"),
        }
    }

    fn take_alnum(&mut self) {
        while let Some(c) = self.peek().filter(|c| is_alnum(*c)) {
            self.pos += c.len_utf8();
        }
    }

    fn bad_char_unless_terminator(&mut self) -> Result<(), ()> {
        if self.at_terminator() {
            return Ok(());
        }
        let c = self.peek().unwrap_or('\0');
        self.fail(format!("bad character {}", unicode_repr(c)), self.pos)
    }

    fn identifier(&mut self, p: usize) -> Result<(), ()> {
        self.take_alnum();
        self.bad_char_unless_terminator()?;
        let word = &self.src[p..self.pos];
        let tok = match word {
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            "nil" => Tok::Nil,
            w => match KEYWORDS.iter().find(|k| **k == w) {
                Some(k) => Tok::Keyword(k),
                None => Tok::Ident(w.to_string()),
            },
        };
        self.emit(tok, p);
        Ok(())
    }

    fn field_or_var(&mut self, p: usize, var: bool) -> Result<(), ()> {
        self.pos += 1;
        if self.at_terminator() {
            self.emit(
                if var {
                    Tok::Variable("$".into())
                } else {
                    Tok::Dot
                },
                p,
            );
            return Ok(());
        }
        self.take_alnum();
        self.bad_char_unless_terminator()?;
        let tok = if var {
            Tok::Variable(self.src[p..self.pos].to_string())
        } else {
            Tok::Field(self.src[p + 1..self.pos].to_string())
        };
        self.emit(tok, p);
        Ok(())
    }

    fn quote(&mut self, p: usize) -> Result<(), ()> {
        let bytes = self.src.as_bytes();
        let mut i = p + 1;
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => return self.fail("unterminated quoted string".into(), p),
                Some(b'\\') => i += 2,
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        self.emit(Tok::Str(self.src[p..self.pos].to_string()), p);
        Ok(())
    }

    fn raw_quote(&mut self, p: usize) -> Result<(), ()> {
        match self.src[p + 1..].find('`') {
            None => self.fail("unterminated raw quoted string".into(), p),
            Some(i) => {
                self.pos = p + 1 + i + 1;
                self.emit(Tok::RawStr(self.src[p..self.pos].to_string()), p);
                Ok(())
            }
        }
    }

    fn char_const(&mut self, p: usize) -> Result<(), ()> {
        let bytes = self.src.as_bytes();
        let mut i = p + 1;
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => {
                    return self.fail("unterminated character constant".into(), p);
                }
                Some(b'\\') => i += 2,
                Some(b'\'') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        self.emit(Tok::Char(self.src[p..self.pos].to_string()), p);
        Ok(())
    }

    fn accept(&mut self, set: &str) -> bool {
        match self.peek() {
            Some(c) if set.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, set: &str) {
        while self.accept(set) {}
    }

    fn number(&mut self, p: usize) -> Result<(), ()> {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            let c = self.peek().unwrap_or('\0');
            self.pos += c.len_utf8();
            let text = self.src[p..self.pos].to_string();
            return self.fail(format!("bad number syntax: {text:?}"), p);
        }
        self.emit(Tok::Number(self.src[p..self.pos].to_string()), p);
        Ok(())
    }
}

/// Go's `%#U`: `U+0021 '!'`.
pub(crate) fn unicode_repr(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn trim_markers_remove_surrounding_space() {
        assert_eq!(
            kinds("a \n{{- 3 -}}\n b"),
            vec![
                Tok::Text("a".into()),
                Tok::LeftDelim,
                Tok::Number("3".into()),
                Tok::RightDelim,
                Tok::Text("b".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn a_minus_without_space_is_a_number() {
        assert_eq!(kinds("{{-3}}")[1], Tok::Number("-3".into()));
    }

    #[test]
    fn fields_chain_and_variables() {
        assert_eq!(
            kinds("{{$x.A.b}}")[1..4],
            [
                Tok::Variable("$x".into()),
                Tok::Field("A".into()),
                Tok::Field("b".into())
            ]
        );
    }

    #[test]
    fn errors_stop_the_stream() {
        assert_eq!(
            kinds("{{3k}}").last(),
            Some(&Tok::Error("bad number syntax: \"3k\"".into()))
        );
        assert_eq!(
            kinds("{{ \"abc }}").last(),
            Some(&Tok::Error("unterminated quoted string".into()))
        );
        assert_eq!(
            kinds("{{ x").last(),
            Some(&Tok::Error("unclosed action".into()))
        );
        assert_eq!(
            kinds("{{/* x */ y}}").last(),
            Some(&Tok::Error("comment ends before closing delimiter".into()))
        );
    }
}
