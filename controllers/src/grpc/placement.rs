//! [`PlacementService`]: the `canopy.controller.v1.PlacementController` service over a
//! [`crate::PlacementController`].

use std::sync::Arc;

use canopy_schemas::controller::FilterRequest;
use canopy_schemas::proto::controller::v1 as pb;
use pb::placement_controller_server::{PlacementController as Rpc, PlacementControllerServer};
use tonic::{Request, Response, Status};

use tracing::Instrument;

use super::{convert, failed, span, validate_request, violations};
use crate::placement::PlacementController;

/// Serves a placement controller over gRPC.
#[derive(Clone)]
pub struct PlacementService {
    controller: Arc<dyn PlacementController>,
}

impl PlacementService {
    /// The service for `controller`.
    pub fn new(controller: Arc<dyn PlacementController>) -> Self {
        Self { controller }
    }

    /// The tonic server to add to a router.
    pub fn into_server(self) -> PlacementControllerServer<Self> {
        PlacementControllerServer::new(self)
    }
}

#[tonic::async_trait]
impl Rpc for PlacementService {
    async fn filter_clusters(
        &self,
        request: Request<pb::FilterClustersRequest>,
    ) -> Result<Response<pb::FilterClustersResponse>, Status> {
        let request: FilterRequest = convert(request.into_inner())?;
        let span = span("FilterClusters", &request.dig);
        let response = self
            .controller
            .filter_clusters(request)
            .instrument(span)
            .await;
        let response = response.map_err(failed)?;
        Ok(Response::new(response.into()))
    }

    async fn validate_intent(
        &self,
        request: Request<pb::ValidateIntentRequest>,
    ) -> Result<Response<pb::ValidateIntentResponse>, Status> {
        match validate_request(request.into_inner()) {
            Ok(request) => {
                let found = self
                    .controller
                    .validate_intent(request)
                    .await
                    .map_err(failed)?;
                Ok(violations(found))
            }
            Err(found) => Ok(violations(found)),
        }
    }
}
