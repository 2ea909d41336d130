//! The common tail of every write: metadata, preconditions, simulation, store, watchers, apply log.

use std::sync::{Arc, Weak};
use std::time::Duration;

use serde_json::{Value, json};

use super::Propagation;
use super::delete::{has_finalizers, remove};
use crate::cluster::{Cluster, LogEntry, Target};
use crate::status::{Error, Result};
use crate::store::{EventType, Key, Store};
use crate::{clock, sim};

/// What a write is, for the apply log and for status handling.
#[derive(Debug, Clone, Copy)]
pub(super) struct Write<'a> {
    pub verb: &'static str,
    pub manager: &'a str,
    /// A write to the `status` subresource: only `status` changes.
    pub status: bool,
    /// Answer without storing.
    pub dry_run: bool,
}

impl Cluster {
    /// Stores `obj` as the new state of `name`; `old` is the live object, if any.
    pub(super) fn commit(
        self: &Arc<Self>,
        st: &mut Store,
        target: &Target,
        name: &str,
        mut obj: Value,
        write: Write<'_>,
    ) -> Result<Value> {
        let key = target.key(name);
        if !obj.is_object() {
            return Err(Error::BadRequest("the body must be a JSON object".into()));
        }
        if let Some(body_kind) = obj["kind"].as_str()
            && body_kind != target.kind.kind
        {
            return Err(Error::BadRequest(format!(
                "kind {body_kind} does not match the path ({})",
                target.kind.kind
            )));
        }
        if let Some(body_name) = obj["metadata"]["name"].as_str()
            && body_name != name
        {
            return Err(Error::BadRequest(format!(
                "the name in the body ({body_name}) does not match the path ({name})"
            )));
        }
        obj["apiVersion"] = json!(target.kind.api_version());
        obj["kind"] = json!(target.kind.kind);
        obj["metadata"]["name"] = json!(name);
        if target.kind.namespaced {
            if !st.contains(&key) {
                // Existing objects may outlive their namespace while finalizers hold them.
                require_namespace(st, &key.namespace)?;
            }
            obj["metadata"]["namespace"] = json!(key.namespace);
        } else if let Some(meta) = obj["metadata"].as_object_mut() {
            meta.remove("namespace");
        }
        let old = st.get(&key);
        let kind = target.kind.kind.as_str();
        let mut new_generation = true;
        match &old {
            Some(old) => {
                let live_rv = &old["metadata"]["resourceVersion"];
                match obj["metadata"]["resourceVersion"].as_str() {
                    Some(rv) if !rv.is_empty() && Some(rv) != live_rv.as_str() => {
                        return Err(Error::Conflict(format!(
                            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                            target.kind.plural
                        )));
                    }
                    _ => {}
                }
                for field in [
                    "uid",
                    "creationTimestamp",
                    "resourceVersion",
                    "generation",
                    "deletionTimestamp",
                    "deletionGracePeriodSeconds",
                ] {
                    obj["metadata"][field] = old["metadata"][field].clone();
                }
                if !old["metadata"]["deletionTimestamp"].is_null() {
                    no_new_finalizers(old, &obj)?;
                }
                if write.status {
                    let status = obj["status"].take();
                    obj = old.clone();
                    obj["status"] = status;
                } else {
                    obj["status"] = old["status"].clone();
                    if obj["spec"]["clusterIP"].is_null() && !old["spec"]["clusterIP"].is_null() {
                        obj["spec"]["clusterIP"] = old["spec"]["clusterIP"].clone();
                        obj["spec"]["clusterIPs"] = old["spec"]["clusterIPs"].clone();
                    }
                }
                strip_nulls(&mut obj);
                if obj == *old {
                    return Ok(obj);
                }
                new_generation = spec_of(&obj) != spec_of(old);
                if new_generation {
                    let generation = old["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                    obj["metadata"]["generation"] = json!(generation);
                }
            }
            None => {
                obj["metadata"]["uid"] = json!(uuid::Uuid::new_v4().to_string());
                obj["metadata"]["creationTimestamp"] = json!(clock::now());
                obj["metadata"]["generation"] = json!(1);
                if kind == "Service" {
                    sim::assign_cluster_ip(&mut obj, st.rv());
                }
            }
        }
        if write.dry_run {
            strip_nulls(&mut obj);
            return Ok(obj);
        }
        if old
            .as_ref()
            .is_some_and(|o| !o["metadata"]["deletionTimestamp"].is_null())
            && !has_finalizers(&obj)
        {
            // The last finalizer is gone: the pending deletion completes (one DELETED event).
            st.insert(key.clone(), &obj);
            let mut gone = Vec::new();
            remove(st, &key, Propagation::Background, &mut gone);
            for (rv, gone_obj) in &gone {
                self.log(entry("delete", write.manager, gone_obj, *rv));
            }
            return Ok(gone.into_iter().next().map_or(obj, |(_, o)| o));
        }
        let rv = st.next_rv();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        if sim::simulated(&target.kind.group, kind) && new_generation && !write.status {
            let delay = self.faults().readiness_delay();
            if delay.is_zero() {
                sim::ready(kind, &mut obj);
            } else {
                sim::not_ready(kind, &mut obj);
                let generation = obj["metadata"]["generation"].as_i64().unwrap_or(0);
                schedule_ready(Arc::downgrade(self), key.clone(), generation, delay);
            }
        }
        strip_nulls(&mut obj);
        if kind == "CustomResourceDefinition" {
            if let Some(old) = &old {
                st.kinds.remove_crd(old);
            }
            st.kinds.add_crd(&obj);
        }
        let prev_labels = st.insert(key.clone(), &obj);
        let event = if old.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        st.publish(event, key, &obj, rv, prev_labels);
        self.log(entry(write.verb, write.manager, &obj, rv));
        Ok(obj)
    }
}

/// A 422 when an update adds a finalizer to an object being deleted, as in Kubernetes.
fn no_new_finalizers(old: &Value, new: &Value) -> Result<()> {
    let before = old["metadata"]["finalizers"].as_array();
    let added = new["metadata"]["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| before.is_none_or(|b| !b.contains(f)));
    if added {
        return Err(Error::Invalid(
            "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted"
                .into(),
        ));
    }
    Ok(())
}

/// A 404 unless the namespace exists.
pub(super) fn require_namespace(st: &Store, namespace: &str) -> Result<()> {
    let key = Key {
        group: String::new(),
        plural: "namespaces".into(),
        namespace: String::new(),
        name: namespace.into(),
    };
    if namespace.is_empty() {
        return Err(Error::BadRequest(
            "a namespaced object needs a namespace".into(),
        ));
    }
    if !st.contains(&key) {
        return Err(Error::NotFound(format!(
            "namespaces \"{namespace}\" not found"
        )));
    }
    Ok(())
}

/// An apply-log entry for a write of `obj` at `rv`.
pub(super) fn entry(verb: &'static str, manager: &str, obj: &Value, rv: u64) -> LogEntry {
    let meta = &obj["metadata"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    LogEntry {
        time: clock::now_micros(),
        verb,
        manager: manager.to_string(),
        api_version: text(&obj["apiVersion"]),
        kind: text(&obj["kind"]),
        namespace: text(&meta["namespace"]),
        name: text(&meta["name"]),
        resource_version: rv.to_string(),
    }
}

/// Everything but metadata and status: a change here is a new generation.
fn spec_of(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

/// Removes top-level and metadata keys left `null` by the copying above.
fn strip_nulls(obj: &mut Value) {
    if let Some(m) = obj.as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    if let Some(m) = obj["metadata"].as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    if let Some(m) = obj.get_mut("spec").and_then(Value::as_object_mut) {
        m.retain(|_, v| !v.is_null());
    }
}

/// After `delay`, marks generation `generation` of `key` ready, unless the object or cluster changed or went.
fn schedule_ready(cluster: Weak<Cluster>, key: Key, generation: i64, delay: Duration) {
    // The timer belongs to the cluster: it holds only a weak reference, so a deleted cluster makes it a no-op.
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let Some(cluster) = cluster.upgrade() else {
            return;
        };
        let mut st = cluster.store();
        let Some(mut obj) = st.get(&key) else {
            return;
        };
        if obj["metadata"]["generation"].as_i64() != Some(generation) {
            return;
        }
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        sim::ready(&kind, &mut obj);
        let rv = st.next_rv();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let prev_labels = st.insert(key.clone(), &obj);
        st.publish(EventType::Modified, key, &obj, rv, prev_labels);
        drop(st);
        cluster.log(entry("status", "edgesim", &obj, rv));
    });
}
