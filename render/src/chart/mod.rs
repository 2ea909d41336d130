//! Loading a chart into memory, from a directory or a `.tgz`, as Helm's loader does.
//!
//! A chart's files are sorted into:
//! - `Chart.yaml`, the [`Metadata`];
//! - `values.yaml` (and `values.schema.json`);
//! - `templates/`, the templates and partials;
//! - `crds/`, CRDs that are installed first and never templated;
//! - `charts/`, subcharts, as folders or `.tgz` files, loaded recursively;
//! - everything else, which templates reach through `.Files`.
//!
//! Paths inside a chart always use `/`, and are relative to the chart's root.

mod archive;
mod memo;
mod metadata;

use std::collections::BTreeMap;
use std::path::Path;

pub use metadata::{Dependency, Metadata};

/// A chart could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("reading {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The archive is not a gzip tar.
    #[error("chart archive: {0}")]
    Archive(String),
    /// `Chart.yaml` is missing or wrong.
    #[error("{chart}/Chart.yaml: {message}")]
    Metadata {
        /// Which chart.
        chart: String,
        /// What is wrong.
        message: String,
    },
    /// `values.yaml` is wrong.
    #[error("{chart}/values.yaml: {source}")]
    Values {
        /// Which chart.
        chart: String,
        /// What is wrong.
        #[source]
        source: crate::values::Error,
    },
}

/// A file of a chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Path relative to the chart root, with `/`.
    pub name: String,
    /// Contents.
    pub data: Vec<u8>,
}

/// A loaded chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// `Chart.yaml`.
    pub metadata: Metadata,
    /// `values.yaml`, with Helm's number semantics; an empty map when absent.
    pub values: serde_json::Value,
    /// `values.schema.json`, when present.
    pub schema: Option<serde_json::Value>,
    /// `templates/**`, sorted by path.
    pub templates: Vec<File>,
    /// `crds/**`, sorted by path.
    pub crds: Vec<File>,
    /// Every other file (what `.Files` serves), sorted by path. CRD files are here too, as in Helm.
    pub files: Vec<File>,
    /// Subcharts from `charts/`, in name order.
    pub subcharts: Vec<Chart>,
    /// What renders parsed from the files above, for the next render.
    pub(crate) memo: memo::Memo,
}

impl Chart {
    /// Loads a chart from a directory.
    pub fn from_dir(dir: &Path) -> Result<Self, Error> {
        let mut files = BTreeMap::new();
        read_dir(dir, dir, &mut files)?;
        Self::from_files(files)
    }

    /// Loads a chart from a `.tgz`, whose entries sit under one top folder (`mychart/Chart.yaml`).
    pub fn from_tgz(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_files(archive::untar(bytes)?)
    }

    /// Builds a chart from its files, keyed by path relative to the chart root.
    pub fn from_files(files: BTreeMap<String, Vec<u8>>) -> Result<Self, Error> {
        let ignore = files
            .get(".helmignore")
            .map(|d| Ignore::parse(&String::from_utf8_lossy(d)))
            .unwrap_or_default();
        let chart_yaml = files.get("Chart.yaml").ok_or_else(|| Error::Metadata {
            chart: "chart".into(),
            message: "not found; a chart needs a Chart.yaml at its root".into(),
        })?;
        let metadata = Metadata::parse(chart_yaml)?;
        let name = metadata.name.clone();
        let values = match files.get("values.yaml") {
            Some(data) => crate::values::from_yaml(&String::from_utf8_lossy(data), "values.yaml")
                .map_err(|source| Error::Values {
                chart: name.clone(),
                source,
            })?,
            None => serde_json::Value::Object(Default::default()),
        };
        let schema = match files.get("values.schema.json") {
            Some(data) => Some(serde_json::from_slice(data).map_err(|e| Error::Metadata {
                chart: name.clone(),
                message: format!("values.schema.json is not valid JSON: {e}"),
            })?),
            None => None,
        };
        let mut chart = Chart {
            metadata,
            values,
            schema,
            templates: vec![],
            crds: vec![],
            files: vec![],
            subcharts: vec![],
            memo: Default::default(),
        };
        let mut sub_dirs: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        for (path, data) in files {
            if ignore.is_ignored(&path) {
                continue;
            }
            if let Some(rest) = path.strip_prefix("charts/") {
                match rest.split_once('/') {
                    Some((dir, inner)) => {
                        sub_dirs
                            .entry(dir.to_owned())
                            .or_default()
                            .insert(inner.to_owned(), data);
                    }
                    None if rest.ends_with(".tgz") || rest.ends_with(".tar.gz") => {
                        chart.subcharts.push(Chart::from_tgz(&data)?);
                    }
                    None => {}
                }
                continue;
            }
            match path.as_str() {
                "Chart.yaml" | "values.yaml" | "values.schema.json" | "Chart.lock"
                | "requirements.yaml" | "requirements.lock" | ".helmignore" => continue,
                _ => {}
            }
            let file = File {
                name: path.clone(),
                data,
            };
            if path.starts_with("templates/") {
                chart.templates.push(file);
            } else {
                if path.starts_with("crds/") {
                    chart.crds.push(file.clone());
                }
                chart.files.push(file);
            }
        }
        for (_, inner) in sub_dirs {
            chart.subcharts.push(Chart::from_files(inner)?);
        }
        chart
            .subcharts
            .sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        Ok(chart)
    }
}

