//! A `canopy serve --demo 3` process on a data directory, and what the tests ask of it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// The example's deployment intent group, as the values of `examples/values.yaml` name it.
pub const DIG: &str =
    "/projects/demo/composite-apps/http-demo/v1/deployment-intent-groups/http-demo";

/// The namespace of the demo logical cloud.
pub const NAMESPACE: &str = "default";

/// The demo clusters of `--demo 3`.
pub const CLUSTERS: [&str; 3] = ["demo-1", "demo-2", "demo-3"];

/// The longest wait for a state; a deadline on waiting, not a timed assertion.
pub const DEADLINE: Duration = Duration::from_secs(180);

/// `examples/` at the repository root.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("examples")
}

/// A running `canopy serve`.
pub struct Serve {
    child: Child,
    /// The API base, `http://127.0.0.1:PORT/v2`.
    pub base: String,
    /// edgesim's base URL.
    pub sim: String,
    /// Where its stdout and stderr go.
    pub log: PathBuf,
    pub http: reqwest::Client,
}

impl Serve {
    /// Starts `canopy serve --listen 127.0.0.1:0 --data-dir DATA --demo 3` and waits for its ready line.
    pub async fn start(data: &Path, log: &Path) -> Self {
        Self::start_with(data, log, &[]).await
    }

    /// [`Serve::start`] with `extra` flags.
    pub async fn start_with(data: &Path, log: &Path, extra: &[String]) -> Self {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_canopy"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--demo",
                "3",
                "--data-dir",
            ])
            .arg(data)
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .expect("the canopy binary runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut base, mut sim) = (None, None);
        let start = Instant::now();
        while base.is_none() {
            let line = tokio::time::timeout(DEADLINE, lines.next_line())
                .await
                .ok()
                .and_then(|l| l.ok().flatten())
                .unwrap_or_else(|| {
                    panic!(
                        "canopy serve ended or printed no ready line within {:?}:\n{}",
                        start.elapsed(),
                        tail(log)
                    )
                });
            if let Some(url) = line.strip_prefix("canopy serve: API on ") {
                base = Some(url.to_owned());
            } else if let Some((_, url)) = line.split_once(" on edgesim ") {
                sim = Some(url.to_owned());
            }
        }
        // Keep draining stdout into the log, so that a later line never meets a closed pipe.
        let log_path = log.to_path_buf();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(mut f) = tokio::fs::OpenOptions::new()
                    .append(true)
                    .open(&log_path)
                    .await
                {
                    let _ = f.write_all(format!("{line}\n").as_bytes()).await;
                }
            }
        });
        Self {
            child,
            base: base.unwrap(),
            sim: sim.expect("--demo prints edgesim's URL before the ready line"),
            log: log.to_path_buf(),
            http: reqwest::Client::new(),
        }
    }

    /// The server URL `canopy apply --server` takes.
    pub fn server(&self) -> &str {
        self.base.trim_end_matches("/v2")
    }

    /// SIGKILL, as a crash.
    pub async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }

    /// SIGTERM; returns whether it exited successfully.
    pub async fn terminate(mut self) -> bool {
        let pid = self.child.id().expect("still running").to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(sent.success());
        let status = tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .expect("canopy serve stops after SIGTERM")
            .unwrap();
        status.success()
    }

    /// `canopy apply -f examples/FILE -v examples/values.yaml`; panics unless every document succeeded.
    pub async fn apply(&self, file: &str) -> String {
        let examples = examples();
        let out = Command::new(env!("CARGO_BIN_EXE_canopy"))
            .arg("apply")
            .arg("-f")
            .arg(examples.join(file))
            .arg("-v")
            .arg(examples.join("values.yaml"))
            .args(["--server", self.server()])
            .output()
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "canopy apply -f {file} failed:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The example DIG's status.
    pub async fn status(&self) -> Value {
        let (code, body) = self.get(&format!("{DIG}/status")).await;
        assert_eq!(code, 200, "{body}");
        body
    }

    /// Waits until the DIG's status satisfies `check`; fails at once on a failed state.
    pub async fn wait_status(&self, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let body = self.status().await;
            if check(&body) {
                return body;
            }
            let failed = ["state", "deployedStatus"]
                .iter()
                .any(|f| body[f].as_str().is_some_and(|s| s.ends_with("Failed")));
            assert!(
                !failed && start.elapsed() < DEADLINE,
                "waiting for {what}: {body}\nlog:\n{}",
                tail(&self.log)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the example is deployed and every resource is ready.
    pub async fn wait_ready(&self) -> Value {
        self.wait_status("Instantiated and Ready", |s| {
            s["deployedStatus"] == "Instantiated" && s["readyStatus"] == "Ready"
        })
        .await
    }

    /// The objects of the demo cluster `cluster` in the demo logical cloud's namespace, as `Kind/name`.
    pub async fn objects(&self, cluster: &str) -> Vec<String> {
        let body: Value = self
            .http
            .get(format!("{}/admin/clusters/{cluster}/objects", self.sim))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut names: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["metadata"]["namespace"] == NAMESPACE)
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                )
            })
            .collect();
        names.sort();
        names
    }

    /// The replicas of the Deployment `name` on `cluster`.
    pub async fn replicas(&self, cluster: &str, name: &str) -> Option<u64> {
        let body: Value = self
            .http
            .get(format!("{}/admin/clusters/{cluster}/objects", self.sim))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["items"]
            .as_array()?
            .iter()
            .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == name)
            .and_then(|o| o["spec"]["replicas"].as_u64())
    }

    /// Makes the workloads of every demo cluster take an hour to become ready: what is applied stays
    /// NotReady, and the apps that wait for it are held back.
    pub async fn hold_readiness(&self) {
        for c in CLUSTERS {
            let r = self
                .http
                .put(format!("{}/admin/clusters/{c}/faults", self.sim))
                .json(&json!({"readiness": {"min_ms": 3_600_000, "max_ms": 3_600_000}}))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        }
    }
}

/// The objects the example puts on each cluster.
pub fn deployed_objects() -> Vec<String> {
    let mut v: Vec<String> = [
        "Deployment/r1-http-client",
        "Deployment/r1-http-server",
        "Service/http-service",
        "ServiceAccount/r1-http-client",
        "ServiceAccount/r1-http-server",
    ]
    .map(String::from)
    .to_vec();
    v.sort();
    v
}

/// Each `(app, cluster, kind, name, deployedStatus)` in a status body.
pub fn resources(status: &Value) -> Vec<(String, String, String, String, String)> {
    let mut out = Vec::new();
    for app in status["apps"].as_array().into_iter().flatten() {
        for cluster in app["clusters"].as_array().into_iter().flatten() {
            for r in cluster["resources"].as_array().into_iter().flatten() {
                out.push((
                    app["name"].as_str().unwrap_or_default().to_owned(),
                    cluster["cluster"].as_str().unwrap_or_default().to_owned(),
                    r["GVK"]["Kind"].as_str().unwrap_or_default().to_owned(),
                    r["name"].as_str().unwrap_or_default().to_owned(),
                    r["deployedStatus"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    out
}

/// The last 60 lines of a log.
pub fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}
