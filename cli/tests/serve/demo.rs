//! `canopy demo --exit-when-ready`, as CI runs the README's first command: it starts the embedded server
//! with 3 demo clusters, applies the bundled example, waits for Ready and prints the table and the last
//! events. A second run on the same data directory finds the deployment and does not apply it again.

use std::process::Command;

/// Runs `canopy demo` on `dir` and returns its exit status and stdout.
fn demo(dir: &std::path::Path) -> (std::process::ExitStatus, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--exit-when-ready",
            "--timeout",
            "3m",
        ])
        .arg("--data-dir")
        .arg(dir)
        .output()
        .expect("canopy demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    (out.status, stdout)
}

/// The row of `app` in the status table, split into columns.
fn row<'a>(stdout: &'a str, app: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .find(|l| l.starts_with(&format!("{app} ")))
        .unwrap_or_else(|| panic!("no table row for {app}"))
        .split_whitespace()
        .collect()
}

#[test]
fn the_demo_deploys_the_example_to_ready_and_prints_the_table_and_events() {
    let dir = tempfile::tempdir().unwrap();
    let (status, stdout) = demo(dir.path());
    assert!(status.success(), "canopy demo failed: {status}");
    for document in 1..=14 {
        assert!(
            stdout.contains(&format!("document {document}: POST")),
            "document {document} applied"
        );
    }
    assert!(
        stdout.contains("STATE       Instantiated"),
        "the DIG is Instantiated"
    );
    assert!(
        stdout.contains("READY       Ready"),
        "the AppContext is Ready"
    );
    for app in ["http-server", "http-client"] {
        // APP CLUSTERS DEPLOYED READY BY-PHASE
        assert_eq!(row(&stdout, app)[1..5], ["3", "3", "3", "Ready=3"], "{app}");
    }
    let events = stdout
        .split("last events:")
        .nth(1)
        .expect("the last events follow the table");
    let rows = events.lines().filter(|l| l.contains(" demo/demo-")).count();
    assert!(rows > 0, "the last events name demo clusters: {events}");
    assert!(dir.path().join("example/charts/http-server.tgz").is_file());

    let (status, again) = demo(dir.path());
    assert!(status.success(), "the second demo failed: {status}");
    assert!(
        again.contains("exists already"),
        "the second run does not apply again"
    );
    assert!(!again.contains("document 1:"));
    assert_eq!(row(&again, "http-server")[1..5], ["3", "3", "3", "Ready=3"]);
}
