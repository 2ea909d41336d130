//! Errors as the API answers them: a status code and `{"error": "...", "field": "...", "rule": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use canopy_schemas::rest::Violation;
use serde::Serialize;
use utoipa::ToSchema;

use crate::store;

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: String,
    /// The offending field, for validation errors (a dotted path such as `spec.priority`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The rule the field broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Every rule broken, when there are several (a controller's `ValidateIntent` answer); `field` and
    /// `rule` repeat the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
}

/// An error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The status code.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with a message and no field.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: message.into(),
                field: None,
                rule: None,
                violations: Vec::new(),
            },
        }
    }

    /// 400 for a field that breaks a rule.
    pub fn invalid(v: Violation) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                error: format!("invalid {}: {}", v.field, v.rule),
                field: Some(v.field),
                rule: Some(v.rule),
                violations: Vec::new(),
            },
        }
    }

    /// 400 for a body that breaks several rules: `message` says who found them, and the body lists each.
    pub fn violations(message: impl Into<String>, violations: Vec<Violation>) -> Self {
        let first = violations.first().cloned();
        Self {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                error: message.into(),
                field: first.as_ref().map(|v| v.field.clone()),
                rule: first.map(|v| v.rule),
                violations,
            },
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 413 for a request over `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body exceeds the limit of {limit} bytes"),
        )
    }
}

impl From<Violation> for ApiError {
    fn from(v: Violation) -> Self {
        Self::invalid(v)
    }
}

impl From<store::Error> for ApiError {
    fn from(e: store::Error) -> Self {
        use store::Error as E;
        let status = match &e {
            E::NotFound(_) | E::ParentMissing { .. } => StatusCode::NOT_FOUND,
            E::AlreadyExists(_)
            | E::HasChildren { .. }
            | E::Referenced { .. }
            | E::ClaimTaken { .. } => StatusCode::CONFLICT,
            // The API maps a missing reference to the field that names it before it gets here; this is the
            // fallback for references no field names.
            E::ReferenceMissing { .. } => StatusCode::BAD_REQUEST,
            E::BadContinue => {
                return Self::invalid(Violation::new(
                    "continue",
                    "is not a token this listing returned",
                ));
            }
            E::Backend {
                retryable: true, ..
            } => StatusCode::SERVICE_UNAVAILABLE,
            E::Backend {
                retryable: false, ..
            } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(error = %e, "resource store failed");
        }
        Self::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
