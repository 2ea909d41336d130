use serde_json::{Value, json};

use super::*;

fn resource(kind: &str, name: &str, ready: &str, message: Option<&str>) -> Value {
    let mut r = json!({"GVK": {"Group": "apps", "Version": "v1", "Kind": kind}, "name": name, "readyStatus": ready});
    if let Some(m) = message {
        r["message"] = json!(m);
    }
    r
}

fn cluster(name: &str, phase: Option<&str>, resources: Vec<Value>) -> Value {
    json!({"clusterProvider": "prov", "cluster": name, "connectivity": "Available", "group": "1",
           "score": 0.0, "phase": phase, "resources": resources})
}

/// A status body: DIG `state`, AppContext `context`, `ready`, and collectd on the given clusters.
fn body(state: &str, context: Option<&str>, ready: bool, clusters: Vec<Value>) -> Value {
    let mut b = json!({
        "project": "p", "compositeApp": "ca", "compositeAppVersion": "v1", "compositeProfile": "cp",
        "name": "d", "state": state,
        "states": {"statusctxid": "42", "actions": []},
    });
    if let Some(c) = context {
        b["deployedStatus"] = json!(c);
        b["readyStatus"] = json!(if ready { "Ready" } else { "NotReady" });
        b["deployedCounts"] = json!({});
        b["readyCounts"] = json!({});
        b["apps"] = json!([{"name": "collectd", "clusters": clusters}]);
    }
    b
}

fn snapshot(b: Value) -> Snapshot {
    Snapshot::from_json(&b).unwrap()
}

#[test]
fn a_dig_before_its_first_instantiate_is_waiting() {
    let s = snapshot(json!({"state": "Approved", "states": {"statusctxid": "", "actions": []}}));
    assert_eq!(s.context, None);
    assert!(s.apps.is_empty());
    assert_eq!(s.verdict(Target::Deployed), Verdict::Waiting);
    assert_eq!(s.verdict(Target::Ready), Verdict::Waiting);
}

#[test]
fn deployed_needs_both_the_dig_and_its_context_instantiated_and_ready_needs_ready_status() {
    let ready = resource("Deployment", "web", "Ready", None);
    let not_ready = resource("Deployment", "web", "NotReady", None);
    let applying = snapshot(body(
        "Instantiated",
        Some("Instantiating"),
        false,
        vec![cluster("c1", Some("Applied"), vec![not_ready.clone()])],
    ));
    assert_eq!(applying.verdict(Target::Deployed), Verdict::Waiting);
    let deployed = snapshot(body(
        "Instantiated",
        Some("Instantiated"),
        false,
        vec![cluster("c1", Some("Applied"), vec![not_ready])],
    ));
    assert_eq!(deployed.verdict(Target::Deployed), Verdict::Reached);
    assert_eq!(deployed.verdict(Target::Ready), Verdict::Waiting);
    let (_, c1) = deployed.clusters().next().unwrap();
    assert!(c1.reached(Target::Deployed) && !c1.reached(Target::Ready));
    let ready = snapshot(body(
        "Instantiated",
        Some("Instantiated"),
        true,
        vec![cluster("c1", Some("Ready"), vec![ready])],
    ));
    assert_eq!(ready.verdict(Target::Ready), Verdict::Reached);
    assert!(ready.clusters().all(|(_, c)| c.reached(Target::Ready)));
}

#[test]
fn a_failed_cluster_fails_the_wait_with_its_reasons() {
    let s = snapshot(body(
        "Instantiated",
        Some("Instantiating"),
        false,
        vec![
            cluster(
                "c1",
                Some("Applied"),
                vec![resource("Service", "s", "Ready", None)],
            ),
            cluster(
                "c2",
                Some("Failed"),
                vec![resource(
                    "Deployment",
                    "web",
                    "NotPresent",
                    Some("admission webhook denied it"),
                )],
            ),
            cluster("c3", None, vec![]),
        ],
    ));
    let Verdict::Failed(failures) = s.verdict(Target::Ready) else {
        panic!("{:?}", s.verdict(Target::Ready))
    };
    assert_eq!(
        failures,
        vec![Failure {
            what: "collectd on prov/c2".into(),
            state: "Failed".into(),
            reason: "Deployment/web: admission webhook denied it".into(),
        }]
    );
    assert_eq!(s.apps[0].clusters[2].phase(), "Pending");
}

#[test]
fn a_failed_dig_or_context_is_a_failure_with_its_reason() {
    let mut b = body("InstantiateFailed", None, false, vec![]);
    b["reason"] = json!("placement: no cluster left");
    let Verdict::Failed(f) = snapshot(b).verdict(Target::Deployed) else {
        panic!()
    };
    assert_eq!(f[0].what, "DIG");
    assert_eq!(f[0].reason, "placement: no cluster left");

    let mut b = body("Instantiated", Some("InstantiateFailed"), false, vec![]);
    b["deployedReason"] = json!("1 cluster(s) failed: prov+c2: refused");
    let Verdict::Failed(f) = snapshot(b).verdict(Target::Ready) else {
        panic!()
    };
    assert_eq!(f[0].what, "AppContext 42");
    assert_eq!(f[0].reason, "1 cluster(s) failed: prov+c2: refused");
}

#[test]
fn a_retrying_cluster_is_trouble_but_not_a_failure() {
    let mut c = cluster("c1", Some("Applying"), vec![]);
    c["connectivity"] = json!("Retrying");
    c["lastError"] = json!("dial tcp: connection refused");
    let s = snapshot(body("Instantiated", Some("Instantiating"), false, vec![c]));
    assert_eq!(s.verdict(Target::Ready), Verdict::Waiting);
    assert_eq!(s.failures()[0].reason, "dial tcp: connection refused");
}
