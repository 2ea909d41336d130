use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;

fn tgz(files: &[(&str, &str)]) -> Bytes {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, text.as_bytes())
            .unwrap();
    }
    Bytes::from(builder.into_inner().unwrap().finish().unwrap())
}

/// A chart whose ConfigMap shows the release, the namespace and three values, with a profile that sets
/// two of them.
fn source(name: &str, set: &[&str], depends_on: &[&str]) -> Source {
    let chart = tgz(&[
        ("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        ("c/values.yaml", "a: chart\nb: chart\nc: chart\n"),
        (
            "c/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n  namespace: {{ .Release.Namespace }}\ndata:\n  a: {{ .Values.a | quote }}\n  b: {{ .Values.b | quote }}\n  c: {{ .Values.c | quote }}\n",
        ),
    ]);
    let profile = tgz(&[
        ("manifest.yaml", "type:\n  values: v.yaml\n"),
        ("v.yaml", "b: profile\nc: profile\n"),
    ]);
    Source {
        name: name.parse().unwrap(),
        chart,
        profile: ("p".parse().unwrap(), profile),
        set: set.iter().map(|s| s.to_string()).collect(),
        depends_on: (depends_on.iter())
            .map(|d| Dependency::new(d.parse().unwrap(), crate::appcontext::OpStatus::Ready, 0))
            .collect(),
    }
}

fn sources(apps: Vec<Source>) -> Sources {
    Sources {
        release: "r7".into(),
        namespace: "tenant".into(),
        apps,
    }
}

#[test]
fn values_layer_chart_then_profile_then_overrides_into_the_release_and_namespace() {
    let out = render(&sources(vec![source("z", &["c=override"], &[])])).unwrap();
    let cm = &out[0].manifests.resources[0];
    assert_eq!(
        (cm.name.as_str(), cm.namespace.as_deref()),
        ("r7-cm", Some("tenant"))
    );
    let body: serde_json::Value = yaml_serde::from_slice(&cm.body).unwrap();
    assert_eq!(
        body["data"],
        serde_json::json!({"a": "chart", "b": "profile", "c": "override"})
    );
}

#[test]
fn apps_come_out_after_their_dependencies() {
    let out = render(&sources(vec![
        source("a", &[], &["b"]),
        source("b", &[], &[]),
        source("c", &[], &[]),
    ]))
    .unwrap();
    let order: Vec<&str> = out.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(order, ["b", "a", "c"]);
}

#[test]
fn a_broken_profile_names_the_app_and_the_profile() {
    let mut app = source("web", &[], &[]);
    app.profile.1 = tgz(&[("manifest.yaml", "type: {}\n")]);
    let err = render(&sources(vec![app])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "app web: app profile p: its manifest.yaml has no type.values naming the values file"
    );
}
