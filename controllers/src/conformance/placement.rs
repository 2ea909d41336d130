//! The placement checks: `ValidateIntent` on valid, garbage and odd specs, then `FilterClusters` with each
//! spec, holding every decision to the request's apps and candidates.

use canopy_schemas::controller::{FilterRequest, FilterResponse};
use canopy_schemas::proto::controller::v1 as pb;
use pb::placement_controller_client::PlacementControllerClient;
use tonic::transport::Channel;

use super::call::Probe;
use super::report::Check;
use super::{Suite, fixture, judge_validation};

/// Runs every placement check against the controller of `suite`.
pub(super) async fn run(suite: &Suite, probe: &mut Probe) {
    let connect = PlacementControllerClient::connect(suite.endpoint.clone());
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
        let request = fixture::filter(&Suite::intent(spec), &suite.apps);
        filter(&mut client, probe, request).await;
    }
}

/// Sends one `FilterClusters` request and checks the decisions.
async fn filter(
    client: &mut PlacementControllerClient<Channel>,
    probe: &mut Probe,
    request: FilterRequest,
) {
    let call =
        client.filter_clusters(probe.request(pb::FilterClustersRequest::from(request.clone())));
    let Some(Ok(answer)) = probe.call("FilterClusters", call).await else {
        return;
    };
    let response = match FilterResponse::try_from(answer) {
        Ok(response) => response,
        Err(e) => {
            return probe
                .failures
                .push(Check::WellFormed, format!("FilterClusters answered {e}"));
        }
    };
    for decision in &response.apps {
        let Some(candidates) = request.apps.iter().find(|a| a.app == decision.app) else {
            let detail = format!(
                "FilterClusters decided about app {}, which was not asked about",
                decision.app
            );
            probe.failures.push(Check::KnownApps, detail);
            continue;
        };
        for d in decision
            .clusters
            .iter()
            .filter(|d| !candidates.is_candidate(&d.cluster))
        {
            let detail = format!(
                "FilterClusters decided {:?} about cluster {} of app {}, which is not one of its candidates",
                d.verdict, d.cluster, decision.app
            );
            probe.failures.push(Check::OnlyCandidates, detail);
        }
    }
}
