//! `canopy apply -f` of one emcoctl file that builds a complete setup against the real API, then
//! `canopy delete -f` of the same file, which removes everything in reverse order.

use std::process::ExitCode;

use canopy_engine::api;
use canopy_engine::cli::{self, Args, Command};
use canopy_engine::stack::Stack;
use canopy_tests::fixtures::{emco_chart, emco_profile};
use serde_json::Value;

const SETUP: &str = r#"
version: emco/v2
resourceContext:
  anchor: controllers
metadata:
  name: rsync
spec:
  host: rsync
  port: 9031
---
version: emco/v2
resourceContext:
  anchor: controllers
metadata:
  name: gac
spec:
  host: gac
  port: 9033
  type: action
  priority: 1
---
version: emco/v2
resourceContext:
  anchor: cluster-providers
metadata:
  name: {{ .Provider }}
{{- range .Clusters }}
---
version: emco/v2
resourceContext:
  anchor: cluster-providers/{{ $.Provider }}/clusters
metadata:
  name: {{ .Name }}
file: kubeconfig-{{ .Name }}
---
version: emco/v2
resourceContext:
  anchor: cluster-providers/{{ $.Provider }}/clusters/{{ .Name }}/labels
clusterLabel: {{ .Label }}
{{- end }}
---
version: emco/v2
resourceContext:
  anchor: projects
metadata:
  name: {{ .Project }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/logical-clouds
metadata:
  name: default
spec:
  level: "0"
{{- range .Clusters }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ $.Project }}/logical-clouds/default/cluster-references
metadata:
  name: {{ .Name }}
spec:
  clusterProvider: {{ $.Provider }}
  cluster: {{ .Name }}
  loadBalancerIP: "0.0.0.0"
{{- end }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps
metadata:
  name: ca
spec:
  compositeAppVersion: v1
{{- range .Apps }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ $.Project }}/composite-apps/ca/v1/apps
metadata:
  name: {{ . }}
file: {{ . }}.tgz
{{- end }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/ca/v1/apps/collectd/dependency
metadata:
  name: operator
spec:
  app: operator
  opStatus: Ready
  wait: 10
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/ca/v1/composite-profiles
metadata:
  name: cp
{{- range .Apps }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ $.Project }}/composite-apps/ca/v1/composite-profiles/cp/profiles
metadata:
  name: {{ . }}-profile
spec:
  app: {{ . }}
file: {{ . }}_profile.tgz
{{- end }}
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/ca/v1/deployment-intent-groups
metadata:
  name: dig
spec:
  compositeProfile: cp
  version: r1
  logicalCloud: default
  overrideValues:
  - app: collectd
    values:
      "collectd.interval": "10"
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/ca/v1/deployment-intent-groups/dig/intents
metadata:
  name: intent
spec:
  intent:
    genericPlacementIntent: gpi
    gac: gac-intent
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/ca/v1/deployment-intent-groups/dig/generic-placement-intents
metadata:
  name: gpi
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/ca/v1/deployment-intent-groups/dig/generic-placement-intents/gpi/app-intents
metadata:
  name: collectd-pi
spec:
  app: collectd
  intent:
    allOf:
    - clusterProvider: {{ .Provider }}
      clusterLabel: edge
---
version: emco/v2
resourceContext:
  anchor: projects/{{ .Project }}/composite-apps/ca/v1/deployment-intent-groups/dig/generic-placement-intents/gpi/app-intents
metadata:
  name: operator-pi
spec:
  app: operator
  intent:
    anyOf:
    - clusterProvider: {{ .Provider }}
      cluster: c1
    - clusterProvider: {{ .Provider }}
      cluster: c2
"#;

const VALUES: &str = "Project: proj1\nProvider: prov1\nApps: [collectd, operator]\nClusters:\n  - {Name: c1, Label: edge}\n  - {Name: c2, Label: edge}\n";

fn kubeconfig(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster: {{server: 'https://127.0.0.1:6443'}}\ncontexts:\n- name: {name}\n  context: {{cluster: {name}, user: u}}\nusers:\n- name: u\n  user: {{}}\n"
    )
}

async fn run(command: fn(Args) -> Command, args: &Args) -> (ExitCode, String) {
    let mut out = Vec::new();
    let code = cli::run(&command(args.clone()), &mut out).await;
    (code, String::from_utf8(out).unwrap())
}

async fn get(base: &str, path: &str) -> Value {
    reqwest::get(format!("{base}/v2/{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn apply_builds_a_full_setup_and_delete_removes_it_in_reverse() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("setup.yaml", SETUP.as_bytes());
    write("values.yaml", VALUES.as_bytes());
    for c in ["c1", "c2"] {
        write(&format!("kubeconfig-{c}"), kubeconfig(c).as_bytes());
    }
    write("collectd.tgz", &emco_chart("collectd", "collectd"));
    write("operator.tgz", &emco_chart("operators-latest", "operator"));
    write("collectd_profile.tgz", &emco_profile("collectd"));
    write("operator_profile.tgz", &emco_profile("operators-latest"));

    let stack = Stack::embedded(&dir.path().join("canopy.redb"), Default::default()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = api::app(stack.api);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let args = Args {
        file: dir.path().join("setup.yaml"),
        values: Some(dir.path().join("values.yaml")),
        server: base.clone(),
        stop_on_failure: true,
    };
    let (code, out) = run(Command::Apply, &args).await;
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 23, "one line per document:\n{out}");
    assert!(lines.iter().all(|l| l.contains("201")), "{out}");

    assert_eq!(
        get(&base, "cluster-providers/prov1/clusters?label=edge").await,
        serde_json::json!(["c1", "c2"])
    );
    let dig = get(
        &base,
        "projects/proj1/composite-apps/ca/v1/deployment-intent-groups/dig",
    )
    .await;
    assert_eq!(
        dig["spec"]["overrideValues"][0]["values"]["collectd.interval"],
        "10"
    );
    let profiles = get(
        &base,
        "projects/proj1/composite-apps/ca/v1/composite-profiles/cp/profiles?app=operator",
    )
    .await;
    assert_eq!(profiles[0]["metadata"]["name"], "operator-profile");

    // Applying again fails on every document (all exist); without -s every document is tried.
    let (code, out) = run(
        Command::Apply,
        &Args {
            stop_on_failure: false,
            ..args.clone()
        },
    )
    .await;
    assert_ne!(code, ExitCode::SUCCESS);
    assert_eq!(
        out.lines().filter(|l| l.contains("409")).count(),
        23,
        "{out}"
    );

    let (code, out) = run(Command::Delete, &args).await;
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert!(
        out.lines().next().unwrap().contains("operator-pi"),
        "delete starts from the last document:\n{out}"
    );
    assert!(
        out.lines().last().unwrap().contains("rsync"),
        "and ends with the first:\n{out}"
    );
    for list in ["controllers", "cluster-providers", "projects"] {
        assert_eq!(
            get(&base, list).await,
            serde_json::json!([]),
            "{list} is empty again"
        );
    }
    server.abort();
}
