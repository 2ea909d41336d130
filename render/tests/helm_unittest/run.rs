//! Runs a helm-unittest suite against a chart with canopy's renderer.

use std::path::Path;
use std::sync::Arc;

use canopy_render::chart::Chart;
use canopy_render::helm::render::{self, Options, Release};
use canopy_render::template::Value;
use serde_json::{Value as Json, json};

use super::asserts::{self, Rendered};
use super::suite::{Capabilities, Suite, Test};

/// The outcome of one test: `Err` lists the failed asserts.
pub type Outcome = Result<(), Vec<String>>;

/// helm-unittest's default release.
const RELEASE_NAME: &str = "RELEASE-NAME";
const RELEASE_NAMESPACE: &str = "NAMESPACE";

fn values_files(dir: &Path, files: &[String]) -> Vec<Json> {
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(f))
                .unwrap_or_else(|e| panic!("values file {f}: {e}"));
            canopy_render::values::from_yaml(&text, f).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn capabilities(caps: &[&Option<Capabilities>]) -> (String, Vec<String>) {
    let mut version = render::DEFAULT_KUBE_VERSION.to_owned();
    let mut apis = Vec::new();
    for c in caps.iter().filter_map(|c| c.as_ref()) {
        let text = |v: &Option<Json>| {
            v.as_ref().map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
        };
        if let (Some(major), Some(minor)) = (text(&c.major_version), text(&c.minor_version)) {
            version = format!("v{major}.{minor}.0");
        }
        apis.extend(c.api_versions.iter().cloned());
    }
    (version, apis)
}

/// A `lookup` that answers from helm-unittest's `kubernetesProvider.objects`.
fn lookup(provider: Option<&Json>) -> Option<canopy_render::helm::funcs::Lookup> {
    let objects: Vec<Json> = provider?.get("objects")?.as_array()?.clone();
    Some(Arc::new(
        move |api_version: &str, kind: &str, namespace: &str, name: &str| {
            let matching: Vec<&Json> = objects
                .iter()
                .filter(|o| o["apiVersion"] == api_version && o["kind"] == kind)
                // An object given without a namespace is found in any namespace.
                .filter(|o| {
                    namespace.is_empty()
                        || o["metadata"]
                            .get("namespace")
                            .is_none_or(|n| n == namespace)
                })
                .collect();
            if name.is_empty() {
                return Value::from(json!({"items": matching}));
            }
            matching
                .into_iter()
                .find(|o| o["metadata"]["name"] == name)
                .map(Value::from)
                .unwrap_or_else(|| Value::map(Vec::<(String, Value)>::new()))
        },
    ))
}

/// helm-unittest's `set`: each key is a dotted path (`a.b[0].c`) and its value keeps its YAML type.
fn expand_set(set: &Json) -> Json {
    let mut out = json!({});
    for (key, value) in set.as_object().into_iter().flatten() {
        let mut steps: Vec<Result<String, usize>> = Vec::new();
        for part in key.split('.') {
            let (name, indexes) = part
                .split_once('[')
                .map_or((part, ""), |(n, rest)| (n, rest));
            steps.push(Ok(name.to_owned()));
            for index in indexes.split('[').filter(|i| !i.is_empty()) {
                steps.push(Err(index
                    .trim_end_matches(']')
                    .parse()
                    .expect("numeric index in a set path")));
            }
        }
        let mut node = &mut out;
        for step in steps {
            node = match step {
                Ok(name) => {
                    if !node.is_object() {
                        *node = json!({});
                    }
                    node.as_object_mut()
                        .expect("made a map")
                        .entry(name)
                        .or_insert(Json::Null)
                }
                Err(i) => {
                    if !node.is_array() {
                        *node = json!([]);
                    }
                    let list = node.as_array_mut().expect("made a list");
                    if list.len() <= i {
                        list.resize(i + 1, Json::Null);
                    }
                    &mut list[i]
                }
            };
        }
        match (node.is_object(), value.is_object()) {
            (true, true) => canopy_render::values::coalesce(node, value.clone()),
            _ => *node = value.clone(),
        }
    }
    out
}

/// Runs one test of `suite` against `chart`.
pub fn run_test(
    chart: &Chart,
    suite: &Suite,
    test: &Test,
    dir: &Path,
    funcs: &canopy_render::template::Funcs,
) -> Outcome {
    let mut chart = chart.clone();
    for over in [&suite.chart, &test.chart].into_iter().flatten() {
        if let Some(v) = &over.version {
            chart.metadata.raw["version"] = json!(v);
        }
        if let Some(v) = &over.app_version {
            chart.metadata.raw["appVersion"] = json!(v);
        }
    }
    let mut values = values_files(dir, &suite.values);
    values.extend(suite.set.as_ref().map(expand_set));
    values.extend(values_files(dir, &test.values));
    values.extend(test.set.as_ref().map(expand_set));
    let mut release = Release {
        name: RELEASE_NAME.into(),
        namespace: RELEASE_NAMESPACE.into(),
        ..Release::default()
    };
    for r in [&suite.release, &test.release].into_iter().flatten() {
        if let Some(n) = &r.name {
            release.name = n.clone();
        }
        if let Some(n) = &r.namespace {
            release.namespace = n.clone();
        }
        if let Some(n) = r.revision {
            release.revision = n;
        }
        if let Some(u) = r.upgrade {
            release.is_upgrade = u;
        }
    }
    let (kube_version, api_versions) = capabilities(&[&suite.capabilities, &test.capabilities]);
    let default_templates: Vec<String> = if !test.templates.is_empty() {
        test.templates.clone()
    } else if let Some(t) = &test.template {
        vec![t.clone()]
    } else {
        suite.templates.clone()
    };
    let full = |t: &str| format!("{}/templates/{t}", chart.metadata.name);
    let mut only: Vec<String> = default_templates.iter().map(|t| full(t)).collect();
    only.extend(
        test.asserts
            .iter()
            .filter_map(|a| a.template.as_deref())
            .map(full),
    );
    let options = Options {
        release,
        kube_version,
        api_versions,
        values,
        funcs: funcs.clone(),
        lookup: lookup(
            test.kubernetes_provider
                .as_ref()
                .or(suite.kubernetes_provider.as_ref()),
        ),
        only: Some(only),
        ..Options::default()
    };
    let result = render::render_templates(&chart, &options);
    let mut failures = Vec::new();
    for (i, a) in test.asserts.iter().enumerate() {
        let templates: Vec<String> = match &a.template {
            Some(t) => vec![full(t)],
            None => default_templates.iter().map(|t| full(t)).collect(),
        };
        let rendered = match &result {
            Err(e) => Rendered {
                error: Some(e.to_string()),
                ..Rendered::default()
            },
            Ok(outputs) => {
                let mut r = Rendered::default();
                for t in &templates {
                    let text = outputs.get(t).cloned().unwrap_or_default();
                    r.raw.push_str(&text);
                    for doc in canopy_render::manifest::split_documents(&text) {
                        match yaml_serde::from_str::<Json>(&doc) {
                            Ok(Json::Null) => {}
                            Ok(d) => r.docs.push(d),
                            Err(e) => r.error = Some(format!("YAML parse error on {t}: {e}")),
                        }
                    }
                }
                if let Some(index) = a.document_index.or(test.document_index) {
                    r.docs = r.docs.get(index).cloned().into_iter().collect();
                }
                r
            }
        };
        if let Err(why) = asserts::check(a, &rendered) {
            failures.push(format!("assert {i} ({}): {why}", a.kind));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}
