//! The AppContext of a level-0 (admin) logical cloud: on every referenced cluster, its namespace with the
//! cloud's labels, and one `ResourceQuota` per cluster quota. It goes through the same AppContext and rsync
//! path as any app, under the app name [`APP`].

use std::collections::BTreeMap;

use canopy_schemas::name::{AppName, ClusterRef};
use canopy_schemas::rest::logical_cloud::{ClusterQuota, ClusterReference, LogicalCloud};
use serde_json::{Value, json};

use super::controllers::{decode, get, key_of, list};
use super::{Parts, Step, StepError};
use crate::appcontext::{App, AppContext, Manifest, Manifests, Meta, Placed, Placement};
use crate::lifecycle::{CloudId, Work};
use crate::store::key;

/// The app name of a logical cloud's resources in its AppContext.
pub const APP: &str = "logical-cloud";

/// The namespace a level-0 logical cloud uses when its spec names none (EMCO's default).
pub const DEFAULT_NAMESPACE: &str = "default";

/// Composes the AppContext of `cloud` for `work`.
pub async fn compose(parts: &Parts, cloud: &CloudId, work: &Work) -> Result<AppContext, StepError> {
    let step = Step::Render;
    let key = key_of(
        &key::LOGICAL_CLOUD,
        &[cloud.project.as_str(), cloud.logical_cloud.as_str()],
        step,
    )?;
    let record = get(parts, &key, step).await?.ok_or_else(|| {
        StepError::terminal(
            step,
            format!("logical cloud {} no longer exists", cloud.logical_cloud),
        )
    })?;
    let lc: LogicalCloud = decode(step, &record)?;
    if lc.spec.level != "0" {
        return Err(StepError::terminal(
            step,
            "only level-0 (admin) logical clouds can be instantiated",
        ));
    }
    let namespace = if lc.spec.namespace.is_empty() {
        DEFAULT_NAMESPACE.to_owned()
    } else {
        lc.spec.namespace.clone()
    };
    let mut manifests = Manifests::default();
    manifests.resources.push(manifest(
        "v1",
        "Namespace",
        &namespace,
        None,
        json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": lc.spec.labels},
        }),
    ));
    for item in list(parts, &key::LC_CLUSTER_QUOTA, &key, step).await? {
        let quota: ClusterQuota = decode(step, &item)?;
        let name = quota.metadata.name.clone();
        manifests.resources.push(manifest(
            "v1",
            "ResourceQuota",
            &name,
            Some(&namespace),
            json!({
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"hard": quota.spec},
            }),
        ));
    }
    let mut clusters = BTreeMap::new();
    let mut placed = Vec::new();
    for (i, item) in list(parts, &key::LC_CLUSTER_REF, &key, step)
        .await?
        .into_iter()
        .enumerate()
    {
        let reference: ClusterReference = decode(step, &item)?;
        let cluster: ClusterRef = format!(
            "{}+{}",
            reference.spec.cluster_provider, reference.spec.cluster
        )
        .parse()
        .map_err(|e| StepError::terminal(step, format!("cluster reference: {e}")))?;
        placed.push(Placed {
            cluster: cluster.clone(),
            group: Some((i + 1).to_string()),
            score: None,
        });
        clusters.insert(cluster, manifests.clone());
    }
    if clusters.is_empty() {
        return Err(StepError::terminal(
            Step::Resolve,
            format!(
                "logical cloud {} references no cluster",
                cloud.logical_cloud
            ),
        ));
    }
    Ok(AppContext {
        id: work.context,
        meta: Meta::for_cloud(
            &cloud.project,
            &cloud.logical_cloud,
            work.revision,
            namespace,
        ),
        apps: vec![App {
            name: AppName::new(APP).expect("a valid name"),
            depends_on: Vec::new(),
            placement: Placement {
                clusters: placed,
                ..Placement::default()
            },
            clusters,
        }],
    })
}

fn manifest(
    api_version: &str,
    kind: &str,
    name: &str,
    namespace: Option<&str>,
    body: Value,
) -> Manifest {
    Manifest {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        namespace: namespace.map(str::to_owned),
        body: yaml_serde::to_string(&body)
            .expect("a JSON value serialises as YAML")
            .into_bytes(),
    }
}
