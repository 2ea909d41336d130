//! String functions: trimming, case, slicing, quoting, joining and splitting.

use crate::template::{Funcs, Value, fmt};

use super::args::{Out, exact, int, string, string_list, strslice, strval};
use super::words;

/// Registers the string functions.
pub(crate) fn register(f: &mut Funcs) {
    unary(f, "trim", |s| {
        s.trim_matches(char::is_whitespace).to_string()
    });
    unary(f, "upper", |s| s.chars().map(words::upper).collect());
    unary(f, "lower", |s| s.chars().map(words::lower).collect());
    unary(f, "title", words::title);
    unary(f, "untitle", words::untitle);
    unary(f, "nospace", |s| {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    });
    unary(f, "initials", words::initials);
    unary(f, "snakecase", |s| words::to_lower_case(s, '_'));
    unary(f, "kebabcase", |s| words::to_lower_case(s, '-'));
    unary(f, "camelcase", words::camel_case);
    unary(f, "swapcase", words::swap_case);
    for name in ["trimAll", "trimall"] {
        binary(f, name, |cut, s| {
            s.trim_matches(|c| cut.contains(c)).to_string()
        });
    }
    binary(f, "trimPrefix", |p, s| {
        s.strip_prefix(p).unwrap_or(s).to_string()
    });
    binary(f, "trimSuffix", |p, s| {
        s.strip_suffix(p).unwrap_or(s).to_string()
    });
    test(f, "contains", |sub, s| s.contains(sub));
    test(f, "hasPrefix", |p, s| s.starts_with(p));
    test(f, "hasSuffix", |p, s| s.ends_with(p));
    f.insert("repeat", |_, a| {
        exact(a, 2)?;
        let n = int(&a[0])?;
        let n = usize::try_from(n).map_err(|_| "strings: negative Repeat count".to_string())?;
        Ok(string(&a[1])?.repeat(n).into())
    });
    f.insert("substr", |_, a| {
        exact(a, 3)?;
        substr(int(&a[0])?, int(&a[1])?, string(&a[2])?)
    });
    f.insert("trunc", |_, a| {
        exact(a, 2)?;
        Ok(trunc(int(&a[0])?, string(&a[1])?).into())
    });
    f.insert("abbrev", |_, a| {
        exact(a, 2)?;
        let s = string(&a[1])?;
        Ok(words::abbreviate(s, 0, int(&a[0])?)
            .unwrap_or_default()
            .into())
    });
    f.insert("abbrevboth", |_, a| {
        exact(a, 3)?;
        let s = string(&a[2])?;
        let out = words::abbreviate(s, int(&a[0])?, int(&a[1])?);
        Ok(out.unwrap_or_default().into())
    });
    f.insert("wrap", |_, a| {
        exact(a, 2)?;
        Ok(words::wrap(string(&a[1])?, int(&a[0])?, "\n", false).into())
    });
    f.insert("wrapWith", |_, a| {
        exact(a, 3)?;
        let (n, sep, s) = (int(&a[0])?, string(&a[1])?, string(&a[2])?);
        Ok(words::wrap(s, n, sep, true).into())
    });
    f.insert("quote", |_, a| {
        Ok(join_present(a, |v| fmt::quote(&strval(v))).into())
    });
    f.insert("squote", |_, a| {
        Ok(join_present(a, |v| format!("'{}'", fmt::display(v))).into())
    });
    f.insert("cat", |_, a| Ok(join_present(a, fmt::display).into()));
    f.insert("indent", |_, a| {
        exact(a, 2)?;
        Ok(indent(int(&a[0])?, string(&a[1])?)?.into())
    });
    f.insert("nindent", |_, a| {
        exact(a, 2)?;
        Ok(format!("\n{}", indent(int(&a[0])?, string(&a[1])?)?).into())
    });
    f.insert("replace", |_, a| {
        exact(a, 3)?;
        let (old, new, s) = (string(&a[0])?, string(&a[1])?, string(&a[2])?);
        Ok(go_replace(s, old, new).into())
    });
    f.insert("plural", |_, a| {
        exact(a, 3)?;
        let (one, many) = (string(&a[0])?, string(&a[1])?);
        Ok(if int(&a[2])? == 1 { one } else { many }.into())
    });
    f.insert("splitList", |_, a| {
        exact(a, 2)?;
        Ok(string_list(go_split(string(&a[1])?, string(&a[0])?, -1)))
    });
    f.insert("split", |_, a| {
        exact(a, 2)?;
        Ok(indexed(go_split(string(&a[1])?, string(&a[0])?, -1)))
    });
    f.insert("splitn", |_, a| {
        exact(a, 3)?;
        let (sep, n, s) = (string(&a[0])?, int(&a[1])?, string(&a[2])?);
        Ok(indexed(go_split(s, sep, n)))
    });
    f.insert("join", |_, a| {
        exact(a, 2)?;
        Ok(strslice(&a[1]).join(string(&a[0])?).into())
    });
    f.insert("sortAlpha", |_, a| {
        exact(a, 1)?;
        let mut items = match &a[0] {
            Value::List(_) => strslice(&a[0]),
            v => vec![strval(v)],
        };
        items.sort();
        Ok(string_list(items))
    });
    f.insert("hello", |_, _| Ok("Hello!".into()));
    f.insert("toString", |_, a| {
        exact(a, 1)?;
        Ok(strval(&a[0]).into())
    });
    f.insert("toStrings", |_, a| {
        exact(a, 1)?;
        Ok(string_list(strslice(&a[0])))
    });
}

