use std::collections::BTreeMap;

use canopy_tests::fixtures::{emco_chart, shared_dir, tgz_dir};

use super::*;

fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect()
}

#[test]
fn traefik_loads_with_its_templates_crds_and_schema() {
    let chart = Chart::from_dir(&shared_dir().join("charts/public/traefik")).unwrap();
    assert_eq!(chart.metadata.name, "traefik");
    assert!(chart.schema.is_some());
    assert!(
        chart
            .templates
            .iter()
            .any(|f| f.name == "templates/_helpers.tpl")
    );
    assert!(!chart.crds.is_empty() && chart.crds.iter().all(|f| f.name.starts_with("crds/")));
    // traefik's own .helmignore drops tests/ and crds/kustomization.yaml.
    assert!(chart.files.iter().any(|f| f.name == "Changelog.md"));
    assert!(
        !chart
            .files
            .iter()
            .any(|f| f.name.starts_with("tests/") || f.name == "crds/kustomization.yaml")
    );
    assert!(!chart.files.iter().any(|f| f.name.starts_with("templates/")));
    assert!(chart.values.get("deployment").is_some());
}

#[test]
fn a_packaged_emco_chart_loads_from_its_tgz() {
    let chart = Chart::from_tgz(&emco_chart("collectd", "collectd")).unwrap();
    assert_eq!(chart.metadata.name, "collectd");
    assert!(
        chart
            .templates
            .iter()
            .any(|f| f.name == "templates/daemonset.yaml")
    );
    assert!(
        chart
            .files
            .iter()
            .any(|f| f.name == "resources/collectd.conf"),
        "non-template files feed .Files"
    );
}

#[test]
fn subcharts_load_from_folders_and_archives() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: packed\nversion: 0.2.0\n",
    )
    .unwrap();
    let mut all = files(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: child\n  condition: child.enabled\n  alias: kid\n",
        ),
        ("values.yaml", "child:\n  enabled: true\n"),
        (
            "charts/child/Chart.yaml",
            "apiVersion: v2\nname: child\nversion: 0.1.0\ntype: library\n",
        ),
        (
            "charts/child/templates/_lib.tpl",
            "{{- define \"lib\" }}x{{ end }}",
        ),
    ]);
    all.insert(
        "charts/packed-0.2.0.tgz".into(),
        tgz_dir(dir.path(), "packed"),
    );
    let chart = Chart::from_files(all).unwrap();
    let names: Vec<&str> = chart
        .subcharts
        .iter()
        .map(|c| c.metadata.name.as_str())
        .collect();
    assert_eq!(names, ["child", "packed"]);
    assert!(chart.subcharts[0].metadata.is_library());
    assert_eq!(chart.metadata.dependencies[0].alias.as_deref(), Some("kid"));
    assert_eq!(
        chart.metadata.dependencies[0].condition.as_deref(),
        Some("child.enabled")
    );
    assert!(
        chart.templates.is_empty(),
        "subchart templates stay with the subchart"
    );
}

#[test]
fn helmignore_drops_matching_files() {
    let chart = Chart::from_files(files(&[
        ("Chart.yaml", "name: c\nversion: 1.0.0\n"),
        (
            ".helmignore",
            "# editor files\n*.swp\n.git/\nsecret/*.key\n!secret/keep.key\n",
        ),
        ("templates/a.yaml", "a"),
        ("templates/a.yaml.swp", "junk"),
        (".git/HEAD", "ref"),
        ("secret/x.key", "k"),
        ("secret/keep.key", "k"),
        ("notes/deep/b.swp", "junk"),
    ]))
    .unwrap();
    let names: Vec<&str> = chart
        .templates
        .iter()
        .chain(&chart.files)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, ["templates/a.yaml", "secret/keep.key"]);
}

#[test]
fn bad_charts_say_what_is_wrong() {
    let no_chart_yaml = Chart::from_files(files(&[("values.yaml", "a: 1")])).unwrap_err();
    assert!(
        no_chart_yaml.to_string().contains("Chart.yaml"),
        "{no_chart_yaml}"
    );
    let no_version =
        Chart::from_files(files(&[("Chart.yaml", "name: c\nversion: ''\n")])).unwrap_err();
    assert!(
        no_version.to_string().contains("version is required"),
        "{no_version}"
    );
    let bad_type = Chart::from_files(files(&[(
        "Chart.yaml",
        "name: c\nversion: 1.0.0\ntype: app\n",
    )]))
    .unwrap_err();
    assert!(
        bad_type.to_string().contains("application or library"),
        "{bad_type}"
    );
    let bad_values = Chart::from_files(files(&[
        ("Chart.yaml", "name: c\nversion: 1.0.0\n"),
        ("values.yaml", "- 1\n"),
    ]))
    .unwrap_err();
    assert!(
        bad_values.to_string().starts_with("c/values.yaml"),
        "{bad_values}"
    );
    assert!(matches!(
        Chart::from_tgz(b"not gzip"),
        Err(Error::Archive(_))
    ));
}

#[test]
fn globs_match_like_the_shell() {
    for (p, n, hit) in [
        ("*.swp", "a.swp", true),
        ("*.swp", "a.swpx", false),
        ("a?c", "abc", true),
        ("[a-c]x", "bx", true),
        ("[!a-c]x", "bx", false),
        ("*", "", true),
    ] {
        assert_eq!(glob(p, n), hit, "{p} {n}");
    }
}
