//! Install and terminate in order: hooks around nginx, the operator after nginx is Ready, collectd after
//! the operator is Ready; terminate in the reverse order, until the objects are gone.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use canopy_edgesim::apply_log::LogEntry;
use canopy_edgesim::sim;
use canopy_engine::appcontext::{AppProgress, ContextKeys, Deployed, Phase, Reader, Ready, State};
use canopy_schemas::ContextId;
use canopy_schemas::proto::rsync::v1 as pb;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instantiate_applies_in_dependency_order_and_a_terminate_undoes_it_in_reverse() {
    let world = World::start(2, false).await;
    let rsync = world.rsync(quick()).await;
    world.register_rsync(rsync.addr().port()).await;
    let clusters = world.fixture(2).await;
    // Workloads and hook Pods turn Ready (or Succeeded) a moment after they are written, so edgesim logs
    // that as an entry of its own (`status`): "after nginx is Ready" differs from "after nginx was applied".
    world.readiness_delay(&clusters, Duration::from_millis(150));
    let baseline: BTreeMap<String, BTreeSet<String>> = clusters
        .iter()
        .map(|c| (c.clone(), stored(&world, c)))
        .collect();
    // Where each cluster's log stood before the instantiate and before the terminate.
    let mut marks: BTreeMap<String, (usize, usize)> = clusters
        .iter()
        .map(|c| (c.clone(), (world.cluster(c).apply_log().0.len(), 0)))
        .collect();

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

    // What the AppContext deploys: each app's main resources in order, and its hooks by event.
    let plan = plan(&world, ctx, &clusters).await;
    for name in &clusters {
        installed_in_order(&world, &plan, &st, name, marks[name].0);
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

    // Terminate: collectd goes first, then the operator, then nginx, each app's resources in reverse
    // order; then the hook objects; then everything the DIG created is gone.
    for name in &clusters {
        marks.get_mut(name).unwrap().1 = world.cluster(name).apply_log().0.len();
    }
    world.op(&format!("{DIG}/terminate")).await.expect(202);
    world.wait_context(ctx, State::Terminated).await;
    let after = world.progress(ctx).await;
    assert!(
        after.iter().all(|(_, p)| p.phase == Phase::Deleted),
        "{after:#?}"
    );
    for name in &clusters {
        let (instantiated, terminated) = marks[name];
        terminated_in_reverse(
            &world,
            &plan,
            name,
            instantiated..terminated,
            &baseline[name],
        );
    }
    // The DIG may be deleted now that its context is Terminated.
    assert_eq!(world.state(DIG).await, "Terminated");
    rsync.stop().await;
}

/// Checks edgesim cluster `name`'s log from entry `from` on, after the instantiate: each app's resources
/// in the AppContext's order and as rsync's status `st` lists them, pre-install hooks applied and
/// succeeded before them, post-install hooks after them, the operator after nginx was Ready and collectd
/// after the operator was, everything applied by field manager `canopy`.
fn installed_in_order(
    world: &World,
    plan: &Plan,
    st: &[(String, AppProgress)],
    name: &str,
    from: usize,
) {
    let log = sim_log(world, name, from);
    let show = || render(&log);
    let of = |app: &str| &plan[&(name.to_owned(), app.to_owned())];
    for app in ["nginx", "operator", "collectd"] {
        let (resources, hooks) = of(app);
        assert_eq!(
            resources,
            &main_resources(st, name, app),
            "rsync's status lists {app}'s resources on {name}"
        );
        // Each app's main resources went in the AppContext's order, its pre-install hooks were
        // applied and had succeeded before the first of them, and its post-install hooks came after
        // the last.
        let at = applies(&log, resources, &show);
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "{app}'s resources in order on {name}: {}",
            show()
        );
        for (event, kind, hook) in hooks {
            let applied = only(&log, "apply", kind, hook, &show);
            let succeeded = ready(&log, &[(kind.clone(), hook.clone())], &show);
            match event.as_str() {
                "pre-install" => assert!(
                    applied < succeeded && succeeded < at[0],
                    "{app}'s pre-install hook {hook} succeeded before its first resource on \
                     {name}: {}",
                    show()
                ),
                "post-install" => assert!(
                    applied > *at.last().unwrap(),
                    "{app}'s post-install hook {hook} after its last resource on {name}: {}",
                    show()
                ),
                other => {
                    panic!("{app} has a {other} hook {hook}, which this test does not expect")
                }
            }
        }
    }
    let nginx_hooks: Vec<&str> = of("nginx")
        .1
        .iter()
        .map(|(event, _, _)| event.as_str())
        .collect();
    assert_eq!(
        nginx_hooks,
        ["pre-install", "post-install"],
        "nginx's chart has a pre-install and a post-install hook"
    );
    // The operator's first resource came after every nginx resource was Ready, and collectd's after
    // every operator resource was.
    let first = |app: &str| applies(&log, &of(app).0, &show)[0];
    let nginx_ready = ready(&log, &of("nginx").0, &show);
    assert!(
        nginx_ready < first("operator"),
        "the operator after nginx Ready on {name}: {}",
        show()
    );
    let operator_ready = ready(&log, &of("operator").0, &show);
    assert!(
        operator_ready < first("collectd"),
        "collectd after the operator Ready on {name}: {}",
        show()
    );
    for e in log.iter().filter(|e| e.verb == "apply") {
        assert_eq!(
            e.manager, "canopy",
            "field manager of {} {}",
            e.kind, e.name
        );
    }
}

