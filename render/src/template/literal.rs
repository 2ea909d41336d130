//! Go literal syntax: `strconv.Unquote` for strings and characters and `strconv.Parse*` with base 0 for
//! numbers.

use super::ast::Number;

/// Unquote a `"..."`, `` `...` `` or `'.'` literal; errors are strconv's `invalid syntax`.
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    let invalid = || "invalid syntax".to_string();
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        return Ok(s[1..s.len() - 1].replace('\r', ""));
    }
    if s.len() < 2 || !s.ends_with(&s[..1]) || !(s.starts_with('"') || s.starts_with('\'')) {
        return Err(invalid());
    }
    let quote = s.as_bytes()[0];
    let mut rest = &s[1..s.len() - 1];
    let mut out: Vec<u8> = Vec::new();
    while !rest.is_empty() {
        let (c, tail) = unquote_char(rest, quote)?;
        match c {
            Unit::Char(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Unit::Byte(b) => out.push(b),
        }
        rest = tail;
    }
    if quote == b'\'' && std::str::from_utf8(&out).map(|s| s.chars().count()) != Ok(1) {
        return Err(invalid());
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

enum Unit {
    Char(char),
    Byte(u8),
}

/// One character or escape from the front of `s`, inside a literal quoted with `quote`.
fn unquote_char(s: &str, quote: u8) -> Result<(Unit, &str), String> {
    let invalid = || "invalid syntax".to_string();
    let c = s.chars().next().ok_or_else(invalid)?;
    if c as u32 == quote as u32 || c == '\n' {
        return Err(invalid());
    }
    if c != '\\' {
        return Ok((Unit::Char(c), &s[c.len_utf8()..]));
    }
    let e = *s.as_bytes().get(1).ok_or_else(invalid)?;
    let simple = match e {
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b'f' => Some('\x0c'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'v' => Some('\x0b'),
        b'\\' => Some('\\'),
        b'\'' | b'"' if e == quote => Some(e as char),
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Unit::Char(c), &s[2..]));
    }
    let hex = |n: usize| -> Result<u32, String> {
        let digits = s.get(2..2 + n).ok_or_else(invalid)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        u32::from_str_radix(digits, 16).map_err(|_| invalid())
    };
    match e {
        b'x' => Ok((Unit::Byte(hex(2)? as u8), &s[4..])),
        b'u' | b'U' => {
            let n = if e == b'u' { 4 } else { 8 };
            let c = char::from_u32(hex(n)?).ok_or_else(invalid)?;
            Ok((Unit::Char(c), &s[2 + n..]))
        }
        b'0'..=b'7' => {
            let digits = s.get(1..4).ok_or_else(invalid)?;
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(invalid());
            }
            let v = u32::from_str_radix(digits, 8).map_err(|_| invalid())?;
            let b = u8::try_from(v).map_err(|_| invalid())?;
            Ok((Unit::Byte(b), &s[4..]))
        }
        _ => Err(invalid()),
    }
}

/// Go's `underscoreOK`: underscores only between digits or after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)` without the sign; `neg` tells whether there was a minus.
fn parse_unsigned(s: &str) -> Option<(bool, u64)> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if !underscore_ok(body) {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let digits = digits.replace('_', "");
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok().map(|v| (neg, v))
}

fn parse_float(s: &str) -> Option<f64> {
    if !underscore_ok(s) {
        return None;
    }
    let clean = s.replace('_', "");
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let lower = body.to_ascii_lowercase();
    let v = if let Some(hex) = lower.strip_prefix("0x") {
        let (mant, exp) = hex.split_once('p')?;
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let mut m = 0f64;
        for c in int.chars().chain(frac.chars()) {
            m = m * 16.0 + f64::from(c.to_digit(16)?);
        }
        let e: i32 = exp.parse().ok()?;
        m * 2f64.powi(e - 4 * frac.len() as i32)
    } else {
        if lower.starts_with(|c: char| !c.is_ascii_digit() && c != '.') || lower.contains("inf") {
            return None;
        }
        lower.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Interpret a number token as Go's `newNumber` does.
pub(crate) fn parse_number(text: &str) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_string(),
        int: None,
        is_uint: false,
        float: None,
        is_char: false,
    };
    if text.starts_with('\'') {
        let malformed = || format!("malformed character constant: {text}");
        let inner = text
            .get(1..text.len().saturating_sub(1))
            .filter(|_| text.len() >= 2 && text.ends_with('\''));
        let (unit, tail) =
            unquote_char(inner.ok_or_else(malformed)?, b'\'').map_err(|_| malformed())?;
        if !tail.is_empty() {
            return Err(malformed());
        }
        let c = match unit {
            Unit::Char(c) => c as i64,
            Unit::Byte(b) => i64::from(b),
        };
        n.int = Some(c);
        n.is_uint = true;
        n.float = Some(c as f64);
        n.is_char = true;
        return Ok(n);
    }
    if text.ends_with('i') && !text.starts_with("0x") && !text.starts_with("0X") {
        return Err(format!("complex numbers are not supported: {text:?}"));
    }
    if let Some((neg, u)) = parse_unsigned(text) {
        if !neg {
            n.is_uint = true;
            n.int = i64::try_from(u).ok();
        } else if u <= i64::MAX as u64 + 1 {
            n.int = Some((u as i64).wrapping_neg());
        }
        n.float = Some(if neg { -(u as f64) } else { u as f64 });
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {text:?}"));
        }
        n.float = Some(f);
        if n.int.is_none() && f.fract() == 0.0 && f.abs() < 9.2e18 {
            n.int = Some(f as i64);
        }
    }
    if n.int.is_none() && !n.is_uint && n.float.is_none() {
        return Err(format!("illegal number syntax: {text:?}"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escapes_unquote() {
        assert_eq!(unquote(r#""a\tb\x41\u00e9\101\"""#).unwrap(), "a\tbAéA\"");
        assert_eq!(unquote("`a\\n`").unwrap(), "a\\n");
        assert!(unquote(r#""\'""#).is_err());
        assert_eq!(unquote(r"'\''").unwrap(), "'");
    }

    #[test]
    fn numbers_parse_in_every_base() {
        assert_eq!(parse_number("0x1F").unwrap().int, Some(31));
        assert_eq!(parse_number("0o17").unwrap().int, Some(15));
        assert_eq!(parse_number("017").unwrap().int, Some(15));
        assert_eq!(parse_number("0b101").unwrap().int, Some(5));
        assert_eq!(parse_number("1_000").unwrap().int, Some(1000));
        assert_eq!(parse_number("-7").unwrap().int, Some(-7));
        assert_eq!(parse_number("1e3").unwrap().float, Some(1000.0));
        assert_eq!(parse_number("0x1p4").unwrap().float, Some(16.0));
        assert_eq!(parse_number("'a'").unwrap().int, Some(97));
        assert!(parse_number("1__0").is_err());
        assert!(parse_number("08").is_err());
    }
}
