//! Splits template text into literal text and actions (`{{ ... }}`), applying the trim markers and dropping
//! comments.

use super::error::{Error, Result};

/// One piece of template text.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Item {
    /// Text copied to the output as it is.
    Text(String),
    /// The inside of an action, without delimiters and trim markers.
    Action {
        /// The action's text.
        body: String,
        /// The 1-based line where the action opens.
        line: usize,
    },
}

/// Go's "white space" for the trim markers.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// Splits `src` into items. `{{- ` trims the white space before an action and ` -}}` the white space after
/// it; `{{/* ... */}}` is a comment and produces nothing.
pub(super) fn lex(src: &str) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    let mut rest = src;
    let mut line = 1;
    let mut trim_next = false;
    while let Some(open) = rest.find("{{") {
        let mut text = &rest[..open];
        if trim_next {
            text = text.trim_start_matches(is_space);
        }
        let inner = &rest[open + 2..];
        let trim_left = inner.starts_with('-') && inner[1..].starts_with(is_space);
        if trim_left {
            text = text.trim_end_matches(is_space);
        }
        if !text.is_empty() {
            items.push(Item::Text(text.to_owned()));
        }
        line += newlines(&rest[..open]);
        let inner = if trim_left { &inner[1..] } else { inner };
        let (body, consumed, trim_right) = action(inner, line)?;
        if let Some(body) = body {
            items.push(Item::Action {
                body: body.to_owned(),
                line,
            });
        }
        line += newlines(&inner[..consumed]);
        rest = &inner[consumed..];
        trim_next = trim_right;
    }
    let text = if trim_next {
        rest.trim_start_matches(is_space)
    } else {
        rest
    };
    if !text.is_empty() {
        items.push(Item::Text(text.to_owned()));
    }
    Ok(items)
}

/// Reads one action from just after its opening delimiter (and left trim marker). Returns its body (`None`
/// for a comment), the bytes consumed including the closing `}}`, and whether it ends with ` -}}`.
fn action(inner: &str, line: usize) -> Result<(Option<&str>, usize, bool)> {
    let lead = inner.len() - inner.trim_start_matches(is_space).len();
    if inner[lead..].starts_with("/*") {
        return comment(inner, lead, line);
    }
    let close = find_close(inner).ok_or_else(|| Error::syntax(line, "unclosed action"))?;
    let body = &inner[..close];
    let (body, trim_right) = split_right_trim(body);
    Ok((Some(body), close + 2, trim_right))
}

/// Reads a comment that starts at `start`; only white space and a trim marker may follow its `*/`.
fn comment(inner: &str, start: usize, line: usize) -> Result<(Option<&str>, usize, bool)> {
    let end = inner[start..]
        .find("*/")
        .map(|i| start + i + 2)
        .ok_or_else(|| Error::syntax(line, "unclosed comment"))?;
    let close = inner[end..]
        .find("}}")
        .map(|i| end + i)
        .ok_or_else(|| Error::syntax(line, "unclosed comment"))?;
    let (between, trim_right) = split_right_trim(&inner[end..close]);
    if !between.trim_matches(is_space).is_empty() {
        return Err(Error::syntax(line, "comment ends before closing delimiter"));
    }
    Ok((None, close + 2, trim_right))
}

/// Splits a right trim marker (white space, then `-`, at the end) off an action body.
fn split_right_trim(body: &str) -> (&str, bool) {
    match body.strip_suffix('-') {
        Some(head) if head.ends_with(is_space) => (head, true),
        _ => (body, false),
    }
}

/// The byte offset of the `}}` that closes the action, skipping over quoted strings.
fn find_close(inner: &str) -> Option<usize> {
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            quote @ (b'"' | b'\'') => i = skip_quoted(bytes, i, quote)?,
            b'`' => i = i + 1 + inner[i + 1..].find('`')?,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote that closes the escaped string opened at `start`.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return None,
            b if b == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(body: &str, line: usize) -> Item {
        Item::Action {
            body: body.to_owned(),
            line,
        }
    }

    fn text(s: &str) -> Item {
        Item::Text(s.to_owned())
    }

    #[test]
    fn text_and_actions_alternate_with_their_lines() {
        let items = lex("a: {{ .A }}\nb:\n  {{.B}} end").unwrap();
        assert_eq!(
            items,
            [
                text("a: "),
                action(" .A ", 1),
                text("\nb:\n  "),
                action(".B", 3),
                text(" end")
            ]
        );
    }

    #[test]
    fn trim_markers_remove_white_space_on_their_side_only() {
        let items = lex("a  \n {{- .A -}} \n\t b {{ .B }} c").unwrap();
        assert_eq!(
            items,
            [
                text("a"),
                action(" .A ", 2),
                text("b "),
                action(" .B ", 3),
                text(" c")
            ]
        );
    }

    #[test]
    fn a_dash_without_space_is_not_a_trim_marker() {
        let items = lex("x {{-3}}").unwrap();
        assert_eq!(items, [text("x "), action("-3", 1)]);
    }

    #[test]
    fn comments_vanish_and_may_trim() {
        let items = lex("a\n{{- /* one\ntwo */ -}}\nb {{/* c */}}").unwrap();
        assert_eq!(items, [text("a"), text("b ")]);
    }

    #[test]
    fn closing_braces_inside_strings_do_not_close_the_action() {
        let items = lex(r#"{{ "}}" }}{{ `}}` }}"#).unwrap();
        assert_eq!(items, [action(r#" "}}" "#, 1), action(" `}}` ", 1)]);
    }

    #[test]
    fn an_unclosed_action_is_a_syntax_error_on_its_line() {
        assert_eq!(
            lex("a\nb {{ .A\n").unwrap_err(),
            Error::syntax(2, "unclosed action")
        );
        assert_eq!(
            lex("\n\n{{/* x }}").unwrap_err(),
            Error::syntax(3, "unclosed comment")
        );
    }

    #[test]
    fn text_after_a_comment_is_a_syntax_error() {
        assert_eq!(
            lex("{{/* x */ .A }}").unwrap_err(),
            Error::syntax(1, "comment ends before closing delimiter")
        );
    }
}
