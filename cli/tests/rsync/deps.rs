//! App dependencies (`rsync/src/run/deps.rs`), judged from what edgesim logged and what rsync recorded in
//! the status: a `Deployed` dependency is met once the app is applied, before it is ready; `wait` delays
//! the dependent by that many seconds after the state is reached; a dependency on an app placed on other
//! clusters is met once that app reaches the state on all of them.

use std::time::Duration;

use canopy_engine::appcontext::{AppProgress, State};
use canopy_schemas::Timestamp;

use crate::support::*;

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: base\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: base\n  template:\n    metadata:\n      labels:\n        app: base\n    spec:\n      containers:\n        - name: main\n          image: nginx:1\n";
const CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: top\ndata:\n  a: \"1\"\n";

/// The system over `clusters` edge clusters with a logical cloud over them and one in-process rsync.
async fn setup(clusters: usize) -> (World, canopy_rsync::Running, Vec<String>) {
    let world = World::start(clusters, false).await;
    let rsync = world.rsync(quick()).await;
    world.register_rsync(rsync.addr().port()).await;
    let names = edge_names(clusters);
    world.register_clusters(&names).await;
    world.logical_cloud(&names).await;
    (world, rsync, names)
}

/// Instantiates `dig` and waits until its `apps` app statuses are Ready; returns them.
async fn instantiate(world: &World, dig: &str, apps: usize) -> Vec<(String, AppProgress)> {
    world.op(&format!("{dig}/instantiate")).await.expect(202);
    world.wait_state(dig, "Instantiated").await;
    let ctx = world.status_context(dig).await;
    world.wait_context(ctx, State::Instantiated).await;
    world
        .wait_progress(ctx, "every app Ready", all_ready(apps))
        .await
}

/// The time a resource was recorded applied (or ready) in its app's status.
fn recorded(at: Option<Timestamp>, what: &str) -> Timestamp {
    at.unwrap_or_else(|| panic!("no {what} recorded"))
}

fn plus(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_nanos(t.unix_nanos() + i64::try_from(d.as_nanos()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deployed_dependency_is_met_once_its_app_is_applied_long_before_it_is_ready() {
    let (world, rsync, names) = setup(1).await;
    let dig = CodeDig::new("cd")
        .app("base", &[("d.yaml", DEPLOYMENT)], &["edge-001"])
        .app("top", &[("c.yaml", CONFIG)], &["edge-001"])
        .dependency("top", "base", "Deployed", 0)
        .create(&world)
        .await;
    world.readiness_delay(&names, Duration::from_secs(4));
    let st = instantiate(&world, &dig, 2).await;

    let base_applied = first_logged(&world, "edge-001", "apply", "Deployment", "base");
    let base_ready = first_logged(&world, "edge-001", "status", "Deployment", "base");
    let top_applied = first_logged(&world, "edge-001", "apply", "ConfigMap", "top");
    assert!(
        base_applied < top_applied,
        "top waits until base is applied: base {base_applied:?}, top {top_applied:?}"
    );
    assert!(
        top_applied < base_ready,
        "top does not wait for base to be Ready: top applied {top_applied:?}, base ready {base_ready:?}"
    );
    // rsync's own record says the same.
    let base = &status_of(&st, "edge-001", "base").resources[0];
    let top = &status_of(&st, "edge-001", "top").resources[0];
    let top_at = recorded(top.applied_at, "applied_at of top");
    let base_ready_at = recorded(base.ready_at, "ready_at of base");
    assert!(
        top_at < base_ready_at,
        "top applied at {top_at:?}, base ready at {base_ready_at:?}"
    );
    rsync.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dependency_wait_holds_the_dependent_back_that_long_after_the_state_is_reached() {
    const WAIT: Duration = Duration::from_secs(2);
    let (world, rsync, names) = setup(1).await;
    let dig = CodeDig::new("cw")
        .app("base", &[("d.yaml", DEPLOYMENT)], &["edge-001"])
        .app("top", &[("c.yaml", CONFIG)], &["edge-001"])
        .dependency("top", "base", "Ready", WAIT.as_secs())
        .create(&world)
        .await;
    world.readiness_delay(&names, Duration::from_millis(500));
    let st = instantiate(&world, &dig, 2).await;

    // The dependency was met when rsync recorded base Ready; top's first apply comes `WAIT` after.
    let base = &status_of(&st, "edge-001", "base").resources[0];
    let base_ready_at = recorded(base.ready_at, "ready_at of base");
    let top_applied = first_logged(&world, "edge-001", "apply", "ConfigMap", "top");
    assert!(
        top_applied >= plus(base_ready_at, WAIT),
        "top applied {:?} after base was Ready, less than the wait of {WAIT:?}",
        Duration::from_nanos(
            u64::try_from(top_applied.unix_nanos() - base_ready_at.unix_nanos()).unwrap_or(0)
        )
    );
    let base_ready = first_logged(&world, "edge-001", "status", "Deployment", "base");
    assert!(top_applied >= plus(base_ready, WAIT), "as edgesim saw it");
    rsync.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dependency_on_an_app_placed_elsewhere_is_met_once_it_is_ready_on_all_its_clusters() {
    let (world, rsync, _) = setup(3).await;
    let dig = CodeDig::new("cx")
        .app("base", &[("d.yaml", DEPLOYMENT)], &["edge-002", "edge-003"])
        .app("top", &[("c.yaml", CONFIG)], &["edge-001"])
        .dependency("top", "base", "Ready", 0)
        .create(&world)
        .await;
    // base is Ready on edge-002 long before it is on edge-003.
    world.readiness_delay(&["edge-002".to_string()], Duration::from_millis(300));
    world.readiness_delay(&["edge-003".to_string()], Duration::from_secs(3));
    let st = instantiate(&world, &dig, 3).await;

    assert!(
        logged(&world, "edge-001", "apply", "Deployment", "base").is_empty(),
        "base is not placed on edge-001"
    );
    let top_applied = first_logged(&world, "edge-001", "apply", "ConfigMap", "top");
    for name in ["edge-002", "edge-003"] {
        let base = &status_of(&st, name, "base").resources[0];
        let ready_at = recorded(base.ready_at, "ready_at of base");
        let ready = first_logged(&world, name, "status", "Deployment", "base");
        assert!(
            top_applied >= ready_at && top_applied > ready,
            "top applied at {top_applied:?} on edge-001 before base was Ready on {name} \
             (recorded {ready_at:?}, edgesim {ready:?})"
        );
    }
    rsync.stop().await;
}

#[test]
fn apply_log_times_read_as_unix_time() {
    for secs in [0u64, 951_782_400, 1_767_323_045, 4_102_444_799] {
        let text = canopy_edgesim::clock::format_unix(secs);
        let with_micros = format!("{}.000042Z", text.trim_end_matches('Z'));
        assert_eq!(
            parse_log_time(&with_micros).unix_nanos(),
            i64::try_from(secs).unwrap() * 1_000_000_000 + 42_000,
            "{with_micros}"
        );
    }
}
