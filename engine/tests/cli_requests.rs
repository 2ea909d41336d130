//! The client commands against an in-process HTTP server that records every request: which requests each
//! command sends, in which order, with which bodies and parts, what it prints, and its exit code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use canopy_engine::cli::{self, Args, Command};
use serde_json::{Value, json};

/// A real EMCO profile file, sent as a `file` part.
fn manifest() -> PathBuf {
    canopy_tests::fixtures::emco_example("collectd")
        .join("profile")
        .join("manifest.yaml")
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    content_type: Option<String>,
    /// Multipart parts: name, file name and contents.
    parts: Vec<(String, Option<String>, Vec<u8>)>,
    /// A non-multipart body, parsed as JSON; `None` when empty.
    json: Option<Value>,
}

impl Seen {
    fn is_multipart(&self) -> bool {
        let content_type = self.content_type.as_deref().unwrap_or_default();
        content_type.starts_with("multipart/form-data")
    }

    /// The name and file name of each part.
    fn part_names(&self) -> Vec<(&str, Option<&str>)> {
        let names = self.parts.iter().map(|p| (p.0.as_str(), p.1.as_deref()));
        names.collect()
    }

    /// The `metadata` part (the first), parsed.
    fn metadata_part(&self) -> Value {
        assert_eq!(self.parts[0].0, "metadata");
        serde_json::from_slice(&self.parts[0].2).unwrap()
    }
}

#[derive(Default)]
struct Shared {
    seen: Mutex<Vec<Seen>>,
    /// Configured answers by (method, path).
    answers: Mutex<HashMap<(String, String), (u16, String)>>,
}

/// An HTTP server on 127.0.0.1:0 that records requests and answers as configured. Dropping it stops it.
struct Server {
    url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let router = axum::Router::new()
            .fallback(record)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, shared, task }
    }

    /// Answers `method path` with `status` and `body` from now on.
    fn answer(&self, method: &str, path: &str, status: u16, body: &str) {
        let key = (method.to_owned(), format!("/v2/{path}"));
        let answers = &mut self.shared.answers.lock().unwrap();
        answers.insert(key, (status, body.to_owned()));
    }

    fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// `METHOD path` of every request so far, `/v2/` removed.
    fn calls(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path.trim_start_matches("/v2/")))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(shared): State<Arc<Shared>>, request: Request) -> impl IntoResponse {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let mut seen = Seen {
        method: method.clone(),
        path: path.clone(),
        content_type: content_type.clone(),
        parts: Vec::new(),
        json: None,
    };
    if content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("multipart/form-data"))
    {
        let mut multipart = Multipart::from_request(request, &()).await.unwrap();
        while let Some(field) = multipart.next_field().await.unwrap() {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            seen.parts
                .push((name, file_name, field.bytes().await.unwrap().to_vec()));
        }
    } else {
        let body = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .unwrap();
        if !body.is_empty() {
            seen.json = Some(serde_json::from_slice(&body).expect("a JSON body"));
        }
    }
    shared.seen.lock().unwrap().push(seen);
    let key = (method.clone(), path.clone());
    let configured = shared.answers.lock().unwrap().get(&key).cloned();
    let (status, body) = configured.unwrap_or_else(|| match method.as_str() {
        "POST" => (201, String::new()),
        "DELETE" => (204, String::new()),
        "GET" => (200, json!({"path": path}).to_string()),
        _ => (200, String::new()),
    });
    (StatusCode::from_u16(status).unwrap(), body)
}

/// The resource file: a range over the clusters expands to two documents per cluster.
const RESOURCES: &str = r#"---
{{/* Clusters of one provider, then a composite app. */}}
version: emco/v2
resourceContext:
  anchor: cluster-providers
