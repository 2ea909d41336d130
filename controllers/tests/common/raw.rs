//! A placement controller written against the generated service, without the SDK.

use canopy_controllers::conformance::{Failures, Suite};
use canopy_schemas::proto::controller::v1 as pb;
use pb::placement_controller_server::{PlacementController, PlacementControllerServer};
use tonic::{Request, Response, Status};

/// Accepts every intent, even one that is not JSON, and decides nothing.
struct AcceptEverything;

#[tonic::async_trait]
impl PlacementController for AcceptEverything {
    async fn filter_clusters(
        &self,
        _request: Request<pb::FilterClustersRequest>,
    ) -> Result<Response<pb::FilterClustersResponse>, Status> {
        Ok(Response::new(pb::FilterClustersResponse::default()))
    }

    async fn validate_intent(
        &self,
        _request: Request<pb::ValidateIntentRequest>,
    ) -> Result<Response<pb::ValidateIntentResponse>, Status> {
        Ok(Response::new(pb::ValidateIntentResponse::default()))
    }
}

/// Serves [`AcceptEverything`] on a free port and runs the placement suite against it.
pub async fn accept_everything() -> Failures {
    let listener = tokio::net::TcpListener::bind(super::any_port())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tonic::transport::Server::builder()
        .add_service(PlacementControllerServer::new(AcceptEverything))
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener));
    let server = tokio::spawn(server);
    let result = Suite::new(addr).check_placement().await;
    server.abort();
    result.expect_err("the suite must catch a controller that accepts a spec that is not JSON")
}
