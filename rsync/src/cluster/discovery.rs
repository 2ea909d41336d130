//! One cluster's discovery cache: per `apiVersion`, the kinds it serves with their `ApiResource` and
//! scope. A group version is discovered the first time one of its kinds is needed, and again when a kind
//! is missing from it, since a CRD applied a moment ago adds kinds.

use std::collections::HashMap;
use std::sync::Arc;

use dashmap::DashMap;
use kube::core::GroupVersion;
use kube::discovery::{self, ApiResource, Scope};

use super::error::{ApplyError, api_code};

/// A kind the cluster serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kind {
    /// How to address it.
    pub resource: ApiResource,
    /// True when its objects live in namespaces.
    pub namespaced: bool,
}

/// The kinds of one group version, by kind name.
type GroupVersionKinds = Arc<HashMap<String, Kind>>;

/// The discovery cache of one cluster.
#[derive(Debug, Default)]
pub(super) struct Kinds {
    by_api_version: DashMap<String, GroupVersionKinds>,
}

impl Kinds {
    /// The cached kind, if its group version was discovered and serves it.
    pub(super) fn cached(&self, api_version: &str, kind: &str) -> Option<Kind> {
        self.by_api_version.get(api_version)?.get(kind).cloned()
    }

    /// Forgets what was discovered of `api_version`.
    pub(super) fn invalidate(&self, api_version: &str) {
        self.by_api_version.remove(api_version);
    }

    /// Discovers `api_version` afresh, caches it and returns `kind` from it (`None` when not served).
    /// A group version the cluster does not serve at all (404) is cached as serving nothing.
    pub(super) async fn refresh(
        &self,
        client: &kube::Client,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<Kind>, ApplyError> {
        let what = format!("discovering {api_version}");
        let gv: GroupVersion = api_version.parse().map_err(|e| {
            ApplyError::Terminal(format!("{what}: invalid apiVersion for kind {kind}: {e}"))
        })?;
        let kinds = match discovery::pinned_group(client, &gv).await {
            Ok(group) => group
                .versioned_resources(&gv.version)
                .into_iter()
                .map(|(resource, caps)| {
                    let namespaced = caps.scope == Scope::Namespaced;
                    (
                        resource.kind.clone(),
                        Kind {
                            resource,
                            namespaced,
                        },
                    )
                })
                .collect(),
            Err(e) if api_code(&e) == Some(404) => HashMap::new(),
            Err(e) => return Err(ApplyError::from_kube(e, &what)),
        };
        let kinds = Arc::new(kinds);
        self.by_api_version
            .insert(api_version.to_string(), kinds.clone());
        Ok(kinds.get(kind).cloned())
    }
}
