//! Which of an app's clusters a customization applies to, as EMCO's gac decides it.

use canopy_schemas::controller::{Cluster, ClusterSelector};
use canopy_schemas::rest::action::{GacClusterInfo, GacCustomizationSpec};

/// The clusters of `clusters` (the app's, from the request) that `spec` applies to: all of them unless
/// `clusterSpecific` is `"true"`; then those of `clusterInfo.clusterProvider` named `clusterInfo.cluster`
/// (scope `name`) or carrying `clusterInfo.clusterLabel` (scope `label`). Mode `deny` picks the others
/// instead. `None` when no cluster is picked, since an empty selector would mean every cluster.
pub(super) fn selector(
    spec: &GacCustomizationSpec,
    clusters: &[Cluster],
) -> Option<ClusterSelector> {
    let info = match &spec.cluster_info {
        Some(info) if spec.cluster_specific.eq_ignore_ascii_case("true") => info,
        _ => return Some(ClusterSelector::all()),
    };
    let deny = info.mode.eq_ignore_ascii_case("deny");
    let picked: Vec<_> = clusters
        .iter()
        .filter(|c| matches(info, c) != deny)
        .map(|c| c.cluster.clone())
        .collect();
    (!picked.is_empty()).then(|| ClusterSelector {
        clusters: picked,
        labels: Vec::new(),
    })
}

/// Whether `cluster` is the one `info` names, or carries its label, within its provider.
fn matches(info: &GacClusterInfo, cluster: &Cluster) -> bool {
    if cluster.cluster.provider.as_str() != info.cluster_provider {
        return false;
    }
    match info.scope.to_ascii_lowercase().as_str() {
        "name" => cluster.cluster.cluster.as_str() == info.cluster,
        "label" => cluster
            .labels
            .iter()
            .any(|l| l.as_str() == info.cluster_label),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cluster(r: &str, label: &str) -> Cluster {
        Cluster {
            labels: vec![label.parse().unwrap()],
            ..Cluster::new(r.parse().unwrap())
        }
    }

    fn spec(doc: serde_json::Value) -> GacCustomizationSpec {
        serde_json::from_value(doc).unwrap()
    }

    fn picked(spec: &GacCustomizationSpec) -> Option<Vec<String>> {
        let clusters = [
            cluster("p1+a", "edge"),
            cluster("p1+b", "core"),
            cluster("p2+c", "edge"),
        ];
        selector(spec, &clusters).map(|s| s.clusters.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_customization_that_is_not_cluster_specific_picks_every_cluster() {
        let s = spec(json!({"clusterSpecific": "false",
            "clusterInfo": {"scope": "name", "clusterProvider": "p1", "cluster": "a"}}));
        assert_eq!(picked(&s), Some(vec![]));
    }

    #[test]
    fn a_label_picks_its_clusters_within_the_provider_and_deny_picks_the_others() {
        let info = json!({"scope": "label", "clusterProvider": "p1", "clusterLabel": "edge", "mode": "allow"});
        let s = spec(json!({"clusterSpecific": "true", "clusterInfo": info}));
        assert_eq!(picked(&s), Some(vec!["p1+a".to_owned()]));
        let mut info = info;
        info["mode"] = json!("deny");
        let s = spec(json!({"clusterSpecific": "True", "clusterInfo": info}));
        assert_eq!(picked(&s), Some(vec!["p1+b".to_owned(), "p2+c".to_owned()]));
    }

    #[test]
    fn a_name_that_matches_no_cluster_picks_nothing() {
        let s = spec(json!({"clusterSpecific": "true",
            "clusterInfo": {"scope": "name", "clusterProvider": "p2", "cluster": "a"}}));
        assert_eq!(picked(&s), None);
    }
}
