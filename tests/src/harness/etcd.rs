//! etcd as a harness [`Kind`]: a single-member cluster on loopback.

use std::ffi::OsString;
use std::path::Path;

use super::binary::{self, Binary};
use super::error::{Error, Result};
use super::net::http_ok;
use super::server::{Kind, Server, sealed};

/// The etcd kind. Ports: client, then peer.
#[derive(Debug)]
pub struct Etcd;

impl sealed::Sealed for Etcd {}

impl Kind for Etcd {
    const NAME: &'static str = "etcd";
    const BINARY: Binary = binary::ETCD;
    const PORTS: usize = 2;

    fn args(ports: &[u16], data_dir: &Path) -> Vec<OsString> {
        let client = format!("http://127.0.0.1:{}", ports[0]);
        let peer = format!("http://127.0.0.1:{}", ports[1]);
        [
            "--name",
            "canopy-test",
            "--data-dir",
            &data_dir.display().to_string(),
            "--listen-client-urls",
            &client,
            "--advertise-client-urls",
            &client,
            "--listen-peer-urls",
            &peer,
            "--initial-advertise-peer-urls",
            &peer,
            "--initial-cluster",
            &format!("canopy-test={peer}"),
            "--initial-cluster-state",
            "new",
        ]
        .into_iter()
        .map(OsString::from)
        .collect()
    }

    fn is_ready(ports: &[u16]) -> bool {
        // 200 with health "true" once the member serves requests and has a leader.
        http_ok(ports[0], "/health", "\"health\":\"true\"")
    }
}

impl Server<Etcd> {
    /// The client URL, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports()[0])
    }

    /// A new `etcd-client` connected to this server.
    pub async fn connect(&self) -> Result<etcd_client::Client> {
        let endpoint = self.endpoint();
        etcd_client::Client::connect([endpoint.as_str()], None)
            .await
            .map_err(|e| Error::Connect {
                server: Etcd::NAME,
                endpoint,
                message: e.to_string(),
            })
    }
}
