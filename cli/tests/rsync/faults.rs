//! Faults: an unreachable cluster among healthy ones (also with one worker slot, until a stop), one given
//! up after `--max-retries` (an instantiate, then a terminate), a stop in the middle of a slow
//! instantiate or terminate, and drift (a deletion, an edit) repaired by the periodic resync.

use std::time::{Duration, Instant};

use canopy_edgesim::fault::{Faults, Flaky, Readiness, Unreachable};
use canopy_engine::appcontext::{Connectivity, Phase, State};
use canopy_rsync::Config;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_unreachable_cluster_of_fifty_leaves_the_other_forty_nine_ready() {
    let _heavy = HEAVY.lock().await;
    let world = World::start(50, false).await;
    let rsync = world.rsync(quick()).await;
    world.register_rsync(rsync.addr().port()).await;
    let names: Vec<String> = (1..=50).map(|i| format!("edge-{i:03}")).collect();
    world.register_clusters(&names).await;
    world.logical_cloud(&names).await;
    world.composite_app().await;
    world.dig(&names).await;
    let bad = world.cluster("edge-050");
    bad.set_faults(Faults {
        unreachable: Some(Unreachable::Refuse),
        ..Faults::default()
    });
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    let st = world
        .wait_progress(ctx, "49 clusters Ready and edge-050 retrying", |st| {
            let ready = st
                .iter()
                .filter(|(k, p)| !k.contains("edge-050") && p.phase == Phase::Ready)
                .count();
            let retrying = st
                .iter()
                .filter(|(k, p)| k.contains("edge-050") && p.connectivity == Connectivity::Retrying)
                .count();
            ready == 49 * 3 && retrying == 3
        })
        .await;
    let (_, p) = st.iter().find(|(k, _)| k.contains("edge-050")).unwrap();
    assert!(
        p.last_error
            .as_deref()
            .is_some_and(|e| e.contains("unreachable")),
        "the last error is kept: {p:?}"
    );
    assert_eq!(world.context_state(ctx).await, Some(State::Instantiating));
    wait_subject(&world, "edge-050 unreachable", |s| {
        s == "canopy.cluster.edge.edge-050.unreachable"
    })
    .await;

    // The cluster comes back: the context completes, and the cluster is announced reachable.
    bad.set_faults(Faults::default());
    world.wait_context(ctx, State::Instantiated).await;
    world
        .wait_progress(ctx, "all 50 clusters Ready", all_ready(150))
        .await;
    wait_subject(&world, "edge-050 reachable", |s| {
        s == "canopy.cluster.edge.edge-050.reachable"
    })
    .await;
    rsync.stop().await;
}

/// With one worker slot, an unreachable cluster (the first in line) still lets the others through: its
/// task gives the slot back while it waits for its next attempt. Without `--max-retries` it is retried
/// until the DIG is stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_cluster_holds_no_worker_slot_and_is_retried_until_a_stop() {
    let world = World::start(3, false).await;
    let rsync = world
        .rsync(Config {
            max_clusters: 1,
            ..quick()
        })
        .await;
    world.register_rsync(rsync.addr().port()).await;
    let names = world.fixture(3).await;
    world.cluster("edge-001").set_faults(Faults {
        unreachable: Some(Unreachable::Refuse),
        ..Faults::default()
    });
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    world
        .wait_progress(
            ctx,
            "edge-002 and edge-003 Ready, edge-001 retrying",
            |st| {
                let ready = st
                    .iter()
                    .filter(|(k, p)| !k.contains("edge-001") && p.phase == Phase::Ready)
                    .count();
                let retrying = st
                    .iter()
                    .filter(|(k, p)| {
                        k.contains("edge-001") && p.connectivity == Connectivity::Retrying
                    })
                    .count();
                ready == 2 * 3 && retrying == 3
            },
        )
        .await;
    assert_eq!(names.len(), 3);
    assert_eq!(world.context_state(ctx).await, Some(State::Instantiating));

    world.op(&format!("{DIG}/stop")).await.expect(202);
    world.wait_context(ctx, State::InstantiateFailed).await;
    let reason = world.context_reason(ctx).await;
    assert!(reason.contains("stopped"), "{reason}");
    rsync.stop().await;
}

