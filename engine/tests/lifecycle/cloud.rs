//! Logical clouds: instantiate builds their namespace and quotas through an AppContext and rsync; a DIG
//! waits for its logical cloud; level 1 is refused plainly.

use canopy_engine::appcontext::Reader;
use canopy_tests::RsyncMethod;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_level_0_logical_cloud_deploys_its_namespace_and_quotas_to_every_referenced_cluster() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let status = engine.get(&format!("{LC}/status")).await.expect(200).body;
    assert_eq!(status["state"], "Instantiated");
    let instance: canopy_schemas::ContextId = status["states"]["statusctxid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let call = env
        .rsync
        .wait_for_call(1, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(call.method, RsyncMethod::InstallApp);
    assert_eq!(call.contexts, [instance.to_string()]);
    let ctx = Reader::open(env.ctx.as_ref(), instance)
        .await
        .unwrap()
        .read()
        .await
        .unwrap();
    assert!(ctx.meta.for_cloud);
    assert_eq!(ctx.meta.namespace, "apps");
    let app = &ctx.apps[0];
    assert_eq!(app.clusters.len(), 4);
    for manifests in app.clusters.values() {
        let kinds: Vec<_> = manifests
            .resources
            .iter()
            .map(|m| (m.kind.as_str(), m.name.as_str()))
            .collect();
        assert_eq!(kinds, [("Namespace", "apps"), ("ResourceQuota", "q")]);
        let ns: serde_json::Value = yaml_serde::from_slice(&manifests.resources[0].body).unwrap();
        assert_eq!(ns["metadata"]["labels"]["team"], "a");
        let quota: serde_json::Value =
            yaml_serde::from_slice(&manifests.resources[1].body).unwrap();
        assert_eq!(quota["spec"]["hard"]["pods"], "100");
        assert_eq!(quota["metadata"]["namespace"], "apps");
    }
    // The DIG's resources go into the logical cloud's namespace.
    dig(
        &engine,
        json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1"}]}),
        &[],
    )
    .await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let status = engine.wait_state(DIG, "Instantiated").await;
    let id: canopy_schemas::ContextId = status["states"]["statusctxid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let dig_ctx = Reader::open(env.ctx.as_ref(), id)
        .await
        .unwrap()
        .read()
        .await
        .unwrap();
    assert_eq!(dig_ctx.meta.namespace, "apps");
    assert!(!dig_ctx.meta.for_cloud);
    // The logical cloud cannot be deleted or re-instantiated while instantiated; terminate uninstalls it.
    engine
        .op(&format!("{LC}/instantiate"), None)
        .await
        .expect(409);
    engine.op(&format!("{LC}/approve"), None).await.expect(404);
    engine.delete(LC).await.expect(409);
    // Not from under a deployed DIG.
    let refused = engine
        .op(&format!("{LC}/terminate"), None)
        .await
        .expect(409);
    assert!(
        refused.error().contains("dig1") && refused.error().contains("Instantiated"),
        "{}",
        refused.error()
    );
    engine
        .op(&format!("{DIG}/terminate"), None)
        .await
        .expect(202);
    engine.wait_state(DIG, "Terminated").await;
    engine
        .op(&format!("{LC}/terminate"), None)
        .await
        .expect(202);
    engine.wait_state(LC, "Terminated").await;
    let uninstall = env
        .rsync
        .calls()
        .into_iter()
        .rfind(|c| c.method == RsyncMethod::UninstallApp)
        .unwrap();
    assert_eq!(uninstall.contexts, [instance.to_string()]);
}

#[tokio::test]
async fn a_dig_waits_for_its_logical_cloud_and_level_1_is_not_implemented() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    dig(
        &engine,
        json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1"}]}),
        &[],
    )
    .await;
    engine
        .op(&format!("{LC}/terminate"), None)
        .await
        .expect(202);
    engine.wait_state(LC, "Terminated").await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    let refused = engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(409);
    assert!(
        refused.error().contains("logical cloud lc1") && refused.error().contains("Terminated"),
        "{}",
        refused.error()
    );
    assert_eq!(engine.state(DIG).await, "Approved", "nothing changed");
    // Level 1 (a user, certificates, roles) is a later issue: a clear 501, nothing recorded.
    engine
        .post(
            "/projects/p1/logical-clouds",
            json!({"metadata": {"name": "std"}, "spec": {"namespace": "team", "level": "1",
                "user": {"userName": "u", "type": "certificate"}}}),
        )
        .await
        .expect(201);
    let reply = engine
        .op("/projects/p1/logical-clouds/std/instantiate", None)
        .await
        .expect(501);
    assert!(reply.error().contains("level 1"), "{}", reply.error());
    assert_eq!(
        engine.state("/projects/p1/logical-clouds/std").await,
        "Created"
    );
}

#[tokio::test]
async fn updating_a_logical_cloud_moves_rsync_to_a_new_context_with_its_changes() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let first = engine.get(&format!("{LC}/status")).await.expect(200).body;
    let ctx1 = first["states"]["statusctxid"].as_str().unwrap().to_owned();
    engine
        .post(
            &format!("{LC}/cluster-quotas"),
            json!({"metadata": {"name": "q2"}, "spec": {"services": "10"}}),
        )
        .await
        .expect(201);
    let updated = engine.op(&format!("{LC}/update"), None).await.expect(202);
    assert_eq!(updated.body["revision"], 2);
    let ctx2 = updated.body["instance"].as_str().unwrap().to_owned();
    engine.wait_state(LC, "Instantiated").await;
    let call = env
        .rsync
        .wait_for_call(2, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(call.method, RsyncMethod::UpdateApp);
    assert_eq!(call.contexts, [ctx1, ctx2.clone()]);
    let ctx = Reader::open(env.ctx.as_ref(), ctx2.parse().unwrap())
        .await
        .unwrap()
        .read()
        .await
        .unwrap();
    let quotas: Vec<_> = ctx.apps[0]
        .clusters
        .values()
        .next()
        .unwrap()
        .resources
        .iter()
        .filter(|m| m.kind == "ResourceQuota")
        .map(|m| m.name.clone())
        .collect();
    assert_eq!(quotas, ["q", "q2"]);
}
