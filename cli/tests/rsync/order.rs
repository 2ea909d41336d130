//! Install and terminate in order: hooks around nginx, the operator after nginx is Ready, collectd after
//! the operator is Ready; terminate in the reverse order, until the objects are gone.

use canopy_engine::appcontext::{ContextKeys, Deployed, Phase, Ready, State};
use canopy_schemas::proto::rsync::v1 as pb;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instantiate_applies_in_dependency_order_and_a_terminate_undoes_it_in_reverse() {
    let world = World::start(2, false).await;
    let rsync = world.rsync(quick()).await;
    world.register_rsync(rsync.addr().port()).await;
    let clusters = world.fixture(2).await;

    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    world.wait_context(ctx, State::Instantiated).await;
    let st = world
        .wait_progress(ctx, "every app Ready on both clusters", all_ready(6))
        .await;
    for (key, p) in &st {
        assert!(!p.resources.is_empty(), "{key} lists its resources");
        for r in &p.resources {
            assert_eq!(
                (r.deployed, r.ready),
                (Deployed::Applied, Ready::Ready),
                "{key}: {r:?}"
            );
            assert!(
                r.applied_at.is_some() && r.ready_at.is_some(),
                "{key}: {r:?}"
            );
            assert!(r.ready_at >= r.applied_at, "ready after applied: {r:?}");
        }
    }

    for name in &clusters {
        let cluster = world.cluster(name);
        let log = log(&cluster);
        let pre = position(&log, "apply", "Pod", Some("pre-install-hook-pod"));
        let post = position(&log, "apply", "Pod", Some("post-install-hook-pod"));
        let nginx_deploy = position(&log, "apply", "Deployment", None);
        assert!(
            pre < nginx_deploy,
            "pre-install hook before nginx on {name}: {log:#?}"
        );
        assert!(
            nginx_deploy < post,
            "post-install hook after nginx on {name}"
        );
        // The operator's StatefulSet comes after nginx's Deployment was Ready; collectd (a DaemonSet)
        // after the operator's StatefulSet was Ready. Readiness is the edgesim status write, which the
        // apply log records as `status`; compare against the full log.
        let full: Vec<_> = cluster.apply_log().0;
        let at = |verb: &str, kind: &str| {
            full.iter()
                .position(|e| e.verb == verb && e.kind == kind)
                .unwrap_or_else(|| panic!("no {verb} {kind} on {name}"))
        };
        let nginx_ready = full
            .iter()
            .rposition(|e| e.verb == "status" && e.kind == "Deployment")
            .unwrap_or(at("apply", "Deployment"));
        assert!(
            nginx_ready < at("apply", "StatefulSet"),
            "operator after nginx Ready on {name}"
        );
        let operator_ready = full
            .iter()
            .rposition(|e| e.verb == "status" && e.kind == "StatefulSet")
            .unwrap_or(at("apply", "StatefulSet"));
        assert!(
            operator_ready < at("apply", "DaemonSet"),
            "collectd after the operator Ready on {name}"
        );
        for e in full.iter().filter(|e| e.verb == "apply") {
            assert_eq!(
                e.manager, "canopy",
                "field manager of {} {}",
                e.kind, e.name
            );
        }
    }

    // The engine's status reads what rsync wrote.
    let status = world
        .get(&format!("{DIG}/status?status=ready"))
        .await
        .expect(200)
        .body;
    assert_eq!(status["deployedStatus"], "Instantiated", "{status}");
    assert_eq!(status["readyStatus"], "Ready", "{status}");
    let resources: usize = st.iter().map(|(_, p)| p.resources.len()).sum();
    assert_eq!(status["readyCounts"]["Ready"], resources, "{status}");
    let deployed = world.get(&format!("{DIG}/status")).await.expect(200).body;
    assert_eq!(
        deployed["deployedCounts"]["Applied"], resources,
        "{deployed}"
    );
    assert_eq!(
        deployed["apps"][0]["clusters"][0]["connectivity"], "Available",
        "{deployed}"
    );

    // ReadAppContext reads the live objects back into the context store.
    let mut client = pb::rsync_client::RsyncClient::connect(format!("http://{}", rsync.addr()))
        .await
        .unwrap();
    client
        .read_app_context(pb::ReadAppContextRequest {
            app_context_id: ctx.to_string(),
        })
        .await
        .unwrap();
    world.wait_context(ctx, State::Instantiated).await;
    let live_key =
        ContextKeys::new(ctx).live(&"edge+edge-001".parse().unwrap(), &"nginx".parse().unwrap());
    let live = loop {
        if let Some(kv) = world.ctx.get(&live_key).await.unwrap() {
            break kv;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let objects: Vec<serde_json::Value> = serde_json::from_slice(&live.value).unwrap();
    let nginx = st
        .iter()
        .find(|(k, _)| k.ends_with("edge+edge-001/nginx"))
        .unwrap();
    assert_eq!(objects.len(), nginx.1.resources.len());
    assert!(
        objects
            .iter()
            .all(|o| o["metadata"]["labels"]["canopy/deployment-id"] == format!("{ctx}-nginx")),
        "live objects carry the deployment label: {objects:?}"
    );

    // Terminate: collectd goes first, then the operator, then nginx; then everything is gone.
    world.op(&format!("{DIG}/terminate")).await.expect(202);
    world.wait_context(ctx, State::Terminated).await;
    let st = world.progress(ctx).await;
    assert!(st.iter().all(|(_, p)| p.phase == Phase::Deleted), "{st:#?}");
    for name in &clusters {
        let log = log(&world.cluster(name));
        let collectd = last_position(&log, "delete", "DaemonSet", None);
        let operator = last_position(&log, "delete", "StatefulSet", None);
        let nginx = last_position(&log, "delete", "Deployment", None);
        assert!(
            collectd < operator && operator < nginx,
            "reverse order on {name}: {log:#?}"
        );
        let kept = workloads(&world, name);
        assert!(kept.is_empty(), "workloads left on {name}: {kept:?}");
    }
    // The DIG may be deleted now that its context is Terminated.
    assert_eq!(world.state(DIG).await, "Terminated");
    rsync.stop().await;
}
