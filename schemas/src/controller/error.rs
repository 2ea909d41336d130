//! Why a protobuf message is not a valid domain value. Always terminal: the same message fails the same
//! way on retry, so a server answers it with `INVALID_ARGUMENT`.

use crate::{ids, name};

/// A field of a message breaks a rule of the contract.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Error {
    /// Path of the field, e.g. `apps[0].groups[1].clusters[2].ref.provider`.
    pub field: String,
    /// What is wrong with it.
    #[source]
    pub problem: Problem,
}

/// What is wrong with one field.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// A message field that must be set is absent.
    #[error("is required")]
    Missing,
    /// A name breaks EMCO's rule.
    #[error("invalid name")]
    Name(#[source] name::Error),
    /// An AppContext id or revision is malformed.
    #[error("invalid id")]
    Id(#[source] ids::Error),
    /// A JSON string does not parse.
    #[error("invalid JSON")]
    Json(#[source] serde_json::Error),
    /// An enum holds its `UNSPECIFIED` value, or a number the contract does not know.
    #[error("enum value {0} is unspecified or unknown")]
    Enum(i32),
    /// A number is NaN or infinite.
    #[error("must be a finite number")]
    NotFinite,
    /// A JSON patch is not a JSON array of operations.
    #[error("a JSON patch (RFC 6902) must be an array of operations")]
    NotAPatch,
}

/// The result of a conversion.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `problem` at `field`.
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }

    /// The same error, seen from the enclosing message: `prefix` is put in front of the field path.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{}", self.field)
        };
        self
    }
}

impl From<Error> for crate::rest::Violation {
    fn from(e: Error) -> Self {
        let rule = match std::error::Error::source(&e.problem) {
            Some(source) => format!("{}: {source}", e.problem),
            None => e.problem.to_string(),
        };
        Self::new(e.field, rule)
    }
}
