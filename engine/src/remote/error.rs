//! [`CallError`]: why a call to a controller or to rsync failed, naming both, and whether retrying helps.

use std::fmt;
use std::time::Duration;

use canopy_schemas::controller;
use canopy_schemas::name::ControllerName;
use tonic::Code;

/// The RPCs the engine makes: the closed set of methods of the controller and rsync services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `PlacementController.FilterClusters`.
    FilterClusters,
    /// `ActionController.UpdateAppContext`.
    UpdateAppContext,
    /// `ActionController.TerminateAppContext`.
    TerminateAppContext,
    /// `ActionController.PostEvent`.
    PostEvent,
    /// `ValidateIntent` of either controller service.
    ValidateIntent,
    /// `Rsync.InstallApp`.
    InstallApp,
    /// `Rsync.UninstallApp`.
    UninstallApp,
    /// `Rsync.UpdateApp`.
    UpdateApp,
    /// `Rsync.RollbackApp`.
    RollbackApp,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A call failed. Every variant names the controller and the method; [`CallError::is_retryable`] says
/// whether the same call may succeed later.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No answer came within the deadline. Retryable later; [`crate::remote::Remote`] does not retry it
    /// itself, since every attempt could take the whole deadline again.
    #[error("controller {controller} did not answer {method} within {deadline:?}")]
    Deadline {
        /// The controller.
        controller: ControllerName,
        /// The method.
        method: Method,
        /// The deadline of the attempt.
        deadline: Duration,
    },
    /// No connection could be made, after every attempt. Retryable.
    #[error(
        "controller {controller} is unreachable at {endpoint} for {method} (after {attempts} attempts; \
         retryable): {message}"
    )]
    Unreachable {
        /// The controller.
        controller: ControllerName,
        /// The method.
        method: Method,
        /// The `http://host:port` it was called at.
        endpoint: String,
        /// How many attempts were made.
        attempts: u32,
        /// The transport's last error.
        message: String,
    },
    /// The controller answered with an error status. Retryable for `UNAVAILABLE` and `RESOURCE_EXHAUSTED`
    /// (after every attempt failed so); terminal for every other code.
    #[error(
        "controller {controller} rejected {method} with {code:?} (after {attempts} attempts): {message}"
    )]
    Rejected {
        /// The controller.
        controller: ControllerName,
        /// The method.
        method: Method,
        /// The status code.
        code: Code,
        /// The status message.
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The answer is not a valid domain value. Terminal: the same controller answers the same way again.
    #[error("controller {controller} answered {method} with a malformed response at {}", source.field)]
    Malformed {
        /// The controller.
        controller: ControllerName,
        /// The method.
        method: Method,
        /// The conversion error, naming the field.
        #[source]
        source: controller::Error,
    },
    /// The registered endpoint is not a valid URI. Terminal until the controller is re-registered.
    #[error("controller {controller} has an invalid endpoint {endpoint:?} for {method}")]
    BadEndpoint {
        /// The controller.
        controller: ControllerName,
        /// The method.
        method: Method,
        /// The URI built from its host and port.
        endpoint: String,
        /// Why.
        #[source]
        source: tonic::transport::Error,
    },
    /// The controller's kind does not serve the method (a placement controller has no `UpdateAppContext`,
    /// rsync has no `ValidateIntent`). Terminal.
    #[error("controller {controller} is {kind:?} and serves no {method}")]
    WrongKind {
        /// The controller.
        controller: ControllerName,
        /// The method.
        method: Method,
        /// What the controller is.
        kind: super::Kind,
    },
}

impl CallError {
    /// Whether the same call may succeed later: a deadline, an unreachable controller, or an `UNAVAILABLE`
    /// or `RESOURCE_EXHAUSTED` answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Deadline { .. } | Self::Unreachable { .. } => true,
            Self::Rejected { code, .. } => retryable_code(*code),
            Self::Malformed { .. } | Self::BadEndpoint { .. } | Self::WrongKind { .. } => false,
        }
    }

    /// The controller that was called.
    pub fn controller(&self) -> &ControllerName {
        match self {
            Self::Deadline { controller, .. }
            | Self::Unreachable { controller, .. }
            | Self::Rejected { controller, .. }
            | Self::Malformed { controller, .. }
            | Self::BadEndpoint { controller, .. }
            | Self::WrongKind { controller, .. } => controller,
        }
    }

    /// The method that failed.
    pub fn method(&self) -> Method {
        match self {
            Self::Deadline { method, .. }
            | Self::Unreachable { method, .. }
            | Self::Rejected { method, .. }
            | Self::Malformed { method, .. }
            | Self::BadEndpoint { method, .. }
            | Self::WrongKind { method, .. } => *method,
        }
    }
}

/// Whether a status code a controller answered means "try again later" (docs/DESIGN.md §6).
pub fn retryable_code(code: Code) -> bool {
    matches!(code, Code::Unavailable | Code::ResourceExhausted)
}