metadata:
  name: {{ .Provider }}
{{- range $i, $c := .Clusters }}
---
version: emco/v2
resourceContext: {anchor: "cluster-providers/{{ $.Provider }}/clusters"}
metadata: {name: {{ .Name }}, description: cluster {{ $i }}}
file: kubeconfig
---
version: emco/v2
resourceContext: {anchor: "cluster-providers/{{ $.Provider }}/clusters/{{ $c.Name }}/labels"}
clusterLabel: {{ .Label }}
{{- end }}
---
version: emco/v2
resourceContext: {anchor: projects/{{ .Project }}/composite-apps}
metadata: {name: capp}
spec: {compositeAppVersion: v1}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/capp/v1/composite-profiles/prof/profiles
metadata: {name: collectd-profile}
spec: {app: collectd}
file: {{ .Manifest }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/capp/v1/deployment-intent-groups/dig/customizations
metadata: {name: custom}
files: [a.json, b.json]
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/capp/v1/deployment-intent-groups/dig/instantiate
"#;

const DIG: &str = "projects/demo/composite-apps/capp/v1/deployment-intent-groups/dig";

/// A resource file, its values and the files it attaches, in a temporary directory.
struct Scenario {
    dir: tempfile::TempDir,
}

impl Scenario {
    fn new() -> Self {
        Self::with_resources(RESOURCES)
    }

    fn with_resources(resources: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("resources.yaml", resources);
        write(
            "values.yaml",
            &format!(
                "Project: demo\nProvider: edge\nManifest: {}\nClusters:\n  - {{Name: c1, Label: east}}\n  - {{Name: c2, Label: west}}\n",
                manifest().display()
            ),
        );
        write("kubeconfig", "apiVersion: v1\nkind: Config\n");
        write("a.json", "{\"a\": 1}");
        write("b.json", "{\"b\": 2}");
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn args(&self, server: &Server, stop_on_failure: bool) -> Args {
        Args {
            file: self.path("resources.yaml"),
            values: Some(self.path("values.yaml")),
            server: server.url.clone(),
            stop_on_failure,
        }
    }
}

/// Runs a command through the library entry point; returns its exit code and its lines.
async fn run(command: Command) -> (ExitCode, Vec<String>) {
    let mut out = Vec::new();
    let code = cli::run(&command, &mut out).await;
    let text = String::from_utf8(out).unwrap();
    (code, text.lines().map(str::to_owned).collect())
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn apply_posts_every_document_in_file_order_with_its_body_and_parts() {
    let server = Server::start().await;
    server.answer("POST", &format!("{DIG}/instantiate"), 202, "");
    let scenario = Scenario::new();
    let (code, lines) = run(Command::Apply(scenario.args(&server, false))).await;

    assert_eq!(code, ExitCode::SUCCESS, "{lines:#?}");
    assert_eq!(
        lines,
        [
            "document 1: POST cluster-providers edge -> 201",
            "document 2: POST cluster-providers/edge/clusters c1 -> 201",
            "document 3: POST cluster-providers/edge/clusters/c1/labels east -> 201",
            "document 4: POST cluster-providers/edge/clusters c2 -> 201",
            "document 5: POST cluster-providers/edge/clusters/c2/labels west -> 201",
            "document 6: POST projects/demo/composite-apps capp -> 201",
            "document 7: POST projects/demo/composite-apps/capp/v1/composite-profiles/prof/profiles collectd-profile -> 201",
            &format!("document 8: POST {DIG}/customizations custom -> 201"),
            &format!("document 9: POST {DIG}/instantiate -> 202"),
        ]
    );

    let seen = server.seen();
    assert!(seen.iter().all(|s| s.method == "POST"));
    assert_eq!(seen[0].path, "/v2/cluster-providers");
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(seen[0].json, Some(json!({"metadata": {"name": "edge"}})));

    // A cluster: multipart with the JSON body as `metadata` and the kubeconfig, found beside the YAML file.
    assert_eq!(seen[1].path, "/v2/cluster-providers/edge/clusters");
    assert!(seen[1].is_multipart());
    assert_eq!(
        seen[1].metadata_part(),
        json!({"metadata": {"name": "c1", "description": "cluster 0"}})
    );
    assert_eq!(
        seen[1].part_names(),
        [("metadata", None), ("file", Some("kubeconfig"))]
    );
    assert_eq!(seen[1].parts[1].2, read(&scenario.path("kubeconfig")));

    assert_eq!(seen[2].json, Some(json!({"clusterLabel": "east"})));
    assert_eq!(
        seen[3].metadata_part(),
        json!({"metadata": {"name": "c2", "description": "cluster 1"}})
    );
    assert_eq!(
        seen[4].path,
        "/v2/cluster-providers/edge/clusters/c2/labels"
    );
    assert_eq!(
        seen[5].json,
        Some(json!({"metadata": {"name": "capp"}, "spec": {"compositeAppVersion": "v1"}}))
    );

    // A profile: the real manifest file as the `file` part.
    assert_eq!(
        seen[6].part_names(),
        [("metadata", None), ("file", Some("manifest.yaml"))]
    );
    assert_eq!(seen[6].parts[1].2, read(&manifest()));

    // Customization files: one `files` part per file, in order.
    assert!(seen[7].is_multipart());
    assert_eq!(
        seen[7].part_names(),
        [
            ("metadata", None),
            ("files", Some("a.json")),
            ("files", Some("b.json"))
        ]
    );
    assert_eq!(seen[7].parts[2].2, b"{\"b\": 2}".to_vec());

    // The action: a POST without a body.
    assert_eq!(seen[8].path, format!("/v2/{DIG}/instantiate"));
    assert_eq!(seen[8].content_type, None);
    assert_eq!(seen[8].json, None);
    assert!(seen[8].parts.is_empty());
}

#[tokio::test]
async fn update_puts_to_each_resource_and_skips_the_action() {
    let server = Server::start().await;
    let scenario = Scenario::new();
    let (code, lines) = run(Command::Update(scenario.args(&server, false))).await;

    assert_eq!(code, ExitCode::SUCCESS, "{lines:#?}");
    assert_eq!(
        server.calls(),
        [
            "PUT cluster-providers/edge",
            "PUT cluster-providers/edge/clusters/c1",
            "PUT cluster-providers/edge/clusters/c1/labels/east",
            "PUT cluster-providers/edge/clusters/c2",
            "PUT cluster-providers/edge/clusters/c2/labels/west",
            "PUT projects/demo/composite-apps/capp/v1",
            "PUT projects/demo/composite-apps/capp/v1/composite-profiles/prof/profiles/collectd-profile",
            &format!("PUT {DIG}/customizations/custom"),
        ]
    );
    let seen = server.seen();
    assert_eq!(seen[1].parts[1].2, read(&scenario.path("kubeconfig")));
    assert_eq!(seen[2].json, Some(json!({"clusterLabel": "east"})));
    assert_eq!(
        lines.last().unwrap(),
        &format!("document 9: skipped {DIG}/instantiate: an action, only apply sends it")
    );
}

#[tokio::test]
async fn delete_runs_in_reverse_file_order() {
    let server = Server::start().await;
    let scenario = Scenario::new();
    let (code, lines) = run(Command::Delete(scenario.args(&server, false))).await;

    assert_eq!(code, ExitCode::SUCCESS, "{lines:#?}");
    assert_eq!(
        server.calls(),
        [
            &format!("DELETE {DIG}/customizations/custom"),
            "DELETE projects/demo/composite-apps/capp/v1/composite-profiles/prof/profiles/collectd-profile",
            "DELETE projects/demo/composite-apps/capp/v1",
            "DELETE cluster-providers/edge/clusters/c2/labels/west",
            "DELETE cluster-providers/edge/clusters/c2",
            "DELETE cluster-providers/edge/clusters/c1/labels/east",
            "DELETE cluster-providers/edge/clusters/c1",
            "DELETE cluster-providers/edge",
        ]
    );
    assert!(
        server
            .seen()
            .iter()
            .all(|s| s.json.is_none() && s.parts.is_empty())
    );
    let skipped = format!("document 9: skipped {DIG}/instantiate: an action, only apply sends it");
    assert_eq!(lines[0], skipped);
    assert_eq!(lines[8], "document 1: DELETE cluster-providers edge -> 204");
}

#[tokio::test]
async fn get_prints_each_answer_after_its_line() {
    let server = Server::start().await;
    let scenario = Scenario::with_resources(
        "resourceContext: {anchor: projects}\nmetadata: {name: '{{ .Project }}'}\n---\nresourceContext: {anchor: 'projects/{{ .Project }}/composite-apps'}\nmetadata: {name: capp}\nspec: {compositeAppVersion: v1}\n",
    );
    let (code, lines) = run(Command::Get(scenario.args(&server, false))).await;

    assert_eq!(code, ExitCode::SUCCESS);
    let expected = r#"document 1: GET projects demo -> 200
{
  "path": "/v2/projects/demo"
}
document 2: GET projects/demo/composite-apps capp -> 200
{
  "path": "/v2/projects/demo/composite-apps/capp/v1"
}"#;
    assert_eq!(lines.join("\n"), expected);
}

/// The second document (cluster c1) is refused.
fn refuse_c1(server: &Server) {
    server.answer(
        "POST",
        "cluster-providers/edge/clusters",
        409,
        r#"{"error":"cluster c1 already exists","field":"metadata.name","rule":"unique"}"#,
    );
}

#[tokio::test]
async fn stop_on_failure_stops_after_the_first_failed_document() {
    let server = Server::start().await;
    refuse_c1(&server);
    let scenario = Scenario::new();
    let (code, lines) = run(Command::Apply(scenario.args(&server, true))).await;

    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(
        server.calls(),
        [
            "POST cluster-providers",
            "POST cluster-providers/edge/clusters"
        ]
    );
    assert_eq!(
        lines,
        [
            "document 1: POST cluster-providers edge -> 201",
            "document 2: POST cluster-providers/edge/clusters c1 -> 409 failed: cluster c1 already exists (field: metadata.name, rule: unique)",
            "stopped at the first failure (-s): 7 more document(s) not tried",
        ]
    );
}

#[tokio::test]
async fn without_stop_on_failure_every_document_is_tried() {
    let server = Server::start().await;
    refuse_c1(&server);
    server.answer(
        "POST",
        "projects/demo/composite-apps",
        500,
        "internal\nerror\n",
    );
    let scenario = Scenario::new();
    let (code, lines) = run(Command::Apply(scenario.args(&server, false))).await;

    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(server.calls().len(), 9);
    assert_eq!(lines.len(), 9);
    assert!(lines[1].ends_with(
        "-> 409 failed: cluster c1 already exists (field: metadata.name, rule: unique)"
    ));
    assert_eq!(
        lines[5],
        "document 6: POST projects/demo/composite-apps capp -> 500 failed: internal error"
    );
    assert_eq!(
        lines[8],
        format!("document 9: POST {DIG}/instantiate -> 201")
    );
}

#[tokio::test]
async fn unreadable_documents_fail_with_their_index_and_the_rest_are_sent() {
    let server = Server::start().await;
    let scenario = Scenario::with_resources(
        "resourceContext: {anchor: projects}\nmetadata: {name: a}\n---\nmetadata: {name: no-anchor}\n---\nresourceContext: {anchor: projects/a/composite-apps/c/v1/apps}\nmetadata: {name: web}\nfile: missing.tgz\n---\nresourceContext: {anchor: projects}\nmetadata: {name: b}\n",
    );
    let (code, lines) = run(Command::Apply(scenario.args(&server, false))).await;

    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(server.calls(), ["POST projects", "POST projects"]);
    assert_eq!(lines[0], "document 1: POST projects a -> 201");
    assert_eq!(lines[1], "document 2: missing resourceContext.anchor");
    assert!(
        lines[2].starts_with("document 3: file missing.tgz not found"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "document 4: POST projects b -> 201");
}

#[tokio::test]
async fn a_missing_value_sends_nothing_and_names_the_key_and_line() {
    let server = Server::start().await;
    let scenario = Scenario::with_resources(
        "resourceContext: {anchor: projects}\nmetadata:\n  name: {{ .Project }}-{{ .Region }}\n",
    );
    let (code, lines) = run(Command::Apply(scenario.args(&server, false))).await;

    assert_eq!(code, ExitCode::FAILURE);
    assert!(server.calls().is_empty());
    assert_eq!(
        lines,
        [format!(
            "error: cannot render {} with the values: template: resources.yaml:3:26: executing \"resources.yaml\" at <.Region>: map has no entry for key \"Region\"",
            scenario.path("resources.yaml").display()
        )]
    );
}

#[tokio::test]
async fn an_unreachable_server_fails_every_document() {
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let scenario = Scenario::new();
    let args = Args {
        server: format!("http://{closed}"),
        ..scenario.args(&Server::start().await, false)
    };
    let (code, lines) = run(Command::Apply(args)).await;

    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(lines.len(), 9);
    assert!(lines.iter().all(|l| l.contains(" -> failed: no answer: ")));
    let expected = format!(
        "document 1: POST cluster-providers edge -> failed: no answer: error sending request for url (http://{closed}/v2/cluster-providers)"
    );
    assert!(lines[0].starts_with(&expected), "{}", lines[0]);
}
