//! The periodic resync of one watched cluster: every registered app's resources are applied again, and a
//! resource that was missing or that someone changed is reported `drift-corrected`.
//!
//! A resource keeps the deployment id it carries when that names a context of the same app: an update does
//! not touch the resources it leaves unchanged, so they still carry the id of the context that applied
//! them, and relabelling them would change them (for a workload, a new pod-template label is a rollout)
//! and announce a drift nobody made.

use std::sync::Arc;

use canopy_engine::appcontext::{AppProgress, Deployed, Manifests, Phase, ResourceProgress};
use canopy_schemas::event::{Event, Identity};
use canopy_schemas::{ContextId, Timestamp};
use serde_json::Value;

use super::{AppKey, Watched};
use crate::cluster::DEPLOYMENT_ID_LABEL;
use crate::status::Slot;

impl Watched {
    /// Re-applies every registered app's resources. A resource that was gone, or that someone changed
    /// (its resourceVersion moved when it was applied again), is reported `drift-corrected`.
    pub(super) async fn resync(&self) {
        let all: Vec<(AppKey, Arc<Manifests>, String)> = self
            .entries
            .lock()
            .expect("lock")
            .iter()
            .map(|(k, e)| (k.clone(), e.manifests.clone(), e.deployment_id.clone()))
            .collect();
        for (key, manifests, deployment_id) in all {
            let mut repaired = Vec::new();
            for (i, m) in manifests.resources.iter().enumerate() {
                match self.reapply(m, &deployment_id).await {
                    Ok(Some(how)) => repaired.push((i, how)),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(cluster = %self.cluster, "resync of {} {}: {e}", m.kind, m.name);
                    }
                }
            }
            if repaired.is_empty() {
                continue;
            }
            let slot = Slot {
                ctx: key.0,
                cluster: self.cluster.clone(),
                app: key.1.clone(),
            };
            let events = repaired
                .iter()
                .map(|(i, how)| {
                    let m = &manifests.resources[*i];
                    Event::new(
                        Identity::Resource {
                            ctx: slot.ctx,
                            cluster: slot.cluster.clone(),
                            app: slot.app.clone(),
                            resource_kind: m.kind.clone(),
                            name: m.name.clone(),
                        },
                        "drift-corrected",
                    )
                    .with_context(slot.ctx)
                    .with_message(*how)
                })
                .collect();
            let now = Timestamp::now();
            let result = self
                .status
                .update(
                    &slot,
                    || seed(self, &key),
                    |p| {
                        for (i, _) in &repaired {
                            if let Some(r) = p.resources.get_mut(*i) {
                                r.deployed = Deployed::Applied;
                                r.applied_at = Some(now);
                            }
                        }
                    },
                    events,
                )
                .await;
            match result {
                Ok(_) => {
                    tracing::info!(cluster = %self.cluster, app = %key.1, repaired = repaired.len(), "drift corrected")
                }
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }

    async fn reapply(
        &self,
        m: &canopy_engine::appcontext::Manifest,
        deployment_id: &str,
    ) -> crate::cluster::Result<Option<&'static str>> {
        let cluster = self.cluster();
        let before = cluster.get(m).await?;
        let id = before
            .as_ref()
            .and_then(|live| kept_id(live, deployment_id))
            .unwrap_or(deployment_id);
        cluster.apply(m, id).await?;
        let Some(before) = before else {
            return Ok(Some("the resource was missing and was applied again"));
        };
        let after = cluster.get(m).await?;
        let version =
            |v: &serde_json::Value| v["metadata"]["resourceVersion"].as_str().map(str::to_owned);
        Ok(match after {
            Some(after) if version(&after) != version(&before) => {
                Some("the resource had been changed and was applied again")
            }
            _ => None,
        })
    }
}

fn seed(w: &Watched, key: &AppKey) -> AppProgress {
    let resources = w
        .entries
        .lock()
        .expect("lock")
        .get(key)
        .map(|e| {
            e.manifests
                .resources
                .iter()
                .map(ResourceProgress::pending)
                .collect()
        })
        .unwrap_or_default();
    AppProgress {
        phase: Phase::Applied,
        connectivity: Default::default(),
        last_error: None,
        resources,
        updated_at: Timestamp::now(),
    }
}

/// The deployment id `live` carries, when it is `<ctx>-<app>` for a context `ctx` and the app of
/// `registered` (the id the app is registered with, `<ctx>-<app>` too).
fn kept_id<'a>(live: &'a Value, registered: &str) -> Option<&'a str> {
    let id = live["metadata"]["labels"][DEPLOYMENT_ID_LABEL].as_str()?;
    let (_, app) = registered.split_once('-')?;
    let (ctx, rest) = id.split_once('-')?;
    (rest == app && ctx.parse::<ContextId>().is_ok()).then_some(id)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn labelled(id: &str) -> Value {
        json!({"metadata": {"name": "x", "labels": {DEPLOYMENT_ID_LABEL: id}}})
    }

    #[test]
    fn an_id_of_another_context_of_the_same_app_is_kept() {
        assert_eq!(kept_id(&labelled("7-nginx"), "9-nginx"), Some("7-nginx"));
        assert_eq!(kept_id(&labelled("9-nginx"), "9-nginx"), Some("9-nginx"));
        assert_eq!(kept_id(&labelled("7-my-app"), "9-my-app"), Some("7-my-app"));
    }

    #[test]
    fn any_other_label_is_replaced() {
        assert_eq!(kept_id(&labelled("7-collectd"), "9-nginx"), None);
        assert_eq!(kept_id(&labelled("edited-nginx"), "9-nginx"), None);
        assert_eq!(kept_id(&labelled("uninstall"), "9-nginx"), None);
        assert_eq!(
            kept_id(&json!({"metadata": {"name": "x"}}), "9-nginx"),
            None
        );
    }
}
