//! Regular expressions (RE2 syntax, which the `regex` crate shares with Go's `regexp`). Sprig's plain
//! forms panic on a bad pattern (an error in a template) except `regexMatch`, which answers false; the
//! `must` forms return the error.

use regex::Regex;

use crate::template::Funcs;

use super::args::{exact, int, string, string_list};

/// Registers the regular-expression functions.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("regexMatch", |_, a| {
        exact(a, 2)?;
        let s = string(&a[1])?;
        Ok(compile(string(&a[0])?).is_ok_and(|r| r.is_match(s)).into())
    });
    f.insert("mustRegexMatch", |_, a| {
        exact(a, 2)?;
        let s = string(&a[1])?;
        Ok(compile(string(&a[0])?)?.is_match(s).into())
    });
    for name in ["regexFind", "mustRegexFind"] {
        f.insert(name, |_, a| {
            exact(a, 2)?;
            let s = string(&a[1])?;
            let r = compile(string(&a[0])?)?;
            Ok(r.find(s).map_or("", |m| m.as_str()).into())
        });
    }
    for name in ["regexFindAll", "mustRegexFindAll"] {
        f.insert(name, |_, a| {
            exact(a, 3)?;
            let (s, n) = (string(&a[1])?, int(&a[2])?);
            let r = compile(string(&a[0])?)?;
            let limit = usize::try_from(n).unwrap_or(usize::MAX);
            let found = r.find_iter(s).take(limit).map(|m| m.as_str().to_string());
            Ok(string_list(found))
        });
    }
    for name in ["regexReplaceAll", "mustRegexReplaceAll"] {
        f.insert(name, |_, a| {
            exact(a, 3)?;
            let (s, repl) = (string(&a[1])?, string(&a[2])?);
            let r = compile(string(&a[0])?)?;
            Ok(r.replace_all(s, repl).into_owned().into())
        });
    }
    for name in ["regexReplaceAllLiteral", "mustRegexReplaceAllLiteral"] {
        f.insert(name, |_, a| {
            exact(a, 3)?;
            let (s, repl) = (string(&a[1])?, string(&a[2])?);
            let r = compile(string(&a[0])?)?;
            Ok(r.replace_all(s, regex::NoExpand(repl)).into_owned().into())
        });
    }
    for name in ["regexSplit", "mustRegexSplit"] {
        f.insert(name, |_, a| {
            exact(a, 3)?;
            let (pattern, s, n) = (string(&a[0])?, string(&a[1])?, int(&a[2])?);
            Ok(string_list(split(&compile(pattern)?, pattern, s, n)))
        });
    }
    f.insert("regexQuoteMeta", |_, a| {
        exact(a, 1)?;
        Ok(quote_meta(string(&a[0])?).into())
    });
}

fn compile(pattern: &str) -> Result<Regex, String> {
    crate::regex_cache::compile(pattern).map_err(|e| format!("error parsing regexp: {e}"))
}

/// Go's `Regexp.Split`: at most `n` pieces (all when `n < 0`, none when 0).
fn split(r: &Regex, pattern: &str, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !pattern.is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for m in r.find_iter(s) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = m.end();
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_follows_go_for_limits_and_empty_input() {
        let r = compile("a").unwrap();
        assert_eq!(split(&r, "a", "banana", -1), ["b", "n", "n", ""]);
        assert_eq!(split(&r, "a", "banana", 2), ["b", "nana"]);
        assert_eq!(split(&r, "a", "", -1), [""]);
        let empty: Vec<String> = Vec::new();
        assert_eq!(split(&r, "a", "banana", 0), empty);
    }
}
