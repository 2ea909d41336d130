//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>[/<version>]`, and the
//! aggregated form (`apidiscovery.k8s.io/v2`) of `/api` and `/apis` when the client asks for it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::kind::Kind;

const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// The `/version` document.
pub fn version() -> Value {
    json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-edgesim", "gitCommit": "edgesim",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24",
        "compiler": "gc", "platform": "linux/amd64"})
}

/// Whether the `Accept` header asks for aggregated discovery.
pub fn wants_aggregated(accept: &str) -> bool {
    accept.contains("as=APIGroupDiscoveryList")
}

/// `/api`.
pub fn core_versions() -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
}

/// `/apis`: every non-core group with its versions.
pub fn groups(kinds: &[Kind]) -> Value {
    let groups: Vec<Value> = versions_by_group(kinds)
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, vs)| group_doc(g, vs))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/<group>`, if the group is served.
pub fn group(kinds: &[Kind], name: &str) -> Option<Value> {
    let by_group = versions_by_group(kinds);
    let versions = by_group.get(name)?;
    let mut doc = group_doc(name, versions);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

/// `/api/v1` or `/apis/<group>/<version>`, if served.
pub fn resources(kinds: &[Kind], group: &str, version: &str) -> Option<Value> {
    let served: Vec<&Kind> = kinds
        .iter()
        .filter(|k| k.group == group && k.version == version)
        .collect();
    if served.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for k in &served {
        resources.push(
            json!({"name": k.plural, "singularName": k.singular(), "namespaced": k.namespaced,
            "kind": k.kind, "verbs": VERBS}),
        );
        resources.push(json!({"name": format!("{}/status", k.plural), "singularName": "", "namespaced": k.namespaced,
            "kind": k.kind, "verbs": ["get", "patch", "update"]}));
    }
    let group_version = served[0].api_version();
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}),
    )
}

/// Aggregated discovery of the core group (`core == true`, `/api`) or of all other groups (`/apis`).
pub fn aggregated(kinds: &[Kind], core: bool) -> Value {
    let items: Vec<Value> = versions_by_group(kinds)
        .iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(g, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| {
                    let resources: Vec<Value> = kinds
                        .iter()
                        .filter(|k| &k.group == g && &k.version == v)
                        .map(|k| {
                            let gvk =
                                json!({"group": k.group, "version": k.version, "kind": k.kind});
                            json!({"resource": k.plural, "responseKind": gvk,
                                "scope": if k.namespaced { "Namespaced" } else { "Cluster" },
                                "singularResource": k.singular(), "verbs": VERBS,
                                "subresources": [{"subresource": "status", "responseKind": gvk,
                                    "verbs": ["get", "patch", "update"]}]})
                        })
                        .collect();
                    json!({"version": v, "freshness": "Current", "resources": resources})
                })
                .collect();
            json!({"metadata": {"name": g}, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

/// Versions per group, preferred (first served, with `v1` ahead of betas) first.
fn versions_by_group(kinds: &[Kind]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for k in kinds {
        let versions = out.entry(k.group.clone()).or_default();
        if !versions.contains(&k.version) {
            versions.push(k.version.clone());
        }
    }
    for versions in out.values_mut() {
        versions.sort_by_key(|v| {
            (
                v.contains("alpha"),
                v.contains("beta"),
                std::cmp::Reverse(v.clone()),
            )
        });
    }
    out
}

fn group_doc(name: &str, versions: &[String]) -> Value {
    let gv = |v: &String| json!({"groupVersion": format!("{name}/{v}"), "version": v});
    json!({"name": name, "versions": versions.iter().map(gv).collect::<Vec<_>>(), "preferredVersion": gv(&versions[0])})
}
