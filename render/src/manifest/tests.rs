use super::*;

fn file(path: &str, text: &str) -> (String, String) {
    (path.to_owned(), text.to_owned())
}

#[test]
fn resources_follow_helms_install_order_and_keep_file_order_within_a_kind() {
    let out = sort(vec![
        file("c/templates/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"),
        file("c/templates/a.yaml", "kind: Service\napiVersion: v1\nmetadata:\n  name: s1\n---\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: cm\n"),
        file("c/templates/b.yaml", "kind: Service\napiVersion: v1\nmetadata:\n  name: s0\n---\nkind: Widget\napiVersion: x/v1\nmetadata:\n  name: w\n---\nkind: Namespace\napiVersion: v1\nmetadata:\n  name: ns\n"),
    ])
    .unwrap();
    let order: Vec<String> = out
        .resources
        .iter()
        .map(|r| format!("{}/{}", r.kind, r.name))
        .collect();
    assert_eq!(
        order,
        [
            "Namespace/ns",
            "ConfigMap/cm",
            "Service/s1",
            "Service/s0",
            "Deployment/web",
            "Widget/w"
        ]
    );
    assert_eq!(out.resources[1].source, "c/templates/a.yaml");
}

#[test]
fn hooks_sort_by_event_weight_then_name_and_test_hooks_are_dropped() {
    let hook = |name: &str, events: &str, weight: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations:\n    helm.sh/hook: {events}\n    helm.sh/hook-weight: \"{weight}\"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n"
        )
    };
    let out = sort(vec![
        file(
            "n/templates/hooks.yaml",
            &[
                hook("post-b", "post-install", "0"),
                hook("pre-z", "pre-install", "-5"),
                hook("pre-a", "pre-install,pre-upgrade", "1"),
                hook("post-a", "post-install", "0"),
                hook("smoke", "test", "0"),
            ]
            .join("---\n"),
        ),
        file(
            "n/templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n",
        ),
    ])
    .unwrap();
    let hooks: Vec<String> = out
        .hooks
        .iter()
        .map(|h| format!("{}:{}", h.event, h.resource.name))
        .collect();
    assert_eq!(
        hooks,
        [
            "pre-install:pre-z",
            "pre-install:pre-a",
            "post-install:post-a",
            "post-install:post-b",
            "pre-upgrade:pre-a"
        ]
    );
    assert_eq!(out.hooks[0].weight, -5);
    assert_eq!(
        out.hooks[0].delete_policies,
        ["before-hook-creation", "hook-succeeded"]
    );
    assert_eq!(out.resources.len(), 1, "hooks are not resources");
    assert_eq!(out.hooks_for(HookEvent::PostInstall).count(), 2);
}

#[test]
fn partials_notes_blank_and_comment_only_documents_are_skipped() {
    let out = sort(vec![
        file("c/templates/_helpers.tpl", "kind: Not\n"),
        file("c/templates/NOTES.txt", "Thanks for installing"),
        file("c/templates/empty.yaml", "\n---\n# only a comment\n---\n"),
        file(
            "c/templates/cm.yaml",
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: edge\n",
        ),
    ])
    .unwrap();
    assert_eq!(out.resources.len(), 1);
    assert_eq!(out.resources[0].namespace.as_deref(), Some("edge"));
    assert!(out.resources[0].yaml.contains("kind: ConfigMap"));
}

#[test]
fn bad_documents_name_their_template() {
    let err = sort(vec![file(
        "c/templates/x.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n",
    )])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("YAML parse error on c/templates/x.yaml"),
        "{err}"
    );
    let err = sort(vec![file(
        "c/templates/y.yaml",
        "apiVersion: v1\nmetadata:\n  name: a\n",
    )])
    .unwrap_err();
    assert!(err.to_string().contains("kind is missing"), "{err}");
    let err = sort(vec![file("c/templates/z.yaml", "apiVersion: v1\nkind: Job\nmetadata:\n  name: a\n  annotations:\n    helm.sh/hook: pre-party\n")]).unwrap_err();
    assert!(err.to_string().contains("pre-party"), "{err}");
}

#[test]
fn documents_split_only_on_separator_lines() {
    let docs = split_documents("a: 1\n---\nb: \"---\"\n--- \nc: 3\n----x: 1\n");
    assert_eq!(docs.len(), 3);
    assert!(docs[1].contains("\"---\""));
}
