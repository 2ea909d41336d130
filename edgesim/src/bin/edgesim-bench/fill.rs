//! Creating the clusters through `/admin` and filling them with typical objects by raw HTTP server-side apply.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::child::Server;

/// Creates the clusters of `range` with one control request; returns how long it took.
pub async fn create_clusters(server: &Server, range: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = server
        .http()
        .post(server.admin("clusters"))
        .json(&json!({"range": range}))
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("creating {range} failed: {}", response.text().await?);
    }
    Ok(started.elapsed())
}

/// The names `create_clusters` gave `n` clusters.
pub fn names(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("edge-{i:05}")).collect()
}

/// One object to apply: its API path prefix, plural and manifest.
struct Object {
    prefix: &'static str,
    plural: &'static str,
    body: Value,
}

/// The `i`-th object of a cluster, cycling through 2 ConfigMaps, a Secret, a ServiceAccount, a Service and a
/// Deployment, each of typical size (30 objects: 10 ConfigMaps and 5 of each other kind).
fn object(cluster: &str, i: usize) -> Object {
    let labels = json!({"app.kubernetes.io/name": "shop", "app.kubernetes.io/instance": cluster,
        "canopy/dig": "shop-v1"});
    let name = format!("obj-{i}");
    let (prefix, plural, body) = match i % 6 {
        0 | 1 => (
            "api/v1",
            "configmaps",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels},
            "data": {"settings.yaml": "replicas: 3\nlogLevel: info\nfeatures: [a, b, c]\n", "cluster": cluster}}),
        ),
        2 => (
            "api/v1",
            "secrets",
            json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "labels": labels}, "type": "Opaque",
            "data": {"password": "c2VjcmV0LXBhc3N3b3JkLTEyMzQ1Njc4OTA="}}),
        ),
        3 => (
            "api/v1",
            "serviceaccounts",
            json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "labels": labels}}),
        ),
        4 => (
            "api/v1",
            "services",
            json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": labels},
            "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}),
        ),
        _ => (
            "apis/apps/v1",
            "deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": labels},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "main", "image": "registry.example/shop/app:1.2.3",
                        "ports": [{"containerPort": 8080}], "env": [{"name": "MODE", "value": "edge"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}}}}),
        ),
    };
    Object {
        prefix,
        plural,
        body,
    }
}

/// What filling took.
pub struct FillReport {
    /// Apply requests sent.
    pub applies: usize,
    /// Requests that did not answer 200/201.
    pub failed: usize,
    /// Wall time.
    pub elapsed: Duration,
}

/// Applies `objects` objects to every cluster, `concurrency` requests at a time.
pub async fn fill(
    server: &Server,
    clusters: &[String],
    objects: usize,
    concurrency: usize,
) -> anyhow::Result<FillReport> {
    let started = Instant::now();
    let jobs = clusters
        .iter()
        .flat_map(|c| (0..objects).map(move |i| (c, i)));
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(jobs)
        .map(|(cluster, i)| apply(server, cluster, object(cluster, i)))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    if let Some(first) = failed.first() {
        eprintln!("first failed apply: {first:#}");
    }
    Ok(FillReport {
        applies: results.len(),
        failed: failed.len(),
        elapsed: started.elapsed(),
    })
}

async fn apply(server: &Server, cluster: &str, object: Object) -> anyhow::Result<()> {
    let name = object.body["metadata"]["name"].as_str().unwrap_or_default();
    let url = format!(
        "{}/clusters/{cluster}/{}/namespaces/default/{}/{name}?fieldManager=canopy&force=true",
        server.url(),
        object.prefix,
        object.plural
    );
    let response = server
        .http()
        .patch(url)
        .header("content-type", "application/apply-patch+yaml")
        .body(object.body.to_string())
        .send()
        .await
        .context("apply request")?;
    if !response.status().is_success() {
        bail!("{} {}", response.status(), response.text().await?);
    }
    Ok(())
}
