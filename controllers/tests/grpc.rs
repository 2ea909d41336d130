//! Controllers served with the harness and called with the generated clients over loopback.

mod common;

use std::sync::Arc;
use std::time::Duration;

use canopy_controllers::{Controller, Error, PlacementController, Result, serve, serve_placement};
use canopy_schemas::controller::{FilterRequest, FilterResponse};
use canopy_schemas::proto::controller::v1 as pb;
use common::{LabelFilter, Replicas, any_port};
use pb::action_controller_client::ActionControllerClient;
use pb::placement_controller_client::PlacementControllerClient;
use tokio::sync::{Notify, mpsc, oneshot};

/// A `FilterClusters` request for app `nginx` on clusters `c1` (edge) and `c2` (core).
fn filter_request(spec: &str) -> pb::FilterClustersRequest {
    let cluster = |name: &str, label: &str| pb::Cluster {
        r#ref: Some(pb::ClusterRef {
            provider: "p1".into(),
            cluster: name.into(),
        }),
        labels: vec![label.into()],
        kv: vec![],
    };
    pb::FilterClustersRequest {
        dig: Some(dig()),
        intent: Some(intent(spec)),
        apps: vec![pb::AppCandidates {
            app: "nginx".into(),
            groups: vec![pb::ClusterGroup {
                group: "1".into(),
                mandatory: false,
                clusters: vec![cluster("c1", "edge"), cluster("c2", "core")],
            }],
        }],
    }
}

fn dig() -> pb::DigIdentity {
    pb::DigIdentity {
        project: "p".into(),
        composite_app: "ca".into(),
        composite_app_version: "v1".into(),
        deployment_intent_group: "dig".into(),
        app_context_id: "17".into(),
        revision: 1,
        namespace: "default".into(),
        logical_cloud: "lc".into(),
        release: "r".into(),
    }
}

fn intent(spec: &str) -> pb::Intent {
    pb::Intent {
        controller: "toy".into(),
        name: "i1".into(),
        spec_json: spec.into(),
    }
}

