use serde_json::json;

use crate::support::{TestServer, clusters, meta};

#[tokio::test]
async fn logical_clouds_hold_references_permissions_quotas_and_kv_pairs() {
    let s = TestServer::start().await;
    clusters(&s).await;
    s.post("/projects", meta("p1")).await.expect(201);
    let lcs = "/projects/p1/logical-clouds";
    let standard = json!({"metadata": {"name": "lc1"}, "spec": {"namespace": "ns1", "level": "1", "user": {"userName": "u", "type": "certificate"}}});
    s.post(lcs, standard.clone()).await.expect(201);
    s.post(
        lcs,
        json!({"metadata": {"name": "lc2"}, "spec": {"namespace": "ns1", "level": "1"}}),
    )
    .await
    .expect_field(400, "spec.user");
    s.post(
        lcs,
        json!({"metadata": {"name": "lc2"}, "spec": {"namespace": "NS", "level": "0"}}),
    )
    .await
    .expect_field(400, "spec.namespace");
    s.post(
        lcs,
        json!({"metadata": {"name": "lc2"}, "spec": {"level": "2"}}),
    )
    .await
    .expect_field(400, "spec.level");

    let refs = format!("{lcs}/lc1/cluster-references");
    // EMCO's own example spells it loadbalancerIp; Go's decoder does not mind, and neither does canopy.
    let reference = |name: &str, cluster: &str| json!({"metadata": {"name": name}, "spec": {"clusterProvider": "prov", "cluster": cluster, "loadbalancerIp": "0.0.0.0"}});
    s.post(&refs, reference("c1", "c1")).await.expect(201);
    s.post(&refs, reference("again", "c1")).await.expect(409);
    s.post(&refs, reference("c9", "c9"))
        .await
        .expect_field(404, "spec.cluster");
    assert_eq!(
        s.get(&format!("{refs}/c1")).await.expect(200).json()["spec"]["loadBalancerIP"],
        "0.0.0.0"
    );

    let perm = json!({"metadata": {"name": "p"}, "spec": {"namespace": "ns1", "apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}});
    s.post(&format!("{lcs}/lc1/user-permissions"), perm)
        .await
        .expect(201);
    let quota = json!({"metadata": {"name": "q"}, "spec": {"limits.cpu": "400", "pods": "500"}});
    s.post(&format!("{lcs}/lc1/cluster-quotas"), quota.clone())
        .await
        .expect(201);
    assert_eq!(
        s.get(&format!("{lcs}/lc1/cluster-quotas/q")).await.json(),
        quota
    );
    s.post(
        &format!("{lcs}/lc1/kv-pairs"),
        json!({"metadata": {"name": "kv"}, "spec": {"kv": [{"a": "b"}]}}),
    )
    .await
    .expect(201);

    let r = s
        .delete("/cluster-providers/prov/clusters/c1/labels/edge")
        .await
        .expect(204);
    drop(r);
    let r = s
        .delete("/cluster-providers/prov/clusters/c1")
        .await
        .expect(409);
    assert!(r.error().contains("lcClusterRef"), "{}", r.error());
    s.delete(&format!("{lcs}/lc1")).await.expect(409);
}
