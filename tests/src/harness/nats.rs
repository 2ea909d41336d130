//! nats-server with JetStream as a harness [`Kind`].

use std::ffi::OsString;
use std::path::Path;

use super::binary::{self, Binary};
use super::error::{Error, Result};
use super::net::http_ok;
use super::server::{Kind, Server, sealed};

/// The nats-server kind, with JetStream on file storage. Ports: client, then HTTP monitoring.
#[derive(Debug)]
pub struct Nats;

impl sealed::Sealed for Nats {}

impl Kind for Nats {
    const NAME: &'static str = "nats-server";
    const BINARY: Binary = binary::NATS;
    const PORTS: usize = 2;

    fn args(ports: &[u16], data_dir: &Path) -> Vec<OsString> {
        let (client, monitor) = (ports[0].to_string(), ports[1].to_string());
        [
            "--addr",
            "127.0.0.1",
            "--port",
            &client,
            "--http_port",
            &monitor,
            "--jetstream",
            "--store_dir",
            &data_dir.display().to_string(),
            "--server_name",
            "canopy-test",
        ]
        .into_iter()
        .map(OsString::from)
        .collect()
    }

    fn is_ready(ports: &[u16]) -> bool {
        // /healthz answers ok only once the server, and JetStream when enabled, is ready.
        http_ok(ports[1], "/healthz", "\"ok\"")
    }
}

impl Server<Nats> {
    /// The client URL, `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.ports()[0])
    }

    /// The HTTP monitoring port (`/varz`, `/jsz`, `/healthz`).
    pub fn monitor_port(&self) -> u16 {
        self.ports()[1]
    }

    /// A new `async-nats` client connected to this server.
    pub async fn connect(&self) -> Result<async_nats::Client> {
        let url = self.url();
        async_nats::connect(url.as_str())
            .await
            .map_err(|e| Error::Connect {
                server: Nats::NAME,
                endpoint: url,
                message: e.to_string(),
            })
    }
}
