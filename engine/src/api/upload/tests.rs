use super::*;
use canopy_tests::fixtures::{emco_chart, emco_example, emco_profile, tgz_dir};

#[test]
fn real_emco_charts_and_profiles_pass() {
    assert_eq!(check_chart(&emco_chart("collectd", "collectd")), Ok(()));
    assert_eq!(check_chart(&emco_chart("nginx", "nginx")), Ok(()));
    assert_eq!(check_profile(&emco_profile("collectd")), Ok(()));
    assert_eq!(check_profile(&emco_profile("operators-latest")), Ok(()));
}

#[test]
fn a_chart_must_be_a_gzip_tar_with_a_chart_yaml() {
    let err = check_chart(b"not a tarball").unwrap_err();
    assert!(err.rule.contains("gzip-compressed tar"), "{}", err.rule);
    // A real tgz, but of a profile: no Chart.yaml.
    let err = check_chart(&emco_profile("collectd")).unwrap_err();
    assert!(err.rule.contains("no Chart.yaml"), "{}", err.rule);
    let truncated = &emco_chart("collectd", "collectd")[..100];
    assert!(check_chart(truncated).is_err());
}

#[test]
fn a_profile_must_hold_the_values_file_its_manifest_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("manifest.yaml"),
        "version: v1\ntype:\n  values: \"missing.yaml\"\n",
    )
    .unwrap();
    let err = check_profile(&tgz_dir(dir.path(), "")).unwrap_err();
    assert!(err.rule.contains("\"missing.yaml\""), "{}", err.rule);
    let err = check_profile(&tgz_dir(&emco_example("collectd").join("helm"), "")).unwrap_err();
    assert!(err.rule.contains("no manifest.yaml"), "{}", err.rule);
}

#[test]
fn a_kubeconfig_needs_clusters_and_contexts() {
    let good = b"apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n";
    assert_eq!(check_kubeconfig(good), Ok(()));
    assert!(
        check_kubeconfig(b"apiVersion: v1\nkind: Config\n")
            .unwrap_err()
            .rule
            .contains("clusters")
    );
    assert!(check_kubeconfig(b": : :").is_err());
}
