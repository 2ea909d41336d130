use reqwest::Method;
use serde_json::json;

use crate::support::{TestServer, clusters, kubeconfig, meta};

#[tokio::test]
async fn clusters_carry_a_kubeconfig_labels_and_kv_pairs() {
    let s = TestServer::start().await;
    clusters(&s).await;
    let c1 = "/cluster-providers/prov/clusters/c1";
    assert_eq!(
        s.get(c1).await.expect(200).json(),
        meta("c1"),
        "no Accept gets the JSON"
    );
    let file = s
        .get_accept(c1, "application/octet-stream")
        .await
        .expect(200);
    assert_eq!(file.bytes.as_ref(), kubeconfig("c1").as_slice());

    s.post(&format!("{c1}/labels"), json!({"clusterLabel": "gpu"}))
        .await
        .expect(201);
    s.post(&format!("{c1}/labels"), json!({"clusterLabel": "gpu"}))
        .await
        .expect(409);
    s.post(&format!("{c1}/labels"), json!({"clusterLabel": "no good"}))
        .await
        .expect_field(400, "clusterLabel");
    assert_eq!(
        s.get(&format!("{c1}/labels/gpu")).await.expect(200).json(),
        json!({"clusterLabel": "gpu"})
    );

    let kv = json!({"metadata": {"name": "kv1"}, "spec": {"kv": [{"ovnaction_cni": "multus"}, {"cpus": 8}]}});
    s.post(&format!("{c1}/kv-pairs"), kv.clone())
        .await
        .expect(201);
    assert_eq!(
        s.get(&format!("{c1}/kv-pairs/kv1"))
            .await
            .expect(200)
            .json(),
        kv
    );
    s.post(
        &format!("{c1}/kv-pairs"),
        json!({"metadata": {"name": "kv2"}, "spec": {"kv": [{}]}}),
    )
    .await
    .expect_field(400, "spec.kv[0]");
}

#[tokio::test]
async fn clusters_list_by_label_and_with_labels() {
    let s = TestServer::start().await;
    clusters(&s).await;
    s.post_multipart(
        "/cluster-providers/prov/clusters",
        meta("c3"),
        &[("file", kubeconfig("c3"))],
    )
    .await
    .expect(201);
    s.post(
        "/cluster-providers/prov/clusters/c3/labels",
        json!({"clusterLabel": "core"}),
    )
    .await
    .expect(201);

    assert_eq!(
        s.get("/cluster-providers/prov/clusters?label=edge")
            .await
            .expect(200)
            .json(),
        json!(["c1", "c2"])
    );
    assert_eq!(
        s.get("/cluster-providers/prov/clusters?label=none")
            .await
            .expect(200)
            .json(),
        json!([])
    );
    let with = s
        .get("/cluster-providers/prov/clusters?withLabels=true")
        .await
        .expect(200)
        .json();
    assert_eq!(
        with[2],
        json!({"metadata": {"name": "c3"}, "labels": [{"clusterLabel": "core"}]})
    );
    assert_eq!(with[0]["labels"], json!([{"clusterLabel": "edge"}]));
    assert_eq!(
        s.get("/cluster-providers/prov/clusters")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn a_cluster_needs_its_provider_and_a_valid_kubeconfig() {
    let s = TestServer::start().await;
    s.post_multipart(
        "/cluster-providers/nope/clusters",
        meta("c1"),
        &[("file", kubeconfig("c1"))],
    )
    .await
    .expect(404);
    s.post("/cluster-providers", meta("prov")).await.expect(201);
    s.post_multipart("/cluster-providers/prov/clusters", meta("c1"), &[])
        .await
        .expect_field(400, "file");
    s.post_multipart(
        "/cluster-providers/prov/clusters",
        meta("c1"),
        &[("file", b"kind: Config\n".to_vec())],
    )
    .await
    .expect_field(400, "file");
    s.post("/cluster-providers/prov/clusters", meta("c1"))
        .await
        .expect_field(400, "Content-Type");
    // A GitOps cluster needs no kubeconfig.
    let gitops = json!({"metadata": {"name": "g1"}, "spec": {"gitOps": {"gitOpsType": "fluxcd", "gitOpsReferenceObject": "ref", "gitOpsResourceObject": "res"}}});
    s.post_multipart("/cluster-providers/prov/clusters", gitops, &[])
        .await
        .expect(201);
    // EMCO serves no PUT for clusters.
    s.multipart(
        Method::PUT,
        "/cluster-providers/prov/clusters/g1",
        meta("g1"),
        &[],
    )
    .await
    .expect(405);
}

#[tokio::test]
async fn a_labelled_cluster_or_a_used_provider_cannot_be_deleted() {
    let s = TestServer::start().await;
    clusters(&s).await;
    let r = s
        .delete("/cluster-providers/prov/clusters/c1")
        .await
        .expect(409);
    assert!(r.error().contains("label/edge"), "{}", r.error());
    s.delete("/cluster-providers/prov").await.expect(409);
    s.delete("/cluster-providers/prov/clusters/c1/labels/edge")
        .await
        .expect(204);
    s.delete("/cluster-providers/prov/clusters/c1")
        .await
        .expect(204);
    s.get("/cluster-providers/prov/clusters/c1")
        .await
        .expect(404);
}

#[tokio::test]
async fn a_kv_pair_answers_one_key_on_request() {
    let s = TestServer::start().await;
    clusters(&s).await;
    let kv = "/cluster-providers/prov/clusters/c1/kv-pairs";
    s.post(kv, json!({"metadata": {"name": "kv1"}, "spec": {"kv": [{"ovnaction_cni": "multus"}, {"cpus": 8}]}})).await.expect(201);
    assert_eq!(
        s.get(&format!("{kv}/kv1?key=cpus"))
            .await
            .expect(200)
            .json(),
        json!({"cpus": 8})
    );
    s.get(&format!("{kv}/kv1?key=gpus")).await.expect(404);
    s.get(&format!("{kv}/kv1?colour=red"))
        .await
        .expect_field(400, "colour");
}
