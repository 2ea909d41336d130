//! `urlParse` and `urlJoin`, over a URL reader and writer that follow Go's `net/url` for the parts Sprig
//! exposes: scheme, userinfo, host, path, query, opaque data and fragment.

use crate::template::{Funcs, Map, Value};

use super::args::{exact, map, string, strval};

/// Registers `urlParse` and `urlJoin`.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("urlParse", |_, a| {
        exact(a, 1)?;
        let u = parse(string(&a[0])?).map_err(|e| format!("unable to parse url: {e}"))?;
        let hostname = hostname(&u.host);
        Ok(Value::map([
            ("scheme", u.scheme.into()),
            ("host", u.host.into()),
            ("hostname", hostname.into()),
            ("path", u.path.into()),
            ("query", u.query.into()),
            ("opaque", u.opaque.into()),
            ("fragment", u.fragment.into()),
            ("userinfo", u.userinfo.into()),
        ]))
    });
    f.insert("urlJoin", |_, a| {
        exact(a, 1)?;
        let d = map(&a[0])?;
        Ok(join(&d).into())
    });
}

/// A parsed URL; `path` and `fragment` are unescaped, `userinfo` is in its escaped form.
#[derive(Debug, Default, PartialEq)]
struct Url {
    scheme: String,
    opaque: String,
    userinfo: String,
    host: String,
    path: String,
    query: String,
    fragment: String,
}

/// Go's `url.Parse`, for URLs and references.
fn parse(text: &str) -> Result<Url, String> {
    let mut u = Url::default();
    let (rest, fragment) = text.split_once('#').unwrap_or((text, ""));
    u.fragment = unescape(fragment)?;
    let mut rest = rest;
    if let Some(i) = rest.find(':') {
        let candidate = &rest[..i];
        let valid = candidate.starts_with(|c: char| c.is_ascii_alphabetic())
            && candidate
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if i == 0 {
            return Err(format!("parse {text:?}: missing protocol scheme"));
        }
        if valid {
            u.scheme = candidate.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    if let Some((r, q)) = rest.split_once('?') {
        u.query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_string();
            return Ok(u);
        }
        let first = rest.split('/').next().unwrap_or("");
        if first.contains(':') {
            return Err(format!(
                "parse {text:?}: first path segment in URL cannot contain colon"
            ));
        }
    }
    if rest.starts_with("//") && (!u.scheme.is_empty() || !rest.starts_with("///")) {
        let authority = &rest[2..];
        let end = authority.find('/').unwrap_or(authority.len());
        let (auth, path) = authority.split_at(end);
        match auth.rfind('@') {
            Some(at) => {
                u.userinfo = auth[..at].to_string();
                u.host = auth[at + 1..].to_string();
            }
            None => u.host = auth.to_string(),
        }
        u.host = unescape(&u.host)?;
        rest = path;
    }
    u.path = unescape(rest)?;
    Ok(u)
}

/// `URL.Hostname`: the host without its port and without IPv6 brackets.
fn hostname(host: &str) -> String {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner).to_string();
    }
    match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => host[..i].to_string(),
        _ => host.to_string(),
    }
}

/// `%XX` sequences decoded; a bad escape is Go's error.
fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
            let Some(hex) = hex else {
                let bad = s.get(i..(i + 3).min(s.len())).unwrap_or("%");
                return Err(format!("invalid URL escape {bad:?}"));
            };
            out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Fragment,
}

/// Go's `shouldEscape` for paths and fragments.
fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || b"-_.~$&+,/:;=@".contains(&b)
            || (mode == Mode::Fragment && b"?!()*".contains(&b));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sprig's `urlJoin`: Go's `URL.String` of the dictionary's parts.
fn join(d: &Map) -> String {
    let get = |k: &str| d.get(k).map(|v| strval(&v)).unwrap_or_default();
    let (scheme, host, path) = (get("scheme"), get("host"), get("path"));
    let (query, opaque, fragment, user) = (
        get("query"),
        get("opaque"),
        get("fragment"),
        get("userinfo"),
    );
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !user.is_empty() {
            if !host.is_empty() || !path.is_empty() || !user.is_empty() {
                out.push_str("//");
            }
            if !user.is_empty() {
                out.push_str(&user);
                out.push('@');
            }
            out.push_str(&host);
        }
        let escaped = escape(&path, Mode::Path);
        if !escaped.is_empty() && !escaped.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        if out.is_empty() && escaped.split('/').next().is_some_and(|s| s.contains(':')) {
            out.push_str("./");
        }
        out.push_str(&escaped);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&fragment, Mode::Fragment));
    }
    out
}