fn read_dir(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> Result<(), Error> {
    let read_err = |p: &Path, e: std::io::Error| Error::Read {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    for entry in std::fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
        let entry = entry.map_err(|e| read_err(dir, e))?;
        let path = entry.path();
        if path.is_dir() {
            read_dir(root, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("walked from the root")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(&path).map_err(|e| read_err(&path, e))?);
        }
    }
    Ok(())
}

/// `.helmignore` rules: one shell pattern per line, `#` comments, a trailing `/` for folders only, and `!`
/// to re-include. A pattern without `/` matches a name at any depth; with `/`, the path from the root.
#[derive(Debug, Clone, Default)]
struct Ignore {
    rules: Vec<(bool, bool, String)>,
}

impl Ignore {
    fn parse(text: &str) -> Self {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (negate, l) = l.strip_prefix('!').map_or((false, l), |r| (true, r));
                let (dir_only, l) = l.strip_suffix('/').map_or((false, l), |r| (true, r));
                (negate, dir_only, l.trim_start_matches("./").to_owned())
            })
            .collect();
        Self { rules }
    }

    fn is_ignored(&self, path: &str) -> bool {
        let mut ignored = false;
        let parts: Vec<&str> = path.split('/').collect();
        for (negate, dir_only, pattern) in &self.rules {
            let hit = if pattern.contains('/') {
                (1..=parts.len()).any(|n| {
                    (!*dir_only || n < parts.len()) && glob(pattern, &parts[..n].join("/"))
                })
            } else {
                parts
                    .iter()
                    .enumerate()
                    .any(|(i, p)| (!*dir_only || i + 1 < parts.len()) && glob(pattern, p))
            };
            if hit {
                ignored = !negate;
            }
        }
        ignored
    }
}

/// Shell-style matching of one name: `*`, `?` and `[...]` classes.
fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| !n[..i].contains(&'/') && go(&p[1..], &n[i..])),
            Some('?') => !n.is_empty() && n[0] != '/' && go(&p[1..], &n[1..]),
            Some('[') => match (p.iter().position(|&c| c == ']'), n.first()) {
                (Some(end), Some(&c)) => {
                    let class = &p[1..end];
                    let (negate, class) = match class.first() {
                        Some('!') | Some('^') => (true, &class[1..]),
                        _ => (false, class),
                    };
                    let mut hit = false;
                    let mut i = 0;
                    while i < class.len() {
                        if i + 2 < class.len() && class[i + 1] == '-' {
                            hit |= class[i] <= c && c <= class[i + 2];
                            i += 3;
                        } else {
                            hit |= class[i] == c;
                            i += 1;
                        }
                    }
                    hit != negate && go(&p[end + 1..], &n[1..])
                }
                _ => false,
            },
            Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && go(&p[2..], &n[1..]),
            Some(&c) => n.first() == Some(&c) && go(&p[1..], &n[1..]),
        }
    }
    go(&p, &n)
}

#[cfg(test)]
mod tests;
