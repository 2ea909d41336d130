//! Test data from `../shared` (the real Helm charts and EMCO profiles) and archives built from it.

use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

/// The project's shared folder, which holds the real EMCO charts: `CANOPY_SHARED_DIR` when set, else
/// `shared/` beside the repository (where CI puts it). Panics with directions when it is missing.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("CANOPY_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("shared")
        });
    assert!(
        dir.join("charts").is_dir(),
        "test data not found: {} has no charts/ folder. The tests read the project's shared/ folder, which must \
         sit beside the repository (../shared) or be named by CANOPY_SHARED_DIR.",
        dir.display()
    );
    dir
}

/// An EMCO example folder, e.g. `emco_chart_dir("collectd")` is `shared/charts/emco/collectd`.
pub fn emco_example(name: &str) -> PathBuf {
    shared_dir().join("charts").join("emco").join(name)
}

/// A gzip tar of the directory `dir`, with its entries under `prefix/` (or at the root for `""`), as
/// `helm package` and EMCO's profile tools produce them.
pub fn tgz_dir(dir: &Path, prefix: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    builder.follow_symlinks(true);
    let prefix = if prefix.is_empty() {
        Path::new(".")
    } else {
        Path::new(prefix)
    };
    builder
        .append_dir_all(prefix, dir)
        .unwrap_or_else(|e| panic!("archiving {}: {e}", dir.display()));
    let gz = builder.into_inner().expect("finishing tar");
    gz.finish().expect("finishing gzip")
}

/// The Helm chart of an EMCO example as a .tgz, e.g. `emco_chart("collectd", "collectd")`.
pub fn emco_chart(example: &str, chart: &str) -> Vec<u8> {
    tgz_dir(&emco_example(example).join("helm").join(chart), chart)
}

/// The profile of an EMCO example as a .tgz (`manifest.yaml` plus its values file at the root).
pub fn emco_profile(example: &str) -> Vec<u8> {
    tgz_dir(&emco_example(example).join("profile"), "")
}
