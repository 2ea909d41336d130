//! An engine in process over stores that outlive it (so a test can kill it and start another on the same
//! data), recording test controllers served over real gRPC, the rsync double, and a fixture that registers a
//! whole deployment: clusters, a logical cloud, a composite app with a real EMCO chart and its profile, a DIG
//! with its placement and controller intents.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use canopy_controllers::{ActionController, Error as CtlError, PlacementController};
use canopy_engine::context::ContextStore;
use canopy_engine::events::Bus;
use canopy_engine::events::bus::MemoryBus;
use canopy_engine::lifecycle::saga::Runner;
use canopy_engine::stack::{self, Stack};
use canopy_engine::store::ResourceStore;
use canopy_engine::{api, lifecycle, remote};
use canopy_schemas::controller::{
    AppDecision, ClusterDecision, Edit, FilterRequest, FilterResponse, UpdateRequest,
    UpdateResponse, ValidateRequest, Verdict, Violation,
};
use canopy_tests::fixtures::{emco_chart, emco_profile};
use canopy_tests::{EtcdServer, RsyncDouble};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Notify;

pub const CA: &str = "/projects/p1/composite-apps/ca/v1";
pub const DIG: &str = "/projects/p1/composite-apps/ca/v1/deployment-intent-groups/dig1";
pub const LC: &str = "/projects/p1/logical-clouds/lc1";

/// The parts that outlive an engine: stores, bus, rsync double.
pub struct Env {
    _dir: tempfile::TempDir,
    pub store: Arc<dyn ResourceStore>,
    pub ctx: Arc<dyn ContextStore>,
    pub bus: MemoryBus,
    /// The bus engines publish to: `bus`, unless a test sets JetStream.
    pub publish_to: Option<Arc<dyn Bus>>,
    pub rsync: RsyncDouble,
    _etcd: Option<EtcdServer>,
}

impl Env {
    /// Both stores in one embedded file.
    pub async fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (store, ctx) = stack::embedded(&dir.path().join("canopy.redb")).unwrap();
        Self::with(dir, store, ctx, None).await
    }

    /// The resource store embedded, the context store in a real etcd.
    pub async fn etcd() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let etcd = EtcdServer::start().await.unwrap();
        let (store, _) = stack::embedded(&dir.path().join("canopy.redb")).unwrap();
        let ctx: Arc<dyn ContextStore> = Arc::new(
            canopy_engine::context::etcd::Config::new([etcd.endpoint()])
                .connect()
                .await
                .unwrap(),
        );
        Self::with(dir, store, ctx, Some(etcd)).await
    }

    async fn with(
        dir: tempfile::TempDir,
        store: Arc<dyn ResourceStore>,
        ctx: Arc<dyn ContextStore>,
        etcd: Option<EtcdServer>,
    ) -> Self {
        Self {
            _dir: dir,
            store,
            ctx,
            bus: MemoryBus::new(10_000),
            publish_to: None,
            rsync: RsyncDouble::start().await.unwrap(),
            _etcd: etcd,
        }
    }

    /// Starts an engine over these parts, resuming unfinished sagas; controller calls get `deadline`.
    pub async fn engine_with(&self, deadline: Duration) -> Engine {
        let config = stack::Config {
            remote: remote::Config {
                deadline,
                attempts: 2,
                backoff_base: Duration::from_millis(20),
                backoff_cap: Duration::from_millis(100),
                ..remote::Config::default()
            },
            saga: lifecycle::saga::Config {
                step_attempts: 2,
                backoff_base: Duration::from_millis(20),
                backoff_cap: Duration::from_millis(100),
            },
            relay: canopy_engine::events::relay::Config {
                initial_backoff: Duration::from_millis(20),
                max_backoff: Duration::from_millis(200),
            },
            ..stack::Config::default()
        };
        let bus = self
            .publish_to
            .clone()
            .unwrap_or_else(|| Arc::new(self.bus.clone()));
        let stack = Stack::new(self.store.clone(), self.ctx.clone(), bus, config);
        let Stack { api, runner, relay } = stack;
        canopy_engine::api::announce::recover(api.store.as_ref(), api.ctx.as_ref())
            .await
            .unwrap();
        runner.resume_all().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v2", listener.local_addr().unwrap());
        let app = api::app(api);
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let relay = tokio::spawn(relay.run(std::future::pending()));
        Engine {
            base,
            client: reqwest::Client::new(),
            server,
            relay,
            runner,
        }
    }

    /// Starts an engine with a 5 s controller deadline.
    pub async fn engine(&self) -> Engine {
        self.engine_with(Duration::from_secs(5)).await
    }
}