#[tokio::test]
async fn a_placement_controller_answers_filter_clusters_over_grpc_on_a_free_port() {
    let serving = serve_placement(any_port(), LabelFilter, std::future::pending())
        .await
        .unwrap();
    assert_ne!(serving.addr().port(), 0);
    let mut client = PlacementControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    let response = client
        .filter_clusters(filter_request(r#"{"requireLabel": "edge"}"#))
        .await
        .unwrap()
        .into_inner();
    let decisions = &response.apps[0].clusters;
    let verdicts: Vec<(String, pb::Verdict)> = decisions
        .iter()
        .map(|d| (d.cluster.clone().unwrap().cluster, d.verdict()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("c1".to_owned(), pb::Verdict::Keep),
            ("c2".to_owned(), pb::Verdict::Drop)
        ]
    );
    assert_eq!(decisions[1].reason, "no label edge");
}

#[tokio::test]
async fn a_controller_error_travels_as_its_status_code() {
    let serving = serve_placement(any_port(), LabelFilter, std::future::pending())
        .await
        .unwrap();
    let mut client = PlacementControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    let status = client
        .filter_clusters(filter_request(r#"{"requireLabel": 7}"#))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(status.message().contains("spec.requireLabel"), "{status}");
}

#[tokio::test]
async fn a_malformed_request_is_refused_with_the_field_named_before_the_controller_sees_it() {
    let serving = serve_placement(any_port(), LabelFilter, std::future::pending())
        .await
        .unwrap();
    let mut client = PlacementControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    let mut request = filter_request(r#"{"requireLabel": "edge"}"#);
    request.apps[0].groups[0].clusters[1].r#ref = None;
    let status = client.filter_clusters(request).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status
            .message()
            .contains("apps[0].groups[0].clusters[1].ref"),
        "{status}"
    );
}

#[tokio::test]
async fn validate_intent_reports_a_spec_that_is_not_json_as_a_violation() {
    let serving = serve(
        any_port(),
        Controller::action(Replicas),
        std::future::pending(),
    )
    .await
    .unwrap();
    let mut client = ActionControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    let validate = |spec: &str| pb::ValidateIntentRequest {
        intent: Some(intent(spec)),
    };
    let answer = client
        .validate_intent(validate("{"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.violations.len(), 1);
    assert_eq!(answer.violations[0].field, "intent.spec_json");
    let answer = client
        .validate_intent(validate(r#"{"replicas": "x"}"#))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.violations[0].field, "spec.replicas");
    let answer = client
        .validate_intent(validate(r#"{"replicas": 2}"#))
        .await
        .unwrap()
        .into_inner();
    assert!(answer.violations.is_empty());
}

#[tokio::test]
async fn an_action_controller_answers_every_rpc_over_grpc() {
    let serving = serve(
        any_port(),
        Controller::action(Replicas),
        std::future::pending(),
    )
    .await
    .unwrap();
    let mut client = ActionControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    let request = pb::UpdateAppContextRequest {
        dig: Some(dig()),
        intent: Some(intent(r#"{"replicas": 4}"#)),
        apps: vec![pb::AppResources {
            app: "nginx".into(),
            resources: vec![pb::Resource {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: "web".into(),
                namespace: "default".into(),
                body_json: r#"{"kind": "Deployment"}"#.into(),
            }],
            clusters: vec![],
        }],
        update_from_app_context_id: String::new(),
    };
    let edits = client
        .update_app_context(request)
        .await
        .unwrap()
        .into_inner()
        .edits;
    let Some(pb::edit::Op::Patch(patch)) = &edits[0].op else {
        panic!("the first edit patches the Deployment: {edits:?}");
    };
    assert_eq!(patch.r#type(), pb::PatchType::Merge);
    assert_eq!(patch.patch_json, r#"{"spec":{"replicas":4}}"#);
    assert_eq!(edits.len(), 3);

    let terminate = pb::TerminateAppContextRequest {
        dig: Some(dig()),
        intent: Some(intent("{}")),
    };
    client.terminate_app_context(terminate).await.unwrap();
    let event = pb::PostEventRequest {
        dig: Some(dig()),
        intent: Some(intent("{}")),
        event: pb::EventType::Instantiate.into(),
    };
    client.post_event(event).await.unwrap();
    let unspecified = pb::PostEventRequest {
        dig: Some(dig()),
        intent: Some(intent("{}")),
        event: pb::EventType::Unspecified.into(),
    };
    let status = client.post_event(unspecified).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
}

/// Answers `FilterClusters` only when released, and says when a call has arrived.
struct Gate {
    arrived: mpsc::UnboundedSender<()>,
    release: Arc<Notify>,
}

#[async_trait::async_trait]
impl PlacementController for Gate {
    async fn filter_clusters(&self, _request: FilterRequest) -> Result<FilterResponse> {
        self.arrived
            .send(())
            .map_err(|_| Error::Unavailable("test is gone".into()))?;
        self.release.notified().await;
        Ok(FilterResponse::default())
    }
}

#[tokio::test]
async fn shutdown_lets_the_call_in_flight_finish_then_stops_listening() {
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let gate = Gate {
        arrived: arrived_tx,
        release: release.clone(),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = serve_placement(any_port(), gate, async {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    let endpoint = format!("http://{}", serving.addr());
    let mut client = PlacementControllerClient::connect(endpoint.clone())
        .await
        .unwrap();
    let in_flight = tokio::spawn(async move { client.filter_clusters(filter_request("{}")).await });
    arrived
        .recv()
        .await
        .expect("the call reaches the controller");

    stop.send(()).unwrap();
    let wait = tokio::spawn(serving.wait());
    // Draining: the server must not finish while the call is held.
    tokio::task::yield_now().await;
    assert!(!wait.is_finished());
    release.notify_one();

    let answer = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .expect("the call in flight finishes")
        .unwrap();
    assert!(answer.is_ok(), "{answer:?}");
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the server stops once drained")
        .unwrap()
        .unwrap();
    assert!(PlacementControllerClient::connect(endpoint).await.is_err());
}

#[tokio::test]
async fn shutdown_stops_waiting_for_a_call_that_outlives_the_grace_period() {
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel();
    let gate = Gate {
        arrived: arrived_tx,
        release: Arc::new(Notify::new()),
    };
    let listener = tokio::net::TcpListener::bind(any_port()).await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let grace = Duration::from_millis(100);
    let serving = canopy_controllers::serve_listener(
        listener,
        Controller::Placement(Arc::new(gate)),
        shutdown,
        grace,
    )
    .unwrap();
    let mut client = PlacementControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    let _held = tokio::spawn(async move { client.filter_clusters(filter_request("{}")).await });
    arrived
        .recv()
        .await
        .expect("the call reaches the controller");
    stop.send(()).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), serving.wait())
        .await
        .expect("the server gives up after the grace period");
    assert!(
        matches!(ended, Err(canopy_controllers::serve::Error::GraceExceeded(g)) if g == grace),
        "{ended:?}"
    );
}
