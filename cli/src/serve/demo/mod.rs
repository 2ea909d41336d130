//! `canopy serve --demo N`: N simulated edge clusters in this process, ready for `examples/`.
//!
//! - [`sim`]: one edgesim server on a loopback port, hosting `demo-1` ... `demo-N`; its port is kept in the
//!   data directory and asked for again at the next start, so the kubeconfigs stay valid;
//! - [`clusters`]: the cluster provider `demo`, each cluster with its kubeconfig, labelled `region-east`
//!   (odd numbers) or `region-west` (even numbers);
//! - [`cloud`]: the project `demo` and its level-0 logical cloud `demo` (namespace `default`) over every
//!   demo cluster, instantiated.
//!
//! Every step is idempotent: a restart on the same data directory finds what exists and only adds what is
//! missing. edgesim keeps its objects in memory, so after a restart the clusters are empty until rsync
//! applies the deployments again (unfinished work at once; finished deployments at the next drift resync).

pub mod cloud;
pub mod clusters;
pub mod sim;

use canopy_edgesim::server::Handle;

/// The most demo clusters `--demo` takes.
pub const MAX_CLUSTERS: u32 = 10_000;

/// The cluster provider of the demo clusters.
pub const PROVIDER: &str = "demo";

/// The project holding the demo logical cloud.
pub const PROJECT: &str = "demo";

/// The logical cloud over every demo cluster.
pub const LOGICAL_CLOUD: &str = "demo";

/// The namespace of the demo logical cloud, where deployments go: `default`, which every edgesim cluster
/// has from its start. A namespace of its own would be gone from the fresh clusters after a restart (the
/// logical cloud is not instantiated again), and every apply into it would fail.
pub const NAMESPACE: &str = "default";

/// How many demo clusters to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Their number, 1 to [`MAX_CLUSTERS`].
    pub clusters: u32,
}

impl Config {
    /// The cluster names, `demo-1` ... `demo-N`.
    pub fn names(&self) -> Vec<String> {
        (1..=self.clusters).map(name).collect()
    }
}

/// The name of demo cluster `i` (from 1).
pub fn name(i: u32) -> String {
    format!("demo-{i}")
}

/// The region label of demo cluster `i` (from 1): `region-east` for odd numbers, `region-west` for even.
pub fn region(i: u32) -> &'static str {
    if i % 2 == 1 {
        "region-east"
    } else {
        "region-west"
    }
}

/// The running demo clusters.
#[derive(Debug, Clone)]
pub struct Demo {
    /// edgesim, for its URL, its clusters' objects and fault injection.
    pub sim: Handle,
    /// The cluster names.
    pub clusters: Vec<String>,
}

impl Demo {
    /// edgesim's base URL (its admin API is under `/admin`).
    pub fn url(&self) -> &str {
        self.sim.url()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_alternate_between_two_regions() {
        let names = Config { clusters: 3 }.names();
        assert_eq!(names, ["demo-1", "demo-2", "demo-3"]);
        assert_eq!(
            [region(1), region(2), region(3)],
            ["region-east", "region-west", "region-east"]
        );
    }
}
