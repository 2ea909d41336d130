//! The engine's REST API as the benchmark drives it: the setup fixture (clusters, logical cloud, a
//! synthetic composite app of three independent apps, the DIG) and the state polls.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use canopy_engine::appcontext::{Reader, State};
use canopy_engine::context::ContextStore;
use canopy_schemas::ContextId;
use canopy_tests::fixtures::tgz_dir;
use futures::StreamExt;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::{APPS, CA, DIG, LC, PROVIDER, RESOURCES, SETUP_CONCURRENCY, TIMEOUT};

/// The engine's REST API, as a client.
pub struct Engine {
    pub base: String,
    pub http: reqwest::Client,
}

impl Engine {
    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, Value)> {
        let r = self.http.get(format!("{}{path}", self.base)).send().await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    /// A request whose answer must be `status`.
    pub async fn expect(
        &self,
        method: &str,
        what: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> anyhow::Result<()> {
        let mut r = self
            .http
            .request(method.parse()?, format!("{}{path}", self.base));
        if let Some(b) = body {
            r = r.json(&b);
        }
        check(r.send().await?, what, status).await
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<()> {
        self.expect("POST", path, path, Some(body), 201).await
    }

    pub async fn multipart(
        &self,
        path: &str,
        metadata: Value,
        file: Vec<u8>,
    ) -> anyhow::Result<()> {
        let form = Form::new()
            .part("metadata", Part::text(metadata.to_string()))
            .part("file", Part::bytes(file).file_name("file"));
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await?;
        check(r, path, 201).await
    }

    pub async fn wait<F, Fut>(&self, check: F) -> anyhow::Result<()>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = anyhow::Result<bool>>,
    {
        let start = Instant::now();
        while !check().await? {
            if start.elapsed() > TIMEOUT {
                bail!("timed out");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    pub async fn wait_state(&self, path: &str, state: &str) -> anyhow::Result<()> {
        self.wait(move || async move {
            let (_, body) = self.get(&format!("{path}/status")).await?;
            let now = body["state"].as_str().unwrap_or("Created");
            if now.ends_with("Failed") {
                bail!("{path} is {now}: {body}");
            }
            Ok(now == state)
        })
        .await
        .with_context(|| format!("waiting for {path} to be {state}"))
    }

    /// The AppContext of the latest action of the DIG or logical cloud at `path`.
    pub async fn status_context(&self, path: &str) -> anyhow::Result<ContextId> {
        let (_, body) = self.get(&format!("{path}/status")).await?;
        body["states"]["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .rev()
            .find_map(|a| a["instance"].as_str().and_then(|s| s.parse().ok()))
            .with_context(|| format!("no instance in {body}"))
    }

    /// The provider `edge` and `names` with their edgesim kubeconfigs, `SETUP_CONCURRENCY` at a time.
    pub async fn register_clusters(&self, names: &[String], sim: &str) -> anyhow::Result<()> {
        self.post("/cluster-providers", meta(PROVIDER)).await?;
        let path = format!("/cluster-providers/{PROVIDER}/clusters");
        let posts = names.iter().map(|name| {
            let kubeconfig = canopy_edgesim::kubeconfig::render(sim, name).into_bytes();
            self.multipart(&path, meta(name), kubeconfig)
        });
        all(posts).await
    }

    /// The project and a level-0 logical cloud over `names`, instantiated and applied.
    pub async fn logical_cloud(
        &self,
        names: &[String],
        ctx: &dyn ContextStore,
    ) -> anyhow::Result<()> {
        self.post("/projects", meta("p1")).await?;
        self.post(
            "/projects/p1/logical-clouds",
            json!({"metadata": {"name": "lc1"}, "spec": {"namespace": "apps", "level": "0"}}),
        )
        .await?;
        let path = format!("{LC}/cluster-references");
        let posts = names.iter().map(|c| {
            self.post(
                &path,
                json!({"metadata": {"name": c}, "spec": {"clusterProvider": PROVIDER, "cluster": c}}),
            )
        });
        all(posts).await?;
        self.expect("POST", LC, &format!("{LC}/instantiate"), None, 202)
            .await?;
        self.wait_state(LC, "Instantiated").await?;
        let id = self.status_context(LC).await?;
        self.wait(move || async move {
            let state = Reader::open(ctx, id).await.ok().map(|r| r.status.state);
            if state == Some(State::InstantiateFailed) {
                bail!("the logical cloud's context failed");
            }
            Ok(state == Some(State::Instantiated))
        })
        .await
        .context("the logical cloud's context")
    }

    /// The composite app: three independent apps of `RESOURCES` resources, each with a profile.
    pub async fn composite_app(&self) -> anyhow::Result<()> {
        self.post(
            "/projects/p1/composite-apps",
            json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}}),
        )
        .await?;
        for app in APPS {
            self.multipart(&format!("{CA}/apps"), meta(app), chart(app)?)
                .await?;
        }
        self.post(&format!("{CA}/composite-profiles"), meta("cp"))
            .await?;
        for app in APPS {
            self.multipart(
                &format!("{CA}/composite-profiles/cp/profiles"),
                json!({"metadata": {"name": format!("{app}-profile")}, "spec": {"app": app}}),
                profile()?,
            )
            .await?;
        }
        Ok(())
    }

    /// DIG `dig1` placing every app on every cluster, approved.
    pub async fn dig(&self, names: &[String]) -> anyhow::Result<()> {
        self.post(
            &format!("{CA}/deployment-intent-groups"),
            json!({"metadata": {"name": "dig1"}, "spec": {"compositeProfile": "cp", "version": "r1", "logicalCloud": "lc1"}}),
        )
        .await?;
        self.post(&format!("{DIG}/generic-placement-intents"), meta("gpi"))
            .await?;
        let all_of: Vec<Value> = names
            .iter()
            .map(|c| json!({"clusterProvider": PROVIDER, "cluster": c}))
            .collect();
        for app in APPS {
            self.post(
                &format!("{DIG}/generic-placement-intents/gpi/app-intents"),
                json!({"metadata": {"name": format!("{app}-pi")}, "spec": {"app": app, "intent": {"allOf": all_of}}}),
            )
            .await?;
        }
        self.post(
            &format!("{DIG}/intents"),
            json!({"metadata": {"name": "intents"}, "spec": {"intent": {"genericPlacementIntent": "gpi"}}}),
        )
        .await?;
        self.expect("POST", DIG, &format!("{DIG}/approve"), None, 202)
            .await
    }
}

async fn check(r: reqwest::Response, what: &str, status: u16) -> anyhow::Result<()> {
    let got = r.status().as_u16();
    if got != status {
        bail!("{what}: {got} (wanted {status}): {}", r.text().await?);
    }
    Ok(())
}

/// Runs `futures` `SETUP_CONCURRENCY` at a time; the first error wins.
async fn all(
    futures: impl Iterator<Item = impl Future<Output = anyhow::Result<()>>>,
) -> anyhow::Result<()> {
    let mut results = futures::stream::iter(futures).buffer_unordered(SETUP_CONCURRENCY);
    while let Some(result) = results.next().await {
        result?;
    }
    Ok(())
}

fn meta(name: &str) -> Value {
    json!({"metadata": {"name": name}})
}

/// A Helm chart `app` of 8 ConfigMaps, a Service and a Deployment, as a .tgz.
fn chart(app: &str) -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates)?;
    std::fs::write(
        dir.path().join("Chart.yaml"),
        format!("apiVersion: v2\nname: {app}\nversion: 0.1.0\n"),
    )?;
    std::fs::write(dir.path().join("values.yaml"), "replicas: 1\n")?;
    for i in 0..RESOURCES - 2 {
        std::fs::write(
            templates.join(format!("cm-{i}.yaml")),
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-cm-{i}\ndata:\n  key: value-{i}\n"
            ),
        )?;
    }
    std::fs::write(
        templates.join("service.yaml"),
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector:\n    app: {app}\n  \
             ports:\n  - port: 80\n    targetPort: 8080\n"
        ),
    )?;
    std::fs::write(
        templates.join("deployment.yaml"),
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  \
             replicas: {{{{ .Values.replicas }}}}\n  selector:\n    matchLabels:\n      app: {app}\n  \
             template:\n    metadata:\n      labels:\n        app: {app}\n    spec:\n      containers:\n      \
             - name: {app}\n        image: nginx:1.25\n"
        ),
    )?;
    Ok(tgz_dir(dir.path(), app))
}

