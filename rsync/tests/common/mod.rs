//! Test harness: an in-process edgesim server on port 0, canopy `Cluster`s built from its kubeconfigs
//! through `Clients` as rsync builds them, manifest builders, and readers of a cluster's apply log.

#![allow(dead_code)] // Each test file uses a different part of the harness.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use canopy_edgesim::cluster::LogEntry;
use canopy_edgesim::fault::{Faults, Readiness};
use canopy_edgesim::{Config, Handle};
use canopy_engine::appcontext::{
    App, AppContext, Hook, Manifest, Manifests, Meta, Placed, Placement,
};
use canopy_rsync::cluster::app::{Report, ResourceEvent};
use canopy_rsync::cluster::{Clients, Cluster};
use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// Deadline for every wait on a state: a failure guard, not a timing assertion.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A running server; dropping it shuts the server down.
pub struct Sim {
    pub handle: Handle,
    pub clients: Clients,
    _stop: oneshot::Sender<()>,
}

impl Sim {
    /// Starts a server with the given clusters (a name or a range such as `edge-1..edge-3`).
    pub async fn start(clusters: &str) -> Self {
        Self::start_with(clusters, Clients::new()).await
    }

    /// As [`start`](Self::start), with clients that speak HTTP/2 with prior knowledge.
    pub async fn start_h2c(clusters: &str) -> Self {
        Self::start_with(clusters, Clients::new().with_h2c(true)).await
    }

    async fn start_with(clusters: &str, clients: Clients) -> Self {
        let config = Config {
            clusters: Some(clusters.to_string()),
            ..Config::default()
        };
        let server = config.build().await.expect("server starts");
        let handle = server.handle();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Self {
            handle,
            clients,
            _stop: stop,
        }
    }

    /// The reference of a virtual cluster under provider `sim`.
    pub fn cluster_ref(name: &str) -> ClusterRef {
        format!("sim+{name}")
            .parse()
            .expect("a valid cluster reference")
    }

    /// The kubeconfig bytes of a virtual cluster.
    pub fn kubeconfig(&self, name: &str) -> Vec<u8> {
        self.handle.kubeconfig(name).into_bytes()
    }

    /// A canopy handle to a virtual cluster, with `default` as its default namespace.
    pub async fn cluster(&self, name: &str) -> Cluster {
        let client = self
            .clients
            .get(&Self::cluster_ref(name), &self.kubeconfig(name))
            .await
            .expect("client builds");
        Cluster::new(client, "default")
    }

    /// Sets a cluster's faults.
    pub fn set_faults(&self, name: &str, faults: Faults) {
        self.handle
            .cluster(name)
            .expect("cluster exists")
            .set_faults(faults);
    }

    /// Makes a cluster's workloads take `ms` milliseconds to become ready.
    pub fn readiness_delay(&self, name: &str, ms: u64) {
        self.set_faults(
            name,
            Faults {
                readiness: Readiness {
                    min_ms: ms,
                    max_ms: ms,
                },
                ..Faults::default()
            },
        );
    }

    /// A cluster's apply log, oldest first.
    pub fn log(&self, name: &str) -> Vec<LogEntry> {
        self.handle
            .cluster(name)
            .expect("cluster exists")
            .apply_log()
            .0
    }

    /// The log's applies and deletes as `verb Kind/name`, oldest first.
    pub fn writes(&self, name: &str) -> Vec<String> {
        self.log(name)
            .iter()
            .filter(|e| matches!(e.verb, "apply" | "delete"))
            .map(|e| format!("{} {}/{}", e.verb, e.kind, e.name))
            .collect()
    }
}

/// The position of `entry` in `writes`, failing the test when it is missing.
pub fn position(writes: &[String], entry: &str) -> usize {
    writes
        .iter()
        .position(|w| w == entry)
        .unwrap_or_else(|| panic!("{entry:?} is not in {writes:#?}"))
}

/// A manifest from a JSON object, with its body as YAML text as the renderer writes it.
pub fn manifest(obj: Value) -> Manifest {
    Manifest {
        api_version: obj["apiVersion"].as_str().expect("apiVersion").into(),
        kind: obj["kind"].as_str().expect("kind").into(),
        name: obj["metadata"]["name"].as_str().expect("name").into(),
        namespace: obj["metadata"]["namespace"].as_str().map(str::to_string),
        body: yaml_serde::to_string(&obj).expect("YAML").into_bytes(),
    }
}

