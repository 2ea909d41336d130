//! The cluster catalog: every cluster of the given providers with its labels and kv-pairs, read from the
//! resource store, in the form placement and action controllers see clusters.

use std::collections::{BTreeMap, HashMap};

use canopy_schemas::controller::{Cluster, KvEntry};
use canopy_schemas::name::{ClusterLabel, ClusterProviderName, ClusterRef, Name};
use canopy_schemas::rest::cluster::KvPairs;
use serde_json::Value;

use crate::store::{self, Key, PageRequest, Record, ResourceStore, key};

/// The kv-pair object name of the entries canopy adds itself.
pub const SYNTHETIC_KV_PAIR: &str = "canopy";
/// The key of the synthetic entry that counts the apps already placed on a cluster.
pub const PLACED_APPS: &str = "placedApps";

/// The catalog could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A cluster provider the catalog was asked for does not exist.
    #[error("cluster provider {0} does not exist")]
    ProviderMissing(ClusterProviderName),
    /// A stored record does not decode as its kind.
    #[error("stored {key} does not decode: {message}")]
    Corrupt {
        /// The record.
        key: Key,
        /// Why.
        message: String,
    },
    /// The resource store failed.
    #[error("reading the cluster catalog")]
    Store(#[from] store::Error),
}

impl Error {
    /// True when the same call may succeed later (only a store failure that says so).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_retryable())
    }
}

/// The catalog's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every cluster of `providers` (in the order given, each provider's clusters by name), with its labels
/// (by name) and its kv-pairs flattened to one entry per key (kv-pair objects by name, keys in stored order).
///
/// Three listings per provider, whatever its number of clusters: the clusters, then every label and every
/// kv-pair object under the provider, each assigned to its cluster.
pub async fn load<S: ResourceStore + ?Sized>(
    store: &S,
    providers: &[ClusterProviderName],
) -> Result<Vec<Cluster>> {
    let mut out = Vec::new();
    for provider in providers {
        let provider_key = Key::new(&key::CLUSTER_PROVIDER, vec![provider.clone().into()])
            .expect("a provider key has one name");
        if store.get(&provider_key).await?.is_none() {
            return Err(Error::ProviderMissing(provider.clone()));
        }
        let clusters = all(store, &key::CLUSTER, &provider_key).await?;
        // One cluster's labels (and kv-pair objects) are listed together and by name, as a listing under
        // the cluster lists them.
        let mut labels: HashMap<Name, Vec<ClusterLabel>> = HashMap::new();
        for label in all(store, &key::CLUSTER_LABEL, &provider_key).await? {
            labels
                .entry(cluster_name(&label.key).clone())
                .or_default()
                .push(ClusterLabel::from(label.key.name().clone()));
        }
        let mut kv: HashMap<Name, Vec<KvEntry>> = HashMap::new();
        for record in all(store, &key::CLUSTER_KV, &provider_key).await? {
            let cluster = cluster_name(&record.key).clone();
            let entries = kv_entries(record)?;
            kv.entry(cluster).or_default().extend(entries);
        }
        for record in clusters {
            let name = record.key.name();
            let mut entry = Cluster::new(ClusterRef::new(provider.clone(), name.clone().into()));
            entry.labels = labels.remove(name).unwrap_or_default();
            entry.kv = kv.remove(name).unwrap_or_default();
            out.push(entry);
        }
    }
    Ok(out)
}

/// The cluster a label or kv-pair key belongs to (its names are provider, cluster, own name).
fn cluster_name(key: &Key) -> &Name {
    &key.names()[1]
}

/// Sets the synthetic entry `{kv_pair: "canopy", key: "placedApps", value: N}` on every cluster of
/// `clusters`, N from `placed` (0 for a cluster it does not name). An entry set before is replaced.
pub fn set_placed_apps(clusters: &mut [Cluster], placed: &BTreeMap<ClusterRef, u64>) {
    let kv_pair = Name::new(SYNTHETIC_KV_PAIR).expect("a valid name");
    for cluster in clusters {
        cluster
            .kv
            .retain(|e| !(e.kv_pair == kv_pair && e.key == PLACED_APPS));
        let count = placed.get(&cluster.cluster).copied().unwrap_or(0);
        cluster.kv.push(KvEntry {
            kv_pair: kv_pair.clone(),
            key: PLACED_APPS.to_owned(),
            value: Value::from(count),
        });
    }
}

/// Every record of `kind` under `parent`.
pub(super) async fn all<S: ResourceStore + ?Sized>(
    store: &S,
    kind: &'static key::Kind,
    parent: &Key,
) -> store::Result<Vec<Record>> {
    let mut items = Vec::new();
    let mut page = PageRequest::default();
    loop {
        let got = store.list(kind, Some(parent), page).await?;
        items.extend(got.items);
        match got.next {
            Some(next) => {
                page = PageRequest {
                    after: Some(next),
                    limit: None,
                }
            }
            None => return Ok(items),
        }
    }
}

/// The entries of one kv-pair object.
fn kv_entries(record: Record) -> Result<Vec<KvEntry>> {
    let kv: KvPairs = serde_json::from_value(record.data).map_err(|e| Error::Corrupt {
        key: record.key.clone(),
        message: e.to_string(),
    })?;
    let kv_pair = record.key.name().clone();
    Ok(kv
        .spec
        .kv
        .into_iter()
        .flat_map(|entry| entry.into_iter())
        .map(|(key, value)| KvEntry {
            kv_pair: kv_pair.clone(),
            key,
            value,
        })
        .collect())
}

#[cfg(test)]
mod tests;
