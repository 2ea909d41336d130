//! The gRPC face of rsync (`canopy.rsync.v1.Rsync`): each call goes to the [intake](crate::intake), and
//! its errors become the codes the proto documents: NOT_FOUND for a missing context, FAILED_PRECONDITION
//! when its state forbids the call, UNAVAILABLE when the work could not be recorded (retry).

use canopy_schemas::ContextId;
use canopy_schemas::proto::rsync::v1 as pb;
use tonic::{Code, Request, Response, Status};

use crate::intake::{Accepted, Intake, IntakeError};

/// The service over an intake.
pub struct Service(pub Intake);

impl Service {
    /// The tonic server of this service.
    pub fn server(intake: Intake) -> pb::rsync_server::RsyncServer<Self> {
        pb::rsync_server::RsyncServer::new(Self(intake)).max_decoding_message_size(64 << 20)
    }
}

fn context(field: &str, value: &str) -> Result<ContextId, Status> {
    value.parse().map_err(|_| {
        Status::invalid_argument(format!(
            "{field} must be a decimal AppContext id, got {value:?}"
        ))
    })
}

fn answer(result: Result<Accepted, IntakeError>) -> Result<Response<pb::Accepted>, Status> {
    match result {
        Ok(a) => Ok(Response::new(pb::Accepted {
            app_context_id: a.ctx.to_string(),
            newly_queued: a.newly_queued,
            message: format!("{} cluster task(s) recorded", a.clusters),
        })),
        Err(e) => {
            let code = match &e {
                IntakeError::NotFound(_) => Code::NotFound,
                IntakeError::Refused { .. } => Code::FailedPrecondition,
                IntakeError::Unavailable(_) => Code::Unavailable,
            };
            Err(Status::new(code, e.to_string()))
        }
    }
}

#[tonic::async_trait]
impl pb::rsync_server::Rsync for Service {
    async fn install_app(
        &self,
        request: Request<pb::InstallAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let ctx = context("app_context_id", &request.get_ref().app_context_id)?;
        answer(self.0.install(ctx).await)
    }

    async fn uninstall_app(
        &self,
        request: Request<pb::UninstallAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let ctx = context("app_context_id", &request.get_ref().app_context_id)?;
        answer(self.0.uninstall(ctx).await)
    }

    async fn update_app(
        &self,
        request: Request<pb::UpdateAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let r = request.get_ref();
        let from = context("from_app_context_id", &r.from_app_context_id)?;
        let to = context("to_app_context_id", &r.to_app_context_id)?;
        answer(self.0.update(from, to).await)
    }

    async fn rollback_app(
        &self,
        request: Request<pb::RollbackAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let r = request.get_ref();
        let from = context("from_app_context_id", &r.from_app_context_id)?;
        let to = context("to_app_context_id", &r.to_app_context_id)?;
        answer(self.0.update(from, to).await)
    }

    async fn read_app_context(
        &self,
        request: Request<pb::ReadAppContextRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let ctx = context("app_context_id", &request.get_ref().app_context_id)?;
        answer(self.0.read(ctx).await)
    }
}
