//! `canopy controller <name>` as a process: each built-in controller serves its gRPC service on the given
//! address, passes the SDK's conformance suite over the wire, and stops cleanly on SIGTERM.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use canopy_controllers::conformance::Suite;
use serde_json::{Value, json};

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

async fn start(name: &str) -> (Process, SocketAddr) {
    let addr = free_addr();
    let child = Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args(["controller", name, "--listen", &addr.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the canopy binary runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "canopy controller {name} never listened on {addr}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (Process(child), addr)
}

async fn stops_on_sigterm(mut process: Process) {
    let pid = process.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = process.0.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            return;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn canopy_controller_placement_serves_the_placement_service() {
    let (process, addr) = start("placement").await;
    let valid: Value = json!({"labelSelector": [{"key": "zone", "operator": "Exists"}]});
    Suite::new(addr)
        .with_spec(valid)
        .check_placement()
        .await
        .unwrap_or_else(|f| panic!("{f}"));
    stops_on_sigterm(process).await;
}

#[tokio::test]
async fn canopy_controller_gac_serves_the_action_service() {
    let (process, addr) = start("gac").await;
    let valid = json!({"intent": "gi", "resources": []});
    Suite::new(addr)
        .with_spec(valid)
        .check_action()
        .await
        .unwrap_or_else(|f| panic!("{f}"));
    stops_on_sigterm(process).await;
}

#[test]
fn an_unknown_controller_is_refused_with_the_known_names() {
    let out = Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args(["controller", "hpa"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gac") && err.contains("placement"), "{err}");
}
