//! An in-process API server over a fresh embedded store, and a small client for the tests.

use canopy_engine::api::{self, Api, Limits};
use canopy_engine::stack::{self, Stack};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct TestServer {
    pub base: String,
    /// The API state the router serves, for tests that look at its connection table.
    pub api: Api,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response: status, headers and body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: bytes::Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.bytes))
        })
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.bytes)
        );
        self
    }

    /// Asserts a JSON error naming `field`.
    #[track_caller]
    pub fn expect_field(self, status: u16, field: &str) -> Self {
        let me = self.expect(status);
        assert_eq!(me.json()["field"], json!(field), "body: {}", me.json());
        me
    }

    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = stack::Config {
            limits,
            ..stack::Config::default()
        };
        let state = Stack::embedded(&dir.path().join("canopy.redb"), config)
            .unwrap()
            .api;
        let app = api::app(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v2", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base,
            api: state,
            client: reqwest::Client::new(),
            _dir: dir,
            task,
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request
            .send()
            .await
            .expect("request reaches the test server");
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.unwrap(),
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.request(Method::POST, path).json(&body))
            .await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> Reply {
        self.send(
            self.request(Method::POST, path)
                .header("content-type", "application/json")
                .body(body.to_owned()),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(self.request(Method::PUT, path).json(&body)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn get_accept(&self, path: &str, accept: &str) -> Reply {
        self.send(self.request(Method::GET, path).header("accept", accept))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.request(Method::DELETE, path)).await
    }

    /// A multipart request with a `metadata` part and file parts.
    pub async fn multipart(
        &self,
        method: Method,
        path: &str,
        metadata: Value,
        files: &[(&str, Vec<u8>)],
    ) -> Reply {
        let mut form = Form::new().part(
            "metadata",
            Part::text(metadata.to_string())
                .mime_str("application/json")
                .unwrap(),
        );
        for (name, bytes) in files {
            form = form.part(
                name.to_string(),
                Part::bytes(bytes.clone()).file_name("upload.tgz"),
            );
        }
        self.send(self.request(method, path).multipart(form)).await
    }

    pub async fn post_multipart(
        &self,
        path: &str,
        metadata: Value,
        files: &[(&str, Vec<u8>)],
    ) -> Reply {
        self.multipart(Method::POST, path, metadata, files).await
    }
}

pub fn meta(name: &str) -> Value {
    json!({ "metadata": { "name": name } })
}

pub fn kubeconfig(cluster: &str) -> Vec<u8> {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {cluster}\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: {cluster}\n  context:\n    cluster: {cluster}\n    user: admin\nusers:\n- name: admin\n  user: {{}}\ncurrent-context: {cluster}\n"
    )
    .into_bytes()
}

pub const CA: &str = "/projects/p1/composite-apps/ca/v1";
pub const DIG: &str = "/projects/p1/composite-apps/ca/v1/deployment-intent-groups/dig1";

/// Project `p1` with composite app `ca` v1.
pub async fn composite_app(s: &TestServer) {
    s.post("/projects", meta("p1")).await.expect(201);
    let ca = json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}});
    s.post("/projects/p1/composite-apps", ca).await.expect(201);
}

/// Builds a project with composite app `ca` v1 holding apps collectd and operator (real EMCO charts), a
/// composite profile `cp`, and an admin logical cloud `default`.
pub async fn project_with_apps(s: &TestServer) {
    use canopy_tests::fixtures::emco_chart;
    composite_app(s).await;
    s.post_multipart(
        &format!("{CA}/apps"),
        meta("collectd"),
        &[("file", emco_chart("collectd", "collectd"))],
    )
    .await
    .expect(201);
    s.post_multipart(
        &format!("{CA}/apps"),
        meta("operator"),
        &[("file", emco_chart("operators-latest", "operator"))],
    )
    .await
    .expect(201);
    s.post(&format!("{CA}/composite-profiles"), meta("cp"))
        .await
        .expect(201);
    s.post(
        "/projects/p1/logical-clouds",
        json!({"metadata": {"name": "default"}, "spec": {"level": "0"}}),
    )
    .await
    .expect(201);
}

/// A provider `prov` with clusters c1 and c2, both labelled `edge`.
pub async fn clusters(s: &TestServer) {
    s.post("/cluster-providers", meta("prov")).await.expect(201);
    for c in ["c1", "c2"] {
        s.post_multipart(
            "/cluster-providers/prov/clusters",
            meta(c),
            &[("file", kubeconfig(c))],
        )
        .await
        .expect(201);
        s.post(
            &format!("/cluster-providers/prov/clusters/{c}/labels"),
            json!({"clusterLabel": "edge"}),
        )
        .await
        .expect(201);
    }
}
