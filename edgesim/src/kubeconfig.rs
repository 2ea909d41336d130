//! Kubeconfig documents that point an ordinary Kubernetes client at one virtual cluster.

use std::path::{Path, PathBuf};

/// A failed kubeconfig write.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing the file failed.
    #[error("writing kubeconfig {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The kubeconfig YAML for `cluster` on a server reachable at `base_url` (such as `http://127.0.0.1:8080`).
/// It has no credentials: edgesim does not authenticate.
pub fn render(base_url: &str, cluster: &str) -> String {
    let base = base_url.trim_end_matches('/');
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {cluster}\n  cluster:\n    server: {base}/clusters/{cluster}\n\
         contexts:\n- name: {cluster}\n  context:\n    cluster: {cluster}\n    user: edgesim\n    namespace: default\n\
         current-context: {cluster}\nusers:\n- name: edgesim\n  user: {{}}\n"
    )
}

/// Writes `<dir>/<cluster>.yaml` and returns its path.
pub fn write(dir: &Path, base_url: &str, cluster: &str) -> Result<PathBuf, Error> {
    let path = dir.join(format!("{cluster}.yaml"));
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&path, render(base_url, cluster)))
        .map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
    Ok(path)
}
