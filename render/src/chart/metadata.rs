//! `Chart.yaml`.

use serde::Deserialize;

use super::Error;

/// A chart's `Chart.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// `v1` (Helm 2) or `v2`.
    #[serde(default)]
    pub api_version: String,
    /// The chart's name.
    pub name: String,
    /// The chart's version (SemVer 2).
    pub version: String,
    /// The version of the app it deploys.
    #[serde(default)]
    pub app_version: Option<String>,
    /// `application` (the default) or `library`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A SemVer range of supported Kubernetes versions.
    #[serde(default)]
    pub kube_version: Option<String>,
    /// Subcharts this chart depends on.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    /// The whole document, for `.Chart` in templates.
    #[serde(skip)]
    pub raw: serde_json::Value,
}

/// One entry of `dependencies`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The subchart's name.
    pub name: String,
    /// A version or range.
    #[serde(default)]
    pub version: String,
    /// Where it comes from (not fetched: subcharts must be in `charts/`).
    #[serde(default)]
    pub repository: String,
    /// Values paths, comma separated; the first that resolves to a boolean enables or disables it.
    #[serde(default)]
    pub condition: Option<String>,
    /// Tags; the subchart is disabled when every tag it has is false in `tags`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The name the subchart is used under (its values key).
    #[serde(default)]
    pub alias: Option<String>,
}

impl Metadata {
    /// Parses and checks `Chart.yaml`.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let text = String::from_utf8_lossy(bytes);
        let bad = |message: String| Error::Metadata {
            chart: "chart".into(),
            message,
        };
        let raw: serde_json::Value =
            yaml_serde::from_str(&text).map_err(|e| bad(format!("invalid YAML: {e}")))?;
        let mut metadata: Metadata =
            serde_json::from_value(raw.clone()).map_err(|e| bad(e.to_string()))?;
        let named = |message: String| Error::Metadata {
            chart: metadata.name.clone(),
            message,
        };
        if metadata.name.trim().is_empty() {
            return Err(bad("name is required".into()));
        }
        if metadata.version.trim().is_empty() {
            return Err(named("version is required".into()));
        }
        if let Some(kind) = &metadata.kind
            && !matches!(kind.as_str(), "application" | "library")
        {
            return Err(named(format!(
                "type must be application or library, not {kind:?}"
            )));
        }
        metadata.raw = raw;
        Ok(metadata)
    }

    /// True for a library chart, which provides partials and renders no resources of its own.
    pub fn is_library(&self) -> bool {
        self.kind.as_deref() == Some("library")
    }
}
