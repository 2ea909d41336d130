//! Prints the memory footprint of N virtual clusters holding 30 applied objects each, filled in-process
//! (no HTTP): `cargo run --release -p canopy-edgesim --example footprint -- 10000`.
//! For SSA throughput over HTTP see the `ssa_throughput` example.

use std::time::Instant;

use canopy_edgesim::fleet::{self, Fleet};
use canopy_edgesim::ops::{PatchKind, WriteOptions};
use serde_json::{Value, json};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// 30 objects of typical size: 10 ConfigMaps, 5 Secrets, 5 ServiceAccounts, 5 Services, 5 Deployments.
fn objects(cluster: &str) -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let mut out = Vec::new();
    let labels = json!({"app.kubernetes.io/name": "shop", "app.kubernetes.io/instance": cluster, "canopy/dig": "shop-v1"});
    for i in 0..10 {
        out.push(("", "v1", "configmaps", json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cfg-{i}"), "labels": labels},
            "data": {"settings.yaml": "replicas: 3\nlogLevel: info\nfeatures: [a, b, c]\n", "cluster": cluster}})));
    }
    for i in 0..5 {
        out.push((
            "",
            "v1",
            "secrets",
            json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": format!("sec-{i}"), "labels": labels}, "type": "Opaque",
            "data": {"password": "c2VjcmV0LXBhc3N3b3JkLTEyMzQ1Njc4OTA="}}),
        ));
        out.push((
            "",
            "v1",
            "serviceaccounts",
            json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": format!("sa-{i}"), "labels": labels}}),
        ));
        out.push(("", "v1", "services", json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": format!("svc-{i}"), "labels": labels},
            "spec": {"selector": {"app": format!("app-{i}")}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})));
        out.push(("apps", "v1", "deployments", json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": format!("app-{i}"), "labels": labels},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": format!("app-{i}")}},
                "template": {"metadata": {"labels": {"app": format!("app-{i}")}},
                    "spec": {"containers": [{"name": "main", "image": "registry.example/shop/app:1.2.3",
                        "ports": [{"containerPort": 8080}], "env": [{"name": "MODE", "value": "edge"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}}}})));
    }
    out
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let base = rss_mib();
    let fleet = Fleet::default();
    let started = Instant::now();
    for name in fleet::expand(&format!("edge-00001..edge-{n:05}"))? {
        fleet.create(&name)?;
    }
    let empty = rss_mib();
    println!(
        "{n} empty clusters: {:.0} MiB RSS ({:.1} KiB each), created in {:.2?}",
        empty,
        (empty - base) * 1024.0 / n as f64,
        started.elapsed()
    );
    let started = Instant::now();
    let mut applies = 0usize;
    for name in fleet.names() {
        let cluster = fleet.get(&name).expect("just created");
        for (group, version, plural, body) in objects(&name) {
            let object_name = body["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let target = cluster.resolve(
                group,
                version,
                plural,
                Some("default".into()),
                Some(object_name),
            )?;
            let opts = WriteOptions {
                manager: "canopy",
                force: true,
                dry_run: false,
            };
            cluster.patch(&target, PatchKind::Apply, &body, &opts, false)?;
            applies += 1;
        }
    }
    let elapsed = started.elapsed();
    let full = rss_mib();
    println!(
        "{applies} applies in {elapsed:.2?} ({:.0}/s, one thread, no HTTP)",
        applies as f64 / elapsed.as_secs_f64()
    );
    println!(
        "{n} clusters x 30 objects: {full:.0} MiB RSS ({:.1} KiB per cluster)",
        (full - base) * 1024.0 / n as f64
    );
    Ok(())
}
