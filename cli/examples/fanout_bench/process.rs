//! Child processes (edgesim, `canopy rsync`) and memory readings from `/proc`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A memory `field` (`VmHWM:`, `VmRSS:`) of `/proc/<pid>/status`, in KiB.
pub fn proc_kib(pid: &str, field: &str) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in {path}"))
}

/// User plus system CPU seconds each process has used so far (0 for one that is gone), from
/// `/proc/<pid>/stat` at the usual 100 ticks per second.
pub fn cpu_seconds(pids: &[(&str, Option<u32>)]) -> Vec<f64> {
    pids.iter()
        .map(|(_, pid)| {
            let stat = pid.and_then(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).ok());
            // The fields after the command name, which is in parentheses and may hold spaces.
            let fields: Vec<&str> = stat
                .as_deref()
                .and_then(|s| s.rsplit_once(") "))
                .map(|(_, rest)| rest.split(' ').collect())
                .unwrap_or_default();
            let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
            // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name.
            ticks(11)
                .zip(ticks(12))
                .map_or(0.0, |(u, s)| (u + s) / 100.0)
        })
        .collect()
}

/// Resets this process's `VmHWM` to its current resident size (Linux ≥ 4.0), so that each size's peak
/// is its own.
pub fn reset_peak_memory() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        println!("could not reset the peak RSS ({e}); the engine's peak includes earlier sizes");
    }
}

/// A task aborted when dropped.
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A child process of ours, killed when dropped.
pub struct Process {
    child: Child,
    url: String,
}

impl Process {
    /// `edgesim` with `edge-00001..edge-<n>` on a free port, answering.
    pub async fn edgesim(binary: &Path, n: usize) -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new(binary)
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--clusters",
                &format!("edge-00001..edge-{n:05}"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| spawn_hint(binary, "canopy-edgesim"))?;
        let process = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let start = Instant::now();
        loop {
            let answer = http.get(format!("{}/admin/clusters", process.url)).send();
            if answer.await.is_ok_and(|r| r.status().is_success()) {
                return Ok(process);
            }
            if start.elapsed() > Duration::from_secs(120) {
                bail!("edgesim did not answer on {}", process.url);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `canopy rsync` against these servers, registering itself with the engine; resync off.
    pub fn rsync(
        binary: &Path,
        etcd: &str,
        nats: &str,
        engine: &str,
        port: u16,
        max_clusters: usize,
        h2c: bool,
    ) -> anyhow::Result<Self> {
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(binary)
            .args(["rsync", "--listen", &listen, "--advertise", &listen])
            .args(["--etcd", etcd, "--nats", nats, "--engine", engine])
            .args(["--resync", "0", "--max-clusters", &max_clusters.to_string()])
            .args(h2c.then_some("--h2c"))
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| spawn_hint(binary, "canopy-cli"))?;
        Ok(Self {
            child,
            url: String::new(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Our own child, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_hint(binary: &Path, package: &str) -> String {
    format!(
        "starting {}: build it first with `cargo build --release -p {package} --bins`",
        binary.display()
    )
}
