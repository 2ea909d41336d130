//! Deployment intent groups, DIG intents, generic placement intents and app placement intents.
//!
//! A DIG may be replaced only while it is `Created`, and deleted only as the lifecycle table allows (never
//! while something of it is or may be deployed); a deleted DIG's runtime state and AppContexts go with it.

use std::collections::BTreeMap;

use canopy_schemas::rest::Violation;
use canopy_schemas::rest::dig::{AppIntent, Dig, DigIntent, PlacementIntent};

use super::app::sibling_app;
use super::{named, under_dig};
use crate::api::lifecycle::dig_target;
use crate::api::resource::{Change, Resource};
use crate::api::routes::Routes;
use crate::api::{Api, ApiResult};
use crate::lifecycle::{self, Operation};
use crate::store::{Key, key};

fn key_of(kind: &'static key::Kind, names: &[&str], field: &str) -> Result<Key, Violation> {
    Key::parse(kind, names).map_err(|e| Violation::new(field, e))
}

/// Deployment intent groups.
pub struct Digs;
impl Resource for Digs {
    type Body = Dig;
    const KIND: &'static key::Kind = &key::DIG;
    const NOUN: &'static str = "deployment intent group";
    named!();
    async fn admit(api: &Api, key: &Key, _body: &Dig) -> ApiResult<()> {
        let record = api.lifecycle.record(&dig_target(key)?).await?;
        Operation::Replace
            .check(record.state)
            .map_err(|e| lifecycle::Error::from(e).into())
    }
    async fn deleting(api: &Api, key: &Key) -> ApiResult<()> {
        Ok(api.lifecycle.check_delete(&dig_target(key)?).await?)
    }
    /// `GET` shows the lifecycle as EMCO's status does: `states: {statusctxid, actions}`, plus `state`.
    async fn shown(
        api: &Api,
        key: &Key,
        mut shown: serde_json::Value,
    ) -> ApiResult<serde_json::Value> {
        let record = api.lifecycle.record(&dig_target(key)?).await?;
        let mut states = crate::api::status::states(&record);
        states["state"] = serde_json::json!(record.state.as_str());
        shown["states"] = states;
        Ok(shown)
    }
    async fn written(api: &Api, key: &Key, change: Change) {
        if change != Change::Deleted {
            return;
        }
        let Ok(target) = dig_target(key) else {
            return;
        };
        if let Err(e) = api.lifecycle.forget(&target).await {
            tracing::error!(%target, error = %e, "removing a deleted DIG's runtime state and AppContexts");
        }
    }
    fn refs(body: &Dig, key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        let n: Vec<&str> = key.names().iter().map(|n| n.as_str()).collect();
        let spec = &body.spec;
        let mut refs = vec![
            (
                "spec.compositeProfile".to_owned(),
                key_of(
                    &key::COMPOSITE_PROFILE,
                    &[n[0], n[1], n[2], &spec.composite_profile],
                    "spec.compositeProfile",
                )?,
            ),
            (
                "spec.logicalCloud".to_owned(),
                key_of(
                    &key::LOGICAL_CLOUD,
                    &[n[0], &spec.logical_cloud],
                    "spec.logicalCloud",
                )?,
            ),
        ];
        for (i, o) in spec.override_values.iter().enumerate() {
            let field = format!("spec.overrideValues[{i}].app");
            refs.push((field.clone(), sibling_app(key, &o.app, &field)?));
        }
        Ok(refs)
    }
}

/// DIG intents: which controllers run for the DIG. Every key but `genericPlacementIntent` must name a
/// registered controller.
pub struct DigIntents;
impl Resource for DigIntents {
    type Body = DigIntent;
    const KIND: &'static key::Kind = &key::DIG_INTENT;
    const NOUN: &'static str = "DIG intent";
    named!();
    fn refs(body: &DigIntent, _key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        body.controllers()
            .map(|(controller, _)| {
                let field = format!("spec.intent.{controller}");
                Ok((
                    field.clone(),
                    key_of(&key::CONTROLLER, &[controller], &field)?,
                ))
            })
            .collect()
    }
}

/// Generic placement intents.
pub struct PlacementIntents;
impl Resource for PlacementIntents {
    type Body = PlacementIntent;
    const KIND: &'static key::Kind = &key::PLACEMENT_INTENT;
    const NOUN: &'static str = "generic placement intent";
    named!();
}

/// App placement intents: which clusters an app goes to.
pub struct AppIntents;
impl Resource for AppIntents {
    type Body = AppIntent;
    const KIND: &'static key::Kind = &key::APP_INTENT;
    const NOUN: &'static str = "app placement intent";
    const FILTERS: &'static [&'static str] = &["app"];
    named!();
    fn refs(body: &AppIntent, key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        let mut refs = vec![(
            "spec.app".to_owned(),
            sibling_app(key, &body.spec.app, "spec.app")?,
        )];
        for (path, item) in body.spec.intent.items() {
            let target = match (&item.cluster, &item.cluster_label) {
                (Some(cluster), _) => {
                    let field = format!("{path}.cluster");
                    (
                        field.clone(),
                        key_of(&key::CLUSTER, &[&item.cluster_provider, cluster], &field)?,
                    )
                }
                // A label may match no cluster yet; its provider must exist.
                (None, _) => {
                    let field = format!("{path}.clusterProvider");
                    (
                        field.clone(),
                        key_of(&key::CLUSTER_PROVIDER, &[&item.cluster_provider], &field)?,
                    )
                }
            };
            if !refs.iter().any(|(_, k)| *k == target.1) {
                refs.push(target);
            }
        }
        Ok(refs)
    }
    fn matches(body: &AppIntent, query: &BTreeMap<String, String>) -> bool {
        query.get("app").is_none_or(|app| *app == body.spec.app)
    }
}

/// Registers the DIG routes.
pub fn register(routes: Routes) -> Routes {
    let gpi = "/generic-placement-intents/{genericPlacementIntent}";
    routes
        .resource::<Digs>(
            &super::under_composite_app("/deployment-intent-groups"),
            &under_dig(""),
        )
        .resource::<DigIntents>(&under_dig("/intents"), &under_dig("/intents/{intent}"))
        .resource::<PlacementIntents>(&under_dig("/generic-placement-intents"), &under_dig(gpi))
        .resource::<AppIntents>(
            &under_dig(&format!("{gpi}/app-intents")),
            &under_dig(&format!("{gpi}/app-intents/{{appIntent}}")),
        )
}
