//! `GET DIG/status` over what rsync really wrote: EMCO's `test-dependency` DIG Ready on 2 clusters, then
//! every combination of `status` and `output`, the repeatable `app`, `cluster` and `resource` filters with
//! `status=ready&output=all`, and the list modes, each checked against the documented shape (DESIGN.md §3,
//! `engine/src/api/status/`, EMCO reference §1.4) and against the objects on the edgesim clusters.

use std::collections::{BTreeMap, BTreeSet};

use canopy_engine::api::time::rfc3339;
use canopy_engine::appcontext::{AppProgress, Reader, State};
use canopy_schemas::ContextId;
use serde_json::{Value, json};

use crate::support::*;

const APPS: [&str; 3] = ["nginx", "operator", "collectd"];

/// One resource as the status names it: `(Group, Version, Kind, name)`.
type Id = (String, String, String, String);

/// A filter case: the query's filters, and the apps, clusters and resource names they keep (none: all).
type Filter<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);

/// What the clusters hold, by `(app, cluster)`: each main resource, in the order rsync applied them.
type Held = BTreeMap<(String, String), Vec<Id>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_status_query_answers_every_parameter_combination_from_what_rsync_wrote() {
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
    let held = held(&world, &clusters, &format!("{ctx}-"), &st);
    let total: usize = held.values().map(Vec::len).sum();
    assert!(total > 6, "the apps hold resources: {held:#?}");
    let placements = placements(&world, ctx, clusters.len()).await;
    let f = Fixture {
        world,
        ctx,
        clusters,
        st,
        held,
        total,
        placements,
    };
    views(&f).await;
    filters(&f).await;
    lists(&f).await;
    rsync.stop().await;
}

/// The DIG Ready on its 2 clusters, and what the checks compare the answers with.
struct Fixture {
    world: World,
    ctx: ContextId,
    clusters: Vec<String>,
    /// rsync's `st/` values.
    st: Vec<(String, AppProgress)>,
    /// What the clusters hold.
    held: Held,
    /// How many main resources they hold in all.
    total: usize,
    /// Each app's placement as `detail` shows it, from the AppContext.
    placements: BTreeMap<&'static str, Value>,
}

/// Every `status` × `output`: the same states and counts; `apps` unless `summary`; each resource with the
/// field of its view; `detail` adds placement, group, score and phase, namespaces and timestamps. No
/// parameter is EMCO's default, `status=deployed&output=all`.
async fn views(f: &Fixture) {
    for view in ["deployed", "ready"] {
        for output in ["summary", "all", "detail"] {
            let q = format!("status={view}&output={output}");
            let body = status(&f.world, &q).await;
            assert_eq!(body["project"], "p1", "{q}: {body}");
            assert_eq!(body["compositeApp"], "ca", "{q}: {body}");
            assert_eq!(body["compositeAppVersion"], "v1", "{q}: {body}");
            assert_eq!(body["compositeProfile"], "cp", "{q}: {body}");
            assert_eq!(body["name"], "dig1", "{q}: {body}");
            assert_eq!(body["state"], "Instantiated", "{q}: {body}");
            assert_eq!(
                body["states"]["statusctxid"],
                f.ctx.to_string(),
                "{q}: {body}"
            );
            counts(&body, f.total, &q);
            if output == "summary" {
                assert!(body.get("apps").is_none(), "{q} lists no apps: {body}");
                continue;
            }
            let field = if view == "deployed" {
                "deployedStatus"
            } else {
                "readyStatus"
            };
            let value = if view == "deployed" {
                "Applied"
            } else {
                "Ready"
            };
            let listed = listed(&body, &q);
            assert_eq!(listed, expected(&f.held, &[], &[], &[]), "{q}: {body}");
            for app in body["apps"].as_array().unwrap() {
                let name = app["name"].as_str().unwrap();
                let placement = app.get("placement");
                if output == "detail" {
                    assert_eq!(
                        placement,
                        Some(&f.placements[name]),
                        "{q}: {name}'s placement"
                    );
                } else {
                    assert_eq!(placement, None, "{q}: {name} shows no placement");
                }
                for c in app["clusters"].as_array().unwrap() {
                    cluster(f, &q, name, c, output == "detail", (field, value));
                }
            }
        }
    }
    assert_eq!(
        status(&f.world, "").await,
        status(&f.world, "status=deployed&output=all").await
    );
}

