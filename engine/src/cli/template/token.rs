//! Splits the inside of one action into tokens.

use std::fmt;

use yaml_serde::Value;

use super::error::{Error, Result};

/// One token of an action.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// `.` or a field chain from dot such as `.A.B`.
    Dot(Vec<String>),
    /// A variable (`$`, `$x`) with an optional field chain (`$x.A.B`).
    Var(String, Vec<String>),
    /// A string, number, boolean or `nil` constant.
    Literal(Value),
    /// A keyword or a function name.
    Word(String),
    /// `:=`
    Declare,
    /// `=`
    Assign,
    /// `,`
    Comma,
    /// `|`
    Pipe,
    /// `(` or `)`
    Paren(char),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dot(path) if path.is_empty() => f.write_str("."),
            Self::Dot(path) => path.iter().try_for_each(|p| write!(f, ".{p}")),
            Self::Var(name, path) => {
                f.write_str(name)?;
                path.iter().try_for_each(|p| write!(f, ".{p}"))
            }
            Self::Literal(value) => write!(f, "{value:?}"),
            Self::Word(word) => f.write_str(word),
            Self::Declare => f.write_str(":="),
            Self::Assign => f.write_str("="),
            Self::Comma => f.write_str(","),
            Self::Pipe => f.write_str("|"),
            Self::Paren(c) => write!(f, "{c}"),
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits an action body into tokens; `line` is used in errors.
pub(super) fn tokenize(body: &str, line: usize) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut rest = body.trim_start();
    while let Some(c) = rest.chars().next() {
        let (token, len) = match c {
            '.' => {
                let (path, len) = fields(rest);
                (Token::Dot(path), len.max(1))
            }
            '$' => {
                let name_len = 1 + ident_len(&rest[1..]);
                let (path, len) = fields(&rest[name_len..]);
                (
                    Token::Var(rest[..name_len].to_owned(), path),
                    name_len + len,
                )
            }
            ':' if rest.starts_with(":=") => (Token::Declare, 2),
            '=' => (Token::Assign, 1),
            ',' => (Token::Comma, 1),
            '|' => (Token::Pipe, 1),
            '(' | ')' => (Token::Paren(c), 1),
            '"' => string(rest, line)?,
            '`' => {
                let end = rest[1..]
                    .find('`')
                    .ok_or_else(|| Error::syntax(line, "unterminated raw string"))?;
                (
                    Token::Literal(Value::String(rest[1..=end].to_owned())),
                    end + 2,
                )
            }
            '-' | '+' | '0'..='9' => number(rest, line)?,
            c if is_ident(c) => {
                let len = ident_len(rest);
                (word(&rest[..len]), len)
            }
            c => return Err(Error::syntax(line, format!("unexpected {c:?} in action"))),
        };
        tokens.push(token);
        rest = rest[len..].trim_start();
    }
    Ok(tokens)
}

fn ident_len(s: &str) -> usize {
    s.find(|c: char| !is_ident(c)).unwrap_or(s.len())
}

/// Reads a chain of `.Name` at the start of `s`: the names and the bytes they take.
fn fields(s: &str) -> (Vec<String>, usize) {
    let mut path = Vec::new();
    let mut len = 0;
    while let Some(after) = s[len..].strip_prefix('.') {
        let name_len = ident_len(after);
        if name_len == 0 {
            break;
        }
        path.push(after[..name_len].to_owned());
        len += 1 + name_len;
    }
    (path, len)
}

fn word(w: &str) -> Token {
    match w {
        "true" => Token::Literal(Value::Bool(true)),
        "false" => Token::Literal(Value::Bool(false)),
        "nil" => Token::Literal(Value::Null),
        _ => Token::Word(w.to_owned()),
    }
}

/// Reads a double-quoted string with Go's common escapes.
fn string(s: &str, line: usize) -> Result<(Token, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((Token::Literal(Value::String(out)), i + 1)),
            '\\' => {
                let escaped = match chars.next().map(|(_, e)| e) {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('r') => '\r',
                    Some(e @ ('\\' | '"' | '\'')) => e,
                    Some(e) => {
                        return Err(Error::syntax(
                            line,
                            format!("unknown escape \\{e} in string"),
                        ));
                    }
                    None => break,
                };
                out.push(escaped);
            }
            c => out.push(c),
        }
    }
    Err(Error::syntax(line, "unterminated quoted string"))
}

/// Reads an integer or floating-point constant.
fn number(s: &str, line: usize) -> Result<(Token, usize)> {
    let mut len = 0;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        let sign_ok = i == 0 || matches!(prev, 'e' | 'E');
        if !(c.is_ascii_alphanumeric() || c == '.' || ((c == '-' || c == '+') && sign_ok)) {
            break;
        }
        len = i + c.len_utf8();
        prev = c;
    }
    let text = &s[..len];
    let value = match text.parse::<i64>() {
        Ok(i) => Value::Number(i.into()),
        Err(_) => match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Value::Number(f.into()),
            _ => return Err(Error::syntax(line, format!("bad number syntax: {text:?}"))),
        },
    };
    Ok((Token::Literal(value), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(path: &[&str]) -> Vec<String> {
        path.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fields_variables_and_operators_are_tokens() {
        let tokens = tokenize(" range $i, $v := .A.B ", 1).unwrap();
        assert_eq!(
            tokens,
            [
                Token::Word("range".into()),
                Token::Var("$i".into(), vec![]),
                Token::Comma,
                Token::Var("$v".into(), vec![]),
                Token::Declare,
                Token::Dot(strings(&["A", "B"])),
            ]
        );
        assert_eq!(
            tokenize("$.X.Y $ .", 1).unwrap(),
            [
                Token::Var("$".into(), strings(&["X", "Y"])),
                Token::Var("$".into(), vec![]),
                Token::Dot(vec![]),
            ]
        );
    }

    #[test]
    fn literals_are_values() {
        assert_eq!(
            tokenize(r#""a\"b" `r` 42 -1.5 true nil"#, 1).unwrap(),
            [
                Token::Literal(Value::String("a\"b".into())),
                Token::Literal(Value::String("r".into())),
                Token::Literal(Value::Number(42.into())),
                Token::Literal(Value::Number((-1.5).into())),
                Token::Literal(Value::Bool(true)),
                Token::Literal(Value::Null),
            ]
        );
    }

    #[test]
    fn bad_tokens_are_syntax_errors_on_the_line() {
        assert_eq!(
            tokenize("\"open", 7).unwrap_err(),
            Error::syntax(7, "unterminated quoted string")
        );
        assert_eq!(
            tokenize("12ab", 3).unwrap_err(),
            Error::syntax(3, "bad number syntax: \"12ab\"")
        );
        assert_eq!(
            tokenize(".A # x", 2).unwrap_err(),
            Error::syntax(2, "unexpected '#' in action")
        );
    }
}