fn unary(f: &mut Funcs, name: &'static str, op: fn(&str) -> String) {
    f.insert(name, move |_, a| {
        exact(a, 1)?;
        Ok(op(string(&a[0])?).into())
    });
}

fn binary(f: &mut Funcs, name: &'static str, op: fn(&str, &str) -> String) {
    f.insert(name, move |_, a| {
        exact(a, 2)?;
        Ok(op(string(&a[0])?, string(&a[1])?).into())
    });
}

fn test(f: &mut Funcs, name: &'static str, op: fn(&str, &str) -> bool) {
    f.insert(name, move |_, a| {
        exact(a, 2)?;
        Ok(op(string(&a[0])?, string(&a[1])?).into())
    });
}

/// The non-nil arguments, each formatted by `each`, separated by spaces.
fn join_present(a: &[Value], each: impl Fn(&Value) -> String) -> String {
    let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(each).collect();
    parts.join(" ")
}

/// A byte slice of `s` as Go slices it; a cut inside a character gives replacement characters.
fn bytes(s: &str, from: usize, to: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[from..to]).into_owned()
}

/// Sprig's `substring`: a negative start means 0 to end, a negative or too large end means to the end.
fn substr(start: i64, end: i64, s: &str) -> Out {
    let len = s.len() as i64;
    let (from, to) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if from < 0 || to < from || to > len {
        return Err(format!(
            "runtime error: slice bounds out of range [{from}:{to}] with length {len}"
        ));
    }
    Ok(bytes(s, from as usize, to as usize).into())
}

/// Sprig's `trunc`: the first `c` bytes, or with a negative `c` the last `-c`.
fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        bytes(s, (len + c) as usize, s.len())
    } else if c >= 0 && len > c {
        bytes(s, 0, c as usize)
    } else {
        s.to_string()
    }
}

fn indent(spaces: i64, s: &str) -> Result<String, String> {
    let n = usize::try_from(spaces).map_err(|_| "strings: negative Repeat count".to_string())?;
    let pad = " ".repeat(n);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// Go's `strings.Replace(s, old, new, -1)`: an empty `old` matches before every character and at the end.
fn go_replace(s: &str, old: &str, new: &str) -> String {
    if !old.is_empty() {
        return s.replace(old, new);
    }
    let mut out = String::from(new);
    for c in s.chars() {
        out.push(c);
        out.push_str(new);
    }
    out
}

/// Go's `strings.SplitN`; `n < 0` is no limit, `n == 0` is no pieces, an empty separator splits into
/// characters.
pub(crate) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        let take = chars.len().min(limit);
        let mut out: Vec<String> = chars[..take].iter().map(char::to_string).collect();
        if take < chars.len() && take > 0 {
            let rest: String = chars[take - 1..].iter().collect();
            out[take - 1] = rest;
        }
        return out;
    }
    s.splitn(limit, sep).map(str::to_string).collect()
}

/// Sprig's `split` result: a map from `_0`, `_1`, ... to the pieces.
fn indexed(parts: Vec<String>) -> Value {
    Value::map(
        parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), Value::String(p))),
    )
}
