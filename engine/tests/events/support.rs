//! An engine serving the API over a chosen bus, and helpers to publish events and subscribe.

use std::sync::Arc;
use std::time::Duration;

use canopy_engine::api::{self, Api, events};
use canopy_engine::context::{Op, Txn};
use canopy_engine::events::bus::{self as bus, MemoryBus, jetstream};
use canopy_engine::lifecycle::{DigId, DigRecord, Target, record::RevisionEntry};
use canopy_engine::stack::{self, Stack};
use canopy_schemas::event::{Event, Identity};
use canopy_schemas::{ContextId, Revision};
use canopy_tests::NatsServer;
use serde_json::json;

use crate::sse::Sse;

/// Which bus the engine publishes to and subscribers read from.
#[derive(Debug, Clone, Copy)]
pub enum Bus {
    /// The in-process bus.
    Memory,
    /// JetStream on a real nats-server.
    JetStream,
}

pub struct Engine {
    pub base: String,
    pub api: Api,
    pub bus: Arc<dyn bus::Bus>,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
    _nats: Option<NatsServer>,
    _dir: tempfile::TempDir,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Engine {
    /// An engine with the default subscription settings.
    pub async fn start(kind: Bus) -> Self {
        Self::with(kind, events::Config::default()).await
    }

    /// An engine whose subscriptions use `config`.
    pub async fn with(kind: Bus, config: events::Config) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (store, ctx) = stack::embedded(&dir.path().join("canopy.redb")).unwrap();
        let (bus, nats): (Arc<dyn bus::Bus>, _) = match kind {
            Bus::Memory => (Arc::new(MemoryBus::new(4096)), None),
            Bus::JetStream => {
                let nats = NatsServer::start().await.unwrap();
                let client = nats.connect().await.unwrap();
                let js = jetstream::Config::default().build(client).await.unwrap();
                (Arc::new(js), Some(nats))
            }
        };
        let stack_config = stack::Config {
            events: config,
            ..stack::Config::default()
        };
        let Stack { api, .. } = Stack::new(store, ctx, bus.clone(), stack_config);
        let app = api::app(api.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v2", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base,
            api,
            bus,
            http: reqwest::Client::new(),
            task,
            _nats: nats,
            _dir: dir,
        }
    }

    /// Publishes `events` in order, as the relay does; their sequences.
    pub async fn publish(&self, events: &[Event]) -> Vec<u64> {
        let acks = self.bus.publish_all(events).await.unwrap();
        assert!(acks.iter().all(|a| !a.duplicate));
        acks.into_iter().map(|a| a.sequence).collect()
    }

    /// `GET /v2/events?<query>`, with `Last-Event-ID` when given.
    pub async fn get(&self, query: &str, last_event_id: Option<u64>) -> reqwest::Response {
        let id = last_event_id.map(|id| id.to_string());
        self.get_with(query, id.as_deref()).await
    }

    /// `GET /v2/events?<query>` with `Last-Event-ID` set to any text.
    pub async fn get_with(&self, query: &str, last_event_id: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}/events?{query}", self.base));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        request.send().await.expect("the engine answers")
    }

    /// A subscription that must be accepted as an event stream.
    pub async fn subscribe(&self, query: &str, last_event_id: Option<u64>) -> Sse {
        let response = self.get(query, last_event_id).await;
        assert_eq!(response.status(), 200, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream",
            "{query}"
        );
        Sse::new(response)
    }

    /// POSTs a JSON body, expecting 201.
    pub async fn create(&self, path: &str, body: serde_json::Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{path}: {}", r.text().await.unwrap());
    }

    /// Creates the DIG `p1/ca/v1/<dig>` (with its project, composite app, profile and logical cloud), and
    /// gives it a lifecycle record whose revisions are `contexts`.
    pub async fn dig(&self, dig: &str, contexts: &[u64]) {
        let meta = |name: &str| json!({"metadata": {"name": name}});
        if self.api.store.get(&project_key()).await.unwrap().is_none() {
            self.create("/projects", meta("p1")).await;
            self.create(
                "/projects/p1/composite-apps",
                json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}}),
            )
            .await;
            self.create(
                "/projects/p1/composite-apps/ca/v1/composite-profiles",
                meta("cp"),
            )
            .await;
            self.create(
                "/projects/p1/logical-clouds",
                json!({"metadata": {"name": "default"}, "spec": {"level": "0"}}),
            )
            .await;
        }
        self.create(
            "/projects/p1/composite-apps/ca/v1/deployment-intent-groups",
            json!({"metadata": {"name": dig}, "spec": {
                "compositeProfile": "cp", "version": "r1", "logicalCloud": "default"}}),
        )
        .await;
        let mut record = DigRecord::default();
        for (i, ctx) in contexts.iter().enumerate() {
            record.revisions.push(RevisionEntry {
                revision: Revision::new(i as u64 + 1).unwrap(),
                context: ContextId::new(*ctx),
            });
        }
        let key = Target::Dig(DigId {
            project: "p1".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            version: "v1".parse().unwrap(),
            dig: dig.parse().unwrap(),
        })
        .key();
        let bytes = record.encode(&key).unwrap();
        let put = Txn::new().and_then([Op::put(key, bytes)]);
        assert!(self.api.ctx.txn(put).await.unwrap().succeeded);
    }
}

fn project_key() -> canopy_engine::store::Key {
    canopy_engine::store::Key::parse(&canopy_engine::store::key::PROJECT, &["p1"]).unwrap()
}

/// A controller event, with `padding` bytes of message.
pub fn controller(name: &str, padding: usize) -> Event {
    Event::new(
        Identity::Controller {
            name: name.parse().unwrap(),
        },
        "registered",
    )
    .with_message("x".repeat(padding))
}

/// `n` controller events named `<prefix>0`, `<prefix>1`, ...
pub fn controllers(prefix: &str, n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| controller(&format!("{prefix}{i}"), 0))
        .collect()
}

/// A DIG transition of `p1/ca/v1/<dig>` into `to`, for AppContext `ctx`.
pub fn dig_event(dig: &str, to: &str, ctx: u64) -> Event {
    Event::new(
        Identity::Dig {
            project: "p1".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            version: "v1".parse().unwrap(),
            dig: dig.parse().unwrap(),
        },
        to,
    )
    .with_context(ContextId::new(ctx))
}

/// App `web` of AppContext `ctx` on `prov/<cluster>` entering `to`.
pub fn app_event(ctx: u64, cluster: &str, to: &str) -> Event {
    Event::new(
        Identity::App {
            ctx: ContextId::new(ctx),
            cluster: cluster_ref(cluster),
            app: "web".parse().unwrap(),
        },
        to,
    )
}

/// Deployment `web` of app `web` of AppContext `ctx` on `prov/<cluster>` entering `to`.
pub fn resource_event(ctx: u64, cluster: &str, to: &str) -> Event {
    Event::new(
        Identity::Resource {
            ctx: ContextId::new(ctx),
            cluster: cluster_ref(cluster),
            app: "web".parse().unwrap(),
            resource_kind: "Deployment".parse().unwrap(),
            name: "web".parse().unwrap(),
        },
        to,
    )
}

/// Cluster `prov/<cluster>`'s event `to`.
pub fn cluster_event(cluster: &str, to: &str) -> Event {
    Event::new(
        Identity::Cluster {
            cluster: cluster_ref(cluster),
        },
        to,
    )
}

fn cluster_ref(cluster: &str) -> canopy_schemas::ClusterRef {
    canopy_schemas::event::filter::parse_cluster(&format!("prov/{cluster}")).unwrap()
}

/// Waits, with a deadline, until `check` holds.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
