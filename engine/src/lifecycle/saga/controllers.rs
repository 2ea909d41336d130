//! The controllers a DIG names and what each is sent: the DIG intents map controller names to intent names
//! (`genericPlacementIntent` aside); each named controller must be registered, and runs in priority order,
//! placement controllers first. The intent's spec is the one stored for it: under
//! `controller-intents/{controller}/{intent}`, or for a gac intent (`generic-k8s-intents/{intent}`) the intent
//! with its resources, customizations and uploaded files assembled into the gac spec. A controller whose
//! intent canopy does not store (an EMCO controller that keeps its own) gets a `null` spec.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use canopy_schemas::controller::Intent;
use canopy_schemas::controller::gac;
use canopy_schemas::name::{ControllerName, IntentName};
use canopy_schemas::rest::action::{GacCustomization, GacResource};
use canopy_schemas::rest::controller::Controller;
use canopy_schemas::rest::dig::{DigIntent, GENERIC_PLACEMENT_INTENT};
use serde_json::Value;

use super::{Parts, Step, StepError};
use crate::lifecycle::DigId;
use crate::remote::{ControllerInfo, Kind};
use crate::store::{Key, PageRequest, Record, key};

/// One controller to call, with its intent.
#[derive(Clone, Debug)]
pub struct Call {
    /// Where it listens.
    pub info: ControllerInfo,
    /// What it is asked to apply.
    pub intent: Intent,
}

/// The controllers a DIG names, each list in call order.
#[derive(Clone, Debug, Default)]
pub struct Named {
    /// Placement controllers, lowest priority number first (ties by name).
    pub placement: Vec<Call>,
    /// Action controllers, lowest priority number first (ties by name).
    pub action: Vec<Call>,
    /// The generic placement intent, when the DIG names one.
    pub generic_placement: Option<String>,
}

fn dig_names(dig: &DigId) -> [&str; 4] {
    [
        dig.project.as_str(),
        dig.composite_app.as_str(),
        dig.version.as_str(),
        dig.dig.as_str(),
    ]
}

/// Every record of `kind` under `parent`.
pub async fn list(
    parts: &Parts,
    kind: &'static key::Kind,
    parent: &Key,
    step: Step,
) -> Result<Vec<Record>, StepError> {
    let page = parts
        .store
        .list(kind, Some(parent), PageRequest::default())
        .await
        .map_err(|e| StepError::of(step, &e, e.is_retryable()))?;
    Ok(page.items)
}

/// One record, if it exists.
pub async fn get(parts: &Parts, key: &Key, step: Step) -> Result<Option<Record>, StepError> {
    parts
        .store
        .get(key)
        .await
        .map_err(|e| StepError::of(step, &e, e.is_retryable()))
}

/// Decodes a stored body.
pub fn decode<T: serde::de::DeserializeOwned>(step: Step, record: &Record) -> Result<T, StepError> {
    serde_json::from_value(record.data.clone())
        .map_err(|e| StepError::terminal(step, format!("stored {}: {e}", record.key)))
}

/// The key of `kind` with `names`.
pub fn key_of(kind: &'static key::Kind, names: &[&str], step: Step) -> Result<Key, StepError> {
    Key::parse(kind, names).map_err(|e| StepError::terminal(step, e.to_string()))
}