/// With `--max-retries`, a cluster still unreachable after that many retries fails: the context ends
/// InstantiateFailed naming the cluster and the last error, and the healthy cluster is deployed; a
/// terminate then ends TerminateFailed, naming it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cluster_unreachable_past_max_retries_fails_the_instantiate_and_the_terminate_naming_it()
{
    let world = World::start(2, false).await;
    let rsync = world
        .rsync(canopy_rsync::Config {
            max_retries: Some(2),
            ..quick()
        })
        .await;
    world.register_rsync(rsync.addr().port()).await;
    let names: Vec<String> = (1..=2).map(|i| format!("edge-{i:03}")).collect();
    world.register_clusters(&names).await;
    world.logical_cloud(&names).await;
    world.composite_app().await;
    world.dig(&names).await;
    world.cluster("edge-002").set_faults(Faults {
        unreachable: Some(Unreachable::Refuse),
        ..Faults::default()
    });
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    world.wait_context(ctx, State::InstantiateFailed).await;
    let reason = world.context_reason(ctx).await;
    assert!(
        reason.contains("edge-002")
            && reason.contains("gave up after 3 attempts")
            && reason.contains("unreachable"),
        "{reason}"
    );
    assert!(!reason.contains("edge-001"), "{reason}");
    let st = world
        .wait_progress(ctx, "the 3 apps on edge-001 Ready", |st| {
            st.iter()
                .filter(|(k, p)| k.contains("edge-001") && p.phase == Phase::Ready)
                .count()
                == 3
        })
        .await;
    let bad: Vec<_> = st.iter().filter(|(k, _)| k.contains("edge-002")).collect();
    assert_eq!(bad.len(), 3, "{st:?}");
    for (key, p) in bad {
        assert_eq!(p.connectivity, Connectivity::Retrying, "{key}: {p:?}");
    }

    // A terminate while edge-002 is still down: edge-001 is cleaned up, and the context ends
    // TerminateFailed naming edge-002.
    world.op(&format!("{DIG}/terminate")).await.expect(202);
    world.wait_context(ctx, State::TerminateFailed).await;
    let reason = world.context_reason(ctx).await;
    assert!(
        reason.contains("edge-002") && !reason.contains("edge-001"),
        "{reason}"
    );
    assert!(
        workloads(&world, "edge-001").is_empty(),
        "{:?}",
        workloads(&world, "edge-001")
    );
    rsync.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_during_a_slow_instantiate_ends_it_at_once() {
    let world = World::start(2, false).await;
    let rsync = world.rsync(quick()).await;
    world.register_rsync(rsync.addr().port()).await;
    let names = world.fixture(2).await;
    for n in &names {
        world.cluster(n).set_faults(Faults {
            readiness: Readiness {
                min_ms: 600_000,
                max_ms: 600_000,
            },
            ..Faults::default()
        });
    }
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    // nginx is being applied: its pre-install hook Pod takes ten minutes to finish here, and the
    // operator waits for nginx.
    world
        .wait_progress(ctx, "nginx applying on both clusters", |st| {
            st.iter()
                .filter(|(k, p)| k.ends_with("/nginx") && p.phase == Phase::Applying)
                .count()
                == 2
        })
        .await;
    let stopped_at = Instant::now();
    world.op(&format!("{DIG}/stop")).await.expect(202);
    assert_eq!(world.state(DIG).await, "InstantiateStopped");
    world.wait_context(ctx, State::InstantiateFailed).await;
    let took = stopped_at.elapsed();
    println!("stop to context InstantiateFailed (stopped): {took:?}");
    // The tasks themselves were cancelled, not only marked stopped: nginx's hook still has minutes to
    // run, and only its cancelled task records nginx `Stopped`.
    world
        .wait_progress(ctx, "every app Stopped by its cancelled task", |st| {
            st.iter()
                .filter(|(k, p)| k.ends_with("/nginx") && p.phase == Phase::Stopped)
                .count()
                == 2
                && st.iter().all(|(_, p)| p.phase == Phase::Stopped)
        })
        .await;
    let reason = world.context_reason(ctx).await;
    assert!(reason.contains("stopped"), "{reason}");
    // Nothing more is applied after the stop.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for n in &names {
        let log = log(&world.cluster(n));
        assert!(
            !log.iter()
                .any(|(v, k, _)| v == "apply" && k == "StatefulSet"),
            "the operator never started on {n}"
        );
    }
    // A terminate after the stop clears the flag and cleans up.
    world.op(&format!("{DIG}/terminate")).await.expect(202);
    world.wait_context(ctx, State::Terminated).await;
    for n in &names {
        assert!(
            workloads(&world, n).is_empty(),
            "{n}: {:?}",
            workloads(&world, n)
        );
    }
    rsync.stop().await;
}

