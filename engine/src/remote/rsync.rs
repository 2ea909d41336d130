//! rsync's methods: `InstallApp`, `UninstallApp`, `UpdateApp` and `RollbackApp`. Each answers
//! [`Accepted`] once rsync has recorded the work durably, not once it is done.

use canopy_schemas::ContextId;
use canopy_schemas::controller::{Error as ConvertError, Problem};
use canopy_schemas::proto::rsync::v1 as pb;
use pb::rsync_client::RsyncClient;
use tonic::transport::Channel;

use super::call::Remote;
use super::endpoint::{ControllerInfo, Kind};
use super::error::{CallError, Method};

/// rsync's answer: the work is recorded and will be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The AppContext the work was recorded for (the target of an update or rollback).
    pub context: ContextId,
    /// False when an identical call had already been accepted, so nothing new was queued.
    pub newly_queued: bool,
    /// Free text for logs.
    pub message: String,
}

impl TryFrom<pb::Accepted> for Accepted {
    type Error = ConvertError;
    fn try_from(m: pb::Accepted) -> Result<Self, ConvertError> {
        Ok(Self {
            context: m
                .app_context_id
                .parse()
                .map_err(|e| ConvertError::new("app_context_id", Problem::Id(e)))?,
            newly_queued: m.newly_queued,
            message: m.message,
        })
    }
}

fn client(channel: Channel, max: usize) -> RsyncClient<Channel> {
    RsyncClient::new(channel)
        .max_decoding_message_size(max)
        .max_encoding_message_size(max)
}

impl Remote {
    /// Runs one rsync method and converts its answer.
    async fn rsync<Req, F, Fut>(
        &self,
        rsync: &ControllerInfo,
        method: Method,
        request: Req,
        rpc: F,
    ) -> Result<Accepted, CallError>
    where
        Req: Clone,
        F: Fn(RsyncClient<Channel>, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<pb::Accepted>, tonic::Status>>,
    {
        Self::expect_kind(rsync, method, &[Kind::Rsync])?;
        let max = self.config().max_message_bytes;
        let answer = self
            .call(rsync, method, request, |ch, r| rpc(client(ch, max), r))
            .await?;
        Accepted::try_from(answer).map_err(|source| CallError::Malformed {
            controller: rsync.name.clone(),
            method,
            source,
        })
    }

    /// `InstallApp`: apply every resource of `context` to its clusters.
    pub async fn install_app(
        &self,
        rsync: &ControllerInfo,
        context: ContextId,
    ) -> Result<Accepted, CallError> {
        let request = pb::InstallAppRequest {
            app_context_id: context.to_string(),
        };
        self.rsync(rsync, Method::InstallApp, request, |mut c, r| async move {
            c.install_app(r).await
        })
        .await
    }

    /// `UninstallApp`: delete every resource of `context` from its clusters, in reverse order.
    pub async fn uninstall_app(
        &self,
        rsync: &ControllerInfo,
        context: ContextId,
    ) -> Result<Accepted, CallError> {
        let request = pb::UninstallAppRequest {
            app_context_id: context.to_string(),
        };
        self.rsync(
            rsync,
            Method::UninstallApp,
            request,
            |mut c, r| async move { c.uninstall_app(r).await },
        )
        .await
    }

    /// `UpdateApp`: move the clusters from AppContext `from` to `to`, make before break.
    pub async fn update_app(
        &self,
        rsync: &ControllerInfo,
        from: ContextId,
        to: ContextId,
    ) -> Result<Accepted, CallError> {
        let request = pb::UpdateAppRequest {
            from_app_context_id: from.to_string(),
            to_app_context_id: to.to_string(),
        };
        self.rsync(rsync, Method::UpdateApp, request, |mut c, r| async move {
            c.update_app(r).await
        })
        .await
    }

    /// `RollbackApp`: return the clusters from AppContext `from` to the earlier `to`.
    pub async fn rollback_app(
        &self,
        rsync: &ControllerInfo,
        from: ContextId,
        to: ContextId,
    ) -> Result<Accepted, CallError> {
        let request = pb::RollbackAppRequest {
            from_app_context_id: from.to_string(),
            to_app_context_id: to.to_string(),
        };
        self.rsync(rsync, Method::RollbackApp, request, |mut c, r| async move {
            c.rollback_app(r).await
        })
        .await
    }
}
