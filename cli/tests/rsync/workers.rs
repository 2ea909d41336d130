//! The workers and the queue under slow clusters, judged from what edgesim logged: a task that outlives
//! the JetStream ack wait stays with the replica working on it (in-progress acks), and one process works
//! on no more than `max_clusters` clusters at once.

use std::time::Duration;

use canopy_engine::appcontext::{ContextKeys, State};
use canopy_rsync::Config;
use canopy_rsync::op::{self, DoneRecord};
use canopy_schemas::Timestamp;

use crate::support::*;

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: base\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: base\n  template:\n    metadata:\n      labels:\n        app: base\n    spec:\n      containers:\n        - name: main\n          image: nginx:1\n";
/// A pre-install hook that is ready once it exists. Each run of a task deletes the one left from an
/// earlier run and applies it again (Helm's `before-hook-creation`), so edgesim logs one apply per run:
/// re-applying an unchanged object, as a second run does with everything else, logs nothing.
const HOOK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: run\n  annotations:\n    helm.sh/hook: pre-install\ndata:\n  a: \"1\"\n";
const CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: top\ndata:\n  a: \"1\"\n";

/// On every cluster of `names`: `base` (the hook [`HOOK`], then a Deployment) and `top` (a ConfigMap),
/// which waits until `base` is Ready. A cluster's task thus runs from `base`'s apply, through its
/// readiness delay, to `top`'s.
async fn slow_dig(world: &World, names: &[&str]) -> String {
    CodeDig::new("slow")
        .app(
            "base",
            &[("a-hook.yaml", HOOK), ("d.yaml", DEPLOYMENT)],
            names,
        )
        .app("top", &[("c.yaml", CONFIG)], names)
        .dependency("top", "base", "Ready", 0)
        .create(world)
        .await
}

/// Registers `names` and a logical cloud over them.
async fn clusters(world: &World, names: &[String]) {
    world.register_clusters(names).await;
    world.logical_cloud(names).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_longer_than_the_ack_wait_stays_with_its_replica_and_runs_once() {
    const ACK_WAIT: Duration = Duration::from_secs(2);
    let world = World::start(4, true).await;
    let config = |name: &str| Config {
        name: name.into(),
        keep_alive: ACK_WAIT / 4,
        ..quick()
    };
    let a = world.rsync_with_ack_wait(config("rsync-a"), ACK_WAIT).await;
    let b = world.rsync_with_ack_wait(config("rsync-b"), ACK_WAIT).await;
    world.register_rsync(a.addr().port()).await;
    let names = edge_names(4);
    clusters(&world, &names).await;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let dig = slow_dig(&world, &refs).await;
    world.readiness_delay(&names, 3 * ACK_WAIT);

    world.op(&format!("{dig}/instantiate")).await.expect(202);
    world.wait_state(&dig, "Instantiated").await;
    let ctx = world.status_context(&dig).await;
    world.wait_context(ctx, State::Instantiated).await;
    world
        .wait_progress(ctx, "every app Ready", all_ready(2 * names.len()))
        .await;

    for name in &names {
        let runs = logged(&world, name, "apply", "ConfigMap", "run");
        let redone = logged(&world, name, "delete", "ConfigMap", "run");
        assert_eq!(
            (runs.len(), redone.len()),
            (1, 0),
            "{name}: the task ran more than once (hook applied at {runs:?}, deleted at {redone:?})"
        );
        // The precondition: the task did outlive the ack wait.
        let started = runs[0].unix_nanos();
        let last = first_logged(&world, name, "apply", "ConfigMap", "top").unix_nanos();
        assert!(
            last - started > i64::try_from(ACK_WAIT.as_nanos()).unwrap(),
            "{name}: the task took only {} ns",
            last - started
        );
    }
    let dones = world
        .ctx
        .range(&ContextKeys::new(ctx).rsync_dones())
        .await
        .unwrap();
    let by: Vec<String> = dones
        .kvs
        .iter()
        .map(|kv| op::decode::<DoneRecord>(kv).unwrap().by)
        .collect();
    assert_eq!(by.len(), names.len(), "one completion per cluster: {by:?}");
    assert!(
        by.iter().all(|r| r == "rsync-a" || r == "rsync-b"),
        "{by:?}"
    );
    a.stop().await;
    b.stop().await;
}

/// The most intervals that hold one instant, of closed intervals `(start, end)`.
fn peak(intervals: &[(Timestamp, Timestamp)]) -> usize {
    // Starts sort before ends at the same instant, so touching intervals count as overlapping.
    let mut edges: Vec<(Timestamp, i32)> = intervals
        .iter()
        .flat_map(|(s, e)| [(*s, -1), (*e, 1)])
        .collect();
    edges.sort();
    let (mut now, mut most) = (0usize, 0usize);
    for (_, edge) in edges {
        if edge < 0 {
            now += 1;
            most = most.max(now);
        } else {
            now -= 1;
        }
    }
    most
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_more_than_max_clusters_clusters_are_worked_on_at_once() {
    const BOUND: usize = 2;
    let world = World::start(8, false).await;
    let rsync = world
        .rsync(Config {
            max_clusters: BOUND,
            ..quick()
        })
        .await;
    world.register_rsync(rsync.addr().port()).await;
    let names = edge_names(8);
    clusters(&world, &names).await;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let dig = slow_dig(&world, &refs).await;
    world.readiness_delay(&names, Duration::from_secs(1));

    world.op(&format!("{dig}/instantiate")).await.expect(202);
    world.wait_state(&dig, "Instantiated").await;
    let ctx = world.status_context(&dig).await;
    world.wait_context(ctx, State::Instantiated).await;
    world
        .wait_progress(ctx, "every app Ready", all_ready(2 * names.len()))
        .await;

    // Each cluster was worked on at least from base's apply to top's: the task held its slot throughout.
    let intervals: Vec<(Timestamp, Timestamp)> = names
        .iter()
        .map(|name| {
            (
                first_logged(&world, name, "apply", "Deployment", "base"),
                first_logged(&world, name, "apply", "ConfigMap", "top"),
            )
        })
        .collect();
    let most = peak(&intervals);
    assert!(
        most <= BOUND,
        "{most} clusters were worked on at once, above the bound of {BOUND}: {intervals:#?}"
    );
    assert_eq!(most, BOUND, "the bound is used: {intervals:#?}");
    rsync.stop().await;
}

#[test]
fn peak_counts_the_most_overlapping_intervals() {
    let t = Timestamp::from_unix_nanos;
    assert_eq!(peak(&[]), 0);
    assert_eq!(peak(&[(t(0), t(5)), (t(6), t(9))]), 1);
    assert_eq!(peak(&[(t(0), t(5)), (t(5), t(9))]), 2);
    assert_eq!(
        peak(&[(t(0), t(9)), (t(1), t(2)), (t(3), t(4)), (t(3), t(8))]),
        3
    );
}
