//! Defaults and flow: `default`, `empty`, `coalesce`, `all`, `any`, `ternary`, `deepEqual`, and Sprig's
//! JSON functions.

use crate::template::{Funcs, Value};

use super::args::{MAX_DEPTH, boolean, empty, exact, string};
use super::json::{self, Style};

/// Registers the default, flow and JSON functions.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("default", |_, a| match a {
        [] => Err("wrong number of args: want at least 1 got 0".into()),
        [d] => Ok(d.clone()),
        [d, given, ..] if empty(given) => Ok(d.clone()),
        [_, given, ..] => Ok(given.clone()),
    });
    f.insert("empty", |_, a| {
        exact(a, 1)?;
        Ok(empty(&a[0]).into())
    });
    f.insert("coalesce", |_, a| {
        Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or_default())
    });
    f.insert("all", |_, a| Ok(a.iter().all(|v| !empty(v)).into()));
    f.insert("any", |_, a| Ok(a.iter().any(|v| !empty(v)).into()));
    f.insert("ternary", |_, a| {
        exact(a, 3)?;
        Ok(if boolean(&a[2])? {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    f.insert("deepEqual", |_, a| {
        exact(a, 2)?;
        Ok(deep_equal(&a[0], &a[1]).into())
    });
    let plain = Style {
        escape_html: true,
        pretty: false,
    };
    let pretty = Style {
        escape_html: true,
        pretty: true,
    };
    let raw = Style {
        escape_html: false,
        pretty: false,
    };
    for (name, must, style) in [
        ("toJson", "mustToJson", plain),
        ("toPrettyJson", "mustToPrettyJson", pretty),
        ("toRawJson", "mustToRawJson", raw),
    ] {
        f.insert(name, move |_, a| {
            exact(a, 1)?;
            Ok(json::encode(&a[0], style).unwrap_or_default().into())
        });
        f.insert(must, move |_, a| {
            exact(a, 1)?;
            Ok(json::encode(&a[0], style)?.into())
        });
    }
    f.insert("fromJson", |_, a| {
        exact(a, 1)?;
        Ok(json::decode(string(&a[0])?).unwrap_or_default())
    });
    f.insert("mustFromJson", |_, a| {
        exact(a, 1)?;
        json::decode(string(&a[0])?)
    });
}

/// Go's `reflect.DeepEqual` on template values: an int never equals a float, maps compare by entries.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    equal_within(a, b, 0)
}

/// [`deep_equal`] down to [`MAX_DEPTH`]; deeper values, which only cycles reach, count as different.
fn equal_within(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let deep_equal = |p: &Value, q: &Value| equal_within(p, q, depth + 1);
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.same(y) {
                return true;
            }
            let (x, y) = (x.entries(), y.entries());
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal(v1, v2))
        }
        (Value::Object(x), Value::Object(y)) => std::sync::Arc::ptr_eq(x, y),
        _ => false,
    }
}
