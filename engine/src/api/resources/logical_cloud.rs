//! Logical clouds (EMCO's dcm) and their cluster references, user permissions, cluster quotas and kv-pairs.
//! A logical cloud may be replaced only while `Created` and deleted only as its lifecycle allows; its
//! instantiate, terminate and status routes are in `api/lifecycle.rs`.

use canopy_schemas::rest::Violation;
use canopy_schemas::rest::logical_cloud::{
    ClusterQuota, ClusterReference, KvPairs, LogicalCloud, UserPermission,
};

use super::named;
use crate::api::lifecycle::name;
use crate::api::resource::{Change, Resource};
use crate::api::routes::Routes;
use crate::api::{Api, ApiError, ApiResult};
use crate::lifecycle::{CloudId, Operation, Target};
use crate::store::{Claim, Key, key};
use axum::http::StatusCode;

/// The lifecycle target of a logical-cloud key.
fn target(key: &Key) -> ApiResult<Target> {
    let n = key.names();
    Ok(Target::Cloud(CloudId {
        project: name(n[0].as_str())?,
        logical_cloud: name(n[1].as_str())?,
    }))
}

/// Logical clouds. Deleting one follows its lifecycle, as a DIG's does: not while it is deployed.
pub struct LogicalClouds;
impl Resource for LogicalClouds {
    type Body = LogicalCloud;
    const KIND: &'static key::Kind = &key::LOGICAL_CLOUD;
    const NOUN: &'static str = "logical cloud";
    named!();
    async fn admit(api: &Api, key: &Key, _body: &LogicalCloud) -> ApiResult<()> {
        let record = api.lifecycle.record(&target(key)?).await?;
        // Changing a deployed cloud's body would leave the clusters out of step; the rules are delete's.
        Operation::Delete
            .check_for(true, record.state)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    format!(
                        "cannot replace a logical cloud that is {}; replace it before instantiate or after terminate",
                        e.state
                    ),
                )
            })
    }
    async fn deleting(api: &Api, key: &Key) -> ApiResult<()> {
        Ok(api.lifecycle.check_delete(&target(key)?).await?)
    }
    async fn written(api: &Api, key: &Key, change: Change) {
        if change != Change::Deleted {
            return;
        }
        let Ok(target) = target(key) else {
            return;
        };
        if let Err(e) = api.lifecycle.forget(&target).await {
            tracing::error!(%target, error = %e, "removing a deleted logical cloud's runtime state");
        }
    }
}

/// Cluster references; each cluster at most once per logical cloud. EMCO serves no `PUT` for them.
pub struct ClusterReferences;
impl Resource for ClusterReferences {
    type Body = ClusterReference;
    const KIND: &'static key::Kind = &key::LC_CLUSTER_REF;
    const NOUN: &'static str = "cluster reference";
    const REPLACEABLE: bool = false;
    named!();
    fn refs(body: &ClusterReference, _key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        let cluster = Key::parse(
            &key::CLUSTER,
            &[&body.spec.cluster_provider, &body.spec.cluster],
        )
        .map_err(|e| Violation::new("spec.cluster", e))?;
        Ok(vec![("spec.cluster".to_owned(), cluster)])
    }
    fn claims(body: &ClusterReference, key: &Key) -> Vec<Claim> {
        let cloud = key
            .parent()
            .expect("a cluster reference has a logical cloud");
        vec![Claim::new(
            &cloud,
            "reference-to",
            &format!("{}+{}", body.spec.cluster_provider, body.spec.cluster),
        )]
    }
}

/// User permissions.
pub struct UserPermissions;
impl Resource for UserPermissions {
    type Body = UserPermission;
    const KIND: &'static key::Kind = &key::LC_USER_PERMISSION;
    const NOUN: &'static str = "user permission";
    named!();
}

/// Cluster quotas.
pub struct ClusterQuotas;
impl Resource for ClusterQuotas {
    type Body = ClusterQuota;
    const KIND: &'static key::Kind = &key::LC_CLUSTER_QUOTA;
    const NOUN: &'static str = "cluster quota";
    named!();
}

/// Kv-pair objects of a logical cloud.
pub struct LogicalCloudKvPairs;
impl Resource for LogicalCloudKvPairs {
    type Body = KvPairs;
    const KIND: &'static key::Kind = &key::LC_KV;
    const NOUN: &'static str = "logical cloud kv-pair";
    named!();
}

/// Registers the logical-cloud routes.
pub fn register(routes: Routes) -> Routes {
    let lc = "/projects/{project}/logical-clouds/{logicalCloud}";
    let sub = |rest: &str| format!("{lc}{rest}");
    routes
        .resource::<LogicalClouds>("/projects/{project}/logical-clouds", lc)
        .resource::<ClusterReferences>(
            &sub("/cluster-references"),
            &sub("/cluster-references/{clusterReference}"),
        )
        .resource::<UserPermissions>(
            &sub("/user-permissions"),
            &sub("/user-permissions/{userPermission}"),
        )
        .resource::<ClusterQuotas>(
            &sub("/cluster-quotas"),
            &sub("/cluster-quotas/{clusterQuota}"),
        )
        .resource::<LogicalCloudKvPairs>(&sub("/kv-pairs"), &sub("/kv-pairs/{kvPair}"))
}
