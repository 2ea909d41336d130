//! Fuzzing by mutation: real chart templates (podinfo's and the EMCO nginx chart's) are cut, duplicated and
//! spliced with template tokens, and the mutated chart is rendered with Helm's functions. Whatever the text,
//! rendering must give `Ok` or an error, never a panic.
//!
//! The engine runs parsing and execution on a separate thread and turns a panic there into an error that
//! says "the engine panicked" (see `template::exec::on_big_stack`), so the property checks that text too.

use std::sync::OnceLock;

use canopy_render::chart::Chart;
use canopy_render::helm::default_funcs;
use canopy_render::helm::render::{Options, render};
use canopy_tests::fixtures::shared_dir;
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{ end }}",
    "{{ else }}",
    "{{ if .Values }}",
    "{{ range . }}",
    "{{ with $ }}",
    "{{ define \"x\" }}",
    "{{ template \"x\" . }}",
    "{{ include \"x\" . }}",
    "{{ tpl \"{{ .Values }}\" . }}",
    "| nindent 4",
    "| toYaml",
    "| quote",
    "(",
    ")",
    "$",
    "$x :=",
    ".Values.",
    ".Files.Get",
    ".Capabilities.APIVersions.Has",
    "required \"m\"",
    "fail \"f\"",
    "\"",
    "`",
    "\n",
    "---\n",
    "kind: ",
    "  ",
    "\t",
    "{{/*",
    "*/}}",
    "nil",
    "0x",
    "1e9",
    "index",
    "len",
];

fn charts() -> &'static [Chart] {
    static CHARTS: OnceLock<Vec<Chart>> = OnceLock::new();
    CHARTS.get_or_init(|| {
        let shared = shared_dir();
        ["charts/public/podinfo", "charts/emco/nginx/helm/nginx"]
            .iter()
            .map(|dir| {
                let dir = shared.join(dir);
                Chart::from_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize, to: usize },
    Insert { at: usize, token: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1usize..80, any::<usize>())
            .prop_map(|(at, len, to)| Mutation::Duplicate { at, len, to }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
    ]
}

/// The byte offset `at` (modulo the length) moved back to a character boundary.
fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, m: &Mutation) {
    match *m {
        Mutation::Delete { at, len } => {
            let start = boundary(text, at);
            let end = boundary(text, start + len.min(text.len() - start));
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Duplicate { at, len, to } => {
            let start = boundary(text, at);
            let end = boundary(text, start + len.min(text.len() - start)).max(start);
            let piece = text[start..end].to_owned();
            let to = boundary(text, to);
            text.insert_str(to, &piece);
        }
        Mutation::Insert { at, token } => {
            let at = boundary(text, at);
            text.insert_str(at, TOKENS[token]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_chart_templates_never_panic(
        chart in 0usize..2,
        file in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut chart = charts()[chart].clone();
        let file = file % chart.templates.len();
        let mut text = String::from_utf8_lossy(&chart.templates[file].data).into_owned();
        for m in &mutations {
            apply(&mut text, m);
        }
        chart.templates[file].data = text.into_bytes();
        let options = Options { funcs: default_funcs(), ..Options::default() };
        if let Err(e) = render(&chart, &options) {
            prop_assert!(!e.to_string().contains("the engine panicked"), "{e}");
        }
    }
}
