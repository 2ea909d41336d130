//! LIST paging with `limit` and `continue` through kube's `ListParams`.

mod common;

use common::{Sim, api_code};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ListParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

async fn configmaps(sim: &Sim, count: usize) -> Api<ConfigMap> {
    let api: Api<ConfigMap> = Api::namespaced(sim.client("edge-0001").await, "default");
    for i in 0..count {
        let name = format!("cm-{i}");
        let tier = if i % 2 == 0 { "even" } else { "odd" };
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": {"tier": tier}}, "data": {"i": i.to_string()}});
        api.patch(&name, &PatchParams::apply("canopy"), &Patch::Apply(cm))
            .await
            .unwrap();
    }
    api
}

#[tokio::test]
async fn a_limited_list_pages_through_every_object_with_continue_tokens() {
    let sim = Sim::start("edge-0001").await;
    let api = configmaps(&sim, 5).await;
    let mut params = ListParams::default().limit(2);
    let mut pages = Vec::new();
    let mut remaining = Vec::new();
    let mut versions = Vec::new();
    loop {
        let page = api.list(&params).await.unwrap();
        pages.push(page.items.iter().map(|c| c.name_any()).collect::<Vec<_>>());
        remaining.push(page.metadata.remaining_item_count);
        versions.push(page.metadata.resource_version.clone());
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = ListParams::default().limit(2).continue_token(&token),
            None => break,
        }
    }
    assert_eq!(
        pages,
        [vec!["cm-0", "cm-1"], vec!["cm-2", "cm-3"], vec!["cm-4"]]
    );
    assert_eq!(remaining, [Some(3), Some(1), None]);
    assert!(
        versions.windows(2).all(|w| w[0] == w[1]),
        "one snapshot: {versions:?}"
    );

    let selected = api
        .list(&ListParams::default().labels("tier=even").limit(2))
        .await
        .unwrap();
    assert_eq!(selected.items.len(), 2);
    assert_eq!(
        selected.metadata.remaining_item_count, None,
        "unknown with a selector"
    );
    let token = selected.metadata.continue_.expect("more to come");
    let rest = api
        .list(
            &ListParams::default()
                .labels("tier=even")
                .limit(2)
                .continue_token(&token),
        )
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|c| c.name_any()).collect::<Vec<_>>(),
        ["cm-4"]
    );
    assert!(rest.metadata.continue_.is_none_or(|c| c.is_empty()));
}

#[tokio::test]
async fn a_continue_token_expires_when_the_rest_of_the_list_changed() {
    let sim = Sim::start("edge-0001").await;
    let api = configmaps(&sim, 4).await;
    let first = api.list(&ListParams::default().limit(2)).await.unwrap();
    let token = first.metadata.continue_.expect("more to come");
    // A change before the token's position keeps the rest of the snapshot intact.
    let pp = PatchParams::apply("canopy");
    let cm0 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-0"}, "data": {"i": "new"}});
    api.patch("cm-0", &pp, &Patch::Apply(cm0)).await.unwrap();
    let params = ListParams::default().limit(2).continue_token(&token);
    assert_eq!(api.list(&params).await.unwrap().items.len(), 2);
    // A change after it does not.
    let cm3 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-3"}, "data": {"i": "new"}});
    api.patch("cm-3", &pp, &Patch::Apply(cm3)).await.unwrap();
    let err = api.list(&params).await.unwrap_err();
    assert_eq!(api_code(&err), Some(410), "{err:?}");
    let kube::Error::Api(status) = err else {
        unreachable!()
    };
    assert_eq!(status.reason, "Expired");
    let garbage = ListParams::default().limit(2).continue_token("garbage");
    assert_eq!(api_code(&api.list(&garbage).await.unwrap_err()), Some(400));
}
