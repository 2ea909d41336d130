//! What went wrong talking to one cluster, decided retryable or terminal where it is made (STYLE §8).

use kube::core::Status;

/// A failed operation on one cluster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The cluster did not answer: a connect error, a closed connection or a timeout. The cluster's
    /// connectivity is `Retrying`.
    #[error("cluster unreachable: {0}")]
    Unreachable(String),
    /// The cluster answered with a transient failure (429, 5xx, 409 conflict, 410 expired): try again later.
    #[error("transient failure: {0}")]
    Retryable(String),
    /// The cluster refused the request for good (an unknown kind, an invalid object, a forbidden request):
    /// trying again will not help. The message names the resource and carries the server's message.
    #[error("{0}")]
    Terminal(String),
    /// The operation was cancelled by its caller.
    #[error("cancelled: {0}")]
    Cancelled(String),
}

/// Result of an operation on one cluster.
pub type Result<T, E = ApplyError> = std::result::Result<T, E>;

impl ApplyError {
    /// True when the same operation may succeed later: [`ApplyError::Unreachable`] and
    /// [`ApplyError::Retryable`].
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unreachable(_) | Self::Retryable(_))
    }

    /// True for [`ApplyError::Unreachable`]: the cluster's connectivity should read `Retrying`.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable(_))
    }

    /// The message without the kind prefix.
    pub fn message(&self) -> &str {
        match self {
            Self::Unreachable(m) | Self::Retryable(m) | Self::Terminal(m) | Self::Cancelled(m) => m,
        }
    }

    /// Classifies a kube client error. `what` names the operation and the resource, such as
    /// `applying Deployment default/web`; it starts every message.
    pub fn from_kube(error: kube::Error, what: &str) -> Self {
        use kube::Error as E;
        match error {
            E::Api(status) => Self::from_status(&status, what),
            E::HyperError(e) => Self::Unreachable(format!("{what}: {e}")),
            E::Service(e) => Self::Unreachable(format!("{what}: {}", chain(&*e))),
            E::ReadEvents(e) => Self::Unreachable(format!("{what}: reading the response: {e}")),
            E::Discovery(e) => Self::Terminal(format!("{what}: {e}")),
            E::BuildRequest(e) => Self::Terminal(format!("{what}: building the request: {e}")),
            E::HttpError(e) => Self::Terminal(format!("{what}: building the request: {e}")),
            E::InferKubeconfig(e) => Self::Terminal(format!("{what}: kubeconfig: {e}")),
            E::InferConfig(e) => Self::Terminal(format!("{what}: kubeconfig: {e}")),
            E::TlsRequired | E::ProxyProtocolUnsupported { .. } => {
                Self::Terminal(format!("{what}: client configuration: {error}"))
            }
            E::ProxyProtocolDisabled { .. } => {
                Self::Terminal(format!("{what}: client configuration: {error}"))
            }
            // A body the client could not read (a proxy's error page, a cut stream), TLS and auth
            // failures: the cluster may well answer properly next time.
            other => Self::Retryable(format!("{what}: {other}")),
        }
    }

    /// Classifies a Kubernetes `Status` answer.
    pub fn from_status(status: &Status, what: &str) -> Self {
        let message = format!(
            "{what}: {} ({} {})",
            status.message, status.code, status.reason
        );
        match status.code {
            409 | 410 | 429 => Self::Retryable(message),
            501 => Self::Terminal(message),
            500..=599 => Self::Retryable(message),
            _ => Self::Terminal(message),
        }
    }

    /// The error for a request that got no answer within `timeout`.
    pub fn timed_out(what: &str, timeout: std::time::Duration) -> Self {
        Self::Unreachable(format!("{what}: no answer within {timeout:?}"))
    }
}

/// The HTTP code of a kube API error, if it is one.
pub(crate) fn api_code(error: &kube::Error) -> Option<u16> {
    match error {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// An error and its sources, joined, so that "client error (Connect)" says what failed underneath.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let next = e.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, reason: &str) -> kube::Error {
        kube::Error::Api(
            Status::failure("the server says no", reason)
                .with_code(code)
                .boxed(),
        )
    }

    #[test]
    fn transient_answers_are_retryable_and_refusals_terminal() {
        for code in [409, 410, 429, 500, 503, 504] {
            let e = ApplyError::from_kube(status(code, "X"), "applying ConfigMap default/a");
            assert!(matches!(e, ApplyError::Retryable(_)), "{code}: {e:?}");
            assert!(e.is_retryable());
        }
        for code in [400, 401, 403, 404, 422, 501] {
            let e = ApplyError::from_kube(status(code, "X"), "applying ConfigMap default/a");
            assert!(matches!(e, ApplyError::Terminal(_)), "{code}: {e:?}");
            assert!(!e.is_retryable());
        }
    }

    #[test]
    fn a_terminal_message_names_the_resource_and_the_servers_message() {
        let e = ApplyError::from_kube(status(422, "Invalid"), "applying Deployment default/web");
        let text = e.to_string();
        assert!(text.contains("Deployment default/web"), "{text}");
        assert!(text.contains("the server says no"), "{text}");
        assert!(text.contains("422"), "{text}");
    }

    #[test]
    fn a_timeout_is_unreachable_and_retryable() {
        let e = ApplyError::timed_out("GET /version", std::time::Duration::from_secs(10));
        assert!(e.is_unreachable() && e.is_retryable());
    }
}
