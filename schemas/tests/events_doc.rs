//! docs/events.md quotes generated and compiled text, and this test keeps the quotes exact: the JSON
//! Schema of the envelope (generated from the Rust types) and the subscriber example
//! (`engine/examples/subscribe.rs`, built with the engine's examples).
//!
//! Each quote sits in a fenced block between `<!-- BEGIN name -->` and `<!-- END name -->`. When the types
//! or the example change, run `CANOPY_BLESS=1 cargo test -p canopy-schemas --test events_doc` to rewrite
//! the blocks, and review the diff.

use std::path::{Path, PathBuf};

use canopy_schemas::event::schema::envelope_json_schema;
use serde_json::{Map, Value};

/// Where the doc lives, from this crate's directory.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// `value` with every object's keys in order, whatever serde_json's map keeps, so the text is stable.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn pretty(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(schema)).expect("JSON");
    text.push('\n');
    text
}

/// `doc` with the fenced block between the markers named `name` set to `body`.
fn with_block(doc: &str, name: &str, lang: &str, body: &str) -> Result<String, String> {
    let begin = format!("<!-- BEGIN {name} -->\n");
    let end = format!("<!-- END {name} -->");
    let start = doc
        .find(&begin)
        .ok_or_else(|| format!("docs/events.md has no line `{}`", begin.trim_end()))?
        + begin.len();
    let stop = doc[start..]
        .find(&end)
        .ok_or_else(|| format!("docs/events.md has no line `{end}` after its BEGIN"))?
        + start;
    Ok(format!(
        "{}```{lang}\n{body}```\n{}",
        &doc[..start],
        &doc[stop..]
    ))
}

#[test]
fn the_events_doc_quotes_the_generated_schema_and_the_example_exactly() {
    let path = root().join("docs/events.md");
    let doc = std::fs::read_to_string(&path).expect("docs/events.md");
    let example = std::fs::read_to_string(root().join("engine/examples/subscribe.rs"))
        .expect("engine/examples/subscribe.rs");
    let blocks = [
        ("envelope-schema", "json", pretty(&envelope_json_schema())),
        ("engine/examples/subscribe.rs", "rust", example),
    ];
    let mut expected = doc.clone();
    for (name, lang, body) in &blocks {
        expected = with_block(&expected, name, lang, body).unwrap_or_else(|e| panic!("{e}"));
    }
    if std::env::var_os("CANOPY_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).expect("writing docs/events.md");
        return;
    }
    if expected != doc {
        let line = expected
            .lines()
            .zip(doc.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the end".to_owned(), |n| format!("line {}", n + 1));
        panic!(
            "docs/events.md differs from the generated text at {line}; \
             run `CANOPY_BLESS=1 cargo test -p canopy-schemas --test events_doc` and review the diff"
        );
    }
}
