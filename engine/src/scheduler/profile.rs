//! App profile archives: a gzip tar holding `manifest.yaml`, whose `type.values` names the values file the
//! archive also holds (EMCO's profile layout). The values file is one Helm value layer.

use std::collections::BTreeMap;
use std::io::Read;

use flate2::read::GzDecoder;
use serde_json::Value;

/// The largest member read from a profile archive.
const MAX_MEMBER: u64 = 16 << 20;

/// A profile archive is not usable. Terminal: the archive must be replaced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Not a readable gzip tar.
    #[error("not a readable gzip tar archive: {0}")]
    Archive(String),
    /// No `manifest.yaml`.
    #[error("it has no manifest.yaml")]
    NoManifest,
    /// `manifest.yaml` is not YAML or names no values file.
    #[error("its manifest.yaml {0}")]
    Manifest(String),
    /// The values file the manifest names is not in the archive.
    #[error("its manifest.yaml names values file {0:?}, which the archive does not hold")]
    NoValuesFile(String),
    /// The values file is not a YAML map.
    #[error("{0}")]
    Values(#[from] canopy_render::values::Error),
}

/// The values of the profile archive `bytes`, read as Helm reads a values file.
pub fn values(bytes: &[u8]) -> Result<Value, Error> {
    let files = untar(bytes)?;
    let find = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p.as_str() == name || p.ends_with(&format!("/{name}")))
            .map(|(_, data)| data)
    };
    let manifest = find("manifest.yaml").ok_or(Error::NoManifest)?;
    let doc: Value = yaml_serde::from_slice(manifest)
        .map_err(|e| Error::Manifest(format!("is not valid YAML: {e}")))?;
    let name = doc
        .pointer("/type/values")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Manifest("has no type.values naming the values file".into()))?;
    let data = find(name).ok_or_else(|| Error::NoValuesFile(name.to_owned()))?;
    let text = String::from_utf8_lossy(data);
    Ok(canopy_render::values::from_yaml(&text, name)?)
}

/// Every regular file of a gzip tar, by path without a leading `./`.
fn untar(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let bad = |e: std::io::Error| Error::Archive(e.to_string());
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
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
    Ok(files)
}

#[cfg(test)]
mod tests {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use serde_json::json;

    use super::*;

    fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (path, text) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, text.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn the_values_file_the_manifest_names_is_read() {
        let archive = tgz(&[
            (
                "./manifest.yaml",
                "version: v1\ntype:\n  values: over.yaml\n",
            ),
            ("./over.yaml", "replicas: 2\nimage:\n  tag: x\n"),
        ]);
        assert_eq!(
            values(&archive).unwrap(),
            json!({"replicas": 2.0, "image": {"tag": "x"}})
        );
    }

    #[test]
    fn a_profile_without_its_values_file_says_which_file_is_missing() {
        let archive = tgz(&[("manifest.yaml", "type:\n  values: over.yaml\n")]);
        assert_eq!(
            values(&archive).unwrap_err().to_string(),
            "its manifest.yaml names values file \"over.yaml\", which the archive does not hold"
        );
        assert_eq!(values(&tgz(&[("x", "")])).unwrap_err(), Error::NoManifest);
        assert!(matches!(values(b"plain"), Err(Error::Archive(_))));
    }
}
