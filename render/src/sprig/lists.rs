//! List functions. Sprig's plain forms panic where the `must` forms return an error; in a template both
//! end execution with the error, so each name pair shares one function here.

use std::sync::Arc;

use crate::template::{Funcs, Value};

use super::args::{Out, at_least, empty, exact, int, int64_or_zero};
use super::defaults::deep_equal;

/// Registers the list functions.
pub(crate) fn register(f: &mut Funcs) {
    for name in ["list", "tuple"] {
        f.insert(name, |_, a| Ok(Value::list(a.to_vec())));
    }
    both(f, "first", |_, a| {
        exact(a, 1)?;
        Ok(items(&a[0], "find first on")?
            .first()
            .cloned()
            .unwrap_or_default())
    });
    both(f, "last", |_, a| {
        exact(a, 1)?;
        Ok(items(&a[0], "find last on")?
            .last()
            .cloned()
            .unwrap_or_default())
    });
    both(f, "rest", |_, a| {
        exact(a, 1)?;
        let l = items(&a[0], "find rest on")?;
        Ok(Value::list(l.get(1..).unwrap_or_default().to_vec()))
    });
    both(f, "initial", |_, a| {
        exact(a, 1)?;
        let l = items(&a[0], "find initial on")?;
        Ok(Value::list(l[..l.len().saturating_sub(1)].to_vec()))
    });
    for name in ["append", "push"] {
        both(f, name, |_, a| {
            exact(a, 2)?;
            let mut l = items(&a[0], "push on")?.to_vec();
            l.push(a[1].clone());
            Ok(Value::list(l))
        });
    }
    both(f, "prepend", |_, a| {
        exact(a, 2)?;
        let mut l = vec![a[1].clone()];
        l.extend(items(&a[0], "prepend on")?.iter().cloned());
        Ok(Value::list(l))
    });
    f.insert("concat", |_, a| {
        let mut out = Vec::new();
        for l in a {
            match l {
                Value::List(l) => out.extend(l.iter().cloned()),
                v => return Err(format!("Cannot concat type {} as list", kind(v))),
            }
        }
        Ok(Value::list(out))
    });
    both(f, "reverse", |_, a| {
        exact(a, 1)?;
        let mut l = items(&a[0], "find reverse on")?.to_vec();
        l.reverse();
        Ok(Value::list(l))
    });
    both(f, "uniq", |_, a| {
        exact(a, 1)?;
        let mut out: Vec<Value> = Vec::new();
        for v in items(&a[0], "find uniq on")?.iter() {
            if !out.iter().any(|o| deep_equal(o, v)) {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    });
    both(f, "without", |_, a| {
        at_least(a, 1)?;
        let l = items(&a[0], "find without on")?;
        let omit = &a[1..];
        let kept = l.iter().filter(|v| !omit.iter().any(|o| deep_equal(o, v)));
        Ok(Value::list(kept.cloned().collect()))
    });
    both(f, "has", |_, a| {
        exact(a, 2)?;
        if a[1].is_nil() {
            return Ok(false.into());
        }
        let l = items(&a[1], "find has on")?;
        Ok(l.iter().any(|v| deep_equal(v, &a[0])).into())
    });
    both(f, "compact", |_, a| {
        exact(a, 1)?;
        let l = items(&a[0], "compact on")?;
        Ok(Value::list(
            l.iter().filter(|v| !empty(v)).cloned().collect(),
        ))
    });
    both(f, "slice", |_, a| {
        at_least(a, 1)?;
        slice(&a[0], &a[1..])
    });
    both(f, "chunk", |_, a| {
        exact(a, 2)?;
        chunk(int(&a[0])?, items(&a[1], "chunk")?)
    });
    f.insert("until", |_, a| {
        exact(a, 1)?;
        let n = int(&a[0])?;
        counted(n, 0, if n < 0 { -1 } else { 1 })?;
        Ok(ints(until_step(0, n, if n < 0 { -1 } else { 1 })))
    });
    f.insert("untilStep", |_, a| {
        exact(a, 3)?;
        let (start, stop, step) = (int(&a[0])?, int(&a[1])?, int(&a[2])?);
        counted(stop, start, step)?;
        Ok(ints(until_step(start, stop, step)))
    });
    f.insert("seq", |_, a| {
        let p: Vec<i64> = a.iter().map(int).collect::<Result<_, _>>()?;
        if let [first, .., last] = p[..] {
            counted(last, first, 1)?;
        }
        let nums: Vec<String> = seq(&p).iter().map(i64::to_string).collect();
        Ok(nums.join(" ").into())
    });
}

type Body = fn(&mut crate::template::CallContext<'_>, &[Value]) -> Out;

/// Registers `name` and `mustName` (with the first letter upper-cased) as the same function.
fn both(f: &mut Funcs, name: &str, body: Body) {
    let mut must = String::from("must");
    let mut chars = name.chars();
    if let Some(c) = chars.next() {
        must.extend(c.to_uppercase());
        must.push_str(chars.as_str());
    }
    f.insert(name, body);
    f.insert(must, body);
}

/// Go's `reflect.Kind` name, as Sprig's list errors show it.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) if o.type_name() == "time.Time" => "struct",
        Value::Object(_) => "ptr",
        Value::Func(_) => "func",
    }
}

/// The items of a list argument, or Sprig's `Cannot <what> type <kind>` error.
fn items<'a>(v: &'a Value, what: &str) -> Result<&'a Arc<Vec<Value>>, String> {
    match v {
        Value::List(l) => Ok(l),
        v => Err(format!("Cannot {what} type {}", kind(v))),
    }
}

