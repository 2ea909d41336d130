//! The outbound gRPC layer against real servers on loopback: small placement controllers served with the
//! SDK, and the rsync double.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use canopy_controllers::{Error as Refusal, PlacementController, Serving, serve_placement};
use canopy_engine::remote::{self, CallError, ControllerInfo, Kind, Method, Remote};
use canopy_schemas::controller::{
    AppCandidates, Cluster, ClusterDecision, ClusterGroup, DigIdentity, FilterRequest,
    FilterResponse, Intent, ValidateRequest, Violation,
};
use canopy_schemas::ids::{ContextId, Revision};
use canopy_schemas::name::{ClusterRef, ControllerName};
use canopy_tests::{RsyncDouble, RsyncMethod};
use serde_json::json;
use tonic::Code;

/// What the test controller does with the next `FilterClusters` call.
enum Next {
    /// Answer with this error.
    Fail(Refusal),
    /// Never answer.
    Hang,
    /// Keep the first candidate with a score that is not a number.
    NanScore,
}

/// A placement controller that counts its calls and follows a script; with no script it keeps the first
/// candidate of each app with score 1.
#[derive(Clone, Default)]
struct Hpa {
    calls: Arc<AtomicUsize>,
    script: Arc<Mutex<VecDeque<Next>>>,
}

impl Hpa {
    fn then(&self, next: Next) -> &Self {
        self.script.lock().unwrap().push_back(next);
        self
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    async fn serve(&self) -> Serving {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        serve_placement(addr, self.clone(), std::future::pending())
            .await
            .expect("the test controller binds")
    }
}

#[async_trait::async_trait]
impl PlacementController for Hpa {
    async fn filter_clusters(
        &self,
        request: FilterRequest,
    ) -> canopy_controllers::Result<FilterResponse> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let next = self.script.lock().unwrap().pop_front();
        let score = match next {
            Some(Next::Fail(e)) => return Err(e),
            Some(Next::Hang) => std::future::pending().await,
            Some(Next::NanScore) => f64::NAN,
            None => 1.0,
        };
        let apps = request
            .apps
            .iter()
            .map(|a| canopy_schemas::controller::AppDecision {
                app: a.app.clone(),
                clusters: vec![ClusterDecision::keep(
                    a.clusters().next().unwrap().cluster.clone(),
                    score,
                )],
            })
            .collect();
        Ok(FilterResponse { apps })
    }

    async fn validate_intent(
        &self,
        request: ValidateRequest,
    ) -> canopy_controllers::Result<Vec<Violation>> {
        let spec = &request.intent.spec;
        let mut violations = Vec::new();
        if spec.get("replicas").is_none() {
            violations.push(Violation::new("spec.replicas", "is required"));
        }
        if let Some(obj) = spec.as_object() {
            for k in obj.keys().filter(|k| *k != "replicas") {
                violations.push(Violation::new(
                    format!("spec.{k}"),
                    "is not a field hpa knows",
                ));
            }
        }
        Ok(violations)
    }
}

fn info(name: &str, kind: Kind, addr: SocketAddr) -> ControllerInfo {
    ControllerInfo {
        name: ControllerName::new(name).unwrap(),
        host: addr.ip().to_string(),
        port: addr.port(),
        kind,
        priority: (kind != Kind::Rsync).then_some(1),
    }
}

/// Quick retries, so that the tests do not wait on the default backoff.
fn quick(deadline: Duration) -> Remote {
    Remote::new(remote::Config {
        deadline,
        attempts: 3,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        ..remote::Config::default()
    })
}

fn request() -> FilterRequest {
    let cluster = |c: &str| Cluster::new(format!("prov+{c}").parse::<ClusterRef>().unwrap());
    FilterRequest {
        dig: DigIdentity {
            project: "p1".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            composite_app_version: "v1".parse().unwrap(),
            dig: "dig1".parse().unwrap(),
            app_context_id: ContextId::new(7),
            revision: Revision::FIRST,
            namespace: "default".into(),
            logical_cloud: "default".parse().unwrap(),
            release: "r1".into(),
        },
        intent: Intent {
            controller: "hpa".parse().unwrap(),
            name: "scale".parse().unwrap(),
            spec: json!({"replicas": 2}),
        },
        apps: vec![AppCandidates {
            app: "web".parse().unwrap(),
            groups: vec![ClusterGroup {
                group: "1".into(),
                mandatory: false,
                clusters: vec![cluster("c1"), cluster("c2")],
            }],
        }],
    }
}

#[tokio::test]
async fn a_filter_call_reaches_the_controller_and_converts_its_answer() {
    let hpa = Hpa::default();
    let server = hpa.serve().await;
    let remote = quick(Duration::from_secs(10));
    let answer = remote
        .filter_clusters(&info("hpa", Kind::Placement, server.addr()), request())
        .await
        .unwrap();
    let kept = &answer.apps[0].clusters[0];
    assert_eq!(kept.cluster.to_string(), "prov+c1");
    assert_eq!(hpa.calls(), 1);
}

#[tokio::test]
async fn a_controller_that_misses_the_deadline_is_named_with_the_method_and_not_retried() {
    let hpa = Hpa::default();
    hpa.then(Next::Hang);
    let server = hpa.serve().await;
    let remote = quick(Duration::from_millis(300));
    let err = remote
        .filter_clusters(&info("hpa", Kind::Placement, server.addr()), request())
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Deadline { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "controller hpa did not answer FilterClusters within 300ms"
    );
    assert!(err.is_retryable());
    assert_eq!(hpa.calls(), 1);
}

