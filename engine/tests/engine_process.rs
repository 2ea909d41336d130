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
