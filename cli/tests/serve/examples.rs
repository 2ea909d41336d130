//! The archives `examples/http-demo.yaml` uploads hold exactly the chart and profile folders beside them
//! (`examples/package.sh` rebuilds them).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::support::examples;

/// Every file of a .tgz, by path without a leading `./`.
fn archive(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = BTreeMap::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("./")
            .to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(name, bytes);
    }
    files
}

/// Every file under `dir`, by path relative to `base`.
fn folder(base: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            folder(base, &path, files);
        } else {
            let name = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(name, std::fs::read(&path).unwrap());
        }
    }
}

#[test]
fn the_example_archives_hold_the_folders_beside_them() {
    let root = examples();
    for app in ["http-server", "http-client"] {
        let mut chart = BTreeMap::new();
        folder(
            &root.join("charts"),
            &root.join("charts").join(app),
            &mut chart,
        );
        assert_eq!(
            archive(&root.join(format!("charts/{app}.tgz"))),
            chart,
            "charts/{app}.tgz"
        );
        let mut profile = BTreeMap::new();
        let dir = root.join("profiles").join(app);
        folder(&dir, &dir, &mut profile);
        assert_eq!(
            archive(&root.join(format!("profiles/{app}.tgz"))),
            profile,
            "profiles/{app}.tgz"
        );
    }
}
