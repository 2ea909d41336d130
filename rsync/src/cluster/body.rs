//! A manifest's body as rsync applies it: parsed from YAML, its identity filled in, its namespace set
//! for namespaced kinds, and labelled with the deployment id, also on pod templates so that the pods a
//! workload creates carry it too.

use std::sync::{Arc, LazyLock};

use canopy_engine::appcontext::{BlobHash, Manifest};
use dashmap::DashMap;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::error::{ApplyError, Result};

/// The label every applied object (and every pod template) carries: the deployment that applied it.
/// Readiness watches select on it, so they see canopy's objects only.
pub const DEPLOYMENT_ID_LABEL: &str = "canopy/deployment-id";

/// What makes a prepared body: the manifest (its body by hash), the namespace and the deployment id.
type PreparedKey = (BlobHash, [String; 3], Option<String>, String);

/// Bodies prepared already, as the JSON sent. One DIG sends the same manifest, in the same namespace with
/// the same deployment id, to every cluster it places the app on: it is parsed once, not once per cluster.
/// A pure memo, bounded: when full it is emptied and refilled by the bodies in use.
static PREPARED: LazyLock<DashMap<PreparedKey, Arc<RawValue>>> = LazyLock::new(DashMap::new);

/// How many prepared bodies are kept.
const PREPARED_LIMIT: usize = 4096;

/// [`prepare`]d and encoded as JSON, from the memo when it was prepared before.
pub fn prepared(
    m: &Manifest,
    namespace: Option<&str>,
    deployment_id: &str,
) -> Result<Arc<RawValue>> {
    let key = (
        BlobHash::of(&m.body),
        [m.api_version.clone(), m.kind.clone(), m.name.clone()],
        namespace.map(str::to_owned),
        deployment_id.to_owned(),
    );
    if let Some(found) = PREPARED.get(&key) {
        return Ok(found.clone());
    }
    let obj = prepare(m, namespace, deployment_id)?;
    let raw: Arc<RawValue> = serde_json::value::to_raw_value(&obj)
        .map_err(|e| {
            ApplyError::Terminal(format!("{} {}: encoding the body: {e}", m.kind, m.name))
        })?
        .into();
    if PREPARED.len() >= PREPARED_LIMIT {
        PREPARED.clear();
    }
    PREPARED.insert(key, raw.clone());
    Ok(raw)
}

/// Parses `m.body` (YAML or JSON) into the object to apply. `namespace` is where a namespaced object goes
/// (`None` for a cluster-scoped kind, whose body then carries no namespace).
pub fn prepare(m: &Manifest, namespace: Option<&str>, deployment_id: &str) -> Result<Value> {
    let mut obj = parse(m)?;
    let root = obj.as_object_mut().ok_or_else(|| {
        ApplyError::Terminal(format!("{} {}: the body is not an object", m.kind, m.name))
    })?;
    root.entry("apiVersion")
        .or_insert_with(|| json!(m.api_version));
    root.entry("kind").or_insert_with(|| json!(m.kind));
    let meta = object_at(root, "metadata");
    meta.entry("name").or_insert_with(|| json!(m.name));
    match namespace {
        Some(ns) => {
            meta.insert("namespace".into(), json!(ns));
        }
        None => {
            meta.remove("namespace");
        }
    }
    label(meta, deployment_id);
    if let Some(template) = pod_template(&mut obj, &m.kind) {
        label(object_at(template, "metadata"), deployment_id);
    }
    Ok(obj)
}

/// The body parsed from YAML (JSON is YAML too).
pub fn parse(m: &Manifest) -> Result<Value> {
    yaml_serde::from_slice::<Value>(&m.body).map_err(|e| {
        ApplyError::Terminal(format!(
            "{} {}: the body is not valid YAML: {e}",
            m.kind, m.name
        ))
    })
}

fn label(meta: &mut Map<String, Value>, deployment_id: &str) {
    object_at(meta, "labels").insert(DEPLOYMENT_ID_LABEL.into(), json!(deployment_id));
}

/// The pod template of a workload kind, created when the body has a spec but no template map yet.
fn pod_template<'a>(obj: &'a mut Value, kind: &str) -> Option<&'a mut Map<String, Value>> {
    let spec = obj.get_mut("spec")?.as_object_mut()?;
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicaSet" => {
            Some(object_at(spec, "template"))
        }
        "CronJob" => {
            let job = object_at(object_at(spec, "jobTemplate"), "spec");
            Some(object_at(job, "template"))
        }
        _ => None,
    }
}

/// The map at `key`, inserted (or replacing a non-map such as `null`) when needed.
fn object_at<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = map.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    slot.as_object_mut().expect("just made an object")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(kind: &str, body: &str) -> Manifest {
        Manifest {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            name: "web".into(),
            namespace: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_deployment_and_its_pod_template_get_the_label_and_the_namespace() {
        let m = manifest(
            "Deployment",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n",
        );
        let obj = prepare(&m, Some("edge"), "d-1").unwrap();
        assert_eq!(obj["metadata"]["namespace"], "edge");
        assert_eq!(obj["metadata"]["labels"]["app"], "web");
        assert_eq!(obj["metadata"]["labels"][DEPLOYMENT_ID_LABEL], "d-1");
        assert_eq!(obj["spec"]["template"]["metadata"]["labels"]["app"], "web");
        assert_eq!(
            obj["spec"]["template"]["metadata"]["labels"][DEPLOYMENT_ID_LABEL],
            "d-1"
        );
    }

    #[test]
    fn a_cronjob_labels_its_job_templates_pod_template() {
        let m = manifest(
            "CronJob",
            "kind: CronJob\nmetadata:\n  name: tick\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec: {}\n",
        );
        let obj = prepare(&m, Some("default"), "d-2").unwrap();
        assert_eq!(
            obj["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
                [DEPLOYMENT_ID_LABEL],
            "d-2"
        );
        assert_eq!(obj["apiVersion"], "apps/v1", "filled in from the manifest");
    }

    #[test]
    fn a_cluster_scoped_object_loses_any_namespace_and_a_configmap_gets_no_template() {
        let m = manifest(
            "ConfigMap",
            "kind: ConfigMap\nmetadata:\n  name: c\n  namespace: x\ndata:\n  a: b\n",
        );
        let obj = prepare(&m, None, "d").unwrap();
        assert!(obj["metadata"].get("namespace").is_none());
        assert!(obj.get("spec").is_none());
    }

    #[test]
    fn a_body_that_is_not_an_object_is_terminal_and_named() {
        let m = manifest("Deployment", "- a\n- b\n");
        let e = prepare(&m, None, "d").unwrap_err();
        assert!(matches!(e, ApplyError::Terminal(_)));
        assert!(e.to_string().contains("Deployment web"), "{e}");
    }
}
