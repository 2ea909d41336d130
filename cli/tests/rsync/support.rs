//! One whole system for rsync's end-to-end tests: a real etcd (the context store), a real nats-server
//! where a test asks for one, the engine in process (REST API, saga, outbox relay), edgesim hosting the
//! edge clusters, and rsync, in process or as a `canopy rsync` process. The fixture registers EMCO's
//! `test-dependency` shape with the real charts: nginx (with pre- and post-install hooks), the operator
//! (depends on nginx Ready) and collectd (depends on the operator Ready).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use canopy_edgesim::cluster::Cluster as SimCluster;
use canopy_edgesim::server::{Config as SimConfig, Handle as SimHandle};
use canopy_engine::appcontext::{AppProgress, ContextKeys, Reader, State};
use canopy_engine::context::ContextStore;
use canopy_engine::events::Outbox;
use canopy_engine::events::bus::MemoryBus;
use canopy_engine::stack::{self, Stack};
use canopy_engine::store::ResourceStore;
use canopy_engine::{api, lifecycle, remote};
use canopy_rsync::kubeconfig::StoreKubeconfigs;
use canopy_rsync::queue::{EmbeddedQueue, JetStreamQueue, Queue};
use canopy_rsync::{Config, Parts, Running};
use canopy_schemas::{ContextId, Timestamp};
use canopy_tests::fixtures::{emco_chart, emco_profile};
use canopy_tests::{EtcdServer, NatsServer};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub const CA: &str = "/projects/p1/composite-apps/ca/v1";
pub const DIG: &str = "/projects/p1/composite-apps/ca/v1/deployment-intent-groups/dig1";
pub const LC: &str = "/projects/p1/logical-clouds/lc1";
pub const PROVIDER: &str = "edge";
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// Held by the tests with hundreds of clusters, so that two of them never share the machine's cores.
pub static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The system.
pub struct World {
    _dir: tempfile::TempDir,
    pub etcd: EtcdServer,
    pub nats: Option<NatsServer>,
    pub store: Arc<dyn ResourceStore>,
    pub ctx: Arc<dyn ContextStore>,
    pub bus: MemoryBus,
    pub sim: SimHandle,
    sim_stop: CancellationToken,
    pub base: String,
    pub http: reqwest::Client,
    engine: tokio::task::JoinHandle<()>,
    relay: tokio::task::JoinHandle<()>,
}

impl Drop for World {
    fn drop(&mut self) {
        self.engine.abort();
        self.relay.abort();
        self.sim_stop.cancel();
    }
}

/// A reply from the engine.
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
}

pub fn meta(name: &str) -> Value {
    json!({"metadata": {"name": name}})
}

/// rsync tunables for tests: quick retries, resync off unless asked.
pub fn quick() -> Config {
    Config {
        backoff: canopy_rsync::backoff::Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
        },
        resync: Duration::ZERO,
        supervise_every: Duration::from_millis(100),
        keep_alive: Duration::from_secs(2),
        ..Config::default()
    }
}

impl World {
    /// The system with `clusters` edge clusters named `edge-001`...; with `nats`, a real nats-server too.
    pub async fn start(clusters: usize, nats: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let etcd = EtcdServer::start().await.unwrap();
        let nats = if nats {
            Some(NatsServer::start().await.unwrap())
        } else {
            None
        };
        let (store, _) = stack::embedded(&dir.path().join("canopy.redb")).unwrap();
        let ctx: Arc<dyn ContextStore> = Arc::new(
            canopy_engine::context::etcd::Config::new([etcd.endpoint()])
                .connect()
                .await
                .unwrap(),
        );
        let sim = SimConfig {
            clusters: Some(format!("edge-001..edge-{clusters:03}")),
            ..SimConfig::default()
        }
        .build()
        .await
        .unwrap();
        let sim_handle = sim.handle();
        let sim_stop = CancellationToken::new();
        let stop = sim_stop.clone();
        tokio::spawn(async move { sim.run(stop.cancelled_owned()).await });
        let bus = MemoryBus::new(200_000);
        let config = stack::Config {
            remote: remote::Config {
                deadline: Duration::from_secs(10),
                ..remote::Config::default()
            },
            saga: lifecycle::saga::Config {
                step_attempts: 3,
                backoff_base: Duration::from_millis(50),
                backoff_cap: Duration::from_millis(500),
            },
            ..stack::Config::default()
        };
        let Stack { api, runner, relay } =
            Stack::new(store.clone(), ctx.clone(), Arc::new(bus.clone()), config);
        runner.resume_all().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v2", listener.local_addr().unwrap());
        let app = api::app(api);
        let engine = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let relay = tokio::spawn(relay.run(std::future::pending()));
        Self {
            _dir: dir,
            etcd,
            nats,
            store,
            ctx,
            bus,
            sim: sim_handle,
            sim_stop,
            base,
            http: reqwest::Client::new(),
            engine,
            relay,
        }
    }

