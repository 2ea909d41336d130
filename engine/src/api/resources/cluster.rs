//! Cluster providers, clusters (with their kubeconfigs), cluster labels and cluster kv-pairs.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use canopy_schemas::rest::cluster::{Cluster, ClusterLabel, ClusterProvider, KvPairs};
use serde::Serialize;

use super::named;
use crate::api::announce;
use crate::api::resource::{self, Change, Resource, Upload, url_key};
use crate::api::routes::Routes;
use crate::api::{Api, ApiError, ApiResult, upload};
use crate::store::{Key, PageRequest, key};
use axum::http::StatusCode;

/// Cluster providers.
pub struct ClusterProviders;
impl Resource for ClusterProviders {
    type Body = ClusterProvider;
    const KIND: &'static key::Kind = &key::CLUSTER_PROVIDER;
    const NOUN: &'static str = "cluster provider";
    named!();
}

/// Clusters, each with its kubeconfig (GitOps clusters have none). EMCO serves no `PUT` for clusters.
pub struct Clusters;
impl Resource for Clusters {
    type Body = Cluster;
    const KIND: &'static key::Kind = &key::CLUSTER;
    const NOUN: &'static str = "cluster";
    const UPLOAD: Option<Upload> = Some(Upload {
        part: "file",
        many: false,
        blob: "kubeconfig",
        check: upload::check_kubeconfig,
    });
    const REPLACEABLE: bool = false;
    const FILTERS: &'static [&'static str] = &["label", "withLabels"];
    named!();
    fn requires_file(body: &Cluster) -> bool {
        !body.is_git_ops()
    }
    /// Announced as `registered` or `deleted`.
    fn announcement(key: &Key, change: Change) -> Option<canopy_schemas::event::Event> {
        let what = if change == Change::Deleted {
            "deleted"
        } else {
            "registered"
        };
        announce::cluster(key, what, None)
    }
}

/// Labels of a cluster; the label is the name.
pub struct ClusterLabels;
impl Resource for ClusterLabels {
    type Body = ClusterLabel;
    const KIND: &'static key::Kind = &key::CLUSTER_LABEL;
    const NOUN: &'static str = "cluster label";
    fn own_names(body: &ClusterLabel) -> Vec<String> {
        vec![body.cluster_label.clone()]
    }
    /// Announced on the cluster as `labelled` or `unlabelled`, with the label as the message.
    fn announcement(key: &Key, change: Change) -> Option<canopy_schemas::event::Event> {
        let what = if change == Change::Deleted {
            "unlabelled"
        } else {
            "labelled"
        };
        announce::cluster(key, what, Some(key.name().as_str().to_owned()))
    }
}

/// Kv-pair objects of a cluster.
pub struct ClusterKvPairs;
impl Resource for ClusterKvPairs {
    type Body = KvPairs;
    const KIND: &'static key::Kind = &key::CLUSTER_KV;
    const NOUN: &'static str = "cluster kv-pair";
    const ITEM_QUERY: &'static [&'static str] = &["key"];
    named!();
    /// `?key=K` answers `{"K": value}`, as EMCO's clm does.
    fn view(
        stored: serde_json::Value,
        query: &BTreeMap<String, String>,
    ) -> ApiResult<serde_json::Value> {
        let Some(wanted) = query.get("key") else {
            return Ok(stored);
        };
        let kv: KvPairs = serde_json::from_value(stored).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("stored kv-pair is unreadable: {e}"),
            )
        })?;
        let value = kv.value(wanted).ok_or_else(|| {
            ApiError::not_found(format!(
                "kv-pair {:?} has no key {wanted:?}",
                kv.metadata.name
            ))
        })?;
        Ok(serde_json::json!({ wanted: value }))
    }
}

/// A cluster with its labels, as `?withLabels=true` returns it.
#[derive(Serialize)]
struct WithLabels {
    metadata: canopy_schemas::rest::Metadata,
    labels: Vec<ClusterLabel>,
}

/// `GET .../clusters`: `?label=L` gives the names of the clusters that carry L; `?withLabels=true` gives
/// each cluster with its labels; otherwise the generic list.
async fn list_clusters(
    State(api): State<Api>,
    url: Path<Vec<(String, String)>>,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let label = query.get("label").cloned();
    let with_labels = query.get("withLabels").is_some_and(|v| v == "true");
    if label.is_none() && !with_labels {
        return resource::list::<Clusters>(State(api), url, Query(query)).await;
    }
    let names: Vec<String> = url.0.iter().map(|(_, v)| v.clone()).collect();
    let provider = url_key(&key::CLUSTER_PROVIDER, &names)?;
    resource::load(&api, &provider, "cluster provider").await?;
    // Every label of every cluster of the provider, in one listing.
    let labels = api
        .store
        .list(&key::CLUSTER_LABEL, Some(&provider), PageRequest::default())
        .await?;
    if let Some(label) = label {
        let carrying: BTreeSet<String> = labels
            .items
            .iter()
            .filter(|r| r.key.name().as_str() == label)
            .map(|r| r.key.names()[1].as_str().to_owned())
            .collect();
        return Ok(Json(carrying).into_response());
    }
    let mut by_cluster: BTreeMap<String, Vec<ClusterLabel>> = BTreeMap::new();
    for record in &labels.items {
        let cluster = record.key.names()[1].as_str().to_owned();
        by_cluster.entry(cluster).or_default().push(ClusterLabel {
            cluster_label: record.key.name().as_str().to_owned(),
        });
    }
    let listed = resource::list_records::<Clusters>(&api, &names, &BTreeMap::new()).await?;
    let out: Vec<WithLabels> = listed
        .items
        .into_iter()
        .map(|(record, body)| WithLabels {
            labels: by_cluster
                .remove(record.key.name().as_str())
                .unwrap_or_default(),
            metadata: body.metadata,
        })
        .collect();
    Ok(Json(out).into_response())
}

/// Registers the cluster-provider routes.
pub fn register(routes: Routes) -> Routes {
    let cluster = "/cluster-providers/{clusterProvider}/clusters/{cluster}";
    routes
        .resource::<ClusterProviders>("/cluster-providers", "/cluster-providers/{clusterProvider}")
        .resource_listed_by::<Clusters>(
            "/cluster-providers/{clusterProvider}/clusters",
            cluster,
            axum::routing::get(list_clusters),
        )
        .resource::<ClusterLabels>(
            &format!("{cluster}/labels"),
            &format!("{cluster}/labels/{{clusterLabel}}"),
        )
        .resource::<ClusterKvPairs>(
            &format!("{cluster}/kv-pairs"),
            &format!("{cluster}/kv-pairs/{{clusterKv}}"),
        )
}
