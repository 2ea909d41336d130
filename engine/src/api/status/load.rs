//! Reads what a status query needs from one AppContext: its state, its apps and placements, every
//! `st/<cluster>/<app>` key in one prefix range, and the resource lists (names only, never bodies) of the
//! clusters rsync has not written yet.

use std::collections::HashMap;

use canopy_schemas::ContextId;
use canopy_schemas::name::AppName;

use super::compute::{AppRecord, ClusterRecord, Snapshot};
use super::query::{List, Query};
use crate::appcontext::{self, AppProgress, ContextKeys, Placed, Reader};
use crate::context::{ContextStore, KeyValue};

/// The snapshot of context `id` for `query`; `None` while the context is incomplete (being built). Apps
/// and clusters the query filters out are not read further than their names.
pub async fn snapshot<S: ContextStore + ?Sized>(
    store: &S,
    id: ContextId,
    query: &Query,
) -> appcontext::Result<Option<Snapshot>> {
    let reader = match Reader::open(store, id).await {
        Ok(reader) => reader,
        Err(appcontext::Error::Incomplete(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let names = reader.apps().await?;
    let mut snapshot = Snapshot {
        status: reader.status.clone(),
        apps: Vec::with_capacity(names.len()),
    };
    if query.list == Some(List::Apps) {
        snapshot.apps = names
            .into_iter()
            .map(|(name, _)| AppRecord {
                name,
                clusters: Vec::new(),
                dropped: Vec::new(),
            })
            .collect();
        return Ok(Some(snapshot));
    }
    let keys = ContextKeys::new(id);
    let statuses: HashMap<Vec<u8>, KeyValue> = if query.list == Some(List::Clusters) {
        HashMap::new()
    } else {
        store
            .range(&keys.statuses())
            .await?
            .kvs
            .into_iter()
            .map(|kv| (kv.key.as_bytes().to_vec(), kv))
            .collect()
    };
    for (name, _) in names {
        if !query.keeps_app(name.as_str()) {
            continue;
        }
        let placement = reader.placement(&name).await?;
        let mut clusters = Vec::with_capacity(placement.clusters.len());
        for placed in placement.clusters {
            if query.keeps_cluster(&placed.cluster) {
                clusters
                    .push(cluster_record(&reader, &keys, &statuses, &name, placed, query).await?);
            }
        }
        snapshot.apps.push(AppRecord {
            name,
            clusters,
            dropped: placement.dropped,
        });
    }
    Ok(Some(snapshot))
}

/// One chosen cluster of `app`: rsync's value from `statuses` when it has written one, else (unless only
/// cluster names are asked for) the cluster's planned resources, read without their bodies.
async fn cluster_record<S: ContextStore + ?Sized>(
    reader: &Reader<'_, S>,
    keys: &ContextKeys,
    statuses: &HashMap<Vec<u8>, KeyValue>,
    app: &AppName,
    placed: Placed,
    query: &Query,
) -> appcontext::Result<ClusterRecord> {
    let mut record = ClusterRecord {
        placed,
        progress: None,
        planned: Vec::new(),
    };
    if query.list == Some(List::Clusters) {
        return Ok(record);
    }
    let key = keys.cluster_status(&record.placed.cluster, app);
    match statuses.get(key.as_bytes()) {
        Some(kv) => record.progress = Some(AppProgress::decode(kv)?),
        None => record.planned = reader.resource_ids(app, &record.placed.cluster).await?,
    }
    Ok(record)
}
