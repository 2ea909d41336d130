//! What a controller answers when it cannot answer: an [`Error`] whose variant decides the gRPC status code,
//! and with it whether the engine retries (docs/DESIGN.md §6).

use canopy_schemas::controller::Violation;
use tonic::{Code, Status};

/// A controller call failed. The variant is the decision: terminal or retryable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The request is wrong (a malformed field, an intent the controller cannot apply). Terminal:
    /// `INVALID_ARGUMENT`.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The request is well formed but the world is not as it requires (a cluster lacks what the intent
    /// needs). Terminal: `FAILED_PRECONDITION`.
    #[error("failed precondition: {0}")]
    FailedPrecondition(String),
    /// Something the controller depends on is down for now. Retryable: `UNAVAILABLE`.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The controller is overloaded or out of quota for now. Retryable: `RESOURCE_EXHAUSTED`.
    #[error("resource exhausted: {0}")]
    ResourceExhausted(String),
}

/// The result of a controller call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether the engine should retry the call with backoff.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::ResourceExhausted(_))
    }

    /// The gRPC status code this error travels as.
    pub fn code(&self) -> Code {
        match self {
            Self::InvalidArgument(_) => Code::InvalidArgument,
            Self::FailedPrecondition(_) => Code::FailedPrecondition,
            Self::Unavailable(_) => Code::Unavailable,
            Self::ResourceExhausted(_) => Code::ResourceExhausted,
        }
    }

    /// The error a status carries, or `None` for a code outside the contract (`INTERNAL`, `UNKNOWN`, ...).
    pub fn from_status(status: &Status) -> Option<Self> {
        let message = status.message().to_owned();
        match status.code() {
            Code::InvalidArgument => Some(Self::InvalidArgument(message)),
            Code::FailedPrecondition => Some(Self::FailedPrecondition(message)),
            Code::Unavailable => Some(Self::Unavailable(message)),
            Code::ResourceExhausted => Some(Self::ResourceExhausted(message)),
            _ => None,
        }
    }

    fn message(&self) -> &str {
        match self {
            Self::InvalidArgument(m)
            | Self::FailedPrecondition(m)
            | Self::Unavailable(m)
            | Self::ResourceExhausted(m) => m,
        }
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        Status::new(e.code(), e.message())
    }
}

/// A request message that is not a valid domain value is the caller's mistake.
impl From<canopy_schemas::controller::Error> for Error {
    fn from(e: canopy_schemas::controller::Error) -> Self {
        Self::InvalidArgument(Violation::from(e).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unavailable_and_resource_exhausted_are_retryable() {
        let all = [
            Error::InvalidArgument("a".into()),
            Error::FailedPrecondition("b".into()),
            Error::Unavailable("c".into()),
            Error::ResourceExhausted("d".into()),
        ];
        let retryable: Vec<bool> = all.iter().map(Error::is_retryable).collect();
        assert_eq!(retryable, [false, false, true, true]);
    }

    #[test]
    fn every_error_survives_the_trip_through_a_status() {
        for e in [
            Error::InvalidArgument("bad spec".into()),
            Error::FailedPrecondition("no GPU".into()),
            Error::Unavailable("db down".into()),
            Error::ResourceExhausted("busy".into()),
        ] {
            let status = Status::from(e.clone());
            assert_eq!(Error::from_status(&status), Some(e));
        }
        assert_eq!(Error::from_status(&Status::internal("boom")), None);
    }
}
