//! The `edgesim` server as a child process: start on a free port, wait until it answers, read its memory,
//! kill it on drop.

use std::fmt;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A running `edgesim` server process.
pub struct Server {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Server {
    /// Starts `binary` on a free local port and waits (up to 30 s) until `/admin/clusters` answers.
    pub async fn start(binary: &Path) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(binary)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start the edgesim server {}", binary.display()))?;
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let answer = server.http.get(server.admin("clusters")).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!(
                    "the edgesim server did not answer on {} within 30 s",
                    server.url
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id of the server.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The base URL of the server.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of a control API path.
    pub fn admin(&self, path: &str) -> String {
        format!("{}/admin/{path}", self.url)
    }

    /// A plain HTTP client for the control API and raw requests.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The server process's resident memory, from `/proc/<pid>/status`.
    pub fn memory(&self) -> anyhow::Result<Memory> {
        let path = format!("/proc/{}/status", self.pid());
        let status =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        let kib = |field: &str| -> anyhow::Result<f64> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("no {field} in {path}"))
        };
        Ok(Memory {
            rss_kib: kib("VmRSS:")?,
            hwm_kib: kib("VmHWM:")?,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The child is ours alone; killing it by its handle cannot hit another process.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: f64,
    /// `VmHWM`: the peak resident size.
    pub hwm_kib: f64,
}

impl Memory {
    /// Resident KiB above an earlier reading.
    pub fn rss_over(&self, earlier: &Memory) -> f64 {
        self.rss_kib - earlier.rss_kib
    }
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VmRSS {:.0} MiB, VmHWM {:.0} MiB",
            self.rss_kib / 1024.0,
            self.hwm_kib / 1024.0
        )
    }
}