/// The controllers `dig` names, with their intents.
pub async fn named(parts: &Parts, dig: &DigId, step: Step) -> Result<Named, StepError> {
    let dig_key = key_of(&key::DIG, &dig_names(dig), step)?;
    let mut map: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut named = Named::default();
    for record in list(parts, &key::DIG_INTENT, &dig_key, step).await? {
        let intent: DigIntent = decode(step, &record)?;
        if let Some(gpi) = intent.spec.intent.get(GENERIC_PLACEMENT_INTENT) {
            named.generic_placement = Some(gpi.clone());
        }
        for (controller, name) in intent.controllers() {
            map.insert(
                controller.to_owned(),
                (name.to_owned(), intent.metadata.name.clone()),
            );
        }
    }
    let mut calls = Vec::new();
    for (controller, (intent_name, dig_intent)) in map {
        let ckey = key_of(&key::CONTROLLER, &[&controller], step)?;
        let Some(record) = get(parts, &ckey, step).await? else {
            return Err(StepError::terminal(
                step,
                format!(
                    "controller {controller}, named by DIG intent {dig_intent}, is not registered"
                ),
            ));
        };
        let body: Controller = decode(step, &record)?;
        let info = ControllerInfo::try_from(&body)
            .map_err(|e| StepError::terminal(step, super::chain(&e)))?;
        let spec = intent_spec(parts, dig, &controller, &intent_name, step).await?;
        let intent = Intent {
            controller: info.name.clone(),
            name: IntentName::new(intent_name.clone()).map_err(|e| {
                StepError::terminal(step, format!("intent name {intent_name:?}: {e}"))
            })?,
            spec,
        };
        calls.push(Call { info, intent });
    }
    calls.sort_by(|a, b| {
        (a.info.priority.unwrap_or(u32::MAX), &a.info.name)
            .cmp(&(b.info.priority.unwrap_or(u32::MAX), &b.info.name))
    });
    for call in calls {
        match call.info.kind {
            Kind::Placement => named.placement.push(call),
            Kind::Action => named.action.push(call),
            Kind::Rsync => {
                return Err(StepError::terminal(
                    step,
                    "a DIG intent names rsync, which is not a placement or action controller",
                ));
            }
        }
    }
    Ok(named)
}

/// The spec stored for `controller`'s intent `name` under `dig`.
async fn intent_spec(
    parts: &Parts,
    dig: &DigId,
    controller: &str,
    name: &str,
    step: Step,
) -> Result<Value, StepError> {
    let d = dig_names(dig);
    let ckey = key_of(
        &key::CONTROLLER_INTENT,
        &[d[0], d[1], d[2], d[3], controller, name],
        step,
    )?;
    if let Some(record) = get(parts, &ckey, step).await? {
        return Ok(record.data.get("spec").cloned().unwrap_or(Value::Null));
    }
    let gkey = key_of(&key::GAC_INTENT, &[d[0], d[1], d[2], d[3], name], step)?;
    if get(parts, &gkey, step).await?.is_some() {
        let spec = gac_spec(parts, &gkey, name, step).await?;
        return serde_json::to_value(spec).map_err(|e| StepError::terminal(step, e.to_string()));
    }
    Ok(Value::Null)
}

/// A gac intent with its resources, customizations and files.
async fn gac_spec(
    parts: &Parts,
    intent: &Key,
    name: &str,
    step: Step,
) -> Result<gac::Spec, StepError> {
    let mut resources = Vec::new();
    for record in list(parts, &key::GAC_RESOURCE, intent, step).await? {
        let resource: GacResource = decode(step, &record)?;
        let file = match record.blobs.iter().find(|b| *b == "file") {
            Some(_) => blob(parts, &record.key, "file", step)
                .await?
                .map(|b| STANDARD.encode(b)),
            None => None,
        };
        let mut customizations = Vec::new();
        for crecord in list(parts, &key::GAC_CUSTOMIZATION, &record.key, step).await? {
            let customization: GacCustomization = decode(step, &crecord)?;
            let names = file_names(&crecord.data);
            let mut files = Vec::new();
            for (i, blob_name) in crecord.blobs.iter().enumerate() {
                if let Some(bytes) = blob(parts, &crecord.key, blob_name, step).await? {
                    files.push(gac::File {
                        name: names.get(i).cloned().unwrap_or_else(|| blob_name.clone()),
                        content: STANDARD.encode(bytes),
                    });
                }
            }
            customizations.push(gac::CustomizationSpec::new(customization, files));
        }
        resources.push(gac::ResourceSpec::new(resource, file, customizations));
    }
    Ok(gac::Spec {
        intent: name.to_owned(),
        resources,
    })
}

/// The file names a customization's data-key options give its uploaded files, in upload order (EMCO matches
/// them by position).
fn file_names(customization: &Value) -> Vec<String> {
    ["configMapOptions", "secretOptions"]
        .iter()
        .filter_map(|o| customization.pointer(&format!("/spec/{o}/dataKeyOptions")))
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|o| o.get("fileName").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

async fn blob(
    parts: &Parts,
    key: &Key,
    name: &str,
    step: Step,
) -> Result<Option<bytes::Bytes>, StepError> {
    parts
        .store
        .blob(key, name)
        .await
        .map_err(|e| StepError::of(step, &e, e.is_retryable()))
}

/// The name of a controller, for messages.
pub fn names(calls: &[Call]) -> Vec<ControllerName> {
    calls.iter().map(|c| c.info.name.clone()).collect()
}
