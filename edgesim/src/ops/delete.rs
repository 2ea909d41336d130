//! delete, with `propagationPolicy`, namespace and CRD cascades, and finalizers that hold a deletion back.

use std::sync::Arc;

use serde_json::{Value, json};

use super::WriteOptions;
use super::commit::entry;
use super::read::{ListQuery, matching};
use crate::clock;
use crate::cluster::{Cluster, Target};
use crate::status::{Error, Result};
use crate::store::{EventType, Key, Store};

/// What happens to the dependents (objects whose `ownerReferences` name the deleted one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Propagation {
    /// Dependents are deleted too (the default).
    #[default]
    Background,
    /// Dependents are deleted too; edgesim deletes immediately, so this is the same as Background.
    Foreground,
    /// Dependents stay and lose their owner reference.
    Orphan,
}

impl Propagation {
    /// Parses `propagationPolicy`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "Background" => Ok(Self::Background),
            "Foreground" => Ok(Self::Foreground),
            "Orphan" => Ok(Self::Orphan),
            other => Err(Error::BadRequest(format!(
                "unknown propagationPolicy {other:?}"
            ))),
        }
    }
}

impl Cluster {
    /// Deletes an object at once and returns it as it was; dependents follow `propagation`.
    pub fn delete(
        self: &Arc<Self>,
        target: &Target,
        propagation: Propagation,
        opts: &WriteOptions<'_>,
    ) -> Result<Value> {
        let name = target.required_name()?;
        let key = target.key(name);
        let mut st = self.store();
        let obj = st.get(&key).ok_or_else(|| target.not_found(name))?;
        if opts.dry_run {
            return Ok(obj);
        }
        let mut gone = Vec::new();
        remove(&mut st, &key, propagation, &mut gone);
        // Still there when finalizers hold it: answer with the marked object, as Kubernetes does.
        let answer = st.get(&key).unwrap_or(obj);
        drop(st);
        for (rv, obj) in gone {
            self.log(entry("delete", opts.manager, &obj, rv));
        }
        Ok(answer)
    }
}

impl Cluster {
    /// Deletes every object of the target's kind (and namespace) that passes the query; returns them as a
    /// `<Kind>List`.
    pub fn delete_collection(
        self: &Arc<Self>,
        target: &Target,
        query: &ListQuery,
        propagation: Propagation,
        opts: &WriteOptions<'_>,
    ) -> Result<Value> {
        let mut st = self.store();
        let victims = matching(&st, target, query);
        if !opts.dry_run {
            let mut gone = Vec::new();
            for obj in &victims {
                let name = obj["metadata"]["name"].as_str().unwrap_or_default();
                let key = Key {
                    namespace: obj["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    ..target.key(name)
                };
                remove(&mut st, &key, propagation, &mut gone);
            }
            drop(st);
            for (rv, obj) in gone {
                self.log(entry("delete", opts.manager, &obj, rv));
            }
        }
        Ok(
            json!({"apiVersion": target.kind.api_version(), "kind": format!("{}List", target.kind.kind),
            "metadata": {}, "items": victims}),
        )
    }
}

/// Whether an object has finalizers, which hold its deletion back until they are removed.
pub(super) fn has_finalizers(obj: &Value) -> bool {
    obj["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty())
}

/// Removes one object and whatever depends on it, collecting what was removed. An object with finalizers
/// is only marked: it gets a `deletionTimestamp` (and a new generation) and stays, with its dependents,
/// until an update removes its last finalizer.
pub(super) fn remove(
    st: &mut Store,
    key: &Key,
    propagation: Propagation,
    gone: &mut Vec<(u64, Value)>,
) {
    let Some(mut obj) = st.get(key) else {
        return;
    };
    if has_finalizers(&obj) {
        if obj["metadata"]["deletionTimestamp"].is_null() {
            let generation = obj["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
            let rv = st.next_rv();
            let meta = &mut obj["metadata"];
            meta["deletionTimestamp"] = json!(clock::now());
            meta["deletionGracePeriodSeconds"] = json!(0);
            meta["generation"] = json!(generation);
            meta["resourceVersion"] = json!(rv.to_string());
            let prev_labels = st.insert(key.clone(), &obj);
            st.publish(EventType::Modified, key.clone(), &obj, rv, prev_labels);
            gone.push((rv, obj));
        }
        return;
    }
    st.remove(key);
    let rv = st.next_rv();
    obj["metadata"]["resourceVersion"] = json!(rv.to_string());
    st.publish(EventType::Deleted, key.clone(), &obj, rv, None);
    let uid = obj["metadata"]["uid"].clone();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    gone.push((rv, obj.clone()));
    let mut children: Vec<Key> = Vec::new();
    if key.group.is_empty() && key.plural == "namespaces" {
        children.extend(st.keys().filter(|k| k.namespace == key.name).cloned());
    }
    if kind == "CustomResourceDefinition" {
        let group = obj["spec"]["group"].as_str().unwrap_or_default();
        let plural = obj["spec"]["names"]["plural"].as_str().unwrap_or_default();
        children.extend(
            st.keys()
                .filter(|k| k.group == group && k.plural == plural)
                .cloned(),
        );
        st.kinds.remove_crd(&obj);
    }
    let owned: Vec<Key> = st
        .keys_containing(uid.as_str().unwrap_or_default())
        .into_iter()
        .filter(|k| {
            st.get(k).is_some_and(|o| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
            })
        })
        .collect();
    match propagation {
        Propagation::Orphan => {
            for k in owned {
                orphan(st, &k, &uid);
            }
        }
        _ => children.extend(owned),
    }
    for child in children {
        remove(st, &child, propagation, gone);
    }
}

/// Drops the owner reference to `uid` from one object.
fn orphan(st: &mut Store, key: &Key, uid: &Value) {
    let Some(mut obj) = st.get(key) else {
        return;
    };
    if let Some(refs) = obj["metadata"]["ownerReferences"].as_array_mut() {
        refs.retain(|r| r["uid"] != *uid);
    }
    let rv = st.next_rv();
    obj["metadata"]["resourceVersion"] = json!(rv.to_string());
    let prev_labels = st.insert(key.clone(), &obj);
    st.publish(EventType::Modified, key.clone(), &obj, rv, prev_labels);
}
