//! The example `canopy demo` deploys: the files of `examples/` at the repository root, compiled into the
//! binary so that the demo runs from any directory, and written into `<data-dir>/example/` before they are
//! applied (emcoctl files name their charts relative to themselves).

use std::io;
use std::path::{Path, PathBuf};

use canopy_schemas::event::filter::DigRef;

/// Each bundled file: its path under `examples/` and its bytes.
const FILES: &[(&str, &[u8])] = &[
    (
        "http-demo.yaml",
        include_bytes!("../../../examples/http-demo.yaml"),
    ),
    (
        "terminate.yaml",
        include_bytes!("../../../examples/terminate.yaml"),
    ),
    (
        "values.yaml",
        include_bytes!("../../../examples/values.yaml"),
    ),
    (
        "charts/http-server.tgz",
        include_bytes!("../../../examples/charts/http-server.tgz"),
    ),
    (
        "charts/http-client.tgz",
        include_bytes!("../../../examples/charts/http-client.tgz"),
    ),
    (
        "profiles/http-server.tgz",
        include_bytes!("../../../examples/profiles/http-server.tgz"),
    ),
    (
        "profiles/http-client.tgz",
        include_bytes!("../../../examples/profiles/http-client.tgz"),
    ),
];

/// The example's project, composite app, version and DIG, as `examples/values.yaml` names them.
const DIG: [&str; 4] = ["demo", "http-demo", "v1", "http-demo"];

/// Where the written example's files are.
#[derive(Debug, Clone)]
pub struct Files {
    /// The emcoctl file that creates the objects, approves and instantiates.
    pub deployment: PathBuf,
    /// The emcoctl file that terminates the DIG.
    pub terminate: PathBuf,
    /// The values both are rendered with.
    pub values: PathBuf,
}

/// Writes the example into `<data_dir>/example/` (replacing what is there).
pub fn write(data_dir: &Path) -> io::Result<Files> {
    let root = data_dir.join("example");
    for (path, bytes) in FILES {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| io::Error::new(e.kind(), format!("writing {}: {e}", path.display())))?;
    }
    Ok(Files {
        deployment: root.join("http-demo.yaml"),
        terminate: root.join("terminate.yaml"),
        values: root.join("values.yaml"),
    })
}

/// The example's DIG.
pub fn dig() -> DigRef {
    DIG.join("/")
        .parse()
        .expect("the example's names are valid")
}

/// The example DIG's REST anchor, as `canopy status` takes it.
pub fn anchor() -> String {
    let [p, ca, v, dig] = DIG;
    format!("projects/{p}/composite-apps/{ca}/{v}/deployment-intent-groups/{dig}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_files_are_the_examples_and_name_the_dig() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        for (path, bytes) in FILES {
            assert_eq!(
                std::fs::read(examples.join(path)).unwrap(),
                *bytes,
                "{path}"
            );
        }
        let values = std::str::from_utf8(FILES[2].1).unwrap();
        for (key, name) in [
            "Project",
            "CompositeApp",
            "Version",
            "DeploymentIntentGroup",
        ]
        .iter()
        .zip(DIG)
        {
            assert!(
                values.lines().any(|l| l == format!("{key}: {name}")),
                "values.yaml sets {key}: {name}"
            );
        }
    }
}
