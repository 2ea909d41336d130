//! get and list.

use serde_json::{Value, json};

use super::paging::Continue;
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
    /// `limit`: at most this many items, with a continue token when there are more (0 means no limit).
    pub limit: Option<usize>,
    /// `continue`: the token of the previous page.
    pub continue_token: Option<String>,
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

    /// A `<Kind>List` of the matching objects, with the cluster's current resourceVersion; with a `limit`,
    /// one page of them and `metadata.continue` (see [`super::paging`]).
    pub fn list(&self, target: &Target, query: &ListQuery) -> Result<Value> {
        let st = self.store();
        let start = query
            .continue_token
            .as_deref()
            .map(Continue::decode)
            .transpose()?;
        if let Some(start) = &start {
            start.check(&st, target)?;
        }
        let rv = start.as_ref().map_or(st.rv(), |s| s.rv);
        let after = start.as_ref().map(|s| s.key(target));
        let in_page = |k: &Key| in_scope(k, target) && after.as_ref().is_none_or(|a| k > a);
        let api_version = target.kind.api_version();
        let limit = query.limit.filter(|l| *l > 0).unwrap_or(usize::MAX);
        let mut matches = st
            .scan(in_page)
            .filter(|(_, o)| query.labels.matches(o) && query.fields.matches(o));
        let mut items = Vec::new();
        let mut last = None;
        for (key, mut obj) in matches.by_ref().take(limit) {
            obj["apiVersion"] = json!(api_version);
            items.push(obj);
            last = Some(key);
        }
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if let Some(last) = last.filter(|_| items.len() == limit) {
            let selective = !query.labels.is_empty() || !query.fields.is_empty();
            let remaining = if selective {
                // As Kubernetes: with a selector the count is unknown, only whether there is more.
                usize::from(matches.next().is_some())
            } else {
                st.keys().filter(|k| in_page(k) && *k > last).count()
            };
            if remaining > 0 {
                metadata["continue"] = json!(Continue::after(rv, last).encode());
                if !selective {
                    metadata["remainingItemCount"] = json!(remaining);
                }
            }
        }
        Ok(json!({
            "apiVersion": api_version,
            "kind": format!("{}List", target.kind.kind),
            "metadata": metadata,
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
