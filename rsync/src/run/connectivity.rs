//! A cluster's connectivity: written into the status of every app the task touches on it, and kept per
//! cluster at `/canopy/rsync/conn/<cluster>`, whose changes are announced as the cluster events
//! `unreachable` and `reachable` (once each, by the compare-and-swap that makes the change).

use canopy_engine::appcontext::{AppProgress, Connectivity, Phase, ResourceProgress};
use canopy_engine::context::{Compare, KeyValue, Op, Txn};
use canopy_engine::events::Outbox;
use canopy_schemas::Timestamp;
use canopy_schemas::event::{Event, Identity};
use canopy_schemas::name::ClusterRef;

use super::plan::ContextPlan;
use crate::keys;
use crate::runtime::Runtime;
use crate::status::Slot;

/// The status slots of the task's apps on `cluster`, with the resources to seed a missing status with.
pub fn slots(
    plan: &ContextPlan,
    old: Option<&ContextPlan>,
    cluster: &ClusterRef,
) -> Vec<(Slot, Vec<ResourceProgress>)> {
    let mut slots: Vec<_> = plan
        .apps
        .iter()
        .map(|a| {
            (
                Slot {
                    ctx: plan.ctx,
                    cluster: cluster.clone(),
                    app: a.name.clone(),
                },
                a.manifests
                    .resources
                    .iter()
                    .map(ResourceProgress::pending)
                    .collect(),
            )
        })
        .collect();
    if let Some(old) = old {
        for a in old.apps.iter().filter(|a| plan.app(&a.name).is_none()) {
            slots.push((
                Slot {
                    ctx: old.ctx,
                    cluster: cluster.clone(),
                    app: a.name.clone(),
                },
                a.manifests
                    .resources
                    .iter()
                    .map(ResourceProgress::pending)
                    .collect(),
            ));
        }
    }
    slots
}

/// Records `state` (and its error) for the cluster and each of `slots`. A cluster with no record has never
/// been unreachable: `Available` is then nothing to record (a new app's first write records it), nor is it
/// when the record says `Available` already. `known` is the cluster's record when the caller has just
/// read it (`Some(None)`: there is none); `None` reads it.
pub async fn record(
    rt: &Runtime,
    cluster: &ClusterRef,
    slots: &[(Slot, Vec<ResourceProgress>)],
    (state, error): (Connectivity, Option<String>),
    attempt: u32,
    known: Option<Option<KeyValue>>,
) {
    let was_retrying = match announce(rt, cluster, state, error.clone(), attempt, known).await {
        Ok(before) => before == Some(Connectivity::Retrying),
        Err(e) => {
            tracing::warn!(%cluster, "recording connectivity: {e}");
            true
        }
    };
    if state == Connectivity::Available && !was_retrying {
        return;
    }
    for (slot, resources) in slots {
        let seed = || AppProgress {
            phase: Phase::Pending,
            connectivity: Connectivity::Unknown,
            last_error: None,
            resources: resources.clone(),
            updated_at: Timestamp::now(),
        };
        let change = |p: &mut AppProgress| {
            p.connectivity = state;
            if error.is_some() || state == Connectivity::Available {
                p.last_error = error.clone();
            }
        };
        // `Available` is only news for an app that has a status already (one that was `Retrying`).
        let result = if state == Connectivity::Available {
            rt.status.update_existing(slot, change).await.map(drop)
        } else {
            rt.status
                .update(slot, seed, change, Vec::new())
                .await
                .map(drop)
        };
        if let Err(e) = result {
            tracing::warn!("{e}");
        }
    }
}

/// Records the cluster's connectivity at `/canopy/rsync/conn/<cluster>` and announces a change; returns
/// the state recorded before (`None`: no record, the cluster was never unreachable). `known` as in
/// [`record`]; a stale one costs a failed swap, which leaves the record to the writer that changed it.
async fn announce(
    rt: &Runtime,
    cluster: &ClusterRef,
    state: Connectivity,
    error: Option<String>,
    attempt: u32,
    known: Option<Option<KeyValue>>,
) -> Result<Option<Connectivity>, String> {
    let key = keys::connectivity(cluster);
    let current = match known {
        Some(current) => current,
        None => rt.store.get(&key).await.map_err(|e| e.to_string())?,
    };
    let before = current.as_ref().map(|kv| kv.value.as_slice());
    let was = before.map(|b| {
        if b == Connectivity::Retrying.as_str().as_bytes() {
            Connectivity::Retrying
        } else {
            Connectivity::Available
        }
    });
    let now = state.as_str().as_bytes();
    if before == Some(now) || (before.is_none() && state == Connectivity::Available) {
        return Ok(was);
    }
    let guard = match &current {
        Some(kv) => Compare::mod_revision(key.clone(), kv.mod_revision),
        None => Compare::absent(key.clone()),
    };
    let mut ops = vec![Op::put(key, now.to_vec())];
    let event = match (before, state) {
        (_, Connectivity::Retrying) => Some(("unreachable", error.unwrap_or_default())),
        (Some(b), Connectivity::Available) if b == Connectivity::Retrying.as_str().as_bytes() => {
            Some((
                "reachable",
                format!("reachable again after {} attempt(s)", attempt + 1),
            ))
        }
        _ => None,
    };
    if let Some((what, message)) = event {
        let e = Event::new(
            Identity::Cluster {
                cluster: cluster.clone(),
            },
            what,
        )
        .with_message(message);
        ops.push(Outbox::stage(&e).map_err(|e| e.to_string())?);
    }
    rt.store
        .txn(Txn::new().when([guard]).and_then(ops))
        .await
        .map_err(|e| e.to_string())?;
    Ok(was)
}