/// A stop during a slow terminate cancels it too: the DIG is TerminateStopped, the context
/// TerminateFailed with the reason "stopped", and the apps being deleted are recorded `Stopped` by
/// their cancelled task.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_during_a_slow_terminate_ends_it_at_once() {
    let world = World::start(1, false).await;
    let rsync = world.rsync(quick()).await;
    world.register_rsync(rsync.addr().port()).await;
    world.fixture(1).await;
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    world
        .wait_progress(ctx, "everything Ready", all_ready(3))
        .await;

    // Every request now takes 2 s, so deleting takes far longer than the stop.
    world.cluster("edge-001").set_faults(Faults {
        latency_ms: 2_000,
        ..Faults::default()
    });
    world.op(&format!("{DIG}/terminate")).await.expect(202);
    world.wait_context(ctx, State::Terminating).await;
    world
        .wait_progress(ctx, "an app deleting", |st| {
            st.iter().any(|(_, p)| p.phase == Phase::Deleting)
        })
        .await;
    world.op(&format!("{DIG}/stop")).await.expect(202);
    assert_eq!(world.state(DIG).await, "TerminateStopped");
    world.wait_context(ctx, State::TerminateFailed).await;
    let reason = world.context_reason(ctx).await;
    assert!(reason.contains("stopped"), "{reason}");
    world
        .wait_progress(
            ctx,
            "no app deleting, one Stopped by its cancelled task",
            |st| {
                st.iter().all(|(_, p)| p.phase != Phase::Deleting)
                    && st.iter().any(|(_, p)| p.phase == Phase::Stopped)
            },
        )
        .await;
    assert!(
        !workloads(&world, "edge-001").is_empty(),
        "the stop came before everything was deleted"
    );
    rsync.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resource_deleted_by_hand_is_back_after_a_resync() {
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
    let ctx = world.status_context(DIG).await;
    world
        .wait_progress(ctx, "everything Ready", all_ready(3))
        .await;

    let deployment = world
        .cluster("edge-001")
        .store()
        .keys()
        .find(|k| k.plural == "deployments")
        .cloned()
        .expect("nginx's Deployment");
    let url = format!(
        "{}/clusters/edge-001/apis/apps/v1/namespaces/{}/deployments/{}",
        world.sim.url(),
        deployment.namespace,
        deployment.name
    );
    let deleted = world.http.delete(&url).send().await.unwrap();
    assert!(
        deleted.status().is_success(),
        "DELETE {url}: {}",
        deleted.status()
    );
    assert!(!holds(&world, "edge-001", "deployments", &deployment.name));

    wait_subject(&world, "drift corrected", |s| {
        s.starts_with(&format!("canopy.res.{ctx}.")) && s.ends_with(".drift-corrected")
    })
    .await;
    assert!(
        holds(&world, "edge-001", "deployments", &deployment.name),
        "the Deployment is back"
    );
    world.wait_progress(ctx, "Ready again", all_ready(3)).await;

    // Someone edits a value rsync set: a resync sets it back and announces it.
    let (config, field, value) = world
        .cluster("edge-001")
        .store()
        .scan(|k| k.plural == "configmaps")
        .find_map(|(k, obj)| {
            let (field, value) = obj["data"].as_object()?.iter().next()?;
            Some((k.clone(), field.clone(), value.clone()))
        })
        .expect("a ConfigMap with data");
    let url = format!(
        "{}/clusters/edge-001/api/v1/namespaces/{}/configmaps/{}",
        world.sim.url(),
        config.namespace,
        config.name
    );
    let mut edited: serde_json::Value = world
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    edited["data"][&field] = "edited by hand".into();
    let put = world.http.put(&url).json(&edited).send().await.unwrap();
    assert!(put.status().is_success(), "PUT {url}: {}", put.status());
    assert_eq!(
        world.cluster("edge-001").store().get(&config).unwrap()["data"][&field],
        "edited by hand"
    );
    let start = Instant::now();
    while world.cluster("edge-001").store().get(&config).unwrap()["data"][&field] != value {
        assert!(
            start.elapsed() < TIMEOUT,
            "the edited value was not set back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_subject(&world, "the edited ConfigMap announced repaired", |s| {
        s.starts_with(&format!("canopy.res.{ctx}."))
            && s.contains(&format!(".ConfigMap.{}.", config.name))
            && s.ends_with(".drift-corrected")
    })
    .await;
    rsync.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_resource_fails_its_app_and_the_apps_that_need_it_on_that_cluster() {
    let (world, rsync) = World::one_cluster().await;
    let config =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n";
    // A kind the cluster does not serve: the server refuses it for good.
    let widget =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n";
    let other = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after\ndata:\n  b: \"2\"\n";
    let dig = world
        .code_dig(
            "cb",
            &[
                CodeApp {
                    name: "broken",
                    templates: &[("a-config.yaml", config), ("b-widget.yaml", widget)],
                },
                CodeApp {
                    name: "after",
                    templates: &[("c.yaml", other)],
                },
            ],
            &[("after", "broken")],
        )
        .await;
    world.op(&format!("{dig}/instantiate")).await.expect(202);
    world.wait_state(&dig, "Instantiated").await;
    let ctx = world.status_context(&dig).await;
    world.wait_context(ctx, State::InstantiateFailed).await;
    let reason = world.context_reason(ctx).await;
    assert!(
        reason.contains("edge+edge-001") && reason.contains("broken"),
        "{reason}"
    );

    let st = world.progress(ctx).await;
    let broken = &st.iter().find(|(k, _)| k.ends_with("/broken")).unwrap().1;
    assert_eq!(broken.phase, Phase::Failed);
    let (config_status, widget_status) = (&broken.resources[0], &broken.resources[1]);
    assert_eq!(
        config_status.deployed,
        canopy_engine::appcontext::Deployed::Applied
    );
    assert_eq!(
        widget_status.deployed,
        canopy_engine::appcontext::Deployed::Failed
    );
    assert!(
        widget_status
            .message
            .as_deref()
            .is_some_and(|m| m.contains("Widget")),
        "the message names the resource: {widget_status:?}"
    );
    let after = &st.iter().find(|(k, _)| k.ends_with("/after")).unwrap().1;
    assert_eq!(after.phase, Phase::Failed, "{after:?}");
    assert!(
        after
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("broken")),
        "{after:?}"
    );
    assert!(
        !holds(&world, "edge-001", "configmaps", "after"),
        "the dependent app never started"
    );
    // It is terminal: nothing is retried.
    let applies = log(&world.cluster("edge-001")).len();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(log(&world.cluster("edge-001")).len(), applies);
    rsync.stop().await;
}

