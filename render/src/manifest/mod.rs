//! From rendered template text to Helm's output: documents split and parsed, hooks and CRDs set apart,
//! and the rest in Helm's install order.
//!
//! - Files are taken in path order; partials (`_*.tpl` and any `_`-prefixed file) and `NOTES.txt` are not
//!   resources, and blank documents are skipped.
//! - A document with a `helm.sh/hook` annotation is a [`Hook`] for each event it names. Hooks are ordered
//!   by `helm.sh/hook-weight`, then name. `test` hooks are dropped, as EMCO drops them.
//! - The other documents are ordered by kind ([`order::INSTALL_ORDER`]); documents of one kind keep their
//!   file order.

pub mod order;

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

/// A rendered document is not a usable resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The YAML does not parse.
    #[error("YAML parse error on {source_path} (document {index}): {message}")]
    Yaml {
        /// The template it came from.
        source_path: String,
        /// Its position in the file, from 1.
        index: usize,
        /// The parser's message.
        message: String,
    },
    /// A required field is missing or has the wrong type.
    #[error("{source_path} (document {index}): {message}")]
    Invalid {
        /// The template it came from.
        source_path: String,
        /// Its position in the file, from 1.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

/// One rendered Kubernetes resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, when the template sets it.
    pub namespace: Option<String>,
    /// The whole object.
    pub body: Value,
    /// The document's YAML text, as rendered.
    pub yaml: String,
    /// The template path it came from, e.g. `nginx/templates/service.yaml`.
    pub source: String,
}

/// When a hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HookEvent {
    /// Before the release's resources are created.
    PreInstall,
    /// After they are created.
    PostInstall,
    /// Before they are deleted.
    PreDelete,
    /// After they are deleted.
    PostDelete,
    /// Before an upgrade.
    PreUpgrade,
    /// After an upgrade.
    PostUpgrade,
    /// Before a rollback.
    PreRollback,
    /// After a rollback.
    PostRollback,
}

impl HookEvent {
    /// The annotation value, e.g. `pre-install`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreInstall => "pre-install",
            Self::PostInstall => "post-install",
            Self::PreDelete => "pre-delete",
            Self::PostDelete => "post-delete",
            Self::PreUpgrade => "pre-upgrade",
            Self::PostUpgrade => "post-upgrade",
            Self::PreRollback => "pre-rollback",
            Self::PostRollback => "post-rollback",
        }
    }

    fn parse(s: &str) -> Option<Option<Self>> {
        Some(Some(match s {
            "pre-install" => Self::PreInstall,
            "post-install" => Self::PostInstall,
            "pre-delete" => Self::PreDelete,
            "post-delete" => Self::PostDelete,
            "pre-upgrade" => Self::PreUpgrade,
            "post-upgrade" => Self::PostUpgrade,
            "pre-rollback" => Self::PreRollback,
            "post-rollback" => Self::PostRollback,
            // Test hooks are dropped.
            "test" | "test-success" | "test-failure" => return Some(None),
            _ => return None,
        }))
    }
}

