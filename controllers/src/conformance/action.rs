//! The action checks: `ValidateIntent` on valid, garbage and odd specs, `UpdateAppContext` with each spec
//! (edits only touch the request's apps and existing or added resources), then `TerminateAppContext` and
//! `PostEvent`.

use std::collections::HashSet;

use canopy_schemas::controller::{EventKind, Op, ResourceKey, UpdateRequest, UpdateResponse};
use canopy_schemas::name::AppName;
use canopy_schemas::proto::controller::v1 as pb;
use pb::action_controller_client::ActionControllerClient;
use tonic::transport::Channel;

use super::call::Probe;
use super::report::{Check, Failures};
use super::{Suite, fixture, judge_validation};

/// Runs every action check against the controller of `suite`.
pub(super) async fn run(suite: &Suite, probe: &mut Probe) {
    let connect = ActionControllerClient::connect(suite.endpoint.clone());
    let mut client = match tokio::time::timeout(probe.deadline, connect).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => {
            return probe
                .failures
                .push(Check::Connects, format!("{}: {e}", suite.endpoint));
        }
        Err(_) => {
            return probe
                .failures
                .push(Check::Deadline, format!("connecting to {}", suite.endpoint));
        }
    };
    for (check, request) in suite.validations() {
        let call = client.validate_intent(probe.request(request));
        if let Some(answer) = probe.call("ValidateIntent", call).await {
            judge_validation(probe, check, answer);
        }
    }
    for spec in suite.specs() {
        let intent = Suite::intent(spec);
        update(&mut client, probe, fixture::update(&intent, &suite.apps)).await;
        let call = client.terminate_app_context(probe.request(fixture::terminate(&intent).into()));
        probe.call("TerminateAppContext", call).await;
        for event in [
            EventKind::Instantiate,
            EventKind::Update,
            EventKind::Terminate,
        ] {
            let call = client.post_event(probe.request(fixture::event(&intent, event).into()));
            probe.call("PostEvent", call).await;
        }
    }
}

/// Sends one `UpdateAppContext` request and checks the edits.
async fn update(
    client: &mut ActionControllerClient<Channel>,
    probe: &mut Probe,
    request: UpdateRequest,
) {
    let call = client
        .update_app_context(probe.request(pb::UpdateAppContextRequest::from(request.clone())));
    let Some(Ok(answer)) = probe.call("UpdateAppContext", call).await else {
        return;
    };
    match UpdateResponse::try_from(answer) {
        Ok(response) => check_edits(&request, &response, &mut probe.failures),
        Err(e) => probe
            .failures
            .push(Check::WellFormed, format!("UpdateAppContext answered {e}")),
    }
}

/// Replays the edits over the request's resources: every app must be known, and every patch or delete must
/// target a resource that exists at that point.
pub(super) fn check_edits(
    request: &UpdateRequest,
    response: &UpdateResponse,
    failures: &mut Failures,
) {
    let mut present: HashSet<(AppName, ResourceKey)> = request
        .apps
        .iter()
        .flat_map(|a| a.resources.iter().map(|r| (a.app.clone(), r.key.clone())))
        .collect();
    for (i, edit) in response.edits.iter().enumerate() {
        if request.app(&edit.app).is_none() {
            let detail = format!(
                "edits[{i}] edits app {}, which was not in the request",
                edit.app
            );
            failures.push(Check::KnownApps, detail);
            continue;
        }
        let entry = (edit.app.clone(), edit.op.key().clone());
        let exists = match &edit.op {
            Op::Add(_) => {
                present.insert(entry);
                continue;
            }
            Op::Patch { .. } => present.contains(&entry),
            Op::Delete(_) => present.remove(&entry),
        };
        if !exists {
            let detail = format!(
                "edits[{i}] targets {} of app {}, which neither exists nor was added before",
                entry.1, edit.app
            );
            failures.push(Check::EditTargetsExist, detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use canopy_schemas::controller::{ClusterSelector, Edit, Patch, Resource};
    use serde_json::json;

    use super::*;
    use crate::conformance::Suite;

    fn edit(app: &str, op: Op) -> Edit {
        Edit {
            app: app.parse().unwrap(),
            selector: ClusterSelector::all(),
            op,
        }
    }

    fn failures_of(edits: Vec<Edit>) -> Failures {
        let apps = ["app1".parse().unwrap()];
        let request = fixture::update(&Suite::intent(json!({})), &apps);
        let mut failures = Failures::default();
        check_edits(&request, &UpdateResponse { edits }, &mut failures);
        failures
    }

    fn key(kind: &str, name: &str) -> ResourceKey {
        ResourceKey::new("v1", kind, Some("default"), name)
    }

    #[test]
    fn patching_what_an_earlier_edit_added_is_allowed() {
        let added = Resource {
            key: key("ConfigMap", "extra"),
            body: json!({}),
        };
        let patch = Patch::Merge(json!({"data": {"a": "b"}}));
        let failures = failures_of(vec![
            edit("app1", Op::Add(added)),
            edit(
                "app1",
                Op::Patch {
                    target: key("ConfigMap", "extra"),
                    patch,
                },
            ),
            edit("app1", Op::Delete(key("Service", "app1"))),
        ]);
        assert_eq!(failures, Failures::default());
    }

    #[test]
    fn patching_what_an_earlier_edit_deleted_is_caught() {
        let patch = Patch::Merge(json!({}));
        let failures = failures_of(vec![
            edit("app1", Op::Delete(key("Service", "app1"))),
            edit(
                "app1",
                Op::Patch {
                    target: key("Service", "app1"),
                    patch,
                },
            ),
        ]);
        assert!(failures.has(Check::EditTargetsExist), "{failures}");
    }

    #[test]
    fn editing_an_app_that_was_not_asked_about_is_caught() {
        let failures = failures_of(vec![edit("stranger", Op::Delete(key("Service", "app1")))]);
        assert!(failures.has(Check::KnownApps), "{failures}");
    }
}
