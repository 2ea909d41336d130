//! What can stop `canopy serve` from starting or running. [`Error::is_retryable`] says whether starting
//! again, unchanged, may succeed (a service that was down) or needs a change first (a port in use, a bad
//! flag, a refused registration).

use std::path::PathBuf;

/// `canopy serve` failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The engine's stores, bus or API address could not be opened or bound.
    #[error("starting the engine")]
    Engine(#[source] canopy_engine::server::Error),
    /// The engine stopped with an error while serving.
    #[error("serving the engine's API")]
    Serve(#[source] canopy_engine::server::Error),
    /// A built-in controller could not be served.
    #[error("starting the built-in controller")]
    Controller(#[source] canopy_controllers::builtin::Error),
    /// NATS, for rsync's task queue, could not be reached.
    #[error("connecting to NATS at {url} for rsync's task queue: {message}")]
    Nats {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// rsync's task queue could not be opened (its store or stream is down).
    #[error("opening rsync's task queue")]
    Queue(#[source] canopy_rsync::queue::QueueError),
    /// rsync could not start (binding its port, or reading the work to recover).
    #[error("starting rsync")]
    Rsync(#[source] canopy_rsync::server::StartError),
    /// edgesim, for `--demo`, could not start.
    #[error("starting the demo clusters (edgesim)")]
    Edgesim(#[source] canopy_edgesim::server::Error),
    /// The file that keeps edgesim's port across restarts could not be written.
    #[error("writing {path}")]
    PortFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A demo cluster's kubeconfig could not be re-pointed in the resource store.
    #[error("re-pointing the kubeconfig of the demo cluster {cluster}")]
    Kubeconfig {
        /// The cluster.
        cluster: String,
        /// Why.
        #[source]
        source: canopy_engine::store::Error,
    },
    /// The engine answered a setup request with an unexpected status.
    #[error("{step}: the engine answered {status}: {body}")]
    Refused {
        /// What was being done.
        step: String,
        /// The HTTP status.
        status: u16,
        /// The answer's body.
        body: String,
    },
    /// An answer's body could not be read.
    #[error("reading the answer to {what}: {message}")]
    Body {
        /// The request.
        what: String,
        /// Why.
        message: String,
    },
    /// The API did not answer in time after it was bound.
    #[error("the API at {base} did not answer within {seconds} s: {last}")]
    NotServing {
        /// The API base.
        base: String,
        /// How long was waited.
        seconds: u64,
        /// The last failure.
        last: String,
    },
    /// The demo logical cloud did not become Instantiated.
    #[error(
        "the demo logical cloud did not become Instantiated within {seconds} s (it is {state}: {reason})"
    )]
    Cloud {
        /// How long was waited.
        seconds: u64,
        /// Its state.
        state: String,
        /// Why, as its status says.
        reason: String,
    },
}

impl Error {
    /// True when starting again, unchanged, may succeed: a store, NATS or the engine answered that it is
    /// unavailable, or something did not finish in time. False when a flag, a port or the data must change.
    pub fn is_retryable(&self) -> bool {
        use canopy_engine::server::Error as Engine;
        match self {
            Self::Engine(e) | Self::Serve(e) => matches!(
                e,
                Engine::Store(_) | Engine::Etcd(_) | Engine::Nats { .. } | Engine::Serve(_)
            ),
            Self::Nats { .. } | Self::Queue(_) | Self::NotServing { .. } | Self::Cloud { .. } => {
                true
            }
            Self::Kubeconfig { source, .. } => source.is_retryable(),
            Self::Refused { status, .. } => *status >= 500,
            Self::Controller(_)
            | Self::Rsync(_)
            | Self::Edgesim(_)
            | Self::PortFile { .. }
            | Self::Body { .. } => false,
        }
    }
}

/// The result of `canopy serve`'s steps.
pub type Result<T, E = Error> = std::result::Result<T, E>;
