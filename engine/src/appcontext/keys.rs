//! The AppContext key tree of docs/DESIGN.md §5. This is the only place that spells an AppContext key:
//!
//! ```text
//! /canopy/ctx/<ctx>/meta
//! /canopy/ctx/<ctx>/apps
//! /canopy/ctx/<ctx>/app/<app>/clusters
//! /canopy/ctx/<ctx>/app/<app>/blob/<sha256>
//! /canopy/ctx/<ctx>/app/<app>/cl/<provider>+<cluster>
//! /canopy/ctx/<ctx>/status
//! /canopy/ctx/<ctx>/st/<provider>+<cluster>/<app>
//! ```
//!
//! Names cannot contain `/` or `+`, so every segment is unambiguous.

use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};

use super::blob::BlobHash;
use crate::context::Key;

/// The keys of one AppContext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextKeys {
    /// `/canopy/ctx/<ctx>/`, with its trailing slash so that context 1 is not a prefix of context 12.
    root: String,
}

impl ContextKeys {
    /// The keys of context `id`.
    pub fn new(id: ContextId) -> Self {
        Self {
            root: format!("/canopy/ctx/{id}/"),
        }
    }

    fn key(&self, rest: &str) -> Key {
        Key::new(format!("{}{rest}", self.root))
    }

    /// The prefix every key of the context starts with.
    pub fn prefix(&self) -> Key {
        self.key("")
    }

    /// `meta`: project, composite app, version, DIG, revision, namespace.
    pub fn meta(&self) -> Key {
        self.key("meta")
    }

    /// `apps`: the app order and the app dependencies.
    pub fn apps(&self) -> Key {
        self.key("apps")
    }

    /// `status`: the context's state; written last, so its presence means the context is complete.
    pub fn status(&self) -> Key {
        self.key("status")
    }

    /// `app/<app>/clusters`: the app's placement.
    pub fn clusters(&self, app: &AppName) -> Key {
        self.key(&format!("app/{app}/clusters"))
    }

    /// `app/<app>/blob/<sha256>`: one resource body of the app.
    pub fn blob(&self, app: &AppName, hash: &BlobHash) -> Key {
        self.key(&format!("app/{app}/blob/{hash}"))
    }

    /// `app/<app>/cl/<provider>+<cluster>`: the app's resource list for one cluster.
    pub fn cluster(&self, app: &AppName, cluster: &ClusterRef) -> Key {
        self.key(&format!("app/{app}/cl/{cluster}"))
    }

    /// `st/<provider>+<cluster>/<app>`: the status of one app on one cluster.
    pub fn cluster_status(&self, cluster: &ClusterRef, app: &AppName) -> Key {
        self.key(&format!("st/{cluster}/{app}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_design_tree() {
        let keys = ContextKeys::new(ContextId::new(7));
        let app = AppName::new("nginx").unwrap();
        let cluster: ClusterRef = "p1+c1".parse().unwrap();
        let hash = BlobHash::of(b"x");
        let s = |k: Key| k.to_string();
        assert_eq!(s(keys.prefix()), "/canopy/ctx/7/");
        assert_eq!(s(keys.meta()), "/canopy/ctx/7/meta");
        assert_eq!(s(keys.apps()), "/canopy/ctx/7/apps");
        assert_eq!(s(keys.status()), "/canopy/ctx/7/status");
        assert_eq!(s(keys.clusters(&app)), "/canopy/ctx/7/app/nginx/clusters");
        assert_eq!(
            s(keys.blob(&app, &hash)),
            format!("/canopy/ctx/7/app/nginx/blob/{hash}")
        );
        assert_eq!(
            s(keys.cluster(&app, &cluster)),
            "/canopy/ctx/7/app/nginx/cl/p1+c1"
        );
        assert_eq!(
            s(keys.cluster_status(&cluster, &app)),
            "/canopy/ctx/7/st/p1+c1/nginx"
        );
    }
}
