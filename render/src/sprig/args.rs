//! Arguments as Go's template engine hands them to Sprig: typed parameters (`string`, `int`, `bool`, maps)
//! checked the way `reflect` checks them, and `interface{}` parameters converted by the `cast` package's
//! rules and Sprig's own `strval`.

use crate::template::{Map, Value, fmt};

/// How deep the recursive functions (`toJson`, `deepCopy`, `deepEqual`, `merge`) go before deciding a
/// value contains itself: maps are references, so `set $d "self" $d` makes a cycle.
pub(crate) const MAX_DEPTH: usize = 1000;

/// The result every Sprig function returns.
pub(crate) type Out = Result<Value, String>;

/// Checks that a function got exactly `n` arguments.
pub(crate) fn exact(args: &[Value], n: usize) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!("wrong number of args: want {n} got {}", args.len()))
    }
}

/// Checks that a variadic function got at least `n` arguments.
pub(crate) fn at_least(args: &[Value], n: usize) -> Result<(), String> {
    if args.len() >= n {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args: want at least {n} got {}",
            args.len()
        ))
    }
}

fn wrong(v: &Value, want: &str) -> String {
    match v {
        Value::Nil => format!("invalid value; expected {want}"),
        v => format!(
            "wrong type for value; expected {want}; got {}",
            v.type_name()
        ),
    }
}

/// A `string` parameter.
pub(crate) fn string(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| wrong(v, "string"))
}

/// An `int` parameter. A float is refused, as Go refuses a `float64` for an `int` parameter.
pub(crate) fn int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        v => Err(wrong(v, "int")),
    }
}

/// A `float64` parameter; an int is taken too, since a literal `1` converts in Go.
pub(crate) fn float(v: &Value) -> Result<f64, String> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        v => Err(wrong(v, "float64")),
    }
}

/// A `bool` parameter.
pub(crate) fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        v => Err(wrong(v, "bool")),
    }
}

/// A `map[string]interface{}` parameter; nil is Go's nil map, which reads as empty.
pub(crate) fn map(v: &Value) -> Result<Map, String> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        Value::Nil => Ok(Map::new()),
        v => Err(wrong(v, "map[string]interface {}")),
    }
}

/// Sprig's `strval`: a string as is, bytes as text, anything else by `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) if let Some(bytes) = o.bytes() => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        v => fmt::display(v),
    }
}

/// Sprig's `strslice`: a list's non-nil elements by `strval`, nil as no elements, anything else as one.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|v| !v.is_nil()).map(strval).collect(),
        Value::Nil => Vec::new(),
        v => vec![strval(v)],
    }
}

/// A list of strings as a template value.
pub(crate) fn string_list(items: impl IntoIterator<Item = String>) -> Value {
    Value::list(items.into_iter().map(Value::String).collect())
}

/// Sprig's `empty`: nil, false, zero, and empty strings, lists and maps.
pub(crate) fn empty(v: &Value) -> bool {
    match v {
        Value::Object(_) | Value::Func(_) => false,
        v => !v.truth(),
    }
}

/// `cast.ToInt64E`: ints as they are, floats truncated, strings parsed (base prefixes allowed, a
/// trailing `.0` dropped), booleans as 1 or 0, nil as 0.
pub(crate) fn to_int64(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) => Ok(*f as i64),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Nil => Ok(0),
        Value::String(s) => parse_go_int(trim_zero_decimal(s))
            .ok_or_else(|| format!("unable to cast {s:?} of type string to int64")),
        v => Err(format!(
            "unable to cast {} of type {} to int64",
            fmt::display(v),
            v.type_name()
        )),
    }
}

/// `cast.ToFloat64E`.
pub(crate) fn to_float64(v: &Value) -> Result<f64, String> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Nil => Ok(0.0),
        Value::String(s) => parse_go_float(s)
            .ok_or_else(|| format!("unable to cast {s:?} of type string to float64")),
        v => Err(format!(
            "unable to cast {} of type {} to float64",
            fmt::display(v),
            v.type_name()
        )),
    }
}

/// Sprig's `toInt64`: `cast.ToInt64`, with 0 for what does not convert.
pub(crate) fn int64_or_zero(v: &Value) -> i64 {
    to_int64(v).unwrap_or(0)
}

/// Sprig's `toFloat64`: `cast.ToFloat64`, with 0 for what does not convert.
pub(crate) fn float64_or_zero(v: &Value) -> f64 {
    to_float64(v).unwrap_or(0.0)
}

/// cast's `trimZeroDecimal`: `"12.00"` is `"12"`.
fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((int, frac))
            if !int.is_empty() && !frac.is_empty() && frac.bytes().all(|b| b == b'0') =>
        {
            int
        }
        _ => s,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: a sign, then `0x`, `0o`, `0b` or a leading `0` for octal, with
/// `_` allowed between digits as in Go literals.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    // Go syntax: `_` only between digits, or right after a base prefix.
    if digits.is_empty()
        || (radix == 10 && digits.starts_with('_'))
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let digits = digits.replace('_', "");
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal forms, `Inf` and `NaN`.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(['+', '-']);
    let lower = t.to_ascii_lowercase();
    if ["inf", "infinity", "nan"].contains(&lower.as_str()) {
        return s.parse().ok();
    }
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_integer_syntax_parses_with_prefixes() {
        assert_eq!(parse_go_int("0x1F"), Some(31));
        assert_eq!(parse_go_int("017"), Some(15));
        assert_eq!(parse_go_int("0b101"), Some(5));
        assert_eq!(parse_go_int("-12"), Some(-12));
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_int("_1"), None);
        assert_eq!(parse_go_int("1__0"), None);
        assert_eq!(parse_go_float("1_0"), None);
        assert_eq!(parse_go_int("0x_1F"), Some(31));
        assert_eq!(parse_go_int("12a"), None);
        assert_eq!(parse_go_int("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn cast_drops_a_zero_decimal_and_truncates_floats() {
        assert_eq!(to_int64(&Value::from("12.00")), Ok(12));
        assert!(to_int64(&Value::from("12.5")).is_err());
        assert_eq!(to_int64(&Value::Float(-3.9)), Ok(-3));
        assert_eq!(to_float64(&Value::from("1.5")), Ok(1.5));
        assert!(to_float64(&Value::from("x")).is_err());
    }
}
