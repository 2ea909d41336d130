//! The `canopy engine` binary as a process: it serves, logs one line per request, stops cleanly on
//! SIGTERM, and keeps its data (embedded store) across a clean stop and across SIGKILL.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use canopy_tests::fixtures::emco_chart;
use reqwest::multipart::{Form, Part};
use serde_json::json;

struct Engine {
    child: Child,
    base: String,
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(data: &Path, port: u16, log: &Path) -> Engine {
    start_with(data, port, log, &[]).await
}

async fn start_with(data: &Path, port: u16, log: &Path, extra: &[String]) -> Engine {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args([
            "engine",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .args(extra)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("the canopy binary runs");
    let engine = Engine {
        child,
        base: format!("http://127.0.0.1:{port}/v2"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/projects", engine.base)).await
            && r.status() == 200
        {
            return engine;
        }
        assert!(
            Instant::now() < deadline,
            "canopy engine did not answer within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_exit(engine: &mut Engine) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = engine.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "canopy engine did not stop within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn check_data(base: &str) {
    let client = reqwest::Client::new();
    let project = client
        .get(format!("{base}/projects/p1"))
        .send()
        .await
        .unwrap();
    assert_eq!(project.status(), 200);
    let chart = client
        .get(format!(
            "{base}/projects/p1/composite-apps/ca/v1/apps/collectd"
        ))
        .header("accept", "application/octet-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(chart.status(), 200);
    assert_eq!(
        chart.bytes().await.unwrap().as_ref(),
        emco_chart("collectd", "collectd").as_slice()
    );
}

#[tokio::test]
async fn the_engine_keeps_its_data_across_sigterm_and_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let (data, log) = (dir.path().join("data"), dir.path().join("engine.log"));
    let port = free_port();
    let mut engine = start(&data, port, &log).await;
    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{}{path}", engine.base))
            .json(&body)
            .send()
    };
    assert_eq!(
        post("/projects", json!({"metadata": {"name": "p1"}}))
            .await
            .unwrap()
            .status(),
        201
    );
    let ca = json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}});
    assert_eq!(
        post("/projects/p1/composite-apps", ca)
            .await
            .unwrap()
            .status(),
        201
    );
    let form = Form::new()
        .part(
            "metadata",
            Part::text(json!({"metadata": {"name": "collectd"}}).to_string()),
        )
        .part(
            "file",
            Part::bytes(emco_chart("collectd", "collectd")).file_name("collectd.tgz"),
        );
    let app = client
        .post(format!(
            "{}/projects/p1/composite-apps/ca/v1/apps",
            engine.base
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(app.status(), 201);

    // SIGTERM: a clean stop.
    let pid = engine.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = wait_exit(&mut engine).await;
    assert!(
        status.success(),
        "SIGTERM ends the engine cleanly, not {status}"
    );
    drop(engine);

    let mut engine = start(&data, port, &log).await;
    check_data(&engine.base).await;

    // SIGKILL: a crash.
    engine.child.kill().unwrap();
    wait_exit(&mut engine).await;
    drop(engine);
    let engine = start(&data, port, &log).await;
    check_data(&engine.base).await;

    let log = std::fs::read_to_string(&log).unwrap();
    let request_lines = log
        .lines()
        .filter(|l| l.contains("finished processing request"))
        .count();
    assert!(
        request_lines >= 6,
        "one log line per request; found {request_lines} in:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("status=201") && l.contains("/v2/projects")),
        "{log}"
    );
    drop(engine);
}

/// Waits until the logical cloud's status reports `state`.
async fn wait_lc_state(base: &str, state: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status: serde_json::Value =
            reqwest::get(format!("{base}/projects/p1/logical-clouds/lc1/status"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        if status["state"] == state {
            return status;
        }
        assert!(Instant::now() < deadline, "never {state}: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn with_etcd_and_nats_the_engine_keeps_lifecycle_state_in_etcd_and_publishes_to_jetstream() {
    let etcd = canopy_tests::EtcdServer::start().await.unwrap();
    let nats = canopy_tests::NatsServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (data, log) = (dir.path().join("data"), dir.path().join("engine.log"));
    let port = free_port();
    let args = [
        "--etcd".to_owned(),
        etcd.endpoint(),
        "--nats".to_owned(),
        nats.url(),
    ];
    let mut engine = start_with(&data, port, &log, &args).await;
    let client = reqwest::Client::new();
    for (path, body) in [
        ("/projects", json!({"metadata": {"name": "p1"}})),
        (
            "/projects/p1/logical-clouds",
            json!({"metadata": {"name": "lc1"}, "spec": {"level": "0"}}),
        ),
    ] {
        let reply = client
            .post(format!("{}{path}", engine.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 201);
    }
    // A logical cloud that references no cluster fails its build: a whole saga with no rsync needed.
    let reply = client
        .post(format!(
            "{}/projects/p1/logical-clouds/lc1/instantiate",
            engine.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let status = wait_lc_state(&engine.base, "InstantiateFailed").await;
    assert!(
        status["reason"]
            .as_str()
            .unwrap()
            .contains("references no cluster"),
        "{status}"
    );

    // The runtime state is in etcd.
    let mut etcd_client = etcd.connect().await.unwrap();
    let got = etcd_client.get("/canopy/lc/p1/lc1", None).await.unwrap();
    assert_eq!(got.kvs().len(), 1);
    // The transitions reached the JetStream stream.
    let js = async_nats::jetstream::new(nats.connect().await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut stream = js.get_stream("CANOPY_EVENTS").await.unwrap();
        let n = stream.info().await.unwrap().state.messages;
        let mut subjects = Vec::new();
        for seq in 1..=n {
            subjects.push(
                stream
                    .get_raw_message(seq)
                    .await
                    .unwrap()
                    .subject
                    .to_string(),
            );
        }
        if subjects.contains(&"canopy.lc.p1.lc1.InstantiateFailed".to_owned()) {
            assert!(
                subjects.contains(&"canopy.lc.p1.lc1.Instantiating".to_owned()),
                "{subjects:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "events never arrived: {subjects:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A crash keeps it: the state comes back from etcd.
    engine.child.kill().unwrap();
    wait_exit(&mut engine).await;
    drop(engine);
    let engine = start_with(&data, port, &log, &args).await;
    wait_lc_state(&engine.base, "InstantiateFailed").await;
    drop(engine);
}