/// Checks edgesim cluster `name` after the terminate: every object the instantiate (log entries
/// `instantiate`) applied was deleted and the cluster holds its `baseline` again; the terminate (the log
/// from `instantiate.end` on) deleted and applied nothing else; the main resources went in reverse
/// dependency and resource order, then nginx's hook objects.
fn terminated_in_reverse(
    world: &World,
    plan: &Plan,
    name: &str,
    instantiate: std::ops::Range<usize>,
    baseline: &BTreeSet<String>,
) {
    let log = sim_log(world, name, instantiate.end);
    let show = || render(&log);
    // Every object the instantiate applied was deleted, and the cluster holds what it held before
    // the DIG: edgesim's own namespaces and the logical cloud's namespace `apps`, which belongs to
    // the logical cloud (still instantiated), not to the DIG.
    let created: BTreeSet<(String, String, String)> = sim_log(world, name, instantiate.start)
        .iter()
        .take(instantiate.len())
        .filter(|e| e.verb == "apply")
        .map(|e| (e.kind.clone(), e.namespace.clone(), e.name.clone()))
        .collect();
    let gone: BTreeSet<(String, String, String)> = log
        .iter()
        .filter(|e| e.verb == "delete")
        .map(|e| (e.kind.clone(), e.namespace.clone(), e.name.clone()))
        .collect();
    assert_eq!(
        created, gone,
        "every object the DIG created deleted on {name}"
    );
    assert_eq!(
        stored(world, name),
        *baseline,
        "the objects left on {name} are those from before the instantiate"
    );
    // No chart has a pre-delete or post-delete hook (the plan holds install hooks only), so a
    // terminate creates nothing.
    assert!(
        log.iter().all(|e| e.verb == "delete"),
        "only deletes while terminating on {name}: {}",
        show()
    );
    let mut expected = Vec::new();
    for app in ["collectd", "operator", "nginx"] {
        expected.extend(
            plan[&(name.to_owned(), app.to_owned())]
                .0
                .iter()
                .cloned()
                .rev(),
        );
    }
    let deleted: Vec<(String, String)> = log
        .iter()
        .map(|e| (e.kind.clone(), e.name.clone()))
        .filter(|object| expected.contains(object))
        .collect();
    assert_eq!(
        deleted,
        expected,
        "main resources deleted in reverse dependency and resource order on {name}: {}",
        show()
    );
    let last_main = log
        .iter()
        .rposition(|e| expected.contains(&(e.kind.clone(), e.name.clone())))
        .expect("main resources deleted");
    for (_, kind, hook) in &plan[&(name.to_owned(), "nginx".to_owned())].1 {
        assert!(
            only(&log, "delete", kind, hook, &show) > last_main,
            "hook {hook} deleted after nginx's resources on {name}: {}",
            show()
        );
    }
}

