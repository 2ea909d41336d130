//! Restarts and replicas: `canopy rsync` killed with SIGKILL in the middle of a 200-cluster instantiate
//! picks up where it was when it starts again, and two replicas share the clusters of one DIG without
//! applying any task twice.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use canopy_engine::appcontext::{ContextKeys, State};
use canopy_rsync::op::{self, DoneRecord};

use crate::support::*;

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_rsync(world: &World, port: u16) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args([
            "rsync",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--etcd",
            &world.etcd.endpoint(),
            "--nats",
            &world.nats.as_ref().expect("a NATS world").url(),
            "--engine",
            &world.base,
            "--advertise",
            &format!("127.0.0.1:{port}"),
            "--backoff-base-ms",
            "100",
            "--backoff-cap",
            "1",
            "--ack-wait",
            "5",
            "--resync",
            "0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("canopy rsync starts");
    Process(child)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rsync_killed_mid_instantiate_converges_after_a_restart_with_no_event_missing() {
    let _heavy = HEAVY.lock().await;
    let started = std::time::Instant::now();
    let world = World::start(200, true).await;
    let port = free_port();
    let mut rsync = spawn_rsync(&world, port);
    // The logical cloud goes through this rsync too; registration happens at its start.
    let names: Vec<String> = (1..=200).map(|i| format!("edge-{i:03}")).collect();
    world.register_clusters(&names).await;
    loop {
        if world.get("/controllers/rsync").await.status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    world.logical_cloud(&names).await;
    world.composite_app().await;
    world.dig(&names).await;
    println!("set up in {:?}", started.elapsed());
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    println!("saga done at {:?}", started.elapsed());
    let ctx = world.status_context(DIG).await;
    world
        .wait_progress(ctx, "some clusters under way", |st| st.len() >= 30)
        .await;
    rsync.0.kill().unwrap();
    rsync.0.wait().unwrap();
    let before = world.progress(ctx).await.len();
    println!("killed rsync with {before} of 600 app statuses written");
    assert!(before < 600, "the kill came before the end");

    let _rsync = spawn_rsync(&world, port);
    world.wait_context(ctx, State::Instantiated).await;
    world
        .wait_progress(ctx, "all 200 clusters Ready", all_ready(600))
        .await;
    // Every resource has its Applied event, and none has two (a redone cluster reapplies, but its status
    // was already Applied, so no second transition is announced).
    let st = world.progress(ctx).await;
    let resources: usize = st.iter().map(|(_, p)| p.resources.len()).sum();
    let counts = applied_events(&world, ctx, resources).await;
    assert_eq!(counts.len(), resources, "one Applied event per resource");
    let twice: Vec<&String> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(s, _)| s)
        .collect();
    assert!(
        twice.is_empty(),
        "no resource announced twice; these were, with their histories:\n{}",
        histories(&world, &twice)
    );
}

/// Every event of each resource whose `Applied` subject is in `applied`, and of its app, in bus order:
/// what a failure of the test above needs to show.
fn histories(world: &World, applied: &[&String]) -> String {
    let mut out = String::new();
    for subject in applied {
        let resource = subject.trim_end_matches(".Applied");
        // canopy.res.<ctx>.<cluster>.<app>.<kind>.<name>: the app's events are canopy.ctx.<ctx>.<cluster>.<app>.<state>.
        let tokens: Vec<&str> = resource.split('.').collect();
        let app = format!("canopy.ctx.{}.", tokens[2..5].join("."));
        for m in world.bus.replay() {
            let s = m.event.subject().into_string();
            if s.starts_with(&format!("{resource}.")) || s.starts_with(&app) {
                out.push_str(&format!(
                    "  #{} {s}: {:?} -> {} {}\n",
                    m.sequence, m.event.from, m.event.to, m.event.message
                ));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_share_the_clusters_and_apply_no_task_twice() {
    let _heavy = HEAVY.lock().await;
    let world = World::start(200, true).await;
    let a = world.rsync(quick()).await;
    let b = world.rsync(quick()).await;
    world.register_rsync(a.addr().port()).await;
    world.fixture(200).await;
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    // While the clusters are worked on, no task shows a second run; once every cluster has recorded its
    // completion, each ran exactly once.
    let start = std::time::Instant::now();
    while world.context_state(ctx).await != Some(State::Instantiated) && start.elapsed() < TIMEOUT {
        assert_once(&world, false);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    world.wait_context(ctx, State::Instantiated).await;
    assert_once(&world, true);
    world
        .wait_progress(ctx, "all 200 clusters Ready", all_ready(600))
        .await;

    let dones = world
        .ctx
        .range(&ContextKeys::new(ctx).rsync_dones())
        .await
        .unwrap();
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for kv in &dones.kvs {
        let done: DoneRecord = op::decode(kv).unwrap();
        *by.entry(done.by).or_default() += 1;
    }
    println!("clusters per replica: {by:?}");
    assert_eq!(by.values().sum::<usize>(), 200);
    assert_eq!(by.len(), 2, "both replicas took clusters: {by:?}");
    assert_once(&world, true);
    a.stop().await;
    b.stop().await;
}

/// Asserts that the task of each of the 200 clusters ran once (`done`), or at most once so far. edgesim logs no apply that changes
/// nothing, so a second run's applies of the main resources leave no trace; its hooks do. nginx has a
/// pre-install and a post-install hook Pod, and Helm's before-hook-creation policy deletes a hook object
/// left by an earlier run before it creates it again: each run of a cluster's task applies each hook
/// once, and a second run shows as a delete and a second apply of both.
fn assert_once(world: &World, done: bool) {
    let hooks = ["pre-install-hook-pod", "post-install-hook-pod"];
    let mut other = BTreeMap::new();
    for name in edge_names(200) {
        let log = log(&world.cluster(&name));
        let count = |verb: &str, hook: &str| {
            log.iter()
                .filter(|(v, k, n)| v == verb && k == "Pod" && n == hook)
                .count()
        };
        let runs = hooks.map(|hook| (count("apply", hook), count("delete", hook)));
        let once = if done {
            runs == [(1, 0), (1, 0)]
        } else {
            runs.iter()
                .all(|&(applies, deletes)| applies <= 1 && deletes == 0)
        };
        if !once {
            other.insert(name, runs);
        }
    }
    assert!(
        other.is_empty(),
        "tasks run other than once, as (applies, deletes) of {hooks:?} by cluster: {other:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restarted_rsync_watches_idle_deployments_again() {
    let world = World::start(1, false).await;
    let first = world.rsync(quick()).await;
    world.register_rsync(first.addr().port()).await;
    world.fixture(1).await;
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    world.wait_context(ctx, State::Instantiated).await;
    world
        .wait_progress(ctx, "everything Ready", all_ready(3))
        .await;
    first.stop().await;

    // A new process, with no operation in flight: it must watch the deployed context of its own accord.
    let second = world.rsync(quick()).await;
    world.register_rsync(second.addr().port()).await;
    let deployment = world
        .cluster("edge-001")
        .store()
        .keys()
        .find(|k| k.plural == "deployments")
        .cloned()
        .expect("nginx's Deployment");
    // Give the restarted process a moment to list, so that the delete is a change it sees.
    world.wait_progress(ctx, "still Ready", all_ready(3)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let url = format!(
        "{}/clusters/edge-001/apis/apps/v1/namespaces/{}/deployments/{}",
        world.sim.url(),
        deployment.namespace,
        deployment.name
    );
    assert!(
        world
            .http
            .delete(&url)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let st = world
        .wait_progress(ctx, "nginx's Deployment reported missing", |st| {
            st.iter().any(|(k, p)| {
                k.ends_with("/nginx")
                    && p.resources.iter().any(|r| {
                        r.kind == "Deployment"
                            && r.ready == canopy_engine::appcontext::Ready::NotPresent
                    })
            })
        })
        .await;
    let nginx = &st.iter().find(|(k, _)| k.ends_with("/nginx")).unwrap().1;
    assert_eq!(
        nginx.phase,
        canopy_engine::appcontext::Phase::Applied,
        "no longer Ready"
    );
    second.stop().await;
}
