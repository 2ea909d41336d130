//! [`ActionService`]: the `canopy.controller.v1.ActionController` service over a
//! [`crate::ActionController`].

use std::sync::Arc;

use canopy_schemas::controller::{EventRequest, TerminateRequest, UpdateRequest};
use canopy_schemas::proto::controller::v1 as pb;
use pb::action_controller_server::{ActionController as Rpc, ActionControllerServer};
use tonic::{Request, Response, Status};

use tracing::Instrument;

use super::{convert, failed, span, validate_request, violations};
use crate::action::ActionController;

/// Serves an action controller over gRPC.
#[derive(Clone)]
pub struct ActionService {
    controller: Arc<dyn ActionController>,
}

impl ActionService {
    /// The service for `controller`.
    pub fn new(controller: Arc<dyn ActionController>) -> Self {
        Self { controller }
    }

    /// The tonic server to add to a router.
    pub fn into_server(self) -> ActionControllerServer<Self> {
        ActionControllerServer::new(self)
    }
}

#[tonic::async_trait]
impl Rpc for ActionService {
    async fn update_app_context(
        &self,
        request: Request<pb::UpdateAppContextRequest>,
    ) -> Result<Response<pb::UpdateAppContextResponse>, Status> {
        let request: UpdateRequest = convert(request.into_inner())?;
        let span = span("UpdateAppContext", &request.dig);
        let response = self
            .controller
            .update_app_context(request)
            .instrument(span)
            .await;
        let response = response.map_err(failed)?;
        Ok(Response::new(response.into()))
    }

    async fn terminate_app_context(
        &self,
        request: Request<pb::TerminateAppContextRequest>,
    ) -> Result<Response<pb::TerminateAppContextResponse>, Status> {
        let request: TerminateRequest = convert(request.into_inner())?;
        let span = span("TerminateAppContext", &request.dig);
        let message = self
            .controller
            .terminate_app_context(request)
            .instrument(span)
            .await;
        let message = message.map_err(failed)?;
        Ok(Response::new(pb::TerminateAppContextResponse { message }))
    }

    async fn post_event(
        &self,
        request: Request<pb::PostEventRequest>,
    ) -> Result<Response<pb::PostEventResponse>, Status> {
        let request: EventRequest = convert(request.into_inner())?;
        let span = span("PostEvent", &request.dig);
        let message = self.controller.post_event(request).instrument(span).await;
        let message = message.map_err(failed)?;
        Ok(Response::new(pb::PostEventResponse { message }))
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
