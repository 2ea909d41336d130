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
//! /canopy/ctx/<ctx>/stop                      present while a stop is asked for
//! /canopy/ctx/<ctx>/rsync                     the operation rsync is carrying out on the context
//! /canopy/ctx/<ctx>/rsync/done/<cluster>      one cluster's part of that operation is finished
//! /canopy/ctx/<ctx>/live/<cluster>/<app>      live objects read back by ReadAppContext
//! /canopy/ctx/<ctx>/saga                      the saga that builds the context: steps done, failure
//! /canopy/ctx/<ctx>/saga/<step>/<n>           what one step's n-th controller answered
//! /canopy/dig/<project>/<ca>/<version>/<dig>  the DIG's runtime state
//! /canopy/lc/<project>/<logical cloud>        a logical cloud's runtime state
//! ```
//!
//! Names cannot contain `/` or `+`, so every segment is unambiguous.

use canopy_schemas::ContextId;
use canopy_schemas::name::{
    AppName, ClusterRef, CompositeAppName, CompositeAppVersion, DigName, LogicalCloudName,
    ProjectName,
};

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

    /// `saga`: the progress of the saga that builds the context.
    pub fn saga(&self) -> Key {
        self.key("saga")
    }

    /// `saga/<step>/<n>`: what the `n`-th controller of a saga step answered.
    pub fn saga_answer(&self, step: &str, n: usize) -> Key {
        self.key(&format!("saga/{step}/{n:04}"))
    }

    /// `st/`: the prefix of every per-cluster status key.
    pub fn statuses(&self) -> Key {
        self.key("st/")
    }

    /// `st/<provider>+<cluster>/`: the prefix of one cluster's status keys.
    pub fn cluster_statuses(&self, cluster: &ClusterRef) -> Key {
        self.key(&format!("st/{cluster}/"))
    }

    /// `rsync`: the operation rsync is carrying out on the context (install, uninstall, update, read).
    pub fn rsync_op(&self) -> Key {
        self.key("rsync")
    }

    /// `rsync/done/`: the prefix of the per-cluster completion markers of the context's operation.
    pub fn rsync_dones(&self) -> Key {
        self.key("rsync/done/")
    }

    /// `rsync/done/<provider>+<cluster>`: the cluster's part of the operation is finished.
    pub fn rsync_done(&self, cluster: &ClusterRef) -> Key {
        self.key(&format!("rsync/done/{cluster}"))
    }

    /// `live/<provider>+<cluster>/<app>`: the live objects `ReadAppContext` read back.
    pub fn live(&self, cluster: &ClusterRef, app: &AppName) -> Key {
        self.key(&format!("live/{cluster}/{app}"))
    }

    /// `stop`: present while `POST DIG/stop` asks rsync to stop work on the context (EMCO's `stopflag`).
    pub fn stop(&self) -> Key {
        self.key("stop")
    }

    /// `st/<provider>+<cluster>/<app>`: the status of one app on one cluster.
    pub fn cluster_status(&self, cluster: &ClusterRef, app: &AppName) -> Key {
        self.key(&format!("st/{cluster}/{app}"))
    }
}

/// `/canopy/dig/`: the prefix of every DIG's runtime state.
pub fn digs() -> Key {
    Key::from("/canopy/dig/")
}

/// `/canopy/dig/<project>/<ca>/<version>/<dig>`: one DIG's runtime state.
pub fn dig(
    project: &ProjectName,
    composite_app: &CompositeAppName,
    version: &CompositeAppVersion,
    dig: &DigName,
) -> Key {
    Key::new(format!(
        "/canopy/dig/{project}/{composite_app}/{version}/{dig}"
    ))
}

/// `/canopy/lc/`: the prefix of every logical cloud's runtime state.
pub fn logical_clouds() -> Key {
    Key::from("/canopy/lc/")
}

/// `/canopy/lc/<project>/<logical cloud>`: one logical cloud's runtime state.
pub fn logical_cloud(project: &ProjectName, lc: &LogicalCloudName) -> Key {
    Key::new(format!("/canopy/lc/{project}/{lc}"))
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
        assert_eq!(s(keys.saga()), "/canopy/ctx/7/saga");
        assert_eq!(
            s(keys.saga_answer("placement", 2)),
            "/canopy/ctx/7/saga/placement/0002"
        );
        let p = ProjectName::new("p").unwrap();
        assert_eq!(
            s(dig(
                &p,
                &CompositeAppName::new("ca").unwrap(),
                &CompositeAppVersion::new("v1").unwrap(),
                &DigName::new("d").unwrap()
            )),
            "/canopy/dig/p/ca/v1/d"
        );
        assert_eq!(
            s(logical_cloud(&p, &LogicalCloudName::new("lc").unwrap())),
            "/canopy/lc/p/lc"
        );
    }
}
