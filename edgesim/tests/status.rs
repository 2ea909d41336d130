//! Status simulation, the status subresource, and watches that resume from a resourceVersion.

mod common;

use common::{DEADLINE, Sim, deployment};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use kube::api::{Patch, PatchParams, WatchEvent, WatchParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::runtime::watcher;
use kube::{Api, ResourceExt};
use serde_json::json;

fn ssa() -> PatchParams {
    PatchParams::apply("canopy").force()
}

#[tokio::test]
async fn a_service_gets_a_cluster_ip_that_survives_a_reapply() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<Service> = Api::default_namespaced(sim.client("edge-0001").await);
    let svc = |port: i32| {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": port}]}})
    };
    let first = api
        .patch("web", &ssa(), &Patch::Apply(svc(80)))
        .await
        .unwrap();
    let ip = first
        .spec
        .unwrap()
        .cluster_ip
        .expect("a ClusterIP is assigned");
    assert!(ip.starts_with("10.96."), "{ip}");
    let second = api
        .patch("web", &ssa(), &Patch::Apply(svc(8080)))
        .await
        .unwrap();
    assert_eq!(second.spec.unwrap().cluster_ip, Some(ip));
}

#[tokio::test]
async fn jobs_complete_and_pods_become_ready_after_the_readiness_delay() {
    let sim = Sim::start("edge-0001").await;
    let client = sim.client("edge-0001").await;
    sim.set_faults(
        "edge-0001",
        json!({"readiness": {"min_ms": 100, "max_ms": 300}}),
    )
    .await;
    let jobs: Api<Job> = Api::default_namespaced(client.clone());
    let pods: Api<Pod> = Api::default_namespaced(client);
    let spec =
        json!({"containers": [{"name": "main", "image": "busybox"}], "restartPolicy": "Never"});
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
        "spec": {"template": {"spec": spec}}});
    let serving =
        json!({"containers": [{"name": "main", "image": "busybox"}], "restartPolicy": "Always"});
    let pod =
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": serving});
    // A Pod that never restarts (a Helm hook, a one-off task) runs to completion.
    let hook =
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hook"}, "spec": spec});
    let job = jobs
        .patch("once", &ssa(), &Patch::Apply(job))
        .await
        .unwrap();
    assert!(
        !kube::runtime::wait::Condition::matches_object(
            &conditions::is_job_completed(),
            Some(&job)
        ),
        "a new job is still running"
    );
    let pod = pods.patch("p", &ssa(), &Patch::Apply(pod)).await.unwrap();
    assert_eq!(pod.status.unwrap().phase.as_deref(), Some("Pending"));
    tokio::time::timeout(
        DEADLINE,
        await_condition(jobs, "once", conditions::is_job_completed()),
    )
    .await
    .unwrap()
    .unwrap();
    let hook = pods
        .patch("hook", &ssa(), &Patch::Apply(hook))
        .await
        .unwrap();
    assert_eq!(hook.status.unwrap().phase.as_deref(), Some("Pending"));
    tokio::time::timeout(
        DEADLINE,
        await_condition(pods.clone(), "p", conditions::is_pod_running()),
    )
    .await
    .unwrap()
    .unwrap();
    let succeeded = |p: Option<&Pod>| {
        p.and_then(|p| p.status.as_ref())
            .and_then(|s| s.phase.as_deref())
            == Some("Succeeded")
    };
    tokio::time::timeout(DEADLINE, await_condition(pods, "hook", succeeded))
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_load_balancer_service_gets_an_ingress_address() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<Service> = Api::default_namespaced(sim.client("edge-0001").await);
    let lb = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "front"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]}});
    let svc = api.patch("front", &ssa(), &Patch::Apply(lb)).await.unwrap();
    let ingress = svc
        .status
        .and_then(|s| s.load_balancer)
        .and_then(|l| l.ingress)
        .unwrap_or_default();
    assert_eq!(ingress.len(), 1, "one ingress address");
    assert!(
        ingress[0]
            .ip
            .as_deref()
            .is_some_and(|ip| ip.starts_with("192.0.2."))
    );
    let plain = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "inner"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}});
    let svc = api
        .patch("inner", &ssa(), &Patch::Apply(plain))
        .await
        .unwrap();
    assert!(
        svc.status
            .and_then(|s| s.load_balancer)
            .and_then(|l| l.ingress)
            .is_none()
    );
}

