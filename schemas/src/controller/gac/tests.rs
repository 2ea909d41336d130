use serde_json::json;

use super::*;

fn example() -> serde_json::Value {
    json!({
        "intent": "operator-gac",
        "resources": [{
            "metadata": {"name": "cm-extra"},
            "spec": {"app": "web", "newObject": "true",
                     "resourceGVK": {"apiVersion": "v1", "kind": "ConfigMap", "name": "extra"}},
            "file": "YXBpVmVyc2lvbjogdjEK",
            "customizations": [{
                "metadata": {"name": "edge-only"},
                "spec": {"clusterSpecific": "true",
                         "clusterInfo": {"scope": "label", "clusterProvider": "p1", "clusterLabel": "edge", "mode": "allow"},
                         "configMapOptions": {"dataKeyOptions": [{"fileName": "app.conf", "keyName": "conf"}]}},
                "files": [{"name": "app.conf", "content": "bGV2ZWw9ZGVidWcK"}]
            }]
        }, {
            "metadata": {"name": "replicas"},
            "spec": {"app": "web", "newObject": "false",
                     "resourceGVK": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}},
            "customizations": [{
                "metadata": {"name": "three"},
                "spec": {"clusterSpecific": "false", "patchType": "json",
                         "patchJson": [{"op": "replace", "path": "/spec/replicas", "value": 3}]}
            }]
        }]
    })
}

#[test]
fn the_documented_example_decodes_and_survives_a_round_trip() {
    let spec: Spec = serde_json::from_value(example()).unwrap();
    assert_eq!(spec.intent, "operator-gac");
    assert_eq!(spec.resources.len(), 2);
    let first = &spec.resources[0];
    assert_eq!(first.spec.resource_gvk.kind, "ConfigMap");
    assert_eq!(first.customizations[0].files[0].name, "app.conf");
    assert!(spec.resources[1].file.is_none());
    let again: Spec = serde_json::from_value(serde_json::to_value(&spec).unwrap()).unwrap();
    assert_eq!(again, spec);
    assert_eq!(serde_json::to_value(&spec).unwrap(), example());
}

#[test]
fn unknown_fields_are_refused_at_every_level() {
    let mut top = example();
    top["extra"] = json!(1);
    assert!(serde_json::from_value::<Spec>(top).is_err());
    let mut file = example();
    file["resources"][0]["customizations"][0]["files"][0]["mode"] = json!("0644");
    assert!(serde_json::from_value::<Spec>(file).is_err());
}

#[test]
fn an_entry_splits_into_the_stored_rest_body_and_back() {
    let spec: Spec = serde_json::from_value(example()).unwrap();
    let entry = spec.resources[0].clone();
    let customizations = entry.customizations.clone();
    let rebuilt = ResourceSpec::new(entry.resource(), entry.file.clone(), customizations);
    assert_eq!(rebuilt, entry);
    let c = &entry.customizations[0];
    assert_eq!(
        CustomizationSpec::new(c.customization(), c.files.clone()),
        *c
    );
}

#[test]
fn data_options_read_file_and_key_names() {
    let options: DataOptions = serde_json::from_value(json!({
        "dataKeyOptions": [{"fileName": "a.txt", "keyName": "a"}, {"fileName": "p.yaml", "mergePatch": "true"}]
    }))
    .unwrap();
    assert_eq!(options.data_key_options[0].key_name, "a");
    assert_eq!(options.data_key_options[1].merge_patch, "true");
    assert_eq!(options.data_key_options[1].key_name, "");
}