/// Edgesim cluster `name`'s apply log from entry `from` on, readiness writes (`status`) included.
fn sim_log(world: &World, name: &str, from: usize) -> Vec<LogEntry> {
    let (log, dropped) = world.cluster(name).apply_log();
    assert_eq!(dropped, 0, "{name}'s apply log kept every entry");
    log.into_iter().skip(from).collect()
}

/// The log, a line per entry, for a failure message.
fn render(log: &[LogEntry]) -> String {
    log.iter()
        .map(|e| format!("\n  {} {} {}", e.verb, e.kind, e.name))
        .collect()
}

/// `(kind, name)` of `app`'s main resources on cluster `name`, in the AppContext's order, as rsync's
/// status lists them.
/// `(kind, name)` of each app's main resources, and `(event, kind, name)` of its hooks, on each cluster,
/// as the AppContext orders them.
type Plan = BTreeMap<(String, String), (Vec<(String, String)>, Vec<(String, String, String)>)>;

/// What context `ctx` deploys on `clusters`, by `(cluster, app)`.
async fn plan(world: &World, ctx: ContextId, clusters: &[String]) -> Plan {
    let reader = Reader::open(world.ctx.as_ref(), ctx).await.unwrap();
    let mut plan = Plan::new();
    for (app, _) in reader.apps().await.unwrap() {
        for name in clusters {
            let cluster = format!("{PROVIDER}+{name}").parse().unwrap();
            let m = reader.manifests(&app, &cluster).await.unwrap();
            assert!(m.crds.is_empty(), "{app}'s chart has no crds/ directory");
            let resources = m
                .resources
                .iter()
                .map(|r| (r.kind.clone(), r.name.clone()))
                .collect();
            let hooks = m
                .hooks
                .iter()
                .map(|h| {
                    (
                        h.event.clone(),
                        h.manifest.kind.clone(),
                        h.manifest.name.clone(),
                    )
                })
                .collect();
            plan.insert((name.clone(), app.to_string()), (resources, hooks));
        }
    }
    plan
}

fn main_resources(st: &[(String, AppProgress)], name: &str, app: &str) -> Vec<(String, String)> {
    status_of(st, name, app)
        .resources
        .iter()
        .map(|r| (r.kind.clone(), r.name.clone()))
        .collect()
}

/// The position of the one `verb` of `kind`/`object` in `log`; panics if there is none or several.
fn only(
    log: &[LogEntry],
    verb: &str,
    kind: &str,
    object: &str,
    show: &dyn Fn() -> String,
) -> usize {
    let at: Vec<usize> = log
        .iter()
        .enumerate()
        .filter(|(_, e)| e.verb == verb && e.kind == kind && e.name == object)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 1, "one {verb} of {kind}/{object}: {}", show());
    at[0]
}

/// The position of each object's one apply in `log`, in the order of `objects`.
fn applies(
    log: &[LogEntry],
    objects: &[(String, String)],
    show: &dyn Fn() -> String,
) -> Vec<usize> {
    objects
        .iter()
        .map(|(kind, name)| only(log, "apply", kind, name, show))
        .collect()
}

/// The position where the last of `objects` was Ready: its one readiness write (`status`) for the kinds
/// edgesim simulates (workloads, Pods, Jobs), its apply for the others, which are ready once they exist.
fn ready(log: &[LogEntry], objects: &[(String, String)], show: &dyn Fn() -> String) -> usize {
    objects
        .iter()
        .map(|(kind, name)| {
            let e = &log[only(log, "apply", kind, name, show)];
            let group = e.api_version.rsplit_once('/').map_or("", |(g, _)| g);
            if sim::simulated(group, kind) {
                only(log, "status", kind, name, show)
            } else {
                only(log, "apply", kind, name, show)
            }
        })
        .max()
        .expect("some objects")
}

/// Every object on edgesim cluster `name`, as `group/plural/namespace/name`.
fn stored(world: &World, name: &str) -> BTreeSet<String> {
    world
        .cluster(name)
        .store()
        .keys()
        .map(|k| format!("{}/{}/{}/{}", k.group, k.plural, k.namespace, k.name))
        .collect()
}
