//! `GET DIG/status` over what rsync writes: a DIG instantiated through the API on the rsync double, then
//! `st/<cluster>/<app>` values written into its AppContext as rsync would, and every query parameter checked
//! against the documented shape (docs/api.md, "Status").

use canopy_engine::appcontext::{
    AppProgress, Connectivity, ContextKeys, Deployed, Phase, Ready, ResourceProgress,
};
use canopy_schemas::name::{AppName, ClusterRef};
use canopy_schemas::{ContextId, Timestamp};
use serde_json::{Value, json};

use crate::support::*;

const APPLIED_AT: i64 = 1_780_000_000_000_000_000;
const READY_AT: i64 = 1_780_000_005_000_000_000;

fn item(cluster: &str) -> Value {
    json!({"clusterProvider": "prov", "cluster": cluster})
}

/// `path/status` with a query string.
async fn status(engine: &Engine, path: &str, query: &str) -> Value {
    engine
        .get(&format!("{path}/status?{query}"))
        .await
        .expect(200)
        .body
}

/// dig1 with collectd on c1, c2 and c3, instantiated on the rsync double; returns its statusctxid.
async fn instantiated(engine: &Engine, env: &Env) -> ContextId {
    base(engine, env).await;
    dig(
        engine,
        json!({"allOf": [item("c1"), item("c2"), item("c3")]}),
        &[],
    )
    .await;
    approve_and_instantiate(engine).await
}