fn ints(v: Vec<i64>) -> Value {
    Value::list(v.into_iter().map(Value::Int).collect())
}

/// The most numbers `until`, `untilStep` and `seq` make; Go would try to allocate any count, and
/// run out of memory.
const MAX_ITEMS: usize = 10_000_000;

/// Refuses a range of more than [`MAX_ITEMS`] numbers.
fn counted(stop: i64, start: i64, step: i64) -> Result<(), String> {
    let span = (i128::from(stop) - i128::from(start)).abs();
    let n = if step == 0 {
        0
    } else {
        span / i128::from(step).abs()
    };
    if n > MAX_ITEMS as i128 {
        return Err(format!(
            "a range of {n} numbers is more than canopy makes ({MAX_ITEMS})"
        ));
    }
    Ok(())
}

/// Sprig's `untilStep`: from `start` towards `stop` (exclusive) by `step`; empty when the step points
/// the other way or is zero.
fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    let mut i = start;
    if stop < start {
        if step >= 0 {
            return v;
        }
        while i > stop {
            v.push(i);
            i = i.saturating_add(step);
        }
    } else {
        if step <= 0 {
            return v;
        }
        while i < stop {
            v.push(i);
            i = i.saturating_add(step);
        }
    }
    v
}

/// Sprig's `seq`, like GNU seq: `seq LAST`, `seq FIRST LAST`, `seq FIRST STEP LAST`.
fn seq(p: &[i64]) -> Vec<i64> {
    match *p {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            until_step(1, end.saturating_add(inc), inc)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.saturating_add(step), step)
        }
        [start, step, end] => {
            let inc = if end < start { -1 } else { 1 };
            if end < start && step > 0 {
                return Vec::new();
            }
            until_step(start, end.saturating_add(inc), step)
        }
        _ => Vec::new(),
    }
}

fn slice(list: &Value, indices: &[Value]) -> Out {
    let l = match list {
        Value::List(l) => l,
        v => {
            return Err(format!(
                "list should be type of slice or array but {}",
                kind(v)
            ));
        }
    };
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let len = l.len() as i64;
    let start = indices.first().map_or(0, int64_or_zero);
    let end = indices.get(1).map_or(len, int64_or_zero);
    if start < 0 || end < start || end > len {
        return Err(format!(
            "reflect: slice index out of range [{start}:{end}] with length {len}"
        ));
    }
    Ok(Value::list(l[start as usize..end as usize].to_vec()))
}

fn chunk(size: i64, l: &[Value]) -> Out {
    if size <= 0 {
        return Err("runtime error: integer divide by zero or negative chunk size".into());
    }
    let chunks = l
        .chunks(size as usize)
        .map(|c| Value::list(c.to_vec()))
        .collect();
    Ok(Value::list(chunks))
}
