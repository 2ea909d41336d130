//! A controller intent is checked by its controller's `ValidateIntent` before it is written, over real gRPC
//! to a small placement controller served with the SDK; and a controller's PUT or DELETE drops its cached
//! channel.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use canopy_controllers::{PlacementController, Serving, serve_placement};
use canopy_schemas::controller::{FilterRequest, FilterResponse, ValidateRequest, Violation};
use canopy_schemas::name::ControllerName;
use serde_json::{Value, json};

use crate::intents::with_dig;
use crate::support::{DIG, TestServer};

/// A placement controller whose intents need `replicas` and nothing else; it counts `ValidateIntent` calls.
#[derive(Clone, Default)]
pub struct Hpa {
    validations: Arc<AtomicUsize>,
}

impl Hpa {
    pub async fn serve(&self) -> Serving {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        serve_placement(addr, self.clone(), std::future::pending())
            .await
            .expect("the test controller binds")
    }

    pub fn validations(&self) -> usize {
        self.validations.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl PlacementController for Hpa {
    async fn filter_clusters(
        &self,
        _request: FilterRequest,
    ) -> canopy_controllers::Result<FilterResponse> {
        Ok(FilterResponse::default())
    }

    async fn validate_intent(
        &self,
        request: ValidateRequest,
    ) -> canopy_controllers::Result<Vec<Violation>> {
        self.validations.fetch_add(1, Ordering::SeqCst);
        let spec = &request.intent.spec;
        let mut violations = Vec::new();
        if spec.get("replicas").is_none() {
            violations.push(Violation::new("spec.replicas", "is required"));
        }
        for k in spec.as_object().into_iter().flat_map(|o| o.keys()) {
            if k != "replicas" && k != "apps" {
                violations.push(Violation::new(
                    format!("spec.{k}"),
                    "is not a field hpa knows",
                ));
            }
        }
        Ok(violations)
    }
}

/// The REST body registering placement controller `name` at `addr`.
pub fn controller(name: &str, addr: SocketAddr) -> Value {
    json!({"metadata": {"name": name}, "spec": {"host": addr.ip().to_string(), "port": addr.port(),
        "type": "placement", "priority": 1}})
}

#[tokio::test]
async fn an_intent_the_controller_refuses_answers_400_with_each_violation_and_is_not_stored() {
    let s = TestServer::start().await;
    with_dig(&s).await;
    let hpa = Hpa::default();
    let server = hpa.serve().await;
    s.post("/controllers", controller("hpa", server.addr()))
        .await
        .expect(201);
    let bad = json!({"metadata": {"name": "scale"}, "spec": {"max": 5, "zone": "eu"}});
    let reply = s
        .post(&format!("{DIG}/controller-intents/hpa"), bad.clone())
        .await
        .expect(400);
    let body = reply.json();
    assert_eq!(
        body["violations"],
        json!([
            {"field": "spec.replicas", "rule": "is required"},
            {"field": "spec.max", "rule": "is not a field hpa knows"},
            {"field": "spec.zone", "rule": "is not a field hpa knows"},
        ])
    );
    assert_eq!(body["field"], json!("spec.replicas"));
    assert!(
        reply
            .error()
            .contains("controller hpa refused intent scale"),
        "{body}"
    );
    s.get(&format!("{DIG}/controller-intents/hpa/scale"))
        .await
        .expect(404);
    // A PUT is checked the same way.
    s.put(&format!("{DIG}/controller-intents/hpa/scale"), bad)
        .await
        .expect(400);
    s.get(&format!("{DIG}/controller-intents/hpa/scale"))
        .await
        .expect(404);
    assert_eq!(hpa.validations(), 2);
}

#[tokio::test]
async fn an_intent_for_an_unreachable_controller_answers_503_and_is_not_stored() {
    let s = TestServer::start().await;
    with_dig(&s).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    s.post("/controllers", controller("hpa", addr))
        .await
        .expect(201);
    let intent = json!({"metadata": {"name": "scale"}, "spec": {"replicas": 2}});
    let reply = s
        .post(&format!("{DIG}/controller-intents/hpa"), intent)
        .await
        .expect(503);
    let error = reply.error();
    assert!(error.contains("controller hpa is unreachable"), "{error}");
    assert!(error.contains("retryable"), "{error}");
    s.get(&format!("{DIG}/controller-intents/hpa/scale"))
        .await
        .expect(404);
}

#[tokio::test]
async fn an_accepted_intent_is_stored_and_re_registering_the_controller_moves_the_next_call() {
    let s = TestServer::start().await;
    with_dig(&s).await;
    let (old, new) = (Hpa::default(), Hpa::default());
    let (old_server, new_server) = (old.serve().await, new.serve().await);
    s.post("/controllers", controller("hpa", old_server.addr()))
        .await
        .expect(201);
    let intents = format!("{DIG}/controller-intents/hpa");
    let scale = json!({"metadata": {"name": "scale"}, "spec": {"replicas": 2}});
    s.post(&intents, scale.clone()).await.expect(201);
    assert_eq!(
        s.get(&format!("{intents}/scale")).await.expect(200).json(),
        scale
    );
    let name = ControllerName::new("hpa").unwrap();
    let table = s.api.remote.table();
    assert_eq!(
        table.endpoint(&name).map(|e| e.1),
        Some(old_server.addr().port())
    );

    s.put("/controllers/hpa", controller("hpa", new_server.addr()))
        .await
        .expect(200);
    assert_eq!(
        table.endpoint(&name),
        None,
        "a PUT drops the cached channel"
    );
    let more = json!({"metadata": {"name": "more"}, "spec": {"replicas": 3}});
    s.post(&intents, more).await.expect(201);
    assert_eq!((old.validations(), new.validations()), (1, 1));

    for intent in ["scale", "more"] {
        s.delete(&format!("{intents}/{intent}")).await.expect(204);
    }
    assert!(table.endpoint(&name).is_some());
    s.delete("/controllers/hpa").await.expect(204);
    assert_eq!(
        table.endpoint(&name),
        None,
        "a DELETE drops the cached channel"
    );
}
