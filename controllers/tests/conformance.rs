//! The conformance suite passes correct controllers and catches broken ones.

mod common;

use std::time::Duration;

use canopy_controllers::conformance::{Check, Suite};
use canopy_controllers::{serve_action, serve_placement};
use common::{LabelFilter, Phantom, Replicas, Sluggish, Stowaway, any_port};
use serde_json::json;

#[tokio::test]
async fn a_correct_placement_controller_passes() {
    let serving = serve_placement(any_port(), LabelFilter, std::future::pending())
        .await
        .unwrap();
    let suite = Suite::new(serving.addr()).with_spec(json!({"requireLabel": "edge"}));
    suite
        .check_placement()
        .await
        .unwrap_or_else(|f| panic!("{f}"));
}

#[tokio::test]
async fn a_correct_action_controller_passes() {
    let serving = serve_action(any_port(), Replicas, std::future::pending())
        .await
        .unwrap();
    let suite = Suite::new(serving.addr()).with_spec(json!({"replicas": 3}));
    suite.check_action().await.unwrap_or_else(|f| panic!("{f}"));
}

#[tokio::test]
async fn a_placement_controller_that_keeps_a_cluster_that_was_no_candidate_fails() {
    let serving = serve_placement(any_port(), Stowaway, std::future::pending())
        .await
        .unwrap();
    let failures = Suite::new(serving.addr())
        .check_placement()
        .await
        .unwrap_err();
    assert!(failures.has(Check::OnlyCandidates), "{failures}");
    assert!(failures.to_string().contains("p9+elsewhere"), "{failures}");
}

#[tokio::test]
async fn an_action_controller_that_deletes_a_resource_that_does_not_exist_fails() {
    let serving = serve_action(any_port(), Phantom, std::future::pending())
        .await
        .unwrap();
    let failures = Suite::new(serving.addr()).check_action().await.unwrap_err();
    assert!(failures.has(Check::EditTargetsExist), "{failures}");
}

#[tokio::test]
async fn a_controller_that_accepts_a_spec_that_is_not_json_fails() {
    // The SDK's adapter answers a spec that is not JSON itself, so this one speaks the generated service
    // directly, as a controller written without the SDK would.
    let failures = common::raw::accept_everything().await;
    assert!(failures.has(Check::RejectsGarbageSpec), "{failures}");
}

#[tokio::test]
async fn a_placement_controller_that_misses_its_deadline_fails() {
    let serving = serve_placement(any_port(), Sluggish, std::future::pending())
        .await
        .unwrap();
    let suite = Suite::new(serving.addr()).with_deadline(Duration::from_millis(200));
    let failures = suite.check_placement().await.unwrap_err();
    assert!(failures.has(Check::Deadline), "{failures}");
}

#[tokio::test]
async fn nothing_listening_fails_to_connect() {
    let listener = std::net::TcpListener::bind(any_port()).unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let failures = Suite::new(addr).check_action().await.unwrap_err();
    assert!(failures.has(Check::Connects), "{failures}");
}

#[tokio::test]
async fn a_placement_controller_that_panics_on_an_odd_spec_fails() {
    let serving = serve_placement(any_port(), common::Trusting, std::future::pending())
        .await
        .unwrap();
    let failures = Suite::new(serving.addr())
        .check_placement()
        .await
        .unwrap_err();
    assert!(failures.has(Check::ContractCodes), "{failures}");
}

#[tokio::test]
async fn the_suite_can_serve_a_controller_value_itself() {
    use canopy_controllers::conformance::{
        apps, check_action_controller, check_placement_controller,
    };
    check_action_controller(Replicas, |s| {
        s.with_spec(json!({"replicas": 1}))
            .with_apps(apps(["web", "db", "cache"]))
    })
    .await
    .unwrap_or_else(|f| panic!("{f}"));
    let failures = check_placement_controller(Stowaway, |s| s)
        .await
        .unwrap_err();
    assert!(failures.has(Check::OnlyCandidates), "{failures}");
}
