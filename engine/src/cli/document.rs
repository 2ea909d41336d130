//! The emcoctl document model: one YAML document of a resource file (`version: emco/v2`,
//! `resourceContext.anchor`, `metadata`, `spec`, and `file`, `files` or `clusterLabel`), and how a file's
//! text becomes documents.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value as Json};
use yaml_serde::Value;

/// The only `version` emcoctl files carry.
pub const VERSION: &str = "emco/v2";

/// Last anchor segments that name a lifecycle operation rather than a collection. Like emcoctl, `update`,
/// `delete` and `get` skip documents whose anchor ends in one of these, even when they carry a body (a
/// rollback carries `spec.revision`).
pub const LIFECYCLE_OPERATIONS: &[&str] = &[
    "approve",
    "instantiate",
    "terminate",
    "stop",
    "update",
    "rollback",
    "migrate",
    "apply",
];

/// A document that cannot be used. Every variant names the document's 1-based position in the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The YAML does not parse; the documents after it cannot be read either.
    #[error("document {index}: invalid YAML (the rest of the file was not read)")]
    Yaml {
        /// The document's position.
        index: usize,
        /// The parser's error.
        #[source]
        source: yaml_serde::Error,
    },
    /// A merge key (`<<`) does not name a map or a list of maps.
    #[error("document {index}: invalid merge key (<<)")]
    Merge {
        /// The document's position.
        index: usize,
        /// The merge's error.
        #[source]
        source: yaml_serde::Error,
    },
    /// The document is a list or a scalar, not a map.
    #[error(
        "document {index}: expected a map with resourceContext, metadata and spec, found {found}"
    )]
    NotAMap {
        /// The document's position.
        index: usize,
        /// What it is instead.
        found: &'static str,
    },
    /// `version` is present but is not `emco/v2`.
    #[error("document {index}: unsupported version {version:?} (expected {VERSION})")]
    Version {
        /// The document's position.
        index: usize,
        /// The version found.
        version: String,
    },
    /// `resourceContext.anchor` is absent or empty.
    #[error("document {index}: missing resourceContext.anchor")]
    MissingAnchor {
        /// The document's position.
        index: usize,
    },
    /// A field has the wrong type.
    #[error("document {index}: {field} must be {expected}")]
    WrongType {
        /// The document's position.
        index: usize,
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// A field cannot be expressed as JSON (a map key that is itself a list or a map).
    #[error("document {index}: {field} cannot be sent as JSON")]
    NotJson {
        /// The document's position.
        index: usize,
        /// The field.
        field: &'static str,
        /// The conversion's error.
        #[source]
        source: serde_json::Error,
    },
    /// The document has both `file` and `files`.
    #[error("document {index}: has both file and files; use one")]
    FileAndFiles {
        /// The document's position.
        index: usize,
    },
    /// A `file` or `files` entry exists neither from the current directory nor from the YAML file's.
    #[error(
        "document {index}: file {} not found (looked in the current directory and in {})",
        path.display(),
        yaml_dir.display()
    )]
    FileNotFound {
        /// The document's position.
        index: usize,
        /// The path as written.
        path: PathBuf,
        /// The YAML file's directory.
        yaml_dir: PathBuf,
    },
    /// A composite app document lacks `spec.compositeAppVersion`, which its URL needs.
    #[error("document {index}: a composite app needs spec.compositeAppVersion for its URL")]
    NoCompositeAppVersion {
        /// The document's position.
        index: usize,
    },
}

/// The document module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Files sent with a document as `multipart/form-data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachments {
    /// No files: the body is sent as JSON.
    None,
    /// `file`: one part named `file`.
    File(PathBuf),
    /// `files`: one part named `files` per file.
    Files(Vec<PathBuf>),
}

/// One resource document, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The 1-based position of the document in the (rendered) file.
    pub index: usize,
    /// `resourceContext.anchor`: the URL path after `/v2/`, without surrounding `/`.
    pub anchor: String,
    /// `metadata`, as JSON.
    pub metadata: Option<Json>,
    /// `spec`, as JSON.
    pub spec: Option<Json>,
    /// `clusterLabel`.
    pub cluster_label: Option<String>,
    /// `file` or `files`, resolved to paths that exist.
    pub attachments: Attachments,
}

impl Document {
    /// `metadata.name`, when present and not empty.
    pub fn name(&self) -> Option<&str> {
        self.metadata
            .as_ref()?
            .get("name")?
            .as_str()
            .filter(|n| !n.is_empty())
    }

    /// True for a document with only an anchor: an action, sent as a POST without a body.
    pub fn is_action(&self) -> bool {
        self.metadata.is_none()
            && self.spec.is_none()
            && self.cluster_label.is_none()
            && self.attachments == Attachments::None
    }

    /// True when the anchor ends in a lifecycle operation such as `instantiate` ([`LIFECYCLE_OPERATIONS`]).
    pub fn is_lifecycle_operation(&self) -> bool {
        let last = self.anchor.rsplit('/').next().unwrap_or_default();
        LIFECYCLE_OPERATIONS.contains(&last)
    }

    /// The JSON body: `{metadata, spec, clusterLabel}`, absent parts omitted.
    pub fn body(&self) -> Json {
        let mut body = Map::new();
        if let Some(metadata) = &self.metadata {
            body.insert("metadata".into(), metadata.clone());
        }
        if let Some(spec) = &self.spec {
            body.insert("spec".into(), spec.clone());
        }
        if let Some(label) = &self.cluster_label {
            body.insert("clusterLabel".into(), Json::String(label.clone()));
        }
        Json::Object(body)
    }

