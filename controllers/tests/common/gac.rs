//! Helpers for the gac tests: spec entries, app `web`, and calls to a served gac.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use canopy_schemas::controller::{
    AppResources, ClusterSelector, Edit, ResourceKey, UpdateRequest, UpdateResponse,
};
use canopy_schemas::proto::controller::v1 as pb;
use serde_json::{Value, json};

use super::fixture::{self, ClusterExt, app, cluster, deployment, update};

/// `text` in base64.
pub fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

/// A resource entry of app `app` for `apiVersion kind name`.
pub fn entry(app: &str, new_object: bool, gvk: (&str, &str, &str), customizations: Value) -> Value {
    json!({
        "metadata": {"name": format!("r-{}", gvk.2)},
        "spec": {"app": app, "newObject": new_object.to_string(),
                 "resourceGVK": {"apiVersion": gvk.0, "kind": gvk.1, "name": gvk.2}},
        "customizations": customizations,
    })
}

/// A spec of intent `gac-intent` with `resources`.
pub fn spec(resources: Vec<Value>) -> Value {
    json!({"intent": "gac-intent", "resources": resources})
}

/// App `web` with its Deployment on `p1+a` (edge), `p1+b` (core) and `p2+c` (edge).
pub fn web() -> AppResources {
    let clusters = vec![
        cluster("p1+a").label("edge"),
        cluster("p1+b").label("core"),
        cluster("p2+c").label("edge"),
    ];
    app("web", vec![deployment("web")], clusters)
}

/// Serves gac and sends it `request`.
pub async fn call(request: UpdateRequest) -> Result<UpdateResponse, tonic::Status> {
    let (_serving, mut client) = fixture::gac().await;
    let answer = client
        .update_app_context(pb::UpdateAppContextRequest::from(request))
        .await?;
    Ok(UpdateResponse::try_from(answer.into_inner()).unwrap())
}

/// The edits gac makes for `spec` to app `web`.
pub async fn edits(spec: Value) -> Vec<Edit> {
    call(update(spec, vec![web()])).await.unwrap().edits
}

/// The clusters a selector names.
pub fn clusters(selector: &ClusterSelector) -> Vec<String> {
    selector.clusters.iter().map(ToString::to_string).collect()
}

/// The key of `web`'s Deployment.
pub fn web_deployment() -> ResourceKey {
    ResourceKey::new("apps/v1", "Deployment", Some("default"), "web")
}