/// An app profile whose override values change nothing.
fn profile() -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("manifest.yaml"),
        "---\nversion: v1\ntype:\n  values: \"override_values.yaml\"\n",
    )?;
    std::fs::write(dir.path().join("override_values.yaml"), "replicas: 1\n")?;
    Ok(tgz_dir(dir.path(), ""))
}

/// One `GET DIG/status` once everything is Ready: how long it took, how big the answer was, and what it
/// says. The summary must say Ready with every resource counted.
pub async fn status_query(engine: &Engine, query: &str, n: usize) -> anyhow::Result<String> {
    let started = Instant::now();
    let answer = engine
        .http
        .get(format!("{}{DIG}/status?{query}", engine.base))
        .send()
        .await?;
    let code = answer.status().as_u16();
    let body = answer.bytes().await?;
    let took = started.elapsed();
    if code != 200 {
        bail!(
            "GET status?{query}: {code} {}",
            String::from_utf8_lossy(&body)
        );
    }
    let value: Value = serde_json::from_slice(&body)?;
    let counts = value
        .get("readyCounts")
        .or_else(|| value.get("deployedCounts"))
        .cloned()
        .unwrap_or(Value::Null);
    let want = (n * APPS.len() * RESOURCES) as u64;
    let counted: u64 = counts
        .as_object()
        .map(|c| c.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    if counted != want {
        bail!("GET status?{query}: counts {counts} sum to {counted}, not {want}");
    }
    Ok(format!(
        "status?{query}: {:.0} ms, {:.1} MiB, counts {counts}",
        took.as_secs_f64() * 1e3,
        body.len() as f64 / (1 << 20) as f64
    ))
}