/// Checks one cluster `c` of `app` in the answer to `q`: its connectivity, what `detail` adds, and each
/// resource with the `(field, value)` of the view.
fn cluster(f: &Fixture, q: &str, app: &str, c: &Value, detail: bool, (field, value): (&str, &str)) {
    let cluster = c["cluster"].as_str().unwrap();
    assert_eq!(c["connectivity"], "Available", "{q}: {c}");
    let extra = ["group", "score", "phase"].map(|k| c.get(k).cloned());
    if detail {
        let placed = f.placements[app]["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["cluster"] == format!("{PROVIDER}+{cluster}"))
            .unwrap();
        let phase = Some(json!("Ready"));
        assert_eq!(
            extra,
            [
                Some(placed["group"].clone()),
                Some(placed["score"].clone()),
                phase
            ],
            "{q}: {c}"
        );
    } else {
        assert_eq!(extra, [None, None, None], "{q}: {c}");
    }
    let progress = status_of(&f.st, cluster, app);
    let resources = c["resources"].as_array().unwrap();
    assert_eq!(resources.len(), progress.resources.len(), "{q}: {c}");
    for (r, p) in resources.iter().zip(&progress.resources) {
        let mut want = json!({"GVK": r["GVK"], "name": r["name"], field: value});
        if detail {
            // The namespace the chart's manifest names, which none here does: they go to the logical
            // cloud's.
            if let Some(ns) = &p.namespace {
                want["namespace"] = json!(ns);
            }
            want["appliedAt"] = json!(rfc3339(p.applied_at.unwrap()));
            want["readyAt"] = json!(rfc3339(p.ready_at.unwrap()));
        }
        assert_eq!(r, &want, "{q}: {app} on {cluster}");
    }
}

/// The filters, each repeatable, with `status=ready&output=all`: apps and clusters by name, resources by
/// name across kinds; the counts are those of what is kept.
async fn filters(f: &Fixture) {
    let e1 = format!("{PROVIDER}+edge-001");
    let e2 = format!("{PROVIDER}+edge-002");
    let cases: [Filter; 7] = [
        ("app=nginx", &["nginx"], &[], &[]),
        ("app=nginx&app=collectd", &["nginx", "collectd"], &[], &[]),
        ("cluster=edge%2Bedge-002", &[], &[&e2], &[]),
        (
            "cluster=edge%2Bedge-001&cluster=edge%2Bedge-002",
            &[],
            &[&e1, &e2],
            &[],
        ),
        ("resource=r1-nginx", &[], &[], &["r1-nginx"]),
        (
            "resource=etcd&resource=r1-collectd",
            &[],
            &[],
            &["etcd", "r1-collectd"],
        ),
        (
            "app=operator&app=collectd&cluster=edge%2Bedge-001&resource=etcd&resource=collectd",
            &["operator", "collectd"],
            &[&e1],
            &["etcd", "collectd"],
        ),
    ];
    for (filter, apps, on, names) in cases {
        let q = format!("status=ready&output=all&{filter}");
        let body = status(&f.world, &q).await;
        let want = expected(&f.held, apps, on, names);
        let kept: usize = want.values().map(Vec::len).sum();
        assert!(kept > 0, "{q} keeps some resources");
        counts(&body, kept, &q);
        assert_eq!(listed(&body, &q), want, "{q}: {body}");
        let shown: Vec<&str> = body["apps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        let apps_kept: Vec<&str> = APPS
            .into_iter()
            .filter(|a| apps.is_empty() || apps.contains(a))
            .collect();
        assert_eq!(shown, apps_kept, "{q}: the apps in order");
        for r in body["apps"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["clusters"].as_array().unwrap())
            .flat_map(|c| c["resources"].as_array().unwrap())
        {
            assert_eq!(r["readyStatus"], "Ready", "{q}: {r}");
        }
    }
}

/// The list modes replace the status (no state, counts or `apps[].clusters[].resources[]`), take the
/// filters, and go by EMCO's precedence: apps, then clusters, then resources.
async fn lists(f: &Fixture) {
    let e2 = format!("{PROVIDER}+edge-002");
    let body = status(&f.world, "apps").await;
    assert_eq!(body["apps"], json!(APPS), "{body}");
    no_status(&body, "apps");
    let body = status(&f.world, "clusters").await;
    let placed: Vec<Value> = f
        .clusters
        .iter()
        .map(|c| json!({"clusterProvider": PROVIDER, "cluster": c}))
        .collect();
    let by_app: Vec<Value> = APPS
        .iter()
        .map(|a| json!({"app": a, "clusters": placed}))
        .collect();
    assert_eq!(body["clustersByApp"], json!(by_app), "{body}");
    no_status(&body, "clusters");
    let body = status(&f.world, "resources").await;
    assert_eq!(
        body["resourcesByApp"],
        resources_by_app(&f.held, &[], &[], &[]),
        "{body}"
    );
    no_status(&body, "resources");
    let body = status(&f.world, "clusters&app=operator&cluster=edge%2Bedge-002").await;
    assert_eq!(
        body["clustersByApp"],
        json!([{"app": "operator", "clusters": [{"clusterProvider": PROVIDER, "cluster": "edge-002"}]}]),
        "{body}"
    );
    let q = "resources&app=collectd&app=nginx&cluster=edge%2Bedge-002&resource=collectd&resource=r1-nginx";
    let body = status(&f.world, q).await;
    assert_eq!(
        body["resourcesByApp"],
        resources_by_app(
            &f.held,
            &["nginx", "collectd"],
            &[&e2],
            &["collectd", "r1-nginx"]
        ),
        "{q}: {body}"
    );
    let body = status(&f.world, "resources&clusters&apps").await;
    assert_eq!(body["apps"], json!(APPS), "{body}");
    assert!(body.get("clustersByApp").is_none() && body.get("resourcesByApp").is_none());
    let body = status(&f.world, "resources&clusters").await;
    assert_eq!(body["clustersByApp"], json!(by_app), "{body}");
    assert!(body.get("resourcesByApp").is_none(), "{body}");
}

/// Each app's placement as the AppContext records it, as `detail` shows it; each app is on `clusters`
/// clusters.
async fn placements(
    world: &World,
    ctx: ContextId,
    clusters: usize,
) -> BTreeMap<&'static str, Value> {
    let reader = Reader::open(world.ctx.as_ref(), ctx).await.unwrap();
    let mut placements = BTreeMap::new();
    for app in APPS {
        let p = reader.placement(&app.parse().unwrap()).await.unwrap();
        assert_eq!(p.clusters.len(), clusters, "{app} is on every cluster");
        let placed: Vec<Value> = p
            .clusters
            .iter()
            .map(|c| json!({"cluster": c.cluster.to_string(), "group": c.group, "score": c.score}))
            .collect();
        placements.insert(app, json!({"clusters": placed, "dropped": []}));
    }
    placements
}

/// `GET DIG/status?query`.
async fn status(world: &World, query: &str) -> Value {
    world
        .get(&format!("{DIG}/status?{query}"))
        .await
        .expect(200)
        .body
}

/// The main resources on each edgesim cluster of `clusters`, by app: the objects whose deployment id
/// is `prefix<app>`, without the hook objects (which the status does not list), in rsync's apply order
/// as `st` gives it. Asserts that `st` names exactly those objects.
fn held(world: &World, clusters: &[String], prefix: &str, st: &[(String, AppProgress)]) -> Held {
    let mut held = Held::new();
    for cluster in clusters {
        let objects: Vec<Value> = world
            .cluster(cluster)
            .store()
            .scan(|_| true)
            .map(|(_, o)| o)
            .collect();
        for app in APPS {
            let mut on: BTreeSet<Id> = objects
                .iter()
                .filter(|o| {
                    o["metadata"]["labels"]["canopy/deployment-id"] == format!("{prefix}{app}")
                })
                .filter(|o| o["metadata"]["annotations"]["helm.sh/hook"].is_null())
                .map(|o| {
                    let api_version = o["apiVersion"].as_str().unwrap();
                    let (group, version) =
                        api_version.rsplit_once('/').unwrap_or(("", api_version));
                    (
                        group.to_owned(),
                        version.to_owned(),
                        o["kind"].as_str().unwrap().to_owned(),
                        o["metadata"]["name"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let mut ordered = Vec::new();
            for r in &status_of(st, cluster, app).resources {
                let id = (
                    r.group().to_owned(),
                    r.version().to_owned(),
                    r.kind.clone(),
                    r.name.clone(),
                );
                assert!(
                    on.remove(&id),
                    "{app}'s {id:?} in rsync's status is on {cluster}"
                );
                ordered.push(id);
            }
            assert!(
                on.is_empty(),
                "{app} on {cluster} holds resources rsync's status does not list: {on:?}"
            );
            held.insert((app.to_owned(), format!("{PROVIDER}+{cluster}")), ordered);
        }
    }
    held
}

/// What a query keeps of `held`, by `(app, cluster)`, in order; an empty filter keeps everything.
fn expected(
    held: &Held,
    apps: &[&str],
    clusters: &[&str],
    names: &[&str],
) -> BTreeMap<(String, String), Vec<Id>> {
    let keeps = |filter: &[&str], x: &str| filter.is_empty() || filter.contains(&x);
    held.iter()
        .filter(|((app, cluster), _)| keeps(apps, app) && keeps(clusters, cluster))
        .map(|(key, resources)| {
            let kept = resources
                .iter()
                .filter(|id| keeps(names, &id.3))
                .cloned()
                .collect();
            (key.clone(), kept)
        })
        .collect()
}

/// The resources of `apps[].clusters[]` in a status body, by `(app, cluster)`; each app's clusters in
/// placement order.
fn listed(body: &Value, q: &str) -> BTreeMap<(String, String), Vec<Id>> {
    let mut listed = BTreeMap::new();
    for app in body["apps"]
        .as_array()
        .unwrap_or_else(|| panic!("{q}: apps in {body}"))
    {
        let name = app["name"].as_str().unwrap();
        let clusters: Vec<&Value> = app["clusters"].as_array().unwrap().iter().collect();
        let mut order: Vec<&str> = clusters
            .iter()
            .map(|c| c["cluster"].as_str().unwrap())
            .collect();
        assert!(
            order.is_sorted(),
            "{q}: {name}'s clusters in order: {order:?}"
        );
        order.dedup();
        assert_eq!(
            order.len(),
            clusters.len(),
            "{q}: {name}'s clusters once each"
        );
        for c in clusters {
            assert_eq!(c["clusterProvider"], PROVIDER, "{q}: {c}");
            let key = (
                name.to_owned(),
                format!("{PROVIDER}+{}", c["cluster"].as_str().unwrap()),
            );
            listed.insert(key, ids(&c["resources"]));
        }
    }
    listed
}

/// `(Group, Version, Kind, name)` of each resource of a JSON list.
fn ids(resources: &Value) -> Vec<Id> {
    resources
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |v: &Value| v.as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
            (
                s(&r["GVK"]["Group"]),
                s(&r["GVK"]["Version"]),
                s(&r["GVK"]["Kind"]),
                s(&r["name"]),
            )
        })
        .collect()
}

/// The `resourcesByApp` list a `resources` query with these filters returns.
fn resources_by_app(held: &Held, apps: &[&str], clusters: &[&str], names: &[&str]) -> Value {
    let kept = expected(held, apps, clusters, names);
    let mut list = Vec::new();
    for app in APPS {
        for ((a, cluster), resources) in &kept {
            if a != app {
                continue;
            }
            let resources: Vec<Value> = resources
                .iter()
                .map(
                    |(g, v, k, n)| json!({"GVK": {"Group": g, "Version": v, "Kind": k}, "name": n}),
                )
                .collect();
            let (provider, name) = cluster.split_once('+').unwrap();
            list.push(json!({"app": app, "clusterProvider": provider, "cluster": name, "resources": resources}));
        }
    }
    Value::Array(list)
}

/// Asserts the states and counts of a status body where all `n` kept resources are Applied and Ready.
fn counts(body: &Value, n: usize, q: &str) {
    assert_eq!(body["deployedStatus"], "Instantiated", "{q}: {body}");
    assert_eq!(body["readyStatus"], "Ready", "{q}: {body}");
    assert_eq!(body["deployedCounts"], json!({"Applied": n}), "{q}: {body}");
    assert_eq!(body["readyCounts"], json!({"Ready": n}), "{q}: {body}");
}

/// Asserts that a list answer carries no status.
fn no_status(body: &Value, q: &str) {
    for field in [
        "state",
        "states",
        "deployedStatus",
        "readyStatus",
        "deployedCounts",
        "readyCounts",
    ] {
        assert!(body.get(field).is_none(), "{q}: no {field} in {body}");
    }
    assert_eq!(body["name"], "dig1", "{q}: {body}");
}
