//! Every chart in `shared/charts/emco/` and `shared/charts/public/podinfo` renders, with its own values and,
//! for the EMCO charts, with its profile's override values; plus the checks issue 4 names: kinds, names,
//! values applied, hook placement for nginx, and the CRD of the operator chart; and nginx's TLS secret, whose
//! certificate and CA Sprig's `genCA` and `genSignedCert` make.

use std::path::{Path, PathBuf};

use canopy_render::chart::Chart;
use canopy_render::helm::default_funcs;
use canopy_render::helm::render::{Options, Release, render};
use canopy_render::manifest::{HookEvent, Output};
use canopy_tests::fixtures::shared_dir;

fn emco() -> PathBuf {
    shared_dir().join("charts/emco")
}

fn options(values: Vec<serde_json::Value>, set: Vec<String>) -> Options {
    Options {
        release: Release {
            name: "r1".into(),
            namespace: "edge".into(),
            ..Release::default()
        },
        values,
        set,
        funcs: default_funcs(),
        ..Options::default()
    }
}

fn profile(example: &str) -> Option<serde_json::Value> {
    let text =
        std::fs::read_to_string(emco().join(example).join("profile/override_values.yaml")).ok()?;
    Some(canopy_render::values::from_yaml(&text, example).unwrap())
}

