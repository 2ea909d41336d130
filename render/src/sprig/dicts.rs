//! Dictionary functions. Maps are references, so `set`, `unset`, `merge` and `mergeOverwrite` change the
//! map the template passed in, as they do in Sprig.

use crate::template::{Funcs, Map, Value};

use super::args::{MAX_DEPTH, at_least, empty, exact, map, string, strval};

/// Registers the dictionary functions.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("dict", |_, a| {
        let d = Map::new();
        for pair in a.chunks(2) {
            let v = pair.get(1).cloned().unwrap_or_else(|| Value::from(""));
            d.insert(strval(&pair[0]), v);
        }
        Ok(Value::Map(d))
    });
    f.insert("get", |_, a| {
        exact(a, 2)?;
        Ok(map(&a[0])?.get(string(&a[1])?).unwrap_or_else(|| "".into()))
    });
    f.insert("set", |_, a| {
        exact(a, 3)?;
        let d = writable(&a[0])?;
        d.insert(string(&a[1])?, a[2].clone());
        Ok(Value::Map(d))
    });
    f.insert("unset", |_, a| {
        exact(a, 2)?;
        let d = map(&a[0])?;
        d.remove(string(&a[1])?);
        Ok(Value::Map(d))
    });
    f.insert("hasKey", |_, a| {
        exact(a, 2)?;
        Ok(map(&a[0])?.get(string(&a[1])?).is_some().into())
    });
    f.insert("pluck", |_, a| {
        at_least(a, 1)?;
        let key = string(&a[0])?;
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Some(v) = map(d)?.get(key) {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    f.insert("dig", |_, a| {
        if a.len() < 3 {
            return Err("dig needs at least three arguments".into());
        }
        let (keys, rest) = a.split_at(a.len() - 2);
        let keys: Vec<&str> = keys.iter().map(string).collect::<Result<_, _>>()?;
        dig(map(&rest[1])?, &rest[0], &keys)
    });
    for (name, must, overwrite) in [
        ("merge", "mustMerge", false),
        ("mergeOverwrite", "mustMergeOverwrite", true),
    ] {
        f.insert(name, move |_, a| merge_all(a, overwrite));
        f.insert(must, move |_, a| merge_all(a, overwrite));
    }
    f.insert("keys", |_, a| {
        let mut out = Vec::new();
        for d in a {
            out.extend(map(d)?.entries().into_iter().map(|(k, _)| Value::String(k)));
        }
        Ok(Value::list(out))
    });
    f.insert("values", |_, a| {
        exact(a, 1)?;
        let entries = map(&a[0])?.entries();
        Ok(Value::list(entries.into_iter().map(|(_, v)| v).collect()))
    });
    f.insert("pick", |_, a| {
        at_least(a, 1)?;
        let d = map(&a[0])?;
        let keys: Vec<&str> = a[1..].iter().map(string).collect::<Result<_, _>>()?;
        let picked = keys
            .iter()
            .filter_map(|k| d.get(k).map(|v| (k.to_string(), v)));
        Ok(Value::Map(picked.collect()))
    });
    f.insert("omit", |_, a| {
        at_least(a, 1)?;
        let d = map(&a[0])?;
        let keys: Vec<&str> = a[1..].iter().map(string).collect::<Result<_, _>>()?;
        let kept = d
            .entries()
            .into_iter()
            .filter(|(k, _)| !keys.contains(&k.as_str()));
        Ok(Value::Map(kept.collect()))
    });
    for name in ["deepCopy", "mustDeepCopy"] {
        f.insert(name, |_, a| {
            exact(a, 1)?;
            deep_copy(&a[0], 0)
        });
    }
}

/// A map argument that writes can reach; Go panics writing to a nil map.
fn writable(v: &Value) -> Result<Map, String> {
    match v {
        Value::Nil => Err("assignment to entry in nil map".into()),
        v => map(v),
    }
}

fn dig(d: Map, default: &Value, keys: &[&str]) -> Result<Value, String> {
    let Some((first, rest)) = keys.split_first() else {
        return Ok(default.clone());
    };
    match d.get(first) {
        None => Ok(default.clone()),
        Some(v) if rest.is_empty() => Ok(v),
        Some(Value::Map(m)) => dig(m, default, rest),
        Some(v) => Err(format!(
            "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            v.type_name()
        )),
    }
}

fn merge_all(a: &[Value], overwrite: bool) -> Result<Value, String> {
    at_least(a, 1)?;
    let dst = map(&a[0])?;
    for src in &a[1..] {
        merge(&dst, &map(src)?, overwrite, 0);
    }
    Ok(Value::Map(dst))
}

/// `mergo.Merge` of `map[string]interface{}` values, with or without `WithOverride`.
///
/// Nested maps merge in place. Without override a key is filled only where `dst` lacks it or holds an
/// empty value. With override a source value replaces the destination's, except that a map never
/// replaces a non-empty non-map value; a nil source value and a list always replace.
fn merge(dst: &Map, src: &Map, overwrite: bool, depth: usize) {
    // Merging a map into itself changes nothing; deeper than MAX_DEPTH only cycles go, which mergo's
    // visited set stops too.
    if dst.same(src) || depth > MAX_DEPTH {
        return;
    }
    for (key, sv) in src.entries() {
        let dv = dst.get(&key);
        match (&sv, &dv) {
            (Value::Nil, _) => {
                if overwrite {
                    dst.insert(key, Value::Nil);
                }
                continue;
            }
            (Value::Map(s), Some(Value::Map(d))) => merge(d, s, overwrite, depth + 1),
            (Value::List(_), _) if overwrite => {
                dst.insert(key, sv);
                continue;
            }
            _ => {}
        }
        let container = matches!(sv, Value::Map(_) | Value::List(_));
        let dst_filled = dv.as_ref().is_some_and(|d| !empty(d));
        if dst_filled && container {
            continue;
        }
        if overwrite || !dst_filled {
            dst.insert(key, sv);
        }
    }
}

/// `copystructure.Copy`: maps and lists copied all the way down; a map that contains itself is an
/// error rather than endless copying.
fn deep_copy(v: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("deepCopy: the value contains itself".into());
    }
    Ok(match v {
        Value::List(l) => Value::list(
            l.iter()
                .map(|v| deep_copy(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => Value::Map(
            m.entries()
                .into_iter()
                .map(|(k, v)| Ok((k, deep_copy(&v, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
        v => v.clone(),
    })
}