    /// One edge cluster, `edge-001`, registered with a logical cloud `lc1` over it, and an in-process rsync
    /// (with [`quick`] settings) registered with the engine.
    pub async fn one_cluster() -> (Self, Running) {
        let world = Self::start(1, false).await;
        let rsync = world.rsync(quick()).await;
        world.register_rsync(rsync.addr().port()).await;
        let names: Vec<String> = vec!["edge-001".into()];
        world.register_clusters(&names).await;
        world.logical_cloud(&names).await;
        (world, rsync)
    }

    /// A queue for an in-process rsync: JetStream when the world has NATS, else the context store.
    pub async fn queue(&self) -> Arc<dyn Queue> {
        match &self.nats {
            Some(nats) => Arc::new(
                JetStreamQueue::open(nats.connect().await.unwrap(), Duration::from_secs(30))
                    .await
                    .unwrap(),
            ),
            None => Arc::new(EmbeddedQueue::open(self.ctx.clone()).await.unwrap()),
        }
    }

    /// Starts rsync in process with `config`.
    pub async fn rsync(&self, config: Config) -> Running {
        let parts = Parts {
            store: self.ctx.clone(),
            queue: self.queue().await,
            kubeconfigs: Arc::new(StoreKubeconfigs(self.store.clone())),
            config,
        };
        Running::start(parts, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
    }

    /// Registers (or re-points) the controller `rsync` at `port`.
    pub async fn register_rsync(&self, port: u16) {
        canopy_rsync::register::register(&self.base, "127.0.0.1", port)
            .await
            .unwrap();
    }

    pub fn cluster(&self, name: &str) -> Arc<SimCluster> {
        self.sim.cluster(name).expect("an edgesim cluster")
    }

    pub async fn request(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let response = r.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body }
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.request(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(reqwest::Method::GET, path, None).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request(reqwest::Method::DELETE, path, None).await
    }

    pub async fn op(&self, path: &str) -> Reply {
        self.request(reqwest::Method::POST, path, None).await
    }

    pub async fn multipart(&self, path: &str, metadata: Value, file: Vec<u8>) -> Reply {
        let form = Form::new()
            .part("metadata", Part::text(metadata.to_string()))
            .part("file", Part::bytes(file).file_name("file"));
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    /// Registers `names` under the provider `edge` with their edgesim kubeconfigs.
    pub async fn register_clusters(&self, names: &[String]) {
        if self
            .get(&format!("/cluster-providers/{PROVIDER}"))
            .await
            .status
            == 404
        {
            self.post("/cluster-providers", meta(PROVIDER))
                .await
                .expect(201);
        }
        for name in names {
            let kubeconfig = self.sim.kubeconfig(name).into_bytes();
            self.multipart(
                &format!("/cluster-providers/{PROVIDER}/clusters"),
                meta(name),
                kubeconfig,
            )
            .await
            .expect(201);
        }
    }

    /// The project, a level-0 logical cloud (namespace `apps`) over `names`, instantiated and applied.
    pub async fn logical_cloud(&self, names: &[String]) {
        self.post("/projects", meta("p1")).await.expect(201);
        self.post(
            "/projects/p1/logical-clouds",
            json!({"metadata": {"name": "lc1"}, "spec": {"namespace": "apps", "level": "0"}}),
        )
        .await
        .expect(201);
        for c in names {
            self.post(
                &format!("{LC}/cluster-references"),
                json!({"metadata": {"name": c}, "spec": {"clusterProvider": PROVIDER, "cluster": c}}),
            )
            .await
            .expect(201);
        }
        self.op(&format!("{LC}/instantiate")).await.expect(202);
        self.wait_state(LC, "Instantiated").await;
        let ctx = self.status_context(LC).await;
        self.wait_context(ctx, State::Instantiated).await;
    }

    /// EMCO's `test-dependency` composite app: nginx, operator (after nginx Ready), collectd (after the
    /// operator Ready), with profiles.
    pub async fn composite_app(&self) {
        self.post(
            "/projects/p1/composite-apps",
            json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}}),
        )
        .await
        .expect(201);
        for (app, example, chart) in [
            ("nginx", "nginx", "nginx"),
            ("operator", "operators-latest", "operator"),
            ("collectd", "collectd", "collectd"),
        ] {
            self.multipart(&format!("{CA}/apps"), meta(app), emco_chart(example, chart))
                .await
                .expect(201);
        }
        for (app, on) in [("operator", "nginx"), ("collectd", "operator")] {
            self.post(
                &format!("{CA}/apps/{app}/dependency"),
                json!({"metadata": {"name": format!("{app}-on-{on}")}, "spec": {"app": on, "opStatus": "Ready", "wait": 0}}),
            )
            .await
            .expect(201);
        }
        self.post(&format!("{CA}/composite-profiles"), meta("cp"))
            .await
            .expect(201);
        self.multipart(
            &format!("{CA}/composite-profiles/cp/profiles"),
            json!({"metadata": {"name": "nginx-profile"}, "spec": {"app": "nginx"}}),
            profile("serviceAccount:\n  create: true\n  name: nginx-sa\n"),
        )
        .await
        .expect(201);
        for (app, example) in [("operator", "operators-latest"), ("collectd", "collectd")] {
            self.multipart(
                &format!("{CA}/composite-profiles/cp/profiles"),
                json!({"metadata": {"name": format!("{app}-profile")}, "spec": {"app": app}}),
                emco_profile(example),
            )
            .await
            .expect(201);
        }
    }

    /// DIG `dig1` placing every app on every cluster of `names`.
    pub async fn dig(&self, names: &[String]) {
        self.post(
            &format!("{CA}/deployment-intent-groups"),
            json!({"metadata": {"name": "dig1"}, "spec": {"compositeProfile": "cp", "version": "r1", "logicalCloud": "lc1"}}),
        )
        .await
        .expect(201);
        self.post(&format!("{DIG}/generic-placement-intents"), meta("gpi"))
            .await
            .expect(201);
        let all_of: Vec<Value> = names
            .iter()
            .map(|c| json!({"clusterProvider": PROVIDER, "cluster": c}))
            .collect();
        for app in ["nginx", "operator", "collectd"] {
            self.post(
                &format!("{DIG}/generic-placement-intents/gpi/app-intents"),
                json!({"metadata": {"name": format!("{app}-pi")}, "spec": {"app": app, "intent": {"allOf": all_of}}}),
            )
            .await
            .expect(201);
        }
        self.post(
            &format!("{DIG}/intents"),
            json!({"metadata": {"name": "intents"}, "spec": {"intent": {"genericPlacementIntent": "gpi"}}}),
        )
        .await
        .expect(201);
        self.op(&format!("{DIG}/approve")).await.expect(202);
    }

    /// Everything up to an approved DIG over `clusters` clusters (`edge-001`...).
    pub async fn fixture(&self, clusters: usize) -> Vec<String> {
        let names: Vec<String> = (1..=clusters).map(|i| format!("edge-{i:03}")).collect();
        self.register_clusters(&names).await;
        self.logical_cloud(&names).await;
        self.composite_app().await;
        self.dig(&names).await;
        names
    }

    /// The DIG's (or logical cloud's) state, as `GET path/status` reports it.
    pub async fn state(&self, path: &str) -> String {
        let body = self.get(&format!("{path}/status")).await.expect(200).body;
        body["state"].as_str().unwrap_or("Created").to_owned()
    }

    pub async fn wait_state(&self, path: &str, state: &str) {
        let start = Instant::now();
        loop {
            let body = self.get(&format!("{path}/status")).await.expect(200).body;
            let now = body["state"].as_str().unwrap_or("Created").to_owned();
            if now == state {
                return;
            }
            let failed = now.ends_with("Failed") && !state.ends_with("Failed");
            assert!(
                start.elapsed() < TIMEOUT && !failed,
                "{path} is {now}, waiting for {state}: {}",
                body.to_string().chars().take(1500).collect::<String>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The AppContext of the DIG's (or logical cloud's) latest action: the context rsync works on.
    pub async fn status_context(&self, path: &str) -> ContextId {
        let body = self.get(&format!("{path}/status")).await.expect(200).body;
        let actions = body["states"]["actions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        actions
            .iter()
            .rev()
            .find_map(|a| a["instance"].as_str().and_then(|s| s.parse().ok()))
            .unwrap_or_else(|| panic!("no instance in {body}"))
    }

    /// The context's state.
    pub async fn context_state(&self, ctx: ContextId) -> Option<State> {
        Reader::open(self.ctx.as_ref(), ctx)
            .await
            .ok()
            .map(|r| r.status.state)
    }

    /// The reason the context's status gives (empty when it gives none).
    pub async fn context_reason(&self, ctx: ContextId) -> String {
        Reader::open(self.ctx.as_ref(), ctx)
            .await
            .unwrap()
            .status
            .reason
            .unwrap_or_default()
    }

    /// Waits until the outbox relay has published every event committed so far.
    pub async fn outbox_empty(&self) {
        let start = Instant::now();
        while self.ctx.count(&Outbox::prefix()).await.unwrap() > 0 {
            assert!(start.elapsed() < TIMEOUT, "the outbox did not empty");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the context is `state`; panics naming the state it is in otherwise.
    pub async fn wait_context(&self, ctx: ContextId, state: State) {
        let start = Instant::now();
        loop {
            let now = self.context_state(ctx).await;
            if now == Some(state) {
                return;
            }
            if start.elapsed() > TIMEOUT {
                let st: Vec<_> = self
                    .progress(ctx)
                    .await
                    .into_iter()
                    .map(|(k, p)| {
                        let not_ready: Vec<_> = p
                            .resources
                            .iter()
                            .filter(|r| r.ready != canopy_engine::appcontext::Ready::Ready)
                            .map(|r| {
                                format!("{} {} {:?} {:?}", r.kind, r.name, r.deployed, r.ready)
                            })
                            .collect();
                        (k, p.phase, p.connectivity, p.last_error, not_ready)
                    })
                    .collect();
                let st: Vec<_> = st
                    .into_iter()
                    .filter(|s| !s.4.is_empty())
                    .take(12)
                    .collect();
                panic!(
                    "context {ctx} stayed {now:?}, waiting for {state:?}; statuses not ready: {st:#?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every `st/` value of the context, by key.
    pub async fn progress(&self, ctx: ContextId) -> Vec<(String, AppProgress)> {
        self.ctx
            .range(&ContextKeys::new(ctx).statuses())
            .await
            .unwrap()
            .kvs
            .iter()
            .map(|kv| (kv.key.to_string(), AppProgress::decode(kv).unwrap()))
            .collect()
    }

    /// Waits until `check` holds for the context's statuses.
    pub async fn wait_progress(
        &self,
        ctx: ContextId,
        what: &str,
        check: impl Fn(&[(String, AppProgress)]) -> bool,
    ) -> Vec<(String, AppProgress)> {
        let start = Instant::now();
        loop {
            let now = self.progress(ctx).await;
            if check(&now) {
                return now;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "waiting for {what}; statuses now: {:#?}",
                now.iter().map(|(k, p)| (k, p.phase)).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Every app on every cluster is Ready.
pub fn all_ready(expected: usize) -> impl Fn(&[(String, AppProgress)]) -> bool {
    move |st| {
        st.len() == expected
            && st
                .iter()
                .all(|(_, p)| p.phase == canopy_engine::appcontext::Phase::Ready)
    }
}

/// `(verb, kind, name)` of a cluster's apply log, in order, without the readiness simulation's writes.
pub fn log(cluster: &SimCluster) -> Vec<(String, String, String)> {
    cluster
        .apply_log()
        .0
        .into_iter()
        .filter(|e| e.verb != "status")
        .map(|e| (e.verb.to_owned(), e.kind, e.name))
        .collect()
}

/// The position of the first entry of `log` matching `verb`, `kind` and (when given) `name`.
pub fn position(
    log: &[(String, String, String)],
    verb: &str,
    kind: &str,
    name: Option<&str>,
) -> usize {
    log.iter()
        .position(|(v, k, n)| v == verb && k == kind && name.is_none_or(|x| x == n))
        .unwrap_or_else(|| panic!("no {verb} of {kind} {name:?} in {log:#?}"))
}

/// The position of the last entry matching.
pub fn last_position(
    log: &[(String, String, String)],
    verb: &str,
    kind: &str,
    name: Option<&str>,
) -> usize {
    log.iter()
        .rposition(|(v, k, n)| v == verb && k == kind && name.is_none_or(|x| x == n))
        .unwrap_or_else(|| panic!("no {verb} of {kind} {name:?} in {log:#?}"))
}

/// The Deployments, StatefulSets and DaemonSets on edgesim cluster `name`, as `plural/namespace/name`.
pub fn workloads(world: &World, name: &str) -> Vec<String> {
    world
        .cluster(name)
        .store()
        .keys()
        .filter(|k| {
            matches!(
                k.plural.as_str(),
                "deployments" | "statefulsets" | "daemonsets"
            )
        })
        .map(|k| format!("{}/{}/{}", k.plural, k.namespace, k.name))
        .collect()
}

/// Whether edgesim cluster `name` holds an object of `plural` named `object`.
pub fn holds(world: &World, name: &str, plural: &str, object: &str) -> bool {
    world
        .cluster(name)
        .store()
        .keys()
        .any(|k| k.plural == plural && k.name == object)
}

/// The subjects of every event published so far.
pub fn subjects(world: &World) -> Vec<String> {
    world
        .bus
        .replay()
        .into_iter()
        .map(|m| m.event.subject().into_string())
        .collect()
}

/// How many `Applied` events each main resource of context `ctx` has had, by subject, once `resources`
/// resources have one: the outbox relay publishes a status write's events a moment after the write, so
/// a test that saw the status must wait for them.
pub async fn applied_events(
    world: &World,
    ctx: ContextId,
    resources: usize,
) -> BTreeMap<String, usize> {
    let prefix = format!("canopy.res.{ctx}.");
    let start = Instant::now();
    loop {
        let mut counts = BTreeMap::new();
        for s in subjects(world) {
            if s.starts_with(&prefix) && s.ends_with(".Applied") {
                *counts.entry(s).or_default() += 1;
            }
        }
        if counts.len() >= resources || start.elapsed() > TIMEOUT {
            return counts;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One app of a composite app built in code: its name and its chart's templates (file name, YAML).
pub struct CodeApp<'a> {
    pub name: &'a str,
    pub templates: &'a [(&'a str, &'a str)],
}

impl World {
    /// Composite app `name` (version v1) of `apps`, each with an empty profile, where app `dependent`
    /// waits for app `on` to be `Deployed` for each `(dependent, on)` of `deps`; and its approved DIG `d`
    /// over logical cloud `lc1`, placing every app on `edge-001`. Returns the DIG's path.
    pub async fn code_dig(
        &self,
        name: &str,
        apps: &[CodeApp<'_>],
        deps: &[(&str, &str)],
    ) -> String {
        let ca = format!("/projects/p1/composite-apps/{name}/v1");
        let dig = format!("{ca}/deployment-intent-groups/d");
        self.post(
            "/projects/p1/composite-apps",
            json!({"metadata": {"name": name}, "spec": {"compositeAppVersion": "v1"}}),
        )
        .await
        .expect(201);
        for app in apps {
            self.multipart(
                &format!("{ca}/apps"),
                meta(app.name),
                chart(app.name, app.templates),
            )
            .await
            .expect(201);
        }
        for (dependent, on) in deps {
            self.post(
                &format!("{ca}/apps/{dependent}/dependency"),
                json!({"metadata": {"name": format!("{dependent}-{on}")}, "spec": {"app": on, "opStatus": "Deployed", "wait": 0}}),
            )
            .await
            .expect(201);
        }
        self.post(&format!("{ca}/composite-profiles"), meta("cp"))
            .await
            .expect(201);
        for app in apps {
            self.multipart(
                &format!("{ca}/composite-profiles/cp/profiles"),
                json!({"metadata": {"name": format!("{}-profile", app.name)}, "spec": {"app": app.name}}),
                profile("{}\n"),
            )
            .await
            .expect(201);
        }
        self.post(
            &format!("{ca}/deployment-intent-groups"),
            json!({"metadata": {"name": "d"}, "spec": {"compositeProfile": "cp", "version": "r1", "logicalCloud": "lc1"}}),
        )
        .await
        .expect(201);
        self.post(&format!("{dig}/generic-placement-intents"), meta("gpi"))
            .await
            .expect(201);
        for app in apps {
            self.post(
                &format!("{dig}/generic-placement-intents/gpi/app-intents"),
                json!({"metadata": {"name": format!("{}-pi", app.name)}, "spec": {"app": app.name, "intent": {"allOf": [{"clusterProvider": PROVIDER, "cluster": "edge-001"}]}}}),
            )
            .await
            .expect(201);
        }
        self.post(
            &format!("{dig}/intents"),
            json!({"metadata": {"name": "intents"}, "spec": {"intent": {"genericPlacementIntent": "gpi"}}}),
        )
        .await
        .expect(201);
        self.op(&format!("{dig}/approve")).await.expect(202);
        dig
    }
}

/// Waits until some published subject satisfies `check`.
pub async fn wait_subject(world: &World, what: &str, check: impl Fn(&str) -> bool) {
    let start = Instant::now();
    loop {
        if subjects(world).iter().any(|s| check(s)) {
            return;
        }
        assert!(start.elapsed() < TIMEOUT, "no event for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An app profile archive whose override values are `values` (YAML).
pub fn profile(values: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("manifest.yaml"),
        "---\nversion: v1\ntype:\n  values: \"override_values.yaml\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("override_values.yaml"), values).unwrap();
    canopy_tests::fixtures::tgz_dir(dir.path(), "")
}

/// A Helm chart archive named `name` with `templates` (file name, YAML).
pub fn chart(name: &str, templates: &[(&str, &str)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("values.yaml"), "{}\n").unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    for (file, body) in templates {
        std::fs::write(dir.path().join("templates").join(file), body).unwrap();
    }
    canopy_tests::fixtures::tgz_dir(dir.path(), name)
}

/// A composite app built in code, and its approved DIG `d` over logical cloud `lc1`: each app with its
/// chart's templates and the clusters it is placed on, and dependencies of any kind.
/// `CodeDig::new("ca").app("db", &[...], &["edge-001"]).dependency("web", "db", "Ready", 2)`.
pub struct CodeDig<'a> {
    name: &'a str,
    apps: Vec<PlacedApp<'a>>,
    deps: Vec<(&'a str, &'a str, &'a str, u64)>,
}

/// An app's name, its chart's templates (file name, YAML) and its clusters.
type PlacedApp<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);

impl<'a> CodeDig<'a> {
    pub fn new(name: &'a str) -> Self {
        Self {
            name,
            apps: Vec::new(),
            deps: Vec::new(),
        }
    }

    /// App `name` with `templates`, placed on the edge clusters `clusters` (`edge-001`...).
    pub fn app(
        mut self,
        name: &'a str,
        templates: &'a [(&'a str, &'a str)],
        clusters: &'a [&'a str],
    ) -> Self {
        self.apps.push((name, templates, clusters));
        self
    }

    /// `dependent` waits until `on` is `op` (`Deployed` or `Ready`), then `wait` seconds.
    pub fn dependency(mut self, dependent: &'a str, on: &'a str, op: &'a str, wait: u64) -> Self {
        self.deps.push((dependent, on, op, wait));
        self
    }

    /// Creates it all through the REST API (each app with an empty profile) and approves the DIG;
    /// returns the DIG's path.
    pub async fn create(&self, world: &World) -> String {
        let ca = format!("/projects/p1/composite-apps/{}/v1", self.name);
        let dig = format!("{ca}/deployment-intent-groups/d");
        world
            .post(
                "/projects/p1/composite-apps",
                json!({"metadata": {"name": self.name}, "spec": {"compositeAppVersion": "v1"}}),
            )
            .await
            .expect(201);
        for (app, templates, _) in &self.apps {
            world
                .multipart(&format!("{ca}/apps"), meta(app), chart(app, templates))
                .await
                .expect(201);
        }
        for (dependent, on, op, wait) in &self.deps {
            world
                .post(
                    &format!("{ca}/apps/{dependent}/dependency"),
                    json!({"metadata": {"name": format!("{dependent}-{on}")}, "spec": {"app": on, "opStatus": op, "wait": wait}}),
                )
                .await
                .expect(201);
        }
        world
            .post(&format!("{ca}/composite-profiles"), meta("cp"))
            .await
            .expect(201);
        for (app, _, _) in &self.apps {
            world
                .multipart(
                    &format!("{ca}/composite-profiles/cp/profiles"),
                    json!({"metadata": {"name": format!("{app}-profile")}, "spec": {"app": app}}),
                    profile("{}\n"),
                )
                .await
                .expect(201);
        }
        world
            .post(
                &format!("{ca}/deployment-intent-groups"),
                json!({"metadata": {"name": "d"}, "spec": {"compositeProfile": "cp", "version": "r1", "logicalCloud": "lc1"}}),
            )
            .await
            .expect(201);
        world
            .post(&format!("{dig}/generic-placement-intents"), meta("gpi"))
            .await
            .expect(201);
        for (app, _, clusters) in &self.apps {
            let all_of: Vec<Value> = clusters
                .iter()
                .map(|c| json!({"clusterProvider": PROVIDER, "cluster": c}))
                .collect();
            world
                .post(
                    &format!("{dig}/generic-placement-intents/gpi/app-intents"),
                    json!({"metadata": {"name": format!("{app}-pi")}, "spec": {"app": app, "intent": {"allOf": all_of}}}),
                )
                .await
                .expect(201);
        }
        world
            .post(
                &format!("{dig}/intents"),
                json!({"metadata": {"name": "intents"}, "spec": {"intent": {"genericPlacementIntent": "gpi"}}}),
            )
            .await
            .expect(201);
        world.op(&format!("{dig}/approve")).await.expect(202);
        dig
    }
}

impl World {
    /// Starts rsync in process with `config` on the world's JetStream queue, whose deliveries go to
    /// another worker after `ack_wait` without an ack or an in-progress ack.
    pub async fn rsync_with_ack_wait(&self, config: Config, ack_wait: Duration) -> Running {
        let nats = self.nats.as_ref().expect("a NATS world");
        let queue = JetStreamQueue::open(nats.connect().await.unwrap(), ack_wait)
            .await
            .unwrap();
        let parts = Parts {
            store: self.ctx.clone(),
            queue: Arc::new(queue),
            kubeconfigs: Arc::new(StoreKubeconfigs(self.store.clone())),
            config,
        };
        Running::start(parts, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
    }

    /// Sets the readiness delay of workloads on every edge cluster of `names`.
    pub fn readiness_delay(&self, names: &[String], delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap();
        for name in names {
            self.cluster(name)
                .set_faults(canopy_edgesim::fault::Faults {
                    readiness: canopy_edgesim::fault::Readiness {
                        min_ms: ms,
                        max_ms: ms,
                    },
                    ..Default::default()
                });
        }
    }
}

/// The edge clusters `edge-001`... `edge-<n>`.
pub fn edge_names(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("edge-{i:03}")).collect()
}

/// The status of `app` on edge cluster `name` among `st` (as [`World::progress`] returns them).
pub fn status_of<'a>(st: &'a [(String, AppProgress)], name: &str, app: &str) -> &'a AppProgress {
    let suffix = format!("/{PROVIDER}+{name}/{app}");
    st.iter()
        .find(|(k, _)| k.ends_with(&suffix))
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("no status of {app} on {name} among {st:#?}"))
}

/// When edgesim cluster `name` logged each `verb` of the object `kind`/`object`, oldest first.
pub fn logged(world: &World, name: &str, verb: &str, kind: &str, object: &str) -> Vec<Timestamp> {
    world
        .cluster(name)
        .apply_log()
        .0
        .iter()
        .filter(|e| e.verb == verb && e.kind == kind && e.name == object)
        .map(|e| parse_log_time(&e.time))
        .collect()
}

/// The first time edgesim cluster `name` logged `verb` of `kind`/`object`.
pub fn first_logged(world: &World, name: &str, verb: &str, kind: &str, object: &str) -> Timestamp {
    *logged(world, name, verb, kind, object)
        .first()
        .unwrap_or_else(|| panic!("no {verb} of {kind}/{object} on {name}"))
}

/// An apply log time (`2026-01-02T03:04:05.123456Z`, UTC) as a timestamp.
pub fn parse_log_time(time: &str) -> Timestamp {
    let bad = || panic!("not an apply log time: {time:?}");
    let field = |range: std::ops::Range<usize>| -> i64 {
        time.get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(bad)
    };
    let (y, m, d) = (field(0..4), field(5..7), field(8..10));
    let (h, min, s, micros) = (field(11..13), field(14..16), field(17..19), field(20..26));
    // Days since the epoch of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + min * 60 + s;
    Timestamp::from_unix_nanos(secs * 1_000_000_000 + micros * 1_000)
}
