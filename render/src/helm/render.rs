//! Rendering a chart the way `helm template` does.
//!
//! 1. The user's value layers are merged in order, then `--set` expressions apply, and the result goes over
//!    the chart's defaults and each enabled subchart's ([`crate::values::scope`]).
//! 2. Each chart's values are checked against its `values.schema.json`.
//! 3. Every template of every enabled chart (library charts included) joins one template set, named by path
//!    (`parent/templates/x.yaml`, `parent/charts/sub/templates/y.yaml`), so `define`s are shared.
//! 4. Each template that is not a partial or `NOTES.txt`, of a chart that is not a library, runs with its
//!    chart's `.Values`, `.Chart`, `.Files` and `.Template`, and the shared `.Release` and `.Capabilities`.
//!    Missing keys print nothing (Helm's `missingkey=zero` plus its removal of `<no value>`).
//! 5. The output is sorted into CRDs (each chart's `crds/`, not templated), hooks and resources.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;

use super::funcs::{self, Lookup};
use super::objects::{Capabilities, Files};
use crate::chart::Chart;
use crate::manifest::{self, Output, Resource};
use crate::schema;
use crate::template::{Funcs, MissingKey, Options as ExecOptions, Template, Value, Watch};
use crate::values::{self, scope};

/// The release a chart is rendered for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// `.Release.Name`; EMCO uses the DIG's `spec.version`.
    pub name: String,
    /// `.Release.Namespace`.
    pub namespace: String,
    /// `.Release.Revision`.
    pub revision: i64,
    /// `.Release.IsUpgrade` (and not `.Release.IsInstall`).
    pub is_upgrade: bool,
}

impl Default for Release {
    fn default() -> Self {
        Self {
            name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
        }
    }
}

/// The Kubernetes version `helm template` assumes when none is given.
pub const DEFAULT_KUBE_VERSION: &str = "v1.31.0";

/// How to render.
#[derive(Clone)]
pub struct Options {
    /// The release.
    pub release: Release,
    /// `.Capabilities.KubeVersion`.
    pub kube_version: String,
    /// API versions served beyond the built-in ones.
    pub api_versions: Vec<String>,
    /// Value layers over the chart's `values.yaml`, in order (for EMCO: the profile's values file).
    pub values: Vec<Json>,
    /// `--set` expressions, applied after the layers (for EMCO: the DIG's `overrideValues`).
    pub set: Vec<String>,
    /// Functions besides Helm's own (Sprig's); Helm's replace any of the same name.
    pub funcs: Funcs,
    /// What `lookup` finds; nothing when `None`.
    pub lookup: Option<Lookup>,
    /// Execute only these templates (full names, e.g. `c/templates/svc.yaml`); the others still
    /// contribute their `define`s. All of them when `None`.
    pub only: Option<Vec<String>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            release: Release::default(),
            kube_version: DEFAULT_KUBE_VERSION.into(),
            api_versions: Vec::new(),
            values: Vec::new(),
            set: Vec::new(),
            funcs: Funcs::new(),
            lookup: None,
            only: None,
        }
    }
}

/// Rendering failed. Messages follow Helm's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A `--set` expression is malformed.
    #[error(transparent)]
    Set(#[from] values::set::Error),
    /// The values break a chart's schema.
    #[error(transparent)]
    Schema(#[from] schema::Error),
    /// A template does not parse.
    #[error("{0}")]
    Parse(String),
    /// A template failed while executing, e.g. `execution error at (c/templates/x.yaml:3:4): message`.
    #[error("{0}")]
    Execute(String),
    /// The output is not valid resources.
    #[error(transparent)]
    Manifest(#[from] manifest::Error),
}

/// One enabled chart of the tree, with the name its templates live under.
struct Node<'a> {
    chart: &'a Chart,
    path: String,
    values: Json,
}

/// The enabled charts, parents before their subcharts.
fn tree<'a>(chart: &'a Chart, path: String, values: Json, out: &mut Vec<Node<'a>>) {
    let subs: Vec<(String, &'a Chart, Json)> = scope::enabled(chart, &values)
        .into_iter()
        .map(|sub| {
            let sub_values = values
                .get(sub.name)
                .cloned()
                .unwrap_or(Json::Object(Default::default()));
            (format!("{path}/charts/{}", sub.name), sub.chart, sub_values)
        })
        .collect();
    out.push(Node {
        chart,
        path,
        values,
    });
    for (sub_path, sub_chart, sub_values) in subs {
        tree(sub_chart, sub_path, sub_values, out);
    }
}

/// Merges user value layers; unlike [`values::coalesce`], a `null` is kept so that it can delete a default.
fn merge_layers(base: &mut Json, top: &Json) {
    match (base, top) {
        (Json::Object(b), Json::Object(t)) => {
            for (k, v) in t {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge_layers(existing, v)
                    }
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (base, top) => *base = top.clone(),
    }
}

/// The final values of the chart tree for `options`.
pub fn final_values(chart: &Chart, options: &Options) -> Result<Json, Error> {
    let mut user = Json::Object(Default::default());
    for layer in &options.values {
        merge_layers(&mut user, layer);
    }
    for expr in &options.set {
        values::set::apply(&mut user, expr)?;
    }
    Ok(scope::coalesce_chart(chart, &user))
}

/// Renders every resource template of the chart tree: template name to output text.
pub fn render_templates(
    chart: &Chart,
    options: &Options,
) -> Result<BTreeMap<String, String>, Error> {
    execute(chart, &prepare(chart, options)?, options)
}

/// The enabled chart tree with each chart's final values, checked against each chart's schema.
fn prepare<'a>(chart: &'a Chart, options: &Options) -> Result<Vec<Node<'a>>, Error> {
    let values = final_values(chart, options)?;
    let mut nodes = Vec::new();
    tree(chart, chart.metadata.name.clone(), values, &mut nodes);
    for node in &nodes {
        if let Some(schema) = &node.chart.schema {
            schema::validate(&node.chart.metadata.name, schema, &node.values)?;
        }
    }
    Ok(nodes)
}