fn render_dir(dir: &Path, opts: &Options) -> Output {
    let chart = Chart::from_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    render(&chart, opts).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn kinds(out: &Output) -> Vec<String> {
    out.resources
        .iter()
        .map(|r| format!("{}/{}", r.kind, r.name))
        .collect()
}

#[test]
fn every_emco_chart_renders_with_its_own_values_and_with_its_profile() {
    let mut rendered = 0;
    for example in std::fs::read_dir(emco()).unwrap() {
        let example = example.unwrap().path();
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        for chart in std::fs::read_dir(example.join("helm")).unwrap() {
            let chart = chart.unwrap().path();
            let own = render_dir(&chart, &options(vec![], vec![]));
            assert!(
                !own.resources.is_empty() || !own.hooks.is_empty(),
                "{} renders nothing",
                chart.display()
            );
            if let Some(p) = profile(&name) {
                render_dir(&chart, &options(vec![p], vec![]));
            }
            rendered += 1;
        }
    }
    assert_eq!(rendered, 17, "charts rendered");
}

#[test]
fn collectd_renders_its_daemonset_and_takes_profile_and_override_values() {
    let dir = emco().join("collectd/helm/collectd");
    let with_profile = render_dir(&dir, &options(vec![profile("collectd").unwrap()], vec![]));
    let port = |out: &Output| {
        out.resources
            .iter()
            .find(|r| r.kind == "Service")
            .expect("a service")
            .body["spec"]["ports"][0]["port"]
            .clone()
    };
    assert_eq!(
        port(&with_profile),
        serde_json::json!(9104),
        "the profile's port over the chart's 9103"
    );
    let out = render_dir(
        &dir,
        &options(
            vec![profile("collectd").unwrap()],
            vec!["collectd_prometheus.service.port=9200".into()],
        ),
    );
    assert_eq!(
        port(&out),
        serde_json::json!(9200),
        "the DIG override wins over the profile"
    );
    let k = kinds(&out);
    assert!(k.iter().any(|k| k.starts_with("DaemonSet/")), "{k:?}");
    assert!(k.iter().any(|k| k.starts_with("ConfigMap/")), "{k:?}");
    let cm = out
        .resources
        .iter()
        .find(|r| r.kind == "ConfigMap")
        .unwrap();
    assert!(
        cm.yaml.contains("LoadPlugin") || cm.yaml.contains("Interval"),
        "the config file from .Files: {}",
        cm.yaml
    );
}

#[test]
fn nginx_sets_its_hooks_apart_around_its_resources() {
    let out = render_dir(&emco().join("nginx/helm/nginx"), &options(vec![], vec![]));
    let pre: Vec<&str> = out
        .hooks_for(HookEvent::PreInstall)
        .map(|h| h.resource.name.as_str())
        .collect();
    let post: Vec<&str> = out
        .hooks_for(HookEvent::PostInstall)
        .map(|h| h.resource.name.as_str())
        .collect();
    assert_eq!(pre, ["pre-install-hook-pod"]);
    assert_eq!(post.len(), 1, "{post:?}");
    assert!(
        out.resources.iter().all(|r| !r.name.contains("hook")),
        "hooks are not resources: {:?}",
        kinds(&out)
    );
    let k = kinds(&out);
    assert!(k.iter().any(|k| k == "Deployment/r1-nginx"), "{k:?}");
    assert!(k.iter().any(|k| k == "Service/r1-nginx"), "{k:?}");
}

#[test]
fn the_operator_chart_brings_its_crd_first() {
    let out = render_dir(
        &emco().join("operators-latest/helm/operator"),
        &options(vec![profile("operators-latest").unwrap()], vec![]),
    );
    let k = kinds(&out);
    let crd = k
        .iter()
        .position(|k| k.starts_with("CustomResourceDefinition/"))
        .expect("the m3db CRD");
    let sts = k
        .iter()
        .position(|k| k.starts_with("StatefulSet/"))
        .expect("the operator");
    assert!(crd < sts, "{k:?}");
    assert!(
        k.iter()
            .any(|k| k == "CustomResourceDefinition/m3dbclusters.operator.m3db.io"),
        "{k:?}"
    );
}

#[test]
fn the_gms_composite_renders_all_eleven_services() {
    let gms = emco().join("gms/helm");
    let p = profile("gms");
    let mut deployments = 0;
    for chart in std::fs::read_dir(&gms).unwrap() {
        let out = render_dir(
            &chart.unwrap().path(),
            &options(p.clone().into_iter().collect(), vec![]),
        );
        deployments += out
            .resources
            .iter()
            .filter(|r| r.kind == "Deployment")
            .count();
    }
    assert!(deployments >= 11, "{deployments} deployments");
}

#[test]
fn podinfo_renders_with_its_values_and_its_prod_values_and_drops_its_test_hooks() {
    let dir = shared_dir().join("charts/public/podinfo");
    let out = render_dir(&dir, &options(vec![], vec![]));
    let k = kinds(&out);
    assert!(
        k.contains(&"Deployment/r1-podinfo".to_owned())
            && k.contains(&"Service/r1-podinfo".to_owned()),
        "{k:?}"
    );
    assert!(
        out.hooks.is_empty(),
        "podinfo's only hooks are `test` hooks, which are dropped: {:?}",
        out.hooks.len()
    );
    let prod = std::fs::read_to_string(dir.join("values-prod.yaml")).unwrap();
    let prod = canopy_render::values::from_yaml(&prod, "values-prod.yaml").unwrap();
    let out = render_dir(&dir, &options(vec![prod], vec![]));
    let k = kinds(&out);
    assert!(
        k.iter().any(|k| k.starts_with("HorizontalPodAutoscaler/")),
        "prod values turn on the HPA: {k:?}"
    );
}

#[test]
fn nginx_generates_its_tls_secret_with_a_ca_signed_certificate() {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use x509_cert::der::{Decode, Encode};

    let set = vec!["ingress.enabled=true".into(), "ingress.tls=true".into()];
    let out = render_dir(&emco().join("nginx/helm/nginx"), &options(vec![], set));
    let secret = out
        .resources
        .iter()
        .find(|r| r.kind == "Secret" && r.name == "nginx.local-tls")
        .unwrap_or_else(|| panic!("no TLS secret in {:?}", kinds(&out)));
    let cert = |key: &str| {
        let b64 = secret.body["data"][key].as_str().unwrap();
        let pem = String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        x509_cert::Certificate::from_der(&STANDARD.decode(body).unwrap()).unwrap()
    };
    let (leaf, ca) = (cert("tls.crt"), cert("ca.crt"));
    assert_eq!(leaf.tbs_certificate.issuer, ca.tbs_certificate.subject);
    assert_eq!(
        ca.tbs_certificate.subject.to_der().unwrap(),
        ca.tbs_certificate.issuer.to_der().unwrap()
    );
    assert!(
        leaf.tbs_certificate
            .subject
            .to_string()
            .contains("nginx.local")
    );
    let key = secret.body["data"]["tls.key"].as_str().unwrap();
    let key = String::from_utf8(STANDARD.decode(key).unwrap()).unwrap();
    assert!(
        key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"),
        "{key}"
    );
}