/// A Deployment with `replicas` replicas of `image`.
pub fn deployment(name: &str, image: &str) -> Manifest {
    manifest(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image}]}}}}))
}

/// A ConfigMap holding `value`.
pub fn config_map(name: &str, value: &str) -> Manifest {
    manifest(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
        "data": {"value": value}}),
    )
}

/// A Job (edgesim completes it after the cluster's readiness delay).
pub fn job(name: &str) -> Manifest {
    manifest(
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "main", "image": "busybox"}]}}}}),
    )
}

/// The CRD of kind `Widget` in `example.com/v1`.
pub fn widget_crd() -> Manifest {
    manifest(
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}),
    )
}

/// A Widget custom resource.
pub fn widget(name: &str) -> Manifest {
    manifest(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name},
        "spec": {"color": "blue"}}),
    )
}

/// A hook of `event`.
pub fn hook(event: &str, manifest: Manifest) -> Hook {
    Hook {
        event: event.into(),
        manifest,
    }
}

/// An app's manifests with these main resources and nothing else.
pub fn app(resources: Vec<Manifest>) -> Manifests {
    Manifests {
        resources,
        ..Manifests::default()
    }
}

/// A test on events and the sender to signal when one passes it.
type Signal = (fn(&ResourceEvent) -> bool, oneshot::Sender<()>);

/// A [`Report`] that records every event, and can signal the first event matching a test.
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<(usize, String, ResourceEvent)>>,
    signal: Mutex<Option<Signal>>,
}

impl Recorder {
    /// A receiver that completes at the first event for which `matches` is true.
    pub fn on_first(&self, matches: fn(&ResourceEvent) -> bool) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        *self.signal.lock().unwrap() = Some((matches, tx));
        rx
    }

    /// The recorded events as `(index, name, event)`.
    pub fn events(&self) -> Vec<(usize, String, ResourceEvent)> {
        self.events.lock().unwrap().clone()
    }

    /// The events of one resource, by name.
    pub fn of(&self, name: &str) -> Vec<ResourceEvent> {
        self.events()
            .into_iter()
            .filter(|(_, n, _)| n == name)
            .map(|(_, _, e)| e)
            .collect()
    }
}

impl Report for Recorder {
    fn resource(&self, index: usize, m: &Manifest, event: ResourceEvent) {
        let mut signal = self.signal.lock().unwrap();
        if signal.as_ref().is_some_and(|(matches, _)| matches(&event))
            && let Some((_, tx)) = signal.take()
        {
            let _ = tx.send(());
        }
        self.events
            .lock()
            .unwrap()
            .push((index, m.name.clone(), event));
    }
}

/// Runs `f` with the failure guard [`DEADLINE`].
pub async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, f)
        .await
        .expect("finished before the deadline")
}

/// An AppContext of one app, `web`, with one ConfigMap on each of `clusters` clusters `p+c0`, `p+c1`...
pub fn context(id: u64, clusters: usize) -> AppContext {
    let refs: Vec<ClusterRef> = (0..clusters)
        .map(|c| format!("p+c{c}").parse().unwrap())
        .collect();
    let manifests = Manifests {
        resources: vec![Manifest {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "cm".into(),
            namespace: None,
            body: b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n".to_vec(),
        }],
        ..Manifests::default()
    };
    AppContext {
        id: ContextId::new(id),
        meta: Meta {
            project: "proj".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            version: "v1".parse().unwrap(),
            dig: "dig".parse().unwrap(),
            revision: canopy_schemas::Revision::FIRST,
            namespace: "default".into(),
            logical_cloud: None,
            for_cloud: false,
        },
        apps: vec![App {
            name: AppName::new("web").unwrap(),
            depends_on: Vec::new(),
            placement: Placement {
                clusters: refs
                    .iter()
                    .map(|r| Placed {
                        cluster: r.clone(),
                        group: None,
                        score: None,
                    })
                    .collect(),
                dropped: Vec::new(),
            },
            clusters: refs
                .iter()
                .map(|r| (r.clone(), manifests.clone()))
                .collect::<BTreeMap<_, _>>(),
        }],
    }
}