/// A cluster that fails writes for a while (as behind a failing admission webhook) is retried, and its
/// resources are not marked Failed meanwhile: once it heals, each is announced `Applied` once, and no
/// resource event says `Failed`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_failing_for_a_while_are_retried_without_marking_any_resource_failed() {
    let (world, rsync) = World::one_cluster().await;
    let first = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\ndata:\n  a: \"1\"\n";
    let second = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\ndata:\n  b: \"2\"\n";
    let dig = world
        .code_dig(
            "cw",
            &[CodeApp {
                name: "plain",
                templates: &[("a.yaml", first), ("b.yaml", second)],
            }],
            &[],
        )
        .await;
    let edge = world.cluster("edge-001");
    edge.set_faults(Faults {
        flaky: Some(Flaky {
            fraction: 1.0,
            code: 500,
            writes_only: true,
        }),
        ..Faults::default()
    });
    world.op(&format!("{dig}/instantiate")).await.expect(202);
    world.wait_state(&dig, "Instantiated").await;
    let ctx = world.status_context(&dig).await;
    // The app's first write is its first main resource: it is refused at every attempt until the
    // cluster heals.
    let start = Instant::now();
    while edge.failed_writes() < 3 {
        assert!(start.elapsed() < TIMEOUT, "rsync did not try three times");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    edge.set_faults(Faults::default());
    world.wait_context(ctx, State::Instantiated).await;
    world
        .wait_progress(ctx, "the app Ready", all_ready(1))
        .await;

    let counts = applied_events(&world, ctx, 2).await;
    assert_eq!(
        counts.len(),
        2,
        "both resources announced Applied: {counts:?}"
    );
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let failed: Vec<String> = subjects(&world)
        .into_iter()
        .filter(|s| s.starts_with(&format!("canopy.res.{ctx}.")) && s.ends_with(".Failed"))
        .collect();
    assert_eq!(
        failed,
        Vec::<String>::new(),
        "no resource was announced Failed"
    );
    rsync.stop().await;
}
