//! The controller services' methods: `FilterClusters` on placement controllers; `UpdateAppContext`,
//! `TerminateAppContext` and `PostEvent` on action controllers; `ValidateIntent` on both. Requests are
//! converted into their messages here and responses back, so callers only see domain types.

use canopy_schemas::controller::{
    self as domain, EventRequest, FilterRequest, FilterResponse, TerminateRequest, UpdateRequest,
    UpdateResponse, ValidateRequest, Violation,
};
use canopy_schemas::proto::controller::v1 as pb;
use pb::action_controller_client::ActionControllerClient;
use pb::placement_controller_client::PlacementControllerClient;
use tonic::transport::Channel;

use super::call::Remote;
use super::endpoint::{ControllerInfo, Kind};
use super::error::{CallError, Method};

fn placement(channel: Channel, max: usize) -> PlacementControllerClient<Channel> {
    PlacementControllerClient::new(channel)
        .max_decoding_message_size(max)
        .max_encoding_message_size(max)
}

fn action(channel: Channel, max: usize) -> ActionControllerClient<Channel> {
    ActionControllerClient::new(channel)
        .max_decoding_message_size(max)
        .max_encoding_message_size(max)
}

/// Converts a response message, or names the field that makes it malformed.
fn convert<P, D>(controller: &ControllerInfo, method: Method, message: P) -> Result<D, CallError>
where
    D: TryFrom<P, Error = domain::Error>,
{
    D::try_from(message).map_err(|source| CallError::Malformed {
        controller: controller.name.clone(),
        method,
        source,
    })
}

impl Remote {
    /// `FilterClusters` on a placement controller.
    pub async fn filter_clusters(
        &self,
        controller: &ControllerInfo,
        request: FilterRequest,
    ) -> Result<FilterResponse, CallError> {
        let method = Method::FilterClusters;
        Self::expect_kind(controller, method, &[Kind::Placement])?;
        let max = self.config().max_message_bytes;
        let message = pb::FilterClustersRequest::from(request);
        let response = self
            .call(controller, method, message, move |ch, r| async move {
                placement(ch, max).filter_clusters(r).await
            })
            .await?;
        convert(controller, method, response)
    }

    /// `UpdateAppContext` on an action controller: the edits its intent makes.
    pub async fn update_app_context(
        &self,
        controller: &ControllerInfo,
        request: UpdateRequest,
    ) -> Result<UpdateResponse, CallError> {
        let method = Method::UpdateAppContext;
        Self::expect_kind(controller, method, &[Kind::Action])?;
        let max = self.config().max_message_bytes;
        let message = pb::UpdateAppContextRequest::from(request);
        let response = self
            .call(controller, method, message, move |ch, r| async move {
                action(ch, max).update_app_context(r).await
            })
            .await?;
        convert(controller, method, response)
    }

    /// `TerminateAppContext` on an action controller; answers the controller's free text.
    pub async fn terminate_app_context(
        &self,
        controller: &ControllerInfo,
        request: TerminateRequest,
    ) -> Result<String, CallError> {
        let method = Method::TerminateAppContext;
        Self::expect_kind(controller, method, &[Kind::Action])?;
        let max = self.config().max_message_bytes;
        let message = pb::TerminateAppContextRequest::from(request);
        let response = self
            .call(controller, method, message, move |ch, r| async move {
                action(ch, max).terminate_app_context(r).await
            })
            .await?;
        Ok(response.message)
    }

    /// `PostEvent` on an action controller; answers the controller's free text.
    pub async fn post_event(
        &self,
        controller: &ControllerInfo,
        request: EventRequest,
    ) -> Result<String, CallError> {
        let method = Method::PostEvent;
        Self::expect_kind(controller, method, &[Kind::Action])?;
        let max = self.config().max_message_bytes;
        let message = pb::PostEventRequest::from(request);
        let response = self
            .call(controller, method, message, move |ch, r| async move {
                action(ch, max).post_event(r).await
            })
            .await?;
        Ok(response.message)
    }

    /// `ValidateIntent` on a placement or action controller: every rule the intent breaks; none accepts it.
    pub async fn validate_intent(
        &self,
        controller: &ControllerInfo,
        request: ValidateRequest,
    ) -> Result<Vec<Violation>, CallError> {
        let method = Method::ValidateIntent;
        Self::expect_kind(controller, method, &[Kind::Placement, Kind::Action])?;
        let max = self.config().max_message_bytes;
        let message = pb::ValidateIntentRequest::from(request);
        let placement_kind = controller.kind == Kind::Placement;
        let response = self
            .call(controller, method, message, move |ch, r| async move {
                if placement_kind {
                    placement(ch, max).validate_intent(r).await
                } else {
                    action(ch, max).validate_intent(r).await
                }
            })
            .await?;
        Ok(response
            .violations
            .into_iter()
            .map(Violation::from)
            .collect())
    }
}
