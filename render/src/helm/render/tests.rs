use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::manifest::HookEvent;

fn chart(files: &[(&str, &str)]) -> Chart {
    let map: BTreeMap<String, Vec<u8>> = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    Chart::from_files(map).unwrap()
}

fn demo() -> Chart {
    chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\ndependencies:\n- name: cache\n  condition: cache.enabled\n",
        ),
        (
            "values.yaml",
            "replicas: 2\nimage: {repo: nginx, tag: stable}\nservice: {type: ClusterIP}\ncache: {enabled: true, size: 1}\nglobal: {env: prod}\n",
        ),
        (
            "templates/_helpers.tpl",
            "{{- define \"demo.name\" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end }}",
        ),
        (
            "templates/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"demo.name\" . }}\n  namespace: {{ .Release.Namespace }}\n  labels:\n    version: {{ .Chart.AppVersion }}\n    missing: \"{{ .Values.nothing }}\"\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n      - image: {{ .Values.image.repo }}:{{ .Values.image.tag }}\n",
        ),
        (
            "templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  type: {{ .Values.service.type }}\n",
        ),
        (
            "templates/hook.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pre\n  annotations:\n    \"helm.sh/hook\": pre-install\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  file: {{ .Files.Get \"conf/app.conf\" | printf \"%q\" }}\n  path: {{ .Template.Name }}\n  kube: \"{{ .Capabilities.KubeVersion.Minor }}\"\n",
        ),
        ("templates/NOTES.txt", "Thanks {{ .Release.Name }}"),
        ("conf/app.conf", "key=value"),
        (
            "crds/widget.yaml",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
        ),
        (
            "charts/cache/Chart.yaml",
            "apiVersion: v2\nname: cache\nversion: 0.1.0\n",
        ),
        ("charts/cache/values.yaml", "size: 5\n"),
        (
            "charts/cache/templates/sts.yaml",
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cache-{{ .Values.size }}-{{ .Values.global.env }}\n",
        ),
    ])
}

fn options() -> Options {
    Options {
        release: Release {
            name: "r1".into(),
            namespace: "edge".into(),
            ..Release::default()
        },
        ..Options::default()
    }
}

#[test]
fn a_chart_with_a_subchart_renders_in_helms_order() {
    let out = render(&demo(), &options()).unwrap();
    let kinds: Vec<String> = out
        .resources
        .iter()
        .map(|r| format!("{}/{}", r.kind, r.name))
        .collect();
    assert_eq!(
        kinds,
        [
            "ConfigMap/conf",
            "Service/r1",
            "Deployment/r1-demo",
            "StatefulSet/cache-1-prod"
        ]
    );
    assert_eq!(out.hooks.len(), 1);
    assert_eq!(out.hooks[0].event, HookEvent::PreInstall);
    assert_eq!(out.crds.len(), 1);
    assert_eq!(out.crds[0].source, "demo/crds/widget.yaml");
    let deploy = &out.resources[2];
    assert_eq!(deploy.namespace.as_deref(), Some("edge"));
    assert_eq!(deploy.body["spec"]["replicas"], json!(2));
    assert_eq!(
        deploy.body["metadata"]["labels"],
        json!({"version": 4.5, "missing": ""})
    );
    assert_eq!(deploy.source, "demo/templates/deploy.yaml");
    let cm = &out.resources[0];
    assert_eq!(
        cm.body["data"],
        json!({"file": "key=value", "path": "demo/templates/cm.yaml", "kube": "31"})
    );
}

#[test]
fn value_layers_and_set_expressions_apply_in_helms_order() {
    let opts = Options {
        values: vec![
            json!({"replicas": 3, "service": {"type": "NodePort"}}),
            json!({"replicas": 4}),
        ],
        set: vec!["image.tag=1.27".into(), "cache.enabled=false".into()],
        ..options()
    };
    let out = render(&demo(), &opts).unwrap();
    let names: Vec<&str> = out.resources.iter().map(|r| r.name.as_str()).collect();
    assert!(
        !names.contains(&"cache-1-prod"),
        "the condition turned the subchart off: {names:?}"
    );
    let deploy = out
        .resources
        .iter()
        .find(|r| r.kind == "Deployment")
        .unwrap();
    assert_eq!(deploy.body["spec"]["replicas"], json!(4));
    assert!(deploy.yaml.contains("nginx:1.27"));
    let svc = out.resources.iter().find(|r| r.kind == "Service").unwrap();
    assert_eq!(svc.body["spec"]["type"], "NodePort");
}

#[test]
fn template_failures_read_like_helms() {
    let failing = chart(&[
        ("Chart.yaml", "name: c\nversion: 1.0.0\n"),
        ("templates/x.yaml", "a: b\n{{ fail \"ERROR: nope\" }}"),
    ]);
    let err = render(&failing, &Options::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "execution error at (c/templates/x.yaml:2:3): ERROR: nope"
    );
    let broken = chart(&[
        ("Chart.yaml", "name: c\nversion: 1.0.0\n"),
        ("templates/x.yaml", "{{ if }}"),
    ]);
    let err = render(&broken, &Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("parse error at (c/templates/x.yaml:1)"),
        "{err}"
    );
    let nil = chart(&[
        ("Chart.yaml", "name: c\nversion: 1.0.0\n"),
        ("templates/x.yaml", "{{ .Values.a.b.c }}"),
    ]);
    let err = render(&nil, &Options::default()).unwrap_err().to_string();
    // As in Helm: `.a` is missing, so evaluating `.b` on it fails.
    assert!(
        err.contains("nil pointer evaluating interface {}.b"),
        "{err}"
    );
}