/// Runs the resource templates of a prepared chart tree, all on one big-stack thread (starting one per
/// template and per parse cost more than most templates take to run).
fn execute(
    chart: &Chart,
    nodes: &[Node<'_>],
    options: &Options,
) -> Result<BTreeMap<String, String>, Error> {
    crate::template::on_big_stack(|| Ok(execute_here(chart, nodes, options)))
        .unwrap_or_else(|e| Err(Error::Execute(e.to_string())))
}

/// [`execute`] on the current thread.
fn execute_here(
    chart: &Chart,
    nodes: &[Node<'_>],
    options: &Options,
) -> Result<BTreeMap<String, String>, Error> {
    let mut all_funcs = options.funcs.clone();
    funcs::register(&mut all_funcs, options.lookup.clone());
    let mut set = Template::new(chart.metadata.name.clone())
        .funcs(&all_funcs)
        .options(ExecOptions {
            missing_key: MissingKey::Zero,
        });
    let func_names = all_funcs.names();
    for node in nodes {
        for file in &node.chart.templates {
            let name = format!("{}/{}", node.path, file.name);
            let parsed = node
                .chart
                .memo
                .template(&func_names, &name, &file.data, || {
                    set.parse_file(&name, &String::from_utf8_lossy(&file.data))
                })
                .map_err(|e| Error::Parse(parse_error(&name, &e.to_string())))?;
            set.add_parsed(&parsed);
        }
    }
    let capabilities = Value::Object(Arc::new(Capabilities::new(
        &options.kube_version,
        options.api_versions.clone(),
    )));
    let release = release_value(&options.release);
    let mut out = BTreeMap::new();
    for node in nodes.iter().filter(|n| !n.chart.metadata.is_library()) {
        let files = Value::Object(Arc::new(Files::new(node.chart.files.clone())));
        let chart_value = chart_value(node.chart);
        // `.Values` converted once and handed on while no template changed it (Sprig's `set`), so that
        // every template still starts from the chart's values, as when each converted its own copy.
        let mut values: Option<(Watch, Value)> = None;
        for file in node
            .chart
            .templates
            .iter()
            .filter(|f| manifest::is_resource_template(&f.name))
        {
            let name = format!("{}/{}", node.path, file.name);
            if options
                .only
                .as_ref()
                .is_some_and(|only| !only.contains(&name))
            {
                continue;
            }
            let (watch, node_values) = match values.take() {
                Some((watch, v)) if !watch.changed() => (watch, v),
                _ => {
                    let watch = Watch::new();
                    let v = Value::from_json_watched(&node.values, &watch);
                    (watch, v)
                }
            };
            values = Some((watch, node_values.clone()));
            let data = Value::map([
                ("Values", node_values),
                ("Release", release.clone()),
                ("Chart", chart_value.clone()),
                ("Capabilities", capabilities.clone()),
                ("Files", files.clone()),
                (
                    "Template",
                    Value::map([
                        ("Name", Value::from(name.as_str())),
                        (
                            "BasePath",
                            Value::String(format!("{}/templates", node.path)),
                        ),
                    ]),
                ),
            ]);
            let text = set
                .execute(&name, &data)
                .map_err(|e| Error::Execute(exec_error(&e.to_string())))?;
            out.insert(name, text.replace("<no value>", ""));
        }
    }
    Ok(out)
}

/// Renders the chart tree into CRDs, hooks and resources.
///
/// The CRDs do not depend on the templates, so CRDs not parsed yet (a chart's first render; later ones
/// reuse them) are parsed on a thread of their own while the templates run. Errors come in the same order
/// as when done one after the other: templates, then rendered output, then CRDs.
pub fn render(chart: &Chart, options: &Options) -> Result<Output, Error> {
    let nodes = prepare(chart, options)?;
    let unparsed = nodes
        .iter()
        .any(|n| !n.chart.crds.is_empty() && !n.chart.memo.has_crds(&n.path, &n.chart.crds));
    if !unparsed {
        let mut output = manifest::sort(execute(chart, &nodes, options)?.into_iter().collect())?;
        output.crds = all_crds(&nodes)?;
        return Ok(output);
    }
    let (texts, crds) = std::thread::scope(|s| {
        let crds = std::thread::Builder::new()
            .stack_size(CRD_STACK_SIZE)
            .spawn_scoped(s, || all_crds(&nodes));
        let texts = execute(chart, &nodes, options);
        let crds = match crds {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => all_crds(&nodes),
        };
        (texts, crds)
    });
    let mut output = manifest::sort(texts?.into_iter().collect())?;
    output.crds = crds?;
    Ok(output)
}

/// Stack size of the thread that parses CRDs: a main thread's, as they were parsed on before.
const CRD_STACK_SIZE: usize = 8 << 20;

/// The CRDs of every chart of the tree, parents' before subcharts'.
fn all_crds(nodes: &[Node<'_>]) -> Result<Vec<Arc<Resource>>, Error> {
    let mut all = Vec::new();
    for node in nodes {
        all.extend(node.chart.memo.crds(&node.path, &node.chart.crds)?);
    }
    Ok(all)
}

fn release_value(r: &Release) -> Value {
    Value::map([
        ("Name", Value::from(r.name.as_str())),
        ("Namespace", Value::from(r.namespace.as_str())),
        ("Service", Value::from("Helm")),
        ("IsInstall", Value::Bool(!r.is_upgrade)),
        ("IsUpgrade", Value::Bool(r.is_upgrade)),
        ("Revision", Value::Int(r.revision)),
    ])
}

/// `.Chart`: Chart.yaml with Helm's Go field names; absent strings are empty, as Go's zero values.
fn chart_value(chart: &Chart) -> Value {
    const FIELDS: &[(&str, &str)] = &[
        ("name", "Name"),
        ("version", "Version"),
        ("appVersion", "AppVersion"),
        ("description", "Description"),
        ("type", "Type"),
        ("apiVersion", "APIVersion"),
        ("kubeVersion", "KubeVersion"),
        ("home", "Home"),
        ("icon", "Icon"),
        ("keywords", "Keywords"),
        ("sources", "Sources"),
        ("annotations", "Annotations"),
        ("deprecated", "Deprecated"),
        ("dependencies", "Dependencies"),
        ("maintainers", "Maintainers"),
        ("condition", "Condition"),
        ("tags", "Tags"),
    ];
    let raw = &chart.metadata.raw;
    Value::map(FIELDS.iter().map(|(yaml_key, go_name)| {
        let v = raw
            .get(*yaml_key)
            .map(Value::from)
            .unwrap_or_else(|| match *go_name {
                "Deprecated" => Value::Bool(false),
                "Keywords" | "Sources" | "Dependencies" | "Maintainers" => Value::Nil,
                "Annotations" => Value::Nil,
                _ => Value::from(""),
            });
        (*go_name, v)
    }))
}

/// Helm's form of a parse error: `parse error at (NAME:LINE): MESSAGE`.
fn parse_error(name: &str, message: &str) -> String {
    let tokens: Vec<&str> = message.split(": ").collect();
    match tokens.as_slice() {
        [_, location, .., last] if tokens.len() >= 3 => {
            format!("parse error at ({location}): {last}")
        }
        _ => format!("parse error in ({name}): {message}"),
    }
}

/// Helm's form of an execution error. A `fail` or `required` message, however deep in `include`s, becomes
/// `execution error at (LOCATION): MESSAGE` with the location of the outermost template; any other error
/// keeps Go's text, as Helm's `reformatExecErrorMsg` does.
fn exec_error(message: &str) -> String {
    let wrapped = message
        .split_once(funcs::MESSAGE_START)
        .and_then(|(_, rest)| rest.split_once(funcs::MESSAGE_END))
        .map(|(inner, _)| inner);
    let location = message
        .strip_prefix("template: ")
        .and_then(|rest| rest.split_once(": "))
        .map(|(loc, _)| loc);
    match (wrapped, location) {
        (Some(inner), Some(location)) => format!("execution error at ({location}): {inner}"),
        (Some(inner), None) => inner.to_owned(),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests;
