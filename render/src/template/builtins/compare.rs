//! `eq`, `lt` and `le` with Go's rules: values compare only within one basic kind (bool, int, float,
//! string); nil equals only nil; lists and maps are not comparable.

use crate::template::fmt::display;
use crate::template::value::Value;

const BAD_TYPE: &str = "invalid type for comparison";
const INCOMPATIBLE: &str = "incompatible types for comparison";

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    String,
    Other,
}

fn kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Other,
    }
}

/// Whether `a` equals any of `others`.
pub(super) fn eq(a: &Value, others: &[Value]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = kind(a);
    for b in others {
        let k2 = kind(b);
        let truth = if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err(INCOMPATIBLE.into());
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                (Value::Nil, _) | (_, Value::Nil) => a.is_nil() && b.is_nil(),
                (Value::Object(x), Value::Object(y)) => std::sync::Arc::ptr_eq(x, y),
                (Value::List(_) | Value::Map(_) | Value::Func(_), _)
                    if std::mem::discriminant(a) == std::mem::discriminant(b) =>
                {
                    return Err(format!(
                        "non-comparable type {}: {}",
                        display(b),
                        b.type_name()
                    ));
                }
                _ => {
                    return Err(format!(
                        "non-comparable types {}: {}, {}: {}",
                        display(a),
                        a.type_name(),
                        b.type_name(),
                        display(b)
                    ));
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether `a < b`.
pub(super) fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (kind(a), kind(b));
    if k1 == Kind::Other || k2 == Kind::Other {
        return Err(BAD_TYPE.into());
    }
    if k1 != k2 {
        return Err(INCOMPATIBLE.into());
    }
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x), Value::String(y)) => x < y,
        _ => return Err(BAD_TYPE.into()),
    })
}

/// Whether `a <= b`.
pub(super) fn le(a: &Value, b: &Value) -> Result<bool, String> {
    Ok(lt(a, b)? || eq(a, std::slice::from_ref(b))?)
}
