use std::collections::BTreeMap;

use canopy_schemas::controller::ClusterSelector;
use canopy_schemas::{ContextId, Revision};
use serde_json::json;

use super::*;
use crate::appcontext::{App, Manifests, Meta, Placement};

fn r(s: &str) -> ClusterRef {
    s.parse().unwrap()
}

fn deployment(name: &str) -> Manifest {
    Manifest {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        name: name.into(),
        namespace: Some("ns".into()),
        body: format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: ns\nspec:\n  replicas: 1\n"
        )
        .into_bytes(),
    }
}

fn dkey(name: &str) -> ResourceKey {
    ResourceKey::new("apps/v1", "Deployment", Some("ns"), name)
}

/// App `web` on p+a and p+b, each with Deployment `web`; p+b is labelled `edge`.
fn fixture() -> (AppContext, Vec<Cluster>) {
    let manifests = Manifests {
        resources: vec![deployment("web")],
        ..Manifests::default()
    };
    let ctx = AppContext {
        id: ContextId::new(1),
        meta: Meta {
            project: "p".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            version: "v1".parse().unwrap(),
            dig: "dig".parse().unwrap(),
            revision: Revision::FIRST,
            namespace: "ns".into(),
            logical_cloud: None,
            for_cloud: false,
        },
        apps: vec![App {
            name: "web".parse().unwrap(),
            depends_on: Vec::new(),
            placement: Placement::default(),
            clusters: BTreeMap::from([(r("p+a"), manifests.clone()), (r("p+b"), manifests)]),
        }],
    };
    let catalog = vec![
        Cluster::new(r("p+a")),
        Cluster {
            labels: vec!["edge".parse().unwrap()],
            ..Cluster::new(r("p+b"))
        },
    ];
    (ctx, catalog)
}

fn edit(selector: ClusterSelector, op: Op) -> Edit {
    Edit {
        app: "web".parse().unwrap(),
        selector,
        op,
    }
}

fn gac() -> ControllerName {
    "gac".parse().unwrap()
}

fn body(ctx: &AppContext, cluster: &str, at: usize) -> Value {
    let m = &ctx.apps[0].clusters[&r(cluster)].resources[at];
    yaml_serde::from_slice(&m.body).unwrap()
}

fn config_map(name: &str) -> Resource {
    Resource {
        key: ResourceKey::new("v1", "ConfigMap", Some("ns"), name),
        body: json!({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": name, "namespace": "ns"}, "data": {"k": "v"}}),
    }
}

#[test]
fn add_patch_and_delete_apply_to_the_selected_clusters() {
    let (mut ctx, catalog) = fixture();
    let edge = ClusterSelector {
        clusters: Vec::new(),
        labels: vec!["edge".parse().unwrap()],
    };
    let edits = vec![
        edit(ClusterSelector::all(), Op::Add(config_map("cfg"))),
        edit(
            edge,
            Op::Patch {
                target: dkey("web"),
                patch: Patch::Json(vec![
                    json!({"op": "replace", "path": "/spec/replicas", "value": 3}),
                ]),
            },
        ),
        edit(
            ClusterSelector {
                clusters: vec![r("p+a")],
                labels: Vec::new(),
            },
            Op::Patch {
                target: config_map("cfg").key,
                patch: Patch::Merge(json!({"data": {"k": null, "x": "y"}})),
            },
        ),
    ];
    apply(&mut ctx, &gac(), &edits, &catalog).unwrap();
    assert_eq!(body(&ctx, "p+a", 0)["spec"]["replicas"], 1);
    assert_eq!(body(&ctx, "p+b", 0)["spec"]["replicas"], 3);
    assert_eq!(body(&ctx, "p+a", 1)["data"], json!({"x": "y"}));
    assert_eq!(body(&ctx, "p+b", 1)["data"], json!({"k": "v"}));
    let added = &ctx.apps[0].clusters[&r("p+b")].resources[1];
    assert_eq!(
        key_of(added),
        config_map("cfg").key,
        "appended to the order"
    );

    apply(
        &mut ctx,
        &gac(),
        &[edit(ClusterSelector::all(), Op::Delete(dkey("web")))],
        &catalog,
    )
    .unwrap();
    assert!(
        ctx.apps[0]
            .clusters
            .values()
            .all(|m| m.resources.len() == 1)
    );
}

#[test]
fn a_failing_edit_changes_nothing_and_names_controller_app_cluster_and_resource() {
    let (mut ctx, catalog) = fixture();
    let before = ctx.clone();
    let edits = vec![
        edit(ClusterSelector::all(), Op::Add(config_map("cfg"))),
        edit(ClusterSelector::all(), Op::Delete(dkey("gone"))),
    ];
    let err = apply(&mut ctx, &gac(), &edits, &catalog).unwrap_err();
    assert_eq!(ctx, before, "all or none");
    assert_eq!(
        err.to_string(),
        "action controller gac: app web, cluster p+a, resource apps/v1/Deployment ns/gone: the cluster \
         has no such resource (it was neither rendered nor added by an earlier edit)"
    );
}

#[test]
fn edits_that_cannot_apply_are_refused() {
    let (mut ctx, catalog) = fixture();
    let problem = |edits: &[Edit], ctx: &mut AppContext| match apply(ctx, &gac(), edits, &catalog) {
        Err(Error::Edit(failure)) => failure.problem,
        other => panic!("{other:?}"),
    };
    let twice = [edit(ClusterSelector::all(), Op::Add(config_map("web")))];
    apply(&mut ctx, &gac(), &twice, &catalog).unwrap();
    assert_eq!(problem(&twice, &mut ctx), Problem::AlreadyExists);

    let mut renamed = config_map("other");
    renamed.body["metadata"]["name"] = json!("else");
    assert!(matches!(
        problem(&[edit(ClusterSelector::all(), Op::Add(renamed))], &mut ctx),
        Problem::KeyMismatch(_)
    ));

    let rename = Op::Patch {
        target: dkey("web"),
        patch: Patch::Merge(json!({"metadata": {"name": "x"}})),
    };
    assert!(matches!(
        problem(&[edit(ClusterSelector::all(), rename)], &mut ctx),
        Problem::Identity(_)
    ));

    let bad = Op::Patch {
        target: dkey("web"),
        patch: Patch::Json(vec![json!({"op": "remove", "path": "/spec/nothing"})]),
    };
    assert!(matches!(
        problem(&[edit(ClusterSelector::all(), bad)], &mut ctx),
        Problem::Patch(_)
    ));

    let stray = Edit {
        app: "db".parse().unwrap(),
        ..edit(ClusterSelector::all(), Op::Delete(dkey("web")))
    };
    let err = apply(&mut ctx, &gac(), &[stray], &catalog).unwrap_err();
    assert!(matches!(err, Error::UnknownApp { edit: 0, .. }), "{err:?}");
}

#[test]
fn app_resources_show_the_first_clusters_resources_and_every_cluster() {
    let (ctx, catalog) = fixture();
    let shown = app_resources(&ctx, &catalog).unwrap();
    assert_eq!(shown[0].resources.len(), 1);
    assert_eq!(shown[0].resources[0].key, dkey("web"));
    assert_eq!(shown[0].resources[0].body["spec"]["replicas"], 1);
    assert_eq!(shown[0].clusters, catalog);

    let err = app_resources(&ctx, &catalog[..1]).unwrap_err();
    assert!(matches!(err, Error::UnknownCluster { .. }), "{err:?}");
}