#[tokio::test]
async fn statefulsets_and_daemonsets_report_ready_replicas_of_their_generation() {
    let sim = Sim::start("edge-0001").await;
    let client = sim.client("edge-0001").await;
    let mut manifest = deployment("db", 2, "postgres");
    manifest["kind"] = json!("StatefulSet");
    manifest["spec"]["serviceName"] = json!("db");
    let sts: Api<StatefulSet> = Api::default_namespaced(client.clone());
    let status = sts
        .patch("db", &ssa(), &Patch::Apply(manifest))
        .await
        .unwrap()
        .status
        .unwrap();
    assert_eq!(
        (
            status.observed_generation,
            status.ready_replicas,
            status.replicas
        ),
        (Some(1), Some(2), 2)
    );
    let mut manifest = deployment("agent", 1, "agent");
    manifest["kind"] = json!("DaemonSet");
    manifest["spec"].as_object_mut().unwrap().remove("replicas");
    let ds: Api<DaemonSet> = Api::default_namespaced(client);
    let status = ds
        .patch("agent", &ssa(), &Patch::Apply(manifest))
        .await
        .unwrap()
        .status
        .unwrap();
    assert_eq!(
        (status.number_ready, status.desired_number_scheduled),
        (1, 1)
    );
}

#[tokio::test]
async fn a_status_write_changes_only_status_and_a_label_change_keeps_the_generation() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<Deployment> = Api::default_namespaced(sim.client("edge-0001").await);
    api.patch("web", &ssa(), &Patch::Apply(deployment("web", 1, "a")))
        .await
        .unwrap();
    let patched = api
        .patch_status(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"replicas": 7}, "spec": {"replicas": 9}})),
        )
        .await
        .unwrap();
    assert_eq!(
        (patched.status.unwrap().replicas, patched.spec.replicas),
        (Some(7), Some(1))
    );
    assert_eq!(patched.metadata.generation, Some(1));
    let mut relabelled = deployment("web", 1, "a");
    relabelled["metadata"]["labels"]["extra"] = json!("yes");
    let relabelled = api
        .patch("web", &ssa(), &Patch::Apply(relabelled))
        .await
        .unwrap();
    assert_eq!(
        relabelled.metadata.generation,
        Some(1),
        "metadata is not spec"
    );
}

#[tokio::test]
async fn a_watch_resumes_after_a_resource_version_and_a_too_old_one_gets_a_410_error_event() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::default_namespaced(sim.client("edge-0001").await);
    let cm = |i: usize| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("c{i}")}});
    let mut versions = Vec::new();
    for i in 0..100 {
        versions.push(
            api.patch(&format!("c{i}"), &ssa(), &Patch::Apply(cm(i)))
                .await
                .unwrap()
                .resource_version()
                .unwrap(),
        );
    }
    let params = WatchParams::default().timeout(1);
    let events: Vec<_> = api
        .watch(&params, &versions[97])
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            WatchEvent::Added(o) => Some(o.name_any()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["c98", "c99"]);
    let mut old = api.watch(&params, &versions[0]).await.unwrap().boxed();
    match old.next().await {
        Some(Ok(WatchEvent::Error(status))) => assert_eq!(status.code, 410),
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }
}

#[tokio::test]
async fn kubes_streaming_list_watcher_gets_the_initial_events_and_their_end_bookmark() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::default_namespaced(sim.client("edge-0001").await);
    for name in ["a", "b"] {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
        api.patch(name, &ssa(), &Patch::Apply(cm)).await.unwrap();
    }
    let mut events = watcher(api, watcher::Config::default().streaming_lists()).boxed();
    let mut initial = Vec::new();
    loop {
        match tokio::time::timeout(DEADLINE, events.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
        {
            watcher::Event::InitApply(o) => initial.push(o.name_any()),
            watcher::Event::InitDone => break,
            _ => {}
        }
    }
    assert_eq!(initial, ["a", "b"]);
}
