//! The demo's edgesim server. Its port is kept in `<data-dir>/demo-edgesim.port`: the next start asks for
//! the same port, so the kubeconfigs registered with the engine stay valid. When that port is taken, a free
//! one is used and [`super::clusters`] re-points the kubeconfigs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use canopy_edgesim::server::{Config as SimConfig, Server};

use super::Config;
use crate::serve::error::{Error, Result};

/// The file, in the data directory, that keeps edgesim's port.
pub const PORT_FILE: &str = "demo-edgesim.port";

/// Binds edgesim on loopback (the port of the previous run when it is free) with the demo clusters, and
/// records its port.
pub async fn bind(config: &Config, data_dir: &Path) -> Result<Server> {
    let file = data_dir.join(PORT_FILE);
    let previous = std::fs::read_to_string(&file)
        .ok()
        .and_then(|s| s.trim().parse::<u16>().ok());
    let sim = |port: u16| SimConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], port)),
        clusters: Some(format!(
            "{}..{}",
            super::name(1),
            super::name(config.clusters)
        )),
        kubeconfig_dir: None,
    };
    let server = match previous {
        Some(port) => match sim(port).build().await {
            Ok(server) => server,
            Err(e) => {
                tracing::warn!(port, error = %e, "the demo clusters' previous port is taken; using another and re-pointing their kubeconfigs");
                sim(0).build().await.map_err(Error::Edgesim)?
            }
        },
        None => sim(0).build().await.map_err(Error::Edgesim)?,
    };
    record(&file, server.handle().addr().port())?;
    Ok(server)
}

fn record(file: &PathBuf, port: u16) -> Result<()> {
    let written = file
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(file, format!("{port}\n")));
    written.map_err(|source| Error::PortFile {
        path: file.clone(),
        source,
    })
}
