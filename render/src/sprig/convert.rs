//! Conversions and type tests: `atoi`, `int`, `int64`, `float64`, `toDecimal`, `kindOf`, `kindIs`,
//! `typeOf`, `typeIs`, `typeIsLike`.

use crate::template::{Funcs, Value, fmt};

use super::args::{exact, float64_or_zero, int64_or_zero, string};
use super::lists::kind;

/// Registers the conversion and type functions.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("atoi", |_, a| {
        exact(a, 1)?;
        Ok(Value::Int(atoi(string(&a[0])?)))
    });
    for name in ["int", "int64"] {
        f.insert(name, |_, a| {
            exact(a, 1)?;
            Ok(Value::Int(int64_or_zero(&a[0])))
        });
    }
    f.insert("float64", |_, a| {
        exact(a, 1)?;
        Ok(Value::Float(float64_or_zero(&a[0])))
    });
    f.insert("toDecimal", |_, a| {
        exact(a, 1)?;
        Ok(Value::Int(to_decimal(&fmt::display(&a[0]))))
    });
    f.insert("kindOf", |_, a| {
        exact(a, 1)?;
        Ok(kind(&a[0]).into())
    });
    f.insert("kindIs", |_, a| {
        exact(a, 2)?;
        Ok((string(&a[0])? == kind(&a[1])).into())
    });
    f.insert("typeOf", |_, a| {
        exact(a, 1)?;
        Ok(a[0].type_name().into())
    });
    f.insert("typeIs", |_, a| {
        exact(a, 2)?;
        Ok((string(&a[0])? == a[1].type_name()).into())
    });
    f.insert("typeIsLike", |_, a| {
        exact(a, 2)?;
        let (want, t) = (string(&a[0])?, a[1].type_name());
        Ok((want == t || format!("*{want}") == t).into())
    });
}

/// Go's `strconv.Atoi`, with 0 for what does not parse: decimal only, an optional sign.
fn atoi(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse().unwrap_or(0)
}

/// Sprig's `toDecimal`: the value's `%v` text read as an octal number, 0 when it is not one.
fn to_decimal(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || digits.contains('_') {
        return 0;
    }
    let Ok(n) = i64::from_str_radix(digits, 8) else {
        return 0;
    };
    if s.starts_with('-') { -n } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::args::parse_go_int;

    #[test]
    fn atoi_is_stricter_than_cast() {
        assert_eq!(atoi("0x10"), 0);
        assert_eq!(parse_go_int("0x10"), Some(16));
        assert_eq!(atoi("-42"), -42);
        assert_eq!(to_decimal("0777"), 511);
        assert_eq!(to_decimal("9"), 0);
    }
}