impl Env {
    /// The rsync calls made since `base` ran (which installs the logical cloud).
    pub fn dig_rsync_calls(&self) -> Vec<canopy_tests::RsyncCall> {
        self.rsync.calls().into_iter().skip(1).collect()
    }

    /// Waits for the `n`-th rsync call after the logical cloud's install.
    pub async fn wait_dig_rsync_call(&self, n: usize) -> canopy_tests::RsyncCall {
        self.rsync
            .wait_for_call(n + 1, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("rsync call {n} never came: {:?}", self.rsync.calls()))
    }
}

/// One running engine.
pub struct Engine {
    pub base: String,
    client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    relay: tokio::task::JoinHandle<()>,
    pub runner: Runner,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.runner.abort_all();
        self.server.abort();
        self.relay.abort();
    }
}

/// A response.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        self
    }

    pub fn error(&self) -> String {
        self.body["error"].as_str().unwrap_or_default().to_owned()
    }
}

impl Engine {
    /// Dies as a killed process would: sagas stop mid-step, the API stops answering.
    pub fn kill(self) {
        drop(self);
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the engine answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.client.post(self.url(path)).json(&body))
            .await
    }

    /// A lifecycle POST with no body, and an `Idempotency-Key` when given.
    pub async fn op(&self, path: &str, key: Option<&str>) -> Reply {
        let mut request = self.client.post(self.url(path));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(self.client.put(self.url(path)).json(&body)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.client.delete(self.url(path))).await
    }

    pub async fn multipart(&self, path: &str, metadata: Value, file: Vec<u8>) -> Reply {
        self.multipart_parts(path, metadata, vec![("file", "upload.tgz", file)])
            .await
    }

    /// A multipart POST with `metadata` and the given `(part, file name, bytes)` parts.
    pub async fn multipart_parts(
        &self,
        path: &str,
        metadata: Value,
        parts: Vec<(&str, &str, Vec<u8>)>,
    ) -> Reply {
        let mut form = Form::new().part(
            "metadata",
            Part::text(metadata.to_string())
                .mime_str("application/json")
                .unwrap(),
        );
        for (part, file_name, bytes) in parts {
            form = form.part(
                part.to_owned(),
                Part::bytes(bytes).file_name(file_name.to_owned()),
            );
        }
        self.send(
            self.client
                .request(Method::POST, self.url(path))
                .multipart(form),
        )
        .await
    }

    /// The `state` that `GET path/status` reports.
    pub async fn state(&self, path: &str) -> String {
        let reply = self.get(&format!("{path}/status")).await.expect(200);
        reply.body["state"].as_str().unwrap().to_owned()
    }

    /// Waits until `GET path/status` reports `state`, and returns that status. Fails after 30 s, showing the
    /// last status: a generous bound for a saga on loopback, not a timing assertion.
    pub async fn wait_state(&self, path: &str, state: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let reply = self.get(&format!("{path}/status")).await.expect(200);
            if reply.body["state"] == state {
                return reply.body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{path} never reached {state}; last status: {}",
                reply.body
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// What test controllers were asked, in order: `name:Method`.
#[derive(Clone, Default)]
pub struct Calls(Arc<Mutex<Vec<String>>>);

impl Calls {
    fn push(&self, s: String) {
        self.0.lock().unwrap().push(s);
    }

    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// How many calls `name` received.
    pub fn count(&self, name: &str) -> usize {
        let prefix = format!("{name}:");
        self.all().iter().filter(|c| c.starts_with(&prefix)).count()
    }
}

/// Makes an action controller's edits from its request.
pub type EditFn = Arc<dyn Fn(&UpdateRequest) -> Vec<Edit> + Send + Sync>;

/// How a test controller answers.
#[derive(Clone)]
pub enum Behaviour {
    /// Keeps every candidate (no decision).
    Keep,
    /// Placement: drops these clusters (`provider+cluster`).
    Drop(Vec<&'static str>),
    /// Placement: scores these clusters.
    Score(Vec<(&'static str, f64)>),
    /// Action: returns the edits this function makes of the request.
    Edits(EditFn),
    /// Fails terminally.
    Fail,
    /// Answers only after this long.
    Slow(Duration),
    /// Answers only once the gate is opened.
    Gate(Arc<Notify>),
}

/// A test controller that records its calls; its behaviour can change while it serves.
#[derive(Clone)]
pub struct TestController {
    pub name: &'static str,
    pub calls: Calls,
    pub behaviour: Arc<Mutex<Behaviour>>,
}

impl TestController {
    pub fn new(name: &'static str, calls: &Calls, behaviour: Behaviour) -> Self {
        Self {
            name,
            calls: calls.clone(),
            behaviour: Arc::new(Mutex::new(behaviour)),
        }
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    async fn before(&self, method: &str) -> Result<Behaviour, CtlError> {
        self.calls.push(format!("{}:{method}", self.name));
        let behaviour = self.behaviour.lock().unwrap().clone();
        match &behaviour {
            Behaviour::Fail => {
                return Err(CtlError::FailedPrecondition(format!(
                    "{} refuses on purpose",
                    self.name
                )));
            }
            Behaviour::Slow(d) => tokio::time::sleep(*d).await,
            Behaviour::Gate(gate) => gate.notified().await,
            _ => {}
        }
        Ok(behaviour)
    }
}

#[async_trait]
impl PlacementController for TestController {
    async fn filter_clusters(&self, request: FilterRequest) -> Result<FilterResponse, CtlError> {
        let behaviour = self.before("FilterClusters").await?;
        let mut response = FilterResponse::default();
        for app in &request.apps {
            let mut decisions = Vec::new();
            for cluster in app.groups.iter().flat_map(|g| &g.clusters) {
                let name = cluster.cluster.to_string();
                let verdict = match &behaviour {
                    Behaviour::Drop(list) if list.contains(&name.as_str()) => Verdict::Drop {
                        reason: format!("{} drops {name}", self.name),
                    },
                    Behaviour::Score(list) => match list.iter().find(|(c, _)| *c == name) {
                        Some((_, score)) => Verdict::Keep { score: *score },
                        None => continue,
                    },
                    _ => continue,
                };
                if !decisions
                    .iter()
                    .any(|d: &ClusterDecision| d.cluster == cluster.cluster)
                {
                    decisions.push(ClusterDecision {
                        cluster: cluster.cluster.clone(),
                        verdict,
                    });
                }
            }
            response.apps.push(AppDecision {
                app: app.app.clone(),
                clusters: decisions,
            });
        }
        Ok(response)
    }

    async fn validate_intent(&self, _request: ValidateRequest) -> Result<Vec<Violation>, CtlError> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl ActionController for TestController {
    async fn update_app_context(&self, request: UpdateRequest) -> Result<UpdateResponse, CtlError> {
        let behaviour = self.before("UpdateAppContext").await?;
        let edits = match behaviour {
            Behaviour::Edits(edit) => edit(&request),
            _ => Vec::new(),
        };
        Ok(UpdateResponse { edits })
    }

    async fn terminate_app_context(
        &self,
        _request: canopy_schemas::controller::TerminateRequest,
    ) -> Result<String, CtlError> {
        self.before("TerminateAppContext").await?;
        Ok(String::new())
    }

    async fn post_event(
        &self,
        request: canopy_schemas::controller::EventRequest,
    ) -> Result<String, CtlError> {
        self.calls
            .push(format!("{}:PostEvent:{:?}", self.name, request.event));
        Ok(String::new())
    }

    async fn validate_intent(&self, _request: ValidateRequest) -> Result<Vec<Violation>, CtlError> {
        Ok(Vec::new())
    }
}

/// A controller of the deployment: its kind, priority and behaviour.
pub struct Ctl {
    pub controller: TestController,
    pub action: bool,
    pub priority: u32,
}

impl Ctl {
    pub fn placement(c: &TestController, priority: u32) -> Self {
        Self {
            controller: c.clone(),
            action: false,
            priority,
        }
    }

    pub fn action(c: &TestController, priority: u32) -> Self {
        Self {
            controller: c.clone(),
            action: true,
            priority,
        }
    }
}

/// Servers of the test controllers; dropping it stops them.
pub struct Served(
    #[allow(dead_code, reason = "held to keep the servers up")] Vec<canopy_controllers::Serving>,
);

/// Serves `ctls` and registers them (in the order given) with the engine.
pub async fn register(engine: &Engine, ctls: &[Ctl]) -> Served {
    let mut served = Vec::new();
    for ctl in ctls {
        let addr = "127.0.0.1:0".parse().unwrap();
        let serving = if ctl.action {
            canopy_controllers::serve_action(addr, ctl.controller.clone(), std::future::pending())
                .await
                .unwrap()
        } else {
            canopy_controllers::serve_placement(
                addr,
                ctl.controller.clone(),
                std::future::pending(),
            )
            .await
            .unwrap()
        };
        let kind = if ctl.action { "action" } else { "placement" };
        engine
            .post(
                "/controllers",
                json!({"metadata": {"name": ctl.controller.name}, "spec": {
                    "host": "127.0.0.1", "port": serving.addr().port(), "type": kind, "priority": ctl.priority}}),
            )
            .await
            .expect(201);
        served.push(serving);
    }
    Served(served)
}

pub fn meta(name: &str) -> Value {
    json!({"metadata": {"name": name}})
}

fn kubeconfig(cluster: &str) -> Vec<u8> {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {cluster}\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: {cluster}\n  context:\n    cluster: {cluster}\n    user: admin\nusers:\n- name: admin\n  user: {{}}\ncurrent-context: {cluster}\n"
    )
    .into_bytes()
}

/// Clusters `prov+c1`..`prov+c4` (c1, c2 labelled `edge`; c3, c4 `core`), rsync, the logical cloud `lc1`
/// (level 0, namespace `apps`, all four clusters) instantiated, and composite app `ca` v1 with app collectd
/// (EMCO's chart and profile) in composite profile `cp`.
pub async fn base(engine: &Engine, env: &Env) {
    engine
        .post("/cluster-providers", meta("prov"))
        .await
        .expect(201);
    for (c, label) in [
        ("c1", "edge"),
        ("c2", "edge"),
        ("c3", "core"),
        ("c4", "core"),
    ] {
        engine
            .multipart("/cluster-providers/prov/clusters", meta(c), kubeconfig(c))
            .await
            .expect(201);
        engine
            .post(
                &format!("/cluster-providers/prov/clusters/{c}/labels"),
                json!({"clusterLabel": label}),
            )
            .await
            .expect(201);
    }
    engine
        .post(
            "/controllers",
            json!({"metadata": {"name": "rsync"}, "spec": {"host": "127.0.0.1", "port": env.rsync.addr().port()}}),
        )
        .await
        .expect(201);
    engine.post("/projects", meta("p1")).await.expect(201);
    engine
        .post(
            "/projects/p1/logical-clouds",
            json!({"metadata": {"name": "lc1"}, "spec": {"namespace": "apps", "level": "0", "labels": {"team": "a"}}}),
        )
        .await
        .expect(201);
    for c in ["c1", "c2", "c3", "c4"] {
        engine
            .post(
                &format!("{LC}/cluster-references"),
                json!({"metadata": {"name": c}, "spec": {"clusterProvider": "prov", "cluster": c}}),
            )
            .await
            .expect(201);
    }
    engine
        .post(
            &format!("{LC}/cluster-quotas"),
            json!({"metadata": {"name": "q"}, "spec": {"pods": "100"}}),
        )
        .await
        .expect(201);
    engine
        .op(&format!("{LC}/instantiate"), None)
        .await
        .expect(202);
    engine.wait_state(LC, "Instantiated").await;
    engine
        .post(
            "/projects/p1/composite-apps",
            json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}}),
        )
        .await
        .expect(201);
    engine
        .multipart(
            &format!("{CA}/apps"),
            meta("collectd"),
            emco_chart("collectd", "collectd"),
        )
        .await
        .expect(201);
    engine
        .post(&format!("{CA}/composite-profiles"), meta("cp"))
        .await
        .expect(201);
    engine
        .multipart(
            &format!("{CA}/composite-profiles/cp/profiles"),
            json!({"metadata": {"name": "collectd-profile"}, "spec": {"app": "collectd"}}),
            emco_profile("collectd"),
        )
        .await
        .expect(201);
}

/// DIG `dig1` placing collectd by `intent` (an app intent's `spec.intent`), naming `named` controllers.
pub async fn dig(engine: &Engine, intent: Value, named: &[&str]) {
    dig_named(engine, "dig1", intent, named).await;
}

/// The path of DIG `name`.
pub fn dig_path(name: &str) -> String {
    format!("{CA}/deployment-intent-groups/{name}")
}

/// Approves and instantiates dig1 on the rsync double, waits until it is Instantiated, and returns its
/// statusctxid.
pub async fn approve_and_instantiate(engine: &Engine) -> canopy_schemas::ContextId {
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let st = engine.wait_state(DIG, "Instantiated").await;
    st["states"]["statusctxid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}
/// DIG `name` placing collectd by `intent`, naming `named` controllers.
pub async fn dig_named(engine: &Engine, name: &str, intent: Value, named: &[&str]) {
    let dig = dig_path(name);
    let dig = dig.as_str();
    engine
        .post(
            &format!("{CA}/deployment-intent-groups"),
            json!({"metadata": {"name": name}, "spec": {"compositeProfile": "cp", "version": "r1", "logicalCloud": "lc1"}}),
        )
        .await
        .expect(201);
    engine
        .post(&format!("{dig}/generic-placement-intents"), meta("gpi"))
        .await
        .expect(201);
    engine
        .post(
            &format!("{dig}/generic-placement-intents/gpi/app-intents"),
            json!({"metadata": {"name": "collectd-pi"}, "spec": {"app": "collectd", "intent": intent}}),
        )
        .await
        .expect(201);
    let mut map = serde_json::Map::new();
    map.insert("genericPlacementIntent".into(), json!("gpi"));
    for name in named {
        engine
            .post(
                &format!("{dig}/controller-intents/{name}"),
                json!({"metadata": {"name": format!("i-{name}")}, "spec": {"owner": name}}),
            )
            .await
            .expect(201);
        map.insert((*name).into(), json!(format!("i-{name}")));
    }
    engine
        .post(
            &format!("{dig}/intents"),
            json!({"metadata": {"name": "intents"}, "spec": {"intent": map}}),
        )
        .await
        .expect(201);
}

/// Deletes DIG `path` with everything under it that `dig_named` made, children first.
pub async fn delete_dig_tree(engine: &Engine, path: &str, named: &[&str]) -> Reply {
    engine
        .delete(&format!("{path}/intents/intents"))
        .await
        .expect(204);
    for name in named {
        engine
            .delete(&format!("{path}/controller-intents/{name}/i-{name}"))
            .await
            .expect(204);
    }
    engine
        .delete(&format!(
            "{path}/generic-placement-intents/gpi/app-intents/collectd-pi"
        ))
        .await
        .expect(204);
    engine
        .delete(&format!("{path}/generic-placement-intents/gpi"))
        .await
        .expect(204);
    engine.delete(path).await
}

/// The clusters status shows for collectd, as `provider+cluster`.
pub fn placed(status: &Value) -> Vec<String> {
    status["apps"][0]["clusters"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    format!(
                        "{}+{}",
                        c["clusterProvider"].as_str().unwrap(),
                        c["cluster"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the relay has published every staged event (the outbox is empty).
pub async fn outbox_drained(env: &Env) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !env
        .ctx
        .range(&canopy_engine::events::Outbox::prefix())
        .await
        .unwrap()
        .kvs
        .is_empty()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the relay did not empty the outbox"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every message of the JetStream stream `CANOPY_EVENTS`, read with direct gets: (stream sequence, message
/// id, event). Each message's subject is checked against its event's.
pub async fn stream(
    nats: &canopy_tests::NatsServer,
) -> Vec<(u64, String, canopy_schemas::event::Event)> {
    use canopy_engine::events::bus::jetstream as js_bus;
    use canopy_schemas::event::{Event, MSG_ID_HEADER};
    let js = async_nats::jetstream::new(nats.connect().await.unwrap());
    let mut stream = js.get_stream(js_bus::STREAM).await.unwrap();
    let n = stream.info().await.unwrap().state.last_sequence;
    let mut out = Vec::new();
    for sequence in 1..=n {
        let message = stream.get_raw_message(sequence).await.unwrap();
        let id = message.headers.get(MSG_ID_HEADER).unwrap().to_string();
        let event = Event::from_msgpack(&message.payload).unwrap();
        assert_eq!(message.subject.as_str(), event.subject().as_str());
        out.push((message.sequence, id, event));
    }
    out
}