/// collectd's resources on c1 as the status shows them before rsync writes: `(apiVersion, kind, name)`.
async fn planned(engine: &Engine) -> Vec<(String, String, String)> {
    let st = status(engine, DIG, "cluster=prov%2Bc1").await;
    st["apps"][0]["clusters"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let g = r["GVK"]["Group"].as_str().unwrap();
            let v = r["GVK"]["Version"].as_str().unwrap();
            let api_version = if g.is_empty() {
                v.to_owned()
            } else {
                format!("{g}/{v}")
            };
            (
                api_version,
                r["GVK"]["Kind"].as_str().unwrap().to_owned(),
                r["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Writes `progress` at `st/<cluster>/collectd` of `ctx`, as rsync does.
async fn rsync_writes(env: &Env, ctx: ContextId, cluster: &str, progress: &AppProgress) {
    let cluster: ClusterRef = cluster.parse().unwrap();
    let key = ContextKeys::new(ctx).cluster_status(&cluster, &AppName::new("collectd").unwrap());
    env.ctx
        .put(&key, progress.encode(&key).unwrap())
        .await
        .unwrap();
}

/// collectd on c1: every resource applied, the first one ready; the rest not ready yet.
fn c1_progress(planned: &[(String, String, String)]) -> AppProgress {
    let resources = planned
        .iter()
        .enumerate()
        .map(|(i, (api_version, kind, name))| ResourceProgress {
            api_version: api_version.clone(),
            kind: kind.clone(),
            name: name.clone(),
            namespace: Some("apps".into()),
            deployed: Deployed::Applied,
            ready: if i == 0 {
                Ready::Ready
            } else {
                Ready::NotReady
            },
            message: None,
            applied_at: Some(Timestamp::from_unix_nanos(APPLIED_AT)),
            ready_at: (i == 0).then(|| Timestamp::from_unix_nanos(READY_AT)),
        })
        .collect();
    AppProgress {
        phase: Phase::Applied,
        connectivity: Connectivity::Available,
        last_error: None,
        resources,
        updated_at: Timestamp::from_unix_nanos(APPLIED_AT),
    }
}

/// collectd on c2: unreachable; the first resource failed with a message, the others pending.
fn c2_progress(planned: &[(String, String, String)]) -> AppProgress {
    let resources = planned
        .iter()
        .enumerate()
        .map(|(i, (api_version, kind, name))| ResourceProgress {
            api_version: api_version.clone(),
            kind: kind.clone(),
            name: name.clone(),
            deployed: if i == 0 {
                Deployed::Failed
            } else {
                Deployed::Pending
            },
            message: (i == 0).then(|| "admission webhook denied it".to_owned()),
            ..ResourceProgress::default()
        })
        .collect();
    AppProgress {
        phase: Phase::Applying,
        connectivity: Connectivity::Retrying,
        last_error: Some("dial tcp 127.0.0.1:6443: connection refused".into()),
        resources,
        updated_at: Timestamp::from_unix_nanos(APPLIED_AT),
    }
}

fn cluster<'a>(st: &'a Value, name: &str) -> &'a Value {
    st["apps"][0]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cluster"] == name)
        .unwrap_or_else(|| panic!("no cluster {name} in {st}"))
}

fn n(v: usize) -> Value {
    json!(v)
}

#[tokio::test]
async fn status_reports_what_rsync_wrote_per_cluster_with_counts_and_connectivity() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;
    let k = planned.len();
    assert!(k >= 2, "collectd deploys several resources: {planned:?}");

    // Before rsync writes: every resource Pending and NotReady, connectivity Unknown.
    let st = status(&engine, DIG, "").await;
    assert_eq!(st["deployedCounts"], json!({"Pending": 3 * k}));
    assert_eq!(st["readyStatus"], "NotReady");

    rsync_writes(&env, ctx, "prov+c1", &c1_progress(&planned)).await;
    rsync_writes(&env, ctx, "prov+c2", &c2_progress(&planned)).await;

    // Default: status=deployed, output=all.
    let st = status(&engine, DIG, "").await;
    assert_eq!(st["name"], "dig1");
    assert_eq!(st["compositeProfile"], "cp");
    assert_eq!(st["states"]["statusctxid"], ctx.to_string());
    assert_eq!(st["deployedStatus"], "Built");
    assert_eq!(st["readyStatus"], "NotReady");
    assert_eq!(
        st["deployedCounts"],
        json!({"Applied": n(k), "Failed": 1, "Pending": n(2 * k - 1)})
    );
    assert_eq!(
        st["readyCounts"],
        json!({"Ready": 1, "NotReady": n(3 * k - 1)})
    );
    let c1 = cluster(&st, "c1");
    assert_eq!(c1["clusterProvider"], "prov");
    assert_eq!(c1["connectivity"], "Available");
    assert!(c1.get("lastError").is_none());
    let (api_version, kind, name) = &planned[0];
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    assert_eq!(
        c1["resources"][0],
        json!({"GVK": {"Group": group, "Version": version, "Kind": kind}, "name": name, "deployedStatus": "Applied"})
    );
    let c2 = cluster(&st, "c2");
    assert_eq!(c2["connectivity"], "Retrying");
    assert_eq!(
        c2["lastError"],
        "dial tcp 127.0.0.1:6443: connection refused"
    );
    assert_eq!(c2["resources"][0]["deployedStatus"], "Failed");
    let c3 = cluster(&st, "c3");
    assert_eq!(c3["connectivity"], "Unknown");
    assert_eq!(c3["resources"].as_array().unwrap().len(), k);
    assert_eq!(c3["resources"][0]["deployedStatus"], "Pending");

    // status=ready: readyStatus per resource instead.
    let st = status(&engine, DIG, "status=ready").await;
    let r = &cluster(&st, "c1")["resources"][0];
    assert_eq!(r["readyStatus"], "Ready");
    assert!(r.get("deployedStatus").is_none());
    assert_eq!(
        cluster(&st, "c3")["resources"][0]["readyStatus"],
        "NotReady"
    );

    // output=summary: no apps; output=detail: times, namespace, message, placement.
    let st = status(&engine, DIG, "output=summary").await;
    assert!(st.get("apps").is_none());
    assert_eq!(st["deployedCounts"]["Failed"], 1);
    let st = status(&engine, DIG, "output=detail").await;
    let r = &cluster(&st, "c1")["resources"][0];
    assert_eq!(r["appliedAt"], "2026-05-28T20:26:40Z");
    assert_eq!(r["readyAt"], "2026-05-28T20:26:45Z");
    assert_eq!(r["namespace"], "apps");
    assert_eq!(cluster(&st, "c1")["phase"], "Applied");
    assert_eq!(cluster(&st, "c3")["phase"], Value::Null);
    assert_eq!(
        cluster(&st, "c2")["resources"][0]["message"],
        "admission webhook denied it"
    );
    assert_eq!(
        st["apps"][0]["placement"]["clusters"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn deprecated_type_uses_emcos_old_field_names() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;
    let k = planned.len();
    rsync_writes(&env, ctx, "prov+c1", &c1_progress(&planned)).await;

    let st = status(&engine, DIG, "type=rsync").await;
    assert_eq!(st["status"], "Built");
    assert!(st.get("deployedStatus").is_none() && st.get("deployedCounts").is_none());
    assert_eq!(
        st["rsyncStatus"],
        json!({"Applied": n(k), "Pending": n(2 * k)})
    );
    let c1 = cluster(&st, "c1");
    assert_eq!(c1["resources"][0]["rsyncStatus"], "Applied");
    assert!(c1.get("readyStatus").is_none());

    let st = status(&engine, DIG, "type=cluster").await;
    assert_eq!(
        st["clusterStatus"],
        json!({"Ready": 1, "NotReady": n(3 * k - 1)})
    );
    assert!(st.get("readyCounts").is_none() && st.get("readyStatus").is_none());
    let c1 = cluster(&st, "c1");
    assert_eq!(c1["readyStatus"], "NotReady");
    assert_eq!(c1["resources"][0]["clusterStatus"], "Ready");
}

#[tokio::test]
async fn filters_repeat_combine_and_counts_follow_them() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;
    let k = planned.len();
    rsync_writes(&env, ctx, "prov+c1", &c1_progress(&planned)).await;
    rsync_writes(&env, ctx, "prov+c2", &c2_progress(&planned)).await;
    let first = &planned[0].2;
    let second = &planned[1].2;

    // Repeated cluster filters.
    let st = status(&engine, DIG, "cluster=prov%2Bc1&cluster=prov%2Bc3").await;
    let names: Vec<&str> = st["apps"][0]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c1", "c3"]);
    assert_eq!(
        st["deployedCounts"],
        json!({"Applied": n(k), "Pending": n(k)})
    );

    // Cluster and resource filters combined: one resource on one cluster, and it is ready.
    let st = status(
        &engine,
        DIG,
        &format!("app=collectd&cluster=prov%2Bc1&resource={first}"),
    )
    .await;
    assert_eq!(st["deployedCounts"], json!({"Applied": 1}));
    assert_eq!(st["readyCounts"], json!({"Ready": 1}));
    assert_eq!(st["readyStatus"], "Ready");
    assert_eq!(cluster(&st, "c1")["resources"].as_array().unwrap().len(), 1);

    // Repeated resource filters across every cluster.
    let st = status(&engine, DIG, &format!("resource={first}&resource={second}")).await;
    assert_eq!(
        st["deployedCounts"],
        json!({"Applied": 2, "Failed": 1, "Pending": 3})
    );

    // An app that is not in the context keeps nothing.
    let st = status(&engine, DIG, "app=nginx").await;
    assert_eq!(st["apps"], json!([]));
    assert_eq!(st["deployedCounts"], json!({}));
}

#[tokio::test]
async fn list_modes_answer_lists_in_their_precedence() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;
    rsync_writes(&env, ctx, "prov+c1", &c1_progress(&planned)).await;

    let st = status(&engine, DIG, "apps&clusters&resources").await;
    assert_eq!(st["apps"], json!(["collectd"]));
    assert!(st.get("clustersByApp").is_none() && st.get("states").is_none());

    let st = status(&engine, DIG, "resources&clusters").await;
    assert_eq!(
        st["clustersByApp"],
        json!([{"app": "collectd", "clusters": [
            {"clusterProvider": "prov", "cluster": "c1"},
            {"clusterProvider": "prov", "cluster": "c2"},
            {"clusterProvider": "prov", "cluster": "c3"}]}])
    );
    let st = status(&engine, DIG, "clusters&cluster=prov%2Bc2").await;
    assert_eq!(
        st["clustersByApp"][0]["clusters"],
        json!([{"clusterProvider": "prov", "cluster": "c2"}])
    );

    let st = status(&engine, DIG, "resources&cluster=prov%2Bc1").await;
    let entries = st["resourcesByApp"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["app"], "collectd");
    assert_eq!(entries[0]["clusterProvider"], "prov");
    assert_eq!(entries[0]["cluster"], "c1");
    let names: Vec<&str> = entries[0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = planned.iter().map(|p| p.2.as_str()).collect();
    assert_eq!(names, expected);
    assert!(entries[0]["resources"][0]["GVK"]["Kind"].is_string());
    assert!(entries[0]["resources"][0].get("deployedStatus").is_none());
    let st = status(&engine, DIG, "resources").await;
    assert_eq!(st["resourcesByApp"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn instance_selects_another_revisions_context_and_bad_queries_are_refused() {
    let env = Env::etcd().await;
    let engine = env.engine().await;
    let ctx1 = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;
    let k = planned.len();
    let updated = engine.op(&format!("{DIG}/update"), None).await.expect(202);
    let ctx2: ContextId = updated.body["instance"].as_str().unwrap().parse().unwrap();
    engine.wait_state(DIG, "Instantiated").await;
    rsync_writes(&env, ctx2, "prov+c2", &c2_progress(&planned)).await;

    // The default stays the statusctxid; instance= reads revision 2's context and its st/ keys.
    let st = status(&engine, DIG, "").await;
    assert_eq!(st["states"]["statusctxid"], ctx1.to_string());
    assert_eq!(st["deployedCounts"], json!({"Pending": n(3 * k)}));
    let st = status(&engine, DIG, &format!("instance={ctx2}")).await;
    assert_eq!(
        st["deployedCounts"],
        json!({"Failed": 1, "Pending": n(3 * k - 1)})
    );
    assert_eq!(cluster(&st, "c2")["connectivity"], "Retrying");

    // An instance that is no AppContext of this DIG.
    let reply = engine
        .get(&format!("{DIG}/status?instance=424242"))
        .await
        .expect(404);
    assert!(reply.error().contains("424242"), "{}", reply.error());

    // Bad parameters and values: 400 naming the parameter and what it accepts.
    for (query, field, allowed) in [
        ("status=up", "status", "deployed or ready"),
        ("type=monitor", "type", "rsync or cluster"),
        ("output=full", "output", "summary, all or detail"),
        ("instance=abc", "instance", "decimal"),
        ("cluster=c1", "cluster", "<provider>+<cluster>"),
        ("apps=yes", "apps", "true or false"),
        ("colour=red", "colour", "known: instance"),
        ("status=ready&type=rsync", "type", "give one of them"),
        ("output=all&output=detail", "output", "once"),
    ] {
        let reply = engine
            .get(&format!("{DIG}/status?{query}"))
            .await
            .expect(400);
        assert_eq!(reply.body["field"], field, "{query}: {}", reply.body);
        assert!(
            reply.error().contains(allowed),
            "{query}: {}",
            reply.error()
        );
    }

    // The logical cloud's status takes the same query.
    let st = status(&engine, LC, "status=ready&output=summary").await;
    assert_eq!(st["name"], "lc1");
    assert!(st.get("apps").is_none());
    assert!(st["readyStatus"].is_string(), "{st}");
    engine
        .get(&format!("{LC}/status?output=full"))
        .await
        .expect(400);
}