#[tokio::test]
async fn unavailable_is_retried_with_backoff_until_rsync_accepts() {
    let rsync = RsyncDouble::start().await.unwrap();
    rsync.fail_next(2, Code::Unavailable);
    let remote = quick(Duration::from_secs(10));
    let accepted = remote
        .install_app(
            &info("rsync", Kind::Rsync, rsync.addr()),
            ContextId::new(42),
        )
        .await
        .unwrap();
    assert_eq!(accepted.context, ContextId::new(42));
    let calls = rsync.calls();
    let answered: Vec<Code> = calls.iter().map(|c| c.answered).collect();
    assert_eq!(answered, [Code::Unavailable, Code::Unavailable, Code::Ok]);
    assert!(
        calls
            .iter()
            .all(|c| c.method == RsyncMethod::InstallApp && c.contexts == ["42"])
    );
}

#[tokio::test]
async fn retries_stop_after_the_configured_attempts() {
    let rsync = RsyncDouble::start().await.unwrap();
    rsync.fail_next(5, Code::ResourceExhausted);
    let remote = quick(Duration::from_secs(10));
    let err = remote
        .uninstall_app(&info("rsync", Kind::Rsync, rsync.addr()), ContextId::new(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Rejected {
                code: Code::ResourceExhausted,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(rsync.calls().len(), 3);
}

#[tokio::test]
async fn invalid_argument_and_failed_precondition_are_terminal_and_not_retried() {
    let hpa = Hpa::default();
    hpa.then(Next::Fail(Refusal::InvalidArgument(
        "spec.replicas must be a number".into(),
    )));
    let server = hpa.serve().await;
    let remote = quick(Duration::from_secs(10));
    let err = remote
        .filter_clusters(&info("hpa", Kind::Placement, server.addr()), request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Rejected {
                code: Code::InvalidArgument,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(
        (err.controller().as_str(), err.method()),
        ("hpa", Method::FilterClusters)
    );
    assert!(
        err.to_string().contains("spec.replicas must be a number"),
        "{err}"
    );
    assert_eq!(hpa.calls(), 1);

    let rsync = RsyncDouble::start().await.unwrap();
    rsync.fail_next(1, Code::FailedPrecondition);
    let err = remote
        .update_app(
            &info("rsync", Kind::Rsync, rsync.addr()),
            ContextId::new(1),
            ContextId::new(2),
        )
        .await
        .unwrap_err();
    assert!(!err.is_retryable(), "{err:?}");
    assert_eq!(rsync.calls().len(), 1);
}

#[tokio::test]
async fn a_malformed_answer_is_terminal_and_names_the_field() {
    let hpa = Hpa::default();
    hpa.then(Next::NanScore);
    let server = hpa.serve().await;
    let remote = quick(Duration::from_secs(10));
    let err = remote
        .filter_clusters(&info("hpa", Kind::Placement, server.addr()), request())
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("apps[0].clusters[0]"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(hpa.calls(), 1);
}

#[tokio::test]
async fn an_unreachable_controller_is_retried_then_reported_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let remote = quick(Duration::from_secs(10));
    let err = remote
        .filter_clusters(&info("hpa", Kind::Placement, addr), request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CallError::Unreachable { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        err.to_string().starts_with("controller hpa is unreachable"),
        "{err}"
    );
}

#[tokio::test]
async fn a_new_port_rebuilds_the_channel_and_the_call_lands_on_the_new_server() {
    let (old, new) = (Hpa::default(), Hpa::default());
    let (old_server, new_server) = (old.serve().await, new.serve().await);
    let remote = quick(Duration::from_secs(10));
    let registered = info("hpa", Kind::Placement, old_server.addr());
    remote
        .filter_clusters(&registered, request())
        .await
        .unwrap();
    let moved = info("hpa", Kind::Placement, new_server.addr());
    remote.filter_clusters(&moved, request()).await.unwrap();
    assert_eq!((old.calls(), new.calls()), (1, 1));
    let cached = remote.table().endpoint(&moved.name).unwrap();
    assert_eq!(cached.1, new_server.addr().port());
    assert_eq!(remote.table().len(), 1);
}

#[tokio::test]
async fn invalidate_drops_the_channel_and_the_next_call_connects_anew() {
    let rsync = RsyncDouble::start().await.unwrap();
    let remote = quick(Duration::from_secs(10));
    let target = info("rsync", Kind::Rsync, rsync.addr());
    remote
        .rollback_app(&target, ContextId::new(9), ContextId::new(8))
        .await
        .unwrap();
    assert!(remote.invalidate(&target.name));
    assert_eq!(remote.table().endpoint(&target.name), None);
    remote
        .update_app(&target, ContextId::new(8), ContextId::new(10))
        .await
        .unwrap();
    let second = rsync
        .wait_for_call(2, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        (second.method, second.contexts),
        (
            RsyncMethod::UpdateApp,
            vec!["8".to_owned(), "10".to_owned()]
        )
    );
    assert_eq!(rsync.calls()[0].contexts, ["9", "8"]);
    assert!(remote.table().endpoint(&target.name).is_some());
}

#[tokio::test]
async fn validate_intent_returns_every_violation_and_a_kind_mismatch_is_refused() {
    let hpa = Hpa::default();
    let server = hpa.serve().await;
    let remote = quick(Duration::from_secs(10));
    let controller = info("hpa", Kind::Placement, server.addr());
    let mut intent = request().intent;
    intent.spec = json!({"bad": true});
    let violations = remote
        .validate_intent(&controller, ValidateRequest { intent })
        .await
        .unwrap();
    let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["spec.replicas", "spec.bad"]);
    let err = remote
        .install_app(&controller, ContextId::new(1))
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::WrongKind { .. }), "{err}");
}
