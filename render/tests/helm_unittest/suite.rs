//! The helm-unittest suite format: what a `*_test.yaml` file says.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// One suite file.
// Every field of the format is read here; the suite runner that uses them all lands with the template
// engine (issue 4). Until then some are only parsed.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Suite {
    /// Its title.
    pub suite: String,
    /// Templates (relative to `templates/`) the asserts look at by default.
    #[serde(default)]
    pub templates: Vec<String>,
    /// `--set` style values for every test (a nested map).
    #[serde(default)]
    pub set: Option<Value>,
    /// Values files for every test, relative to the suite file.
    #[serde(default)]
    pub values: Vec<String>,
    /// Release settings for every test.
    #[serde(default)]
    pub release: Option<Release>,
    /// Capabilities for every test.
    #[serde(default)]
    pub capabilities: Option<Capabilities>,
    /// Chart metadata overrides for every test.
    #[serde(default)]
    pub chart: Option<ChartOverride>,
    /// Objects `lookup` sees.
    #[serde(default)]
    pub kubernetes_provider: Option<Value>,
    /// The tests.
    pub tests: Vec<Test>,
}

/// One test of a suite.
// Every field of the format is read here; the suite runner that uses them all lands with the template
// engine (issue 4). Until then some are only parsed.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Test {
    /// What it checks, as a sentence.
    pub it: String,
    /// The one template its asserts look at.
    #[serde(default)]
    pub template: Option<String>,
    /// Templates its asserts look at.
    #[serde(default)]
    pub templates: Vec<String>,
    /// Values for this test, over the suite's.
    #[serde(default)]
    pub set: Option<Value>,
    /// Values files for this test.
    #[serde(default)]
    pub values: Vec<String>,
    /// Release settings.
    #[serde(default)]
    pub release: Option<Release>,
    /// Capabilities.
    #[serde(default)]
    pub capabilities: Option<Capabilities>,
    /// Chart metadata overrides.
    #[serde(default)]
    pub chart: Option<ChartOverride>,
    /// Objects `lookup` sees.
    #[serde(default)]
    pub kubernetes_provider: Option<Value>,
    /// The document the asserts look at, when one template renders several.
    #[serde(default)]
    pub document_index: Option<usize>,
    /// The checks.
    pub asserts: Vec<Assert>,
}

/// Release settings.
// Every field of the format is read here; the suite runner that uses them all lands with the template
// engine (issue 4). Until then some are only parsed.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Release name.
    pub name: Option<String>,
    /// Namespace.
    pub namespace: Option<String>,
    /// Revision.
    pub revision: Option<i64>,
    /// True for an upgrade.
    pub upgrade: Option<bool>,
}

/// Kubernetes capabilities.
// Every field of the format is read here; the suite runner that uses them all lands with the template
// engine (issue 4). Until then some are only parsed.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Capabilities {
    /// e.g. `1`.
    pub major_version: Option<Value>,
    /// e.g. `29`.
    pub minor_version: Option<Value>,
    /// Extra API versions, e.g. `monitoring.coreos.com/v1`.
    #[serde(default)]
    pub api_versions: Vec<String>,
}

/// `.Chart` overrides.
// Every field of the format is read here; the suite runner that uses them all lands with the template
// engine (issue 4). Until then some are only parsed.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChartOverride {
    /// Chart version.
    pub version: Option<String>,
    /// App version.
    pub app_version: Option<String>,
}

/// One assert: its kind and arguments, plus where it looks.
// Every field of the format is read here; the suite runner that uses them all lands with the template
// engine (issue 4). Until then some are only parsed.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct Assert {
    /// `equal`, `contains`, ...
    pub kind: String,
    /// Its arguments.
    pub args: BTreeMap<String, Value>,
    /// A template for this assert only.
    pub template: Option<String>,
    /// A document for this assert only.
    pub document_index: Option<usize>,
    /// Negates the assert.
    pub not: bool,
}

impl<'de> Deserialize<'de> for Assert {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = BTreeMap::<String, Value>::deserialize(d)?;
        let mut kind = None;
        let mut out = Assert {
            kind: String::new(),
            args: BTreeMap::new(),
            template: None,
            document_index: None,
            not: false,
        };
        for (key, value) in map {
            match key.as_str() {
                "template" => out.template = value.as_str().map(str::to_owned),
                "documentIndex" => out.document_index = value.as_u64().map(|n| n as usize),
                "not" => out.not = value.as_bool().unwrap_or(false),
                _ if kind.is_none() => {
                    kind = Some(key);
                    if let Value::Object(args) = value {
                        out.args = args.into_iter().collect();
                    }
                }
                _ => {
                    return Err(D::Error::custom(format!(
                        "assert has two kinds: {} and {key}",
                        kind.unwrap_or_default()
                    )));
                }
            }
        }
        out.kind = kind.ok_or_else(|| D::Error::custom("assert without a kind"))?;
        Ok(out)
    }
}
