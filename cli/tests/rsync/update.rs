//! Update, make before break, and rollback: a changed override re-applies what it changes, leaves the rest
//! untouched, and deletes a resource that went away only after the new resources are Ready; a rollback
//! brings it back.

use std::time::Duration;

use canopy_edgesim::fault::{Faults, Readiness};
use canopy_engine::appcontext::State;
use canopy_schemas::ContextId;
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

/// collectd's override that moves its Service to another port (the rest of collectd is unchanged).
const COLLECTD_PORT_9200: &str = "collectd_prometheus:\n  service:\n    type: ClusterIP\n    port: 9200\n    targetPort: 9103\n    selector:\n      app: collectd\n      collector: collectd\n";

/// Posts `DIG/update` and returns the new context once the DIG records it (not `first`); with
/// `instantiated`, once the DIG is `Instantiated` again too.
async fn update(world: &World, first: ContextId, instantiated: bool) -> ContextId {
    world
        .post(&format!("{DIG}/update"), json!({}))
        .await
        .expect(202);
    loop {
        let ctx = world.status_context(DIG).await;
        if ctx != first && (!instantiated || world.state(DIG).await == "Instantiated") {
            return ctx;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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
    put_profile(&world, "collectd-profile", "collectd", COLLECTD_PORT_9200).await;
    let mark = cluster.apply_log().0.len();
    let second = update(&world, first, true).await;
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

/// The resourceVersion and deployment id of each object of `plural` on edge-001.
fn versions(world: &World, plural: &str) -> Vec<(String, String, String)> {
    let cluster = world.cluster("edge-001");
    let store = cluster.store();
    let mut all: Vec<_> = store
        .scan(|k| k.plural == plural)
        .map(|(k, obj)| {
            (
                k.name.clone(),
                obj["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                obj["metadata"]["labels"]["canopy/deployment-id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resync_after_an_update_leaves_what_the_update_did_not_change_alone() {
    let world = World::start(1, false).await;
    let rsync = world
        .rsync(canopy_rsync::Config {
            resync: Duration::from_secs(1),
            ..quick()
        })
        .await;
    world.register_rsync(rsync.addr().port()).await;
    world.fixture(1).await;
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let first = world.status_context(DIG).await;
    world
        .wait_progress(first, "revision 1 Ready", all_ready(3))
        .await;

    // Revision 2 changes collectd's Service only.
    put_profile(&world, "collectd-profile", "collectd", COLLECTD_PORT_9200).await;
    let second = update(&world, first, true).await;
    world.wait_context(second, State::Instantiated).await;
    world
        .wait_progress(second, "revision 2 Ready", all_ready(3))
        .await;
    let workloads_after_update = [
        versions(&world, "deployments"),
        versions(&world, "statefulsets"),
        versions(&world, "daemonsets"),
    ];
    for (name, _, id) in workloads_after_update.iter().flatten() {
        assert!(
            id.starts_with(&format!("{first}-")),
            "{name} was not changed by the update and keeps the id of the context that applied it: {id}"
        );
    }

    // Delete the changed Service by hand twice, each time until a resync brings it back: the second
    // repair comes in a later resync pass than the first, so at least one whole pass over every app
    // ran in between.
    let (service, _, id) = versions(&world, "services")
        .into_iter()
        .find(|(name, _, _)| name.contains("collectd"))
        .expect("collectd's Service");
    assert_eq!(id, format!("{second}-collectd"), "the update applied it");
    let cluster = world.cluster("edge-001");
    let key = cluster
        .store()
        .keys()
        .find(|k| k.plural == "services" && k.name == service)
        .cloned()
        .unwrap();
    let url = format!(
        "{}/clusters/edge-001/api/v1/namespaces/{}/services/{}",
        world.sim.url(),
        key.namespace,
        key.name
    );
    let repaired = |world: &World| {
        subjects(world)
            .iter()
            .filter(|s| {
                s.starts_with(&format!("canopy.res.{second}.")) && s.ends_with(".drift-corrected")
            })
            .count()
    };
    for round in 1..=2 {
        let deleted = world.http.delete(&url).send().await.unwrap();
        assert!(
            deleted.status().is_success(),
            "DELETE {url}: {}",
            deleted.status()
        );
        wait_subject(&world, "the Service repaired", |_| {
            repaired(&world) >= round
        })
        .await;
        assert!(holds(&world, "edge-001", "services", &service));
    }

    // The resyncs re-applied every resource of the second context, and the unchanged ones are as the
    // update left them: same resourceVersion (so no pod-template change, no rollout), same id, and no
    // drift announced for them.
    assert_eq!(
        [
            versions(&world, "deployments"),
            versions(&world, "statefulsets"),
            versions(&world, "daemonsets"),
        ],
        workloads_after_update
    );
    let drifts: Vec<String> = subjects(&world)
        .into_iter()
        .filter(|s| s.ends_with(".drift-corrected"))
        .collect();
    assert!(
        drifts
            .iter()
            .all(|s| s.contains(&format!(".Service.{service}."))),
        "only the deleted Service drifted: {drifts:#?}"
    );
    rsync.stop().await;
}

/// An update that cannot reach one of its clusters (past `--max-retries`) fails: the new context ends
/// InstantiateFailed and the old one UpdateFailed, both naming the cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_update_that_fails_on_a_cluster_leaves_the_old_context_update_failed() {
    let world = World::start(2, false).await;
    let rsync = world
        .rsync(canopy_rsync::Config {
            max_retries: Some(1),
            ..quick()
        })
        .await;
    world.register_rsync(rsync.addr().port()).await;
    world.fixture(2).await;
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let first = world.status_context(DIG).await;
    world
        .wait_progress(first, "revision 1 Ready", all_ready(6))
        .await;

    world.cluster("edge-002").set_faults(Faults {
        unreachable: Some(canopy_edgesim::fault::Unreachable::Refuse),
        ..Faults::default()
    });
    put_profile(&world, "collectd-profile", "collectd", COLLECTD_PORT_9200).await;
    let second = update(&world, first, false).await;
    world.wait_context(second, State::InstantiateFailed).await;
    world.wait_context(first, State::UpdateFailed).await;
    for ctx in [first, second] {
        let reason = world.context_reason(ctx).await;
        assert!(
            reason.contains("edge-002") && !reason.contains("edge-001"),
            "{ctx}: {reason}"
        );
    }
    rsync.stop().await;
}
