//! helm-unittest's paths into a document: `spec.ports[0].name`, `metadata.labels["app.kubernetes.io/name"]`,
//! `webhooks[*].clientConfig`.

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
    /// Every list element.
    All,
}

/// Parses a path.
pub fn parse(path: &str) -> Result<Vec<Step>, String> {
    let chars: Vec<char> = path.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    let mut key = String::new();
    let flush = |key: &mut String, steps: &mut Vec<Step>| {
        if !key.is_empty() {
            steps.push(Step::Key(std::mem::take(key)));
        }
    };
    while i < chars.len() {
        match chars[i] {
            '.' => {
                flush(&mut key, &mut steps);
                i += 1;
            }
            '[' => {
                flush(&mut key, &mut steps);
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .ok_or(format!("path {path:?}: '[' without ']'"))?
                    + i;
                let inner: String = chars[i + 1..end].iter().collect();
                let inner = inner.trim();
                let step = if inner == "*" {
                    Step::All
                } else if let Some(quoted) = inner
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                {
                    Step::Key(quoted.to_owned())
                } else {
                    Step::Index(
                        inner
                            .parse()
                            .map_err(|_| format!("path {path:?}: bad index {inner:?}"))?,
                    )
                };
                steps.push(step);
                i = end + 1;
            }
            c => {
                key.push(c);
                i += 1;
            }
        }
    }
    flush(&mut key, &mut steps);
    Ok(steps)
}

/// The values at `path` in `doc`; empty when it leads nowhere. A path without `[*]` gives at most one.
pub fn lookup<'a>(doc: &'a Value, steps: &[Step]) -> Vec<&'a Value> {
    let mut current = vec![doc];
    for step in steps {
        let mut next = Vec::new();
        for value in current {
            match (step, value) {
                (Step::Key(k), Value::Object(m)) => next.extend(m.get(k)),
                (Step::Index(i), Value::Array(a)) => next.extend(a.get(*i)),
                (Step::All, Value::Array(a)) => next.extend(a.iter()),
                _ => {}
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_reach_keys_indexes_quoted_keys_and_wildcards() {
        let doc = json!({"spec": {"ports": [{"name": "web"}, {"name": "tls"}]}, "metadata": {"labels": {"app.kubernetes.io/name": "t"}}});
        assert_eq!(
            lookup(&doc, &parse("spec.ports[1].name").unwrap()),
            [&json!("tls")]
        );
        assert_eq!(
            lookup(
                &doc,
                &parse(r#"metadata.labels["app.kubernetes.io/name"]"#).unwrap()
            ),
            [&json!("t")]
        );
        assert_eq!(lookup(&doc, &parse("spec.ports[*].name").unwrap()).len(), 2);
        assert!(lookup(&doc, &parse("spec.missing[0]").unwrap()).is_empty());
        assert!(parse("a[x]").is_err() && parse("a[0").is_err());
    }
}
