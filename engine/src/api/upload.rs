//! Checks of uploaded files: Helm charts, app profiles and kubeconfigs. A file that fails is a 400 naming
//! the `file` part.

use std::collections::BTreeMap;
use std::io::Read;

use canopy_schemas::rest::Violation;
use flate2::read::GzDecoder;

/// The largest single file inside an archive that is read for checking.
const MAX_MEMBER: u64 = 16 << 20;

/// Reads every regular file of a gzip tar into memory, by path.
fn read_tgz(bytes: &[u8], what: &str) -> Result<BTreeMap<String, Vec<u8>>, Violation> {
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return Err(Violation::new(
            "file",
            format!("{what} must be a gzip-compressed tar archive (.tgz)"),
        ));
    }
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    let bad =
        |e: std::io::Error| Violation::new("file", format!("{what} is not a readable .tgz: {e}"));
    let mut files = BTreeMap::new();
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(bad)?.to_string_lossy().into_owned();
        let mut data = Vec::new();
        (&mut entry)
            .take(MAX_MEMBER)
            .read_to_end(&mut data)
            .map_err(bad)?;
        files.insert(path.trim_start_matches("./").to_owned(), data);
    }
    if files.is_empty() {
        return Err(Violation::new("file", format!("{what} holds no files")));
    }
    Ok(files)
}

/// A Helm chart: a .tgz with a `Chart.yaml` at its root or in one top folder, naming the chart.
pub fn check_chart(bytes: &[u8]) -> Result<(), Violation> {
    let files = read_tgz(bytes, "the Helm chart")?;
    let chart_yaml = files
        .iter()
        .find(|(path, _)| {
            let parts: Vec<&str> = path.split('/').collect();
            parts.last() == Some(&"Chart.yaml") && parts.len() <= 2
        })
        .map(|(_, data)| data)
        .ok_or_else(|| Violation::new("file", "the Helm chart has no Chart.yaml"))?;
    let doc: serde_json::Value = yaml_serde::from_slice(chart_yaml).map_err(|e| {
        Violation::new(
            "file",
            format!("the chart's Chart.yaml is not valid YAML: {e}"),
        )
    })?;
    if !doc.get("name").is_some_and(serde_json::Value::is_string) {
        return Err(Violation::new("file", "the chart's Chart.yaml has no name"));
    }
    Ok(())
}

/// An app profile: a .tgz with `manifest.yaml` naming its values file, which the archive holds.
pub fn check_profile(bytes: &[u8]) -> Result<(), Violation> {
    let files = read_tgz(bytes, "the profile")?;
    let find = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p.as_str() == name || p.ends_with(&format!("/{name}")))
    };
    let (_, manifest) = find("manifest.yaml")
        .ok_or_else(|| Violation::new("file", "the profile has no manifest.yaml"))?;
    let doc: serde_json::Value = yaml_serde::from_slice(manifest).map_err(|e| {
        Violation::new(
            "file",
            format!("the profile's manifest.yaml is not valid YAML: {e}"),
        )
    })?;
    let values = doc
        .pointer("/type/values")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            Violation::new(
                "file",
                "the profile's manifest.yaml has no type.values naming the values file",
            )
        })?;
    if find(values).is_none() {
        return Err(Violation::new(
            "file",
            format!("the profile names values file {values:?}, which it does not hold"),
        ));
    }
    Ok(())
}

/// A kubeconfig: YAML with `clusters` and `contexts` lists.
pub fn check_kubeconfig(bytes: &[u8]) -> Result<(), Violation> {
    let doc: serde_json::Value = yaml_serde::from_slice(bytes)
        .map_err(|e| Violation::new("file", format!("the kubeconfig is not valid YAML: {e}")))?;
    for list in ["clusters", "contexts"] {
        if !doc.get(list).is_some_and(serde_json::Value::is_array) {
            return Err(Violation::new(
                "file",
                format!("the kubeconfig has no `{list}` list"),
            ));
        }
    }
    Ok(())
}

/// Any file: accepted as it is (gac resources and customizations).
pub fn accept_any(_: &[u8]) -> Result<(), Violation> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