    /// The path of the resource itself, after `/v2/`, as `update`, `delete` and `get` use it:
    /// - a label document: `anchor/<clusterLabel>`;
    /// - a composite app (the anchor ends in `composite-apps`): `anchor/<name>/<spec.compositeAppVersion>`;
    /// - any other document with a name: `anchor/<name>`;
    /// - a document without a name: the anchor.
    pub fn resource_path(&self) -> Result<String> {
        let anchor = &self.anchor;
        if let Some(label) = &self.cluster_label {
            return Ok(format!("{anchor}/{label}"));
        }
        let Some(name) = self.name() else {
            return Ok(anchor.clone());
        };
        if anchor == "composite-apps" || anchor.ends_with("/composite-apps") {
            let version = self
                .spec
                .as_ref()
                .and_then(|spec| spec.get("compositeAppVersion"))
                .and_then(Json::as_str)
                .filter(|v| !v.is_empty())
                .ok_or(Error::NoCompositeAppVersion { index: self.index })?;
            return Ok(format!("{anchor}/{name}/{version}"));
        }
        Ok(format!("{anchor}/{name}"))
    }
}

/// Reads every document of a resource file's text, in file order. `yaml_dir` is the YAML file's directory,
/// where `file` and `files` paths are looked up when they do not exist from the current directory.
///
/// Merge keys (`<<: *anchor`) are applied, as emcoctl's YAML decoder does. Empty documents (such as after
/// a trailing `---`) are skipped but still counted in the positions. Each
/// unusable document is an `Err` in its place; a YAML syntax error ends the list, as the parser cannot
/// resume after it.
pub fn parse(text: &str, yaml_dir: &Path) -> Vec<Result<Document>> {
    let mut documents = Vec::new();
    for (i, de) in yaml_serde::Deserializer::from_str(text).enumerate() {
        let index = i + 1;
        match Value::deserialize(de) {
            Ok(Value::Null) => {}
            Ok(mut value) => documents.push(
                value
                    .apply_merge()
                    .map_err(|source| Error::Merge { index, source })
                    .and_then(|()| from_value(index, value, yaml_dir)),
            ),
            Err(source) => {
                documents.push(Err(Error::Yaml { index, source }));
                break;
            }
        }
    }
    documents
}

/// Checks one parsed YAML document and converts it.
fn from_value(index: usize, value: Value, yaml_dir: &Path) -> Result<Document> {
    let Value::Mapping(mut doc) = value else {
        return Err(Error::NotAMap {
            index,
            found: kind(&value),
        });
    };
    let wrong = |field, expected| Error::WrongType {
        index,
        field,
        expected,
    };
    match doc.remove("version") {
        None | Some(Value::Null) => {}
        Some(Value::String(v)) if v == VERSION => {}
        Some(other) => {
            return Err(Error::Version {
                index,
                version: scalar(&other).unwrap_or_else(|| kind(&other).to_owned()),
            });
        }
    }
    let anchor = doc
        .get("resourceContext")
        .and_then(|c| c.get("anchor"))
        .and_then(Value::as_str)
        .map(|a| a.trim_matches('/'))
        .filter(|a| !a.is_empty())
        .ok_or(Error::MissingAnchor { index })?
        .to_owned();
    let metadata = map_field(index, &mut doc, "metadata")?;
    let spec = map_field(index, &mut doc, "spec")?;
    let cluster_label = match doc.remove("clusterLabel") {
        None | Some(Value::Null) => None,
        Some(v) => Some(scalar(&v).ok_or_else(|| wrong("clusterLabel", "a string"))?),
    };
    let file = match doc.remove("file") {
        None | Some(Value::Null) => None,
        Some(Value::String(path)) => Some(resolve(index, &path, yaml_dir)?),
        Some(_) => return Err(wrong("file", "a path")),
    };
    let files = match doc.remove("files") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(paths)) => paths
            .iter()
            .map(|p| match p {
                Value::String(path) => resolve(index, path, yaml_dir),
                _ => Err(wrong("files", "a list of paths")),
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(wrong("files", "a list of paths")),
    };
    let attachments = match (file, files.is_empty()) {
        (Some(_), false) => return Err(Error::FileAndFiles { index }),
        (Some(file), true) => Attachments::File(file),
        (None, false) => Attachments::Files(files),
        (None, true) => Attachments::None,
    };
    Ok(Document {
        index,
        anchor,
        metadata,
        spec,
        cluster_label,
        attachments,
    })
}

/// Removes `field` from the document and converts it to a JSON object; null counts as absent.
fn map_field(
    index: usize,
    doc: &mut yaml_serde::Mapping,
    field: &'static str,
) -> Result<Option<Json>> {
    match doc.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value @ Value::Mapping(_)) => {
            serde_json::to_value(&value)
                .map(Some)
                .map_err(|source| Error::NotJson {
                    index,
                    field,
                    source,
                })
        }
        Some(_) => Err(Error::WrongType {
            index,
            field,
            expected: "a map",
        }),
    }
}

/// Finds a `file` path: as given (from the current directory), else from the YAML file's directory.
fn resolve(index: usize, path: &str, yaml_dir: &Path) -> Result<PathBuf> {
    let given = Path::new(path);
    if given.exists() {
        return Ok(given.to_path_buf());
    }
    let beside = yaml_dir.join(given);
    if given.is_relative() && beside.exists() {
        return Ok(beside);
    }
    Err(Error::FileNotFound {
        index,
        path: given.to_path_buf(),
        yaml_dir: yaml_dir.to_path_buf(),
    })
}

/// A scalar as text, the way emcoctl's string fields read it.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What sort of YAML value `value` is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests;
