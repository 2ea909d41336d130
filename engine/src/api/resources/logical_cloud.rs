//! Logical clouds (EMCO's dcm) and their cluster references, user permissions, cluster quotas and kv-pairs.
//! Instantiating a logical cloud comes with the scheduler; here they are stored and checked.

use canopy_schemas::rest::Violation;
use canopy_schemas::rest::logical_cloud::{
    ClusterQuota, ClusterReference, KvPairs, LogicalCloud, UserPermission,
};

use super::named;
use crate::api::resource::Resource;
use crate::api::routes::Routes;
use crate::store::{Claim, Key, key};

/// Logical clouds.
pub struct LogicalClouds;
impl Resource for LogicalClouds {
    type Body = LogicalCloud;
    const KIND: &'static key::Kind = &key::LOGICAL_CLOUD;
    const NOUN: &'static str = "logical cloud";
    named!();
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