#[test]
fn values_that_break_the_schema_are_refused_before_rendering() {
    let schema = chart(&[
        ("Chart.yaml", "name: c\nversion: 1.0.0\n"),
        (
            "values.schema.json",
            r#"{"type": "object", "properties": {"replicas": {"type": "integer", "minimum": 1}}}"#,
        ),
        (
            "templates/x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    assert!(render(&schema, &Options::default()).is_ok());
    let err = render(
        &schema,
        &Options {
            set: vec!["replicas=0".into()],
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("- at '/replicas': must be >= 1 but found 0"),
        "{err}"
    );
}

#[test]
fn only_the_named_templates_run_and_the_others_still_define() {
    let c = chart(&[
        ("Chart.yaml", "name: c\nversion: 1.0.0\n"),
        (
            "templates/a.yaml",
            "{{- define \"x\" }}from-a{{ end }}{{ fail \"a must not run\" }}",
        ),
        ("templates/b.yaml", "v: {{ include \"x\" . }}"),
    ]);
    let opts = Options {
        only: Some(vec!["c/templates/b.yaml".into()]),
        ..Options::default()
    };
    let out = render_templates(&c, &opts).unwrap();
    assert_eq!(
        out.into_iter().collect::<Vec<_>>(),
        [("c/templates/b.yaml".to_owned(), "v: from-a".to_owned())]
    );
}

#[test]
fn a_library_subchart_lends_its_defines_and_renders_nothing_itself() {
    let app = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: common\n",
        ),
        ("values.yaml", "port: 8080\n"),
        (
            "templates/svc.yaml",
            "{{ include \"common.service\" . }}\n  base: {{ .Template.BasePath }}\n",
        ),
        (
            "charts/common/Chart.yaml",
            "apiVersion: v2\nname: common\nversion: 2.0.0\ntype: library\n",
        ),
        (
            "charts/common/templates/_service.tpl",
            "{{- define \"common.service\" -}}\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\nspec:\n  ports:\n  - port: {{ .Values.port }}\nstatus:\n{{- end }}",
        ),
        (
            "charts/common/templates/stray.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-library\n",
        ),
    ]);
    let out = render(&app, &options()).unwrap();
    let names: Vec<String> = out
        .resources
        .iter()
        .map(|r| format!("{}/{}", r.kind, r.name))
        .collect();
    // The library's own manifest is not rendered; its define runs with the including chart's context.
    assert_eq!(names, ["Service/r1-app"]);
    assert_eq!(
        out.resources[0].body["spec"]["ports"][0]["port"],
        json!(8080)
    );
    assert_eq!(
        out.resources[0].body["status"]["base"],
        json!("app/templates")
    );
}

#[test]
fn a_template_that_changes_values_does_not_change_them_for_the_next() {
    let c = chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
        ("values.yaml", "name: original\n"),
        (
            "templates/a.yaml",
            "{{- $_ := set .Values \"name\" \"changed\" -}}\nkind: A\nname: {{ .Values.name }}\n",
        ),
        ("templates/b.yaml", "kind: B\nname: {{ .Values.name }}\n"),
        ("templates/c.yaml", "kind: C\nname: {{ .Values.name }}\n"),
    ]);
    let with_sprig = Options {
        funcs: crate::helm::default_funcs(),
        ..options()
    };
    let out = render_templates(&c, &with_sprig).unwrap();
    assert_eq!(out["c/templates/a.yaml"], "kind: A\nname: changed\n");
    assert_eq!(out["c/templates/b.yaml"], "kind: B\nname: original\n");
    assert_eq!(out["c/templates/c.yaml"], "kind: C\nname: original\n");
}

#[test]
fn a_second_render_sees_changes_to_the_loaded_chart() {
    let mut c = demo();
    let first = render(&c, &options()).unwrap();
    assert_eq!(render(&c, &options()).unwrap(), first);
    let svc = c
        .templates
        .iter_mut()
        .find(|f| f.name == "templates/svc.yaml")
        .unwrap();
    svc.data = String::from_utf8_lossy(&svc.data)
        .replace("kind: Service", "kind: ConfigMap")
        .into_bytes();
    c.crds[0].data =
        b"apiVersion: v1\nkind: CustomResourceDefinition\nmetadata:\n  name: changed\n".to_vec();
    let second = render(&c, &options()).unwrap();
    assert!(second.resources.iter().any(|r| r.kind == "ConfigMap"));
    assert!(!second.resources.iter().any(|r| r.kind == "Service"));
    assert_eq!(second.crds[0].name, "changed");
    assert_ne!(first.crds, second.crds);
}
