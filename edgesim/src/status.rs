//! Kubernetes `Status` errors: every failed API request answers with one.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A failed API request, answered as a Kubernetes `Status` object with the matching HTTP code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The object, kind, namespace or cluster does not exist (404 `NotFound`).
    #[error("{0}")]
    NotFound(String),
    /// Create of an object that exists (409 `AlreadyExists`).
    #[error("{0}")]
    AlreadyExists(String),
    /// Stale resourceVersion or field-manager conflict (409 `Conflict`).
    #[error("{0}")]
    Conflict(String),
    /// Malformed request body, selector or path (400 `BadRequest`).
    #[error("{0}")]
    BadRequest(String),
    /// The body does not describe a valid object (422 `Invalid`).
    #[error("{0}")]
    Invalid(String),
    /// Watch from a resourceVersion older than the kept history (410 `Expired`).
    #[error("{0}")]
    Gone(String),
    /// The verb is not supported on this path (405 `MethodNotAllowed`).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The content type of a patch is not supported (415 `UnsupportedMediaType`).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// An injected failure (500 or 503).
    #[error("{1}")]
    Injected(u16, String),
}

/// Result of an API operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// HTTP code and Kubernetes reason.
    pub fn code_reason(&self) -> (u16, &'static str) {
        match self {
            Error::NotFound(_) => (404, "NotFound"),
            Error::AlreadyExists(_) => (409, "AlreadyExists"),
            Error::Conflict(_) => (409, "Conflict"),
            Error::BadRequest(_) => (400, "BadRequest"),
            Error::Invalid(_) => (422, "Invalid"),
            Error::Gone(_) => (410, "Expired"),
            Error::MethodNotAllowed(_) => (405, "MethodNotAllowed"),
            Error::UnsupportedMediaType(_) => (415, "UnsupportedMediaType"),
            Error::Injected(503, _) => (503, "ServiceUnavailable"),
            Error::Injected(code, _) => (*code, "InternalError"),
        }
    }

    /// The `Status` object for this error.
    pub fn to_status(&self) -> serde_json::Value {
        let (code, reason) = self.code_reason();
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": self.to_string(), "reason": reason, "code": code})
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let code =
            StatusCode::from_u16(self.code_reason().0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(self.to_status())).into_response()
    }
}