impl fmt::Display for HookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hook resource for one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    /// The event.
    pub event: HookEvent,
    /// `helm.sh/hook-weight`, 0 when absent.
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` values.
    pub delete_policies: Vec<String>,
    /// The resource.
    pub resource: Resource,
}

/// A chart's rendered output, in the order it is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// CRDs from `crds/` folders (not templated), parents' before subcharts'. They are the same for every
    /// render of a loaded chart, so renders share them rather than each parsing or copying its own.
    pub crds: Vec<Arc<Resource>>,
    /// Hooks, by event, then weight, then name.
    pub hooks: Vec<Hook>,
    /// Everything else, in Helm's install order.
    pub resources: Vec<Resource>,
}

impl Output {
    /// The hooks of one event, in the order they run.
    pub fn hooks_for(&self, event: HookEvent) -> impl Iterator<Item = &Hook> {
        self.hooks.iter().filter(move |h| h.event == event)
    }
}

/// True for files that are templates but not resources: partials and `NOTES.txt`.
pub fn is_resource_template(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    !base.starts_with('_') && base != "NOTES.txt"
}

/// Splits a rendered file into documents, as Helm does: on lines that start with `---`.
pub fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") && line[3..].trim().is_empty() {
            docs.push(String::new());
        } else {
            docs.last_mut().expect("starts with one").push_str(line);
        }
    }
    docs.into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// Parses the documents of one rendered file.
pub fn parse_file(source: &str, text: &str) -> Result<Vec<Resource>, Error> {
    split_documents(text)
        .into_iter()
        .enumerate()
        .map(|(i, doc)| parse_document(source, i + 1, doc))
        .collect()
}

fn parse_document(source: &str, index: usize, yaml: String) -> Result<Resource, Error> {
    let invalid = |message: String| Error::Invalid {
        source_path: source.to_owned(),
        index,
        message,
    };
    let body: Value = yaml_serde::from_str(&yaml).map_err(|e| Error::Yaml {
        source_path: source.to_owned(),
        index,
        message: e.to_string(),
    })?;
    let text = |v: Option<&Value>, what: &str| -> Result<String, Error> {
        v.and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid(format!("{what} is missing or not a string")))
    };
    if !body.is_object() {
        return Err(invalid(format!(
            "a resource must be a map, not {}",
            crate::values::kind(&body)
        )));
    }
    Ok(Resource {
        api_version: text(body.get("apiVersion"), "apiVersion")?,
        kind: text(body.get("kind"), "kind")?,
        name: text(body.pointer("/metadata/name"), "metadata.name")?,
        namespace: body
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_owned),
        yaml,
        source: source.to_owned(),
        body,
    })
}

/// Sorts rendered files (template path, text) into hooks and resources. CRDs are added by the caller.
pub fn sort(files: Vec<(String, String)>) -> Result<Output, Error> {
    let mut files = files;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut output = Output::default();
    for (path, text) in files.into_iter().filter(|(p, _)| is_resource_template(p)) {
        for (i, resource) in parse_file(&path, &text)?.into_iter().enumerate() {
            let annotations = resource.body.pointer("/metadata/annotations");
            let Some(events) = annotations
                .and_then(|a| a.get("helm.sh/hook"))
                .and_then(Value::as_str)
            else {
                output.resources.push(resource);
                continue;
            };
            let weight = match annotations.and_then(|a| a.get("helm.sh/hook-weight")) {
                None => 0,
                Some(Value::String(s)) => s.trim().parse().map_err(|_| Error::Invalid {
                    source_path: path.clone(),
                    index: i + 1,
                    message: format!("helm.sh/hook-weight {s:?} is not a whole number"),
                })?,
                Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
                Some(_) => 0,
            };
            let delete_policies: Vec<String> = annotations
                .and_then(|a| a.get("helm.sh/hook-delete-policy"))
                .and_then(Value::as_str)
                .map(|p| {
                    p.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            for event in events.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                let parsed = HookEvent::parse(event).ok_or_else(|| Error::Invalid {
                    source_path: path.clone(),
                    index: i + 1,
                    message: format!("unknown helm.sh/hook event {event:?}"),
                })?;
                if let Some(event) = parsed {
                    output.hooks.push(Hook {
                        event,
                        weight,
                        delete_policies: delete_policies.clone(),
                        resource: resource.clone(),
                    });
                }
            }
        }
    }
    output
        .resources
        .sort_by(|a, b| order::rank(&a.kind).cmp(&order::rank(&b.kind)));
    output.hooks.sort_by(|a, b| {
        (a.event, a.weight, &a.resource.name).cmp(&(b.event, b.weight, &b.resource.name))
    });
    Ok(output)
}

#[cfg(test)]
mod tests;
