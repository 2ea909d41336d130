//! Update, make before break, and rollback: a changed override re-applies what it changes, leaves the rest
//! untouched, and deletes a resource that went away only after the new resources are Ready; a rollback
//! brings it back.

use std::time::Duration;

use canopy_edgesim::fault::{Faults, Readiness};
use canopy_engine::appcontext::State;
use serde_json::json;

use crate::support::*;

async fn put_profile(world: &World, name: &str, app: &str, values: &str) {
    let form = reqwest::multipart::Form::new()
        .part(
            "metadata",
            reqwest::multipart::Part::text(
                json!({"metadata": {"name": name}, "spec": {"app": app}}).to_string(),
            ),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(profile(values)).file_name("p.tgz"),
        );
    let r = world
        .http
        .put(format!(
            "{}{CA}/composite-profiles/cp/profiles/{name}",
            world.base
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "PUT profile: {}",
        r.text().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_update_is_make_before_break_and_a_rollback_restores() {
    let (world, rsync) = World::one_cluster().await;
    world.composite_app().await;
    world.dig(&["edge-001".to_string()]).await;
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let first = world.status_context(DIG).await;
    world.wait_context(first, State::Instantiated).await;
    world
        .wait_progress(first, "revision 1 Ready", all_ready(3))
        .await;
    assert!(holds(&world, "edge-001", "serviceaccounts", "nginx-sa"));

    // Revision 2: nginx no longer has its ServiceAccount (the Deployment changes with it), collectd's
    // Service moves to another port; the operator does not change. Readiness takes a moment, so that the
    // order of "ready" and "deleted" shows in the log.
    let cluster = world.cluster("edge-001");
    cluster.set_faults(Faults {
        readiness: Readiness {
            min_ms: 500,
            max_ms: 500,
        },
        ..Faults::default()
    });
    put_profile(
        &world,
        "nginx-profile",
        "nginx",
        "serviceAccount:\n  create: false\n",
    )
    .await;
    put_profile(
        &world,
        "collectd-profile",
        "collectd",
        "collectd_prometheus:\n  service:\n    type: ClusterIP\n    port: 9200\n    targetPort: 9103\n    selector:\n      app: collectd\n      collector: collectd\n",
    )
    .await;
    let mark = cluster.apply_log().0.len();
    world
        .post(&format!("{DIG}/update"), json!({}))
        .await
        .expect(202);
    let second = loop {
        let ctx = world.status_context(DIG).await;
        if ctx != first && world.state(DIG).await == "Instantiated" {
            break ctx;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    world.wait_context(second, State::Instantiated).await;
    world.wait_context(first, State::Updated).await;
    world
        .wait_progress(second, "revision 2 Ready", all_ready(3))
        .await;
    assert!(
        !holds(&world, "edge-001", "serviceaccounts", "nginx-sa"),
        "the removed ServiceAccount is gone"
    );

    let after: Vec<_> = cluster.apply_log().0.into_iter().skip(mark).collect();
    let applied = |kind: &str| {
        after
            .iter()
            .filter(|e| e.verb == "apply" && e.kind == kind)
            .count()
    };
    assert_eq!(
        applied("Deployment"),
        1,
        "nginx's changed Deployment is re-applied once: {after:#?}"
    );
    assert_eq!(
        applied("Service"),
        1,
        "only collectd's changed Service is re-applied: {after:#?}"
    );
    assert_eq!(
        applied("StatefulSet"),
        0,
        "the unchanged operator is not touched"
    );
    assert_eq!(
        applied("DaemonSet"),
        0,
        "collectd's unchanged DaemonSet is not touched"
    );
    let deleted = after
        .iter()
        .position(|e| e.verb == "delete" && e.kind == "ServiceAccount")
        .expect("the ServiceAccount is deleted");
    let ready = after
        .iter()
        .rposition(|e| e.verb == "status" && e.kind == "Deployment")
        .expect("the new Deployment became ready");
    assert!(
        ready < deleted,
        "make before break: deleted at {deleted}, ready at {ready}: {after:#?}"
    );

    // Rollback to revision 1: the ServiceAccount is back.
    world
        .post(
            &format!("{DIG}/rollback"),
            json!({"metadata": {"description": "back"}, "spec": {"revision": "1"}}),
        )
        .await
        .expect(202);
    world.wait_context(first, State::Instantiated).await;
    world.wait_context(second, State::Updated).await;
    assert!(
        holds(&world, "edge-001", "serviceaccounts", "nginx-sa"),
        "rollback restores it"
    );
    rsync.stop().await;
}
