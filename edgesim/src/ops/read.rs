//! get and list.

use serde_json::{Value, json};

use crate::cluster::{Cluster, Target};
use crate::selector::{Fields, Labels};
use crate::status::Result;
use crate::store::{Key, Store};

/// The filters of a list request.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `labelSelector`.
    pub labels: Labels,
    /// `fieldSelector`.
    pub fields: Fields,
}

impl Cluster {
    /// The named object, with the `apiVersion` of the requested version.
    pub fn get(&self, target: &Target) -> Result<Value> {
        let name = target.required_name()?;
        let st = self.store();
        let mut obj = st
            .get(&target.key(name))
            .ok_or_else(|| target.not_found(name))?;
        obj["apiVersion"] = json!(target.kind.api_version());
        Ok(obj)
    }

    /// A `<Kind>List` of the matching objects, with the cluster's current resourceVersion.
    pub fn list(&self, target: &Target, query: &ListQuery) -> Result<Value> {
        let st = self.store();
        let items = matching(&st, target, query);
        Ok(json!({
            "apiVersion": target.kind.api_version(),
            "kind": format!("{}List", target.kind.kind),
            "metadata": {"resourceVersion": st.rv().to_string()},
            "items": items,
        }))
    }
}

/// The objects of the target's kind (in its namespace, if one is given) that pass the query.
pub(super) fn matching(st: &Store, target: &Target, query: &ListQuery) -> Vec<Value> {
    let api_version = target.kind.api_version();
    st.scan(|k| in_scope(k, target))
        .map(|(_, o)| o)
        .filter(|o| query.labels.matches(o) && query.fields.matches(o))
        .map(|mut o| {
            o["apiVersion"] = json!(api_version);
            o
        })
        .collect()
}

/// Whether a key belongs to the target's kind and namespace.
pub(super) fn in_scope(key: &Key, target: &Target) -> bool {
    key.group == target.kind.group
        && key.plural == target.kind.plural
        && target
            .namespace
            .as_ref()
            .is_none_or(|ns| !target.kind.namespaced || &key.namespace == ns)
}
