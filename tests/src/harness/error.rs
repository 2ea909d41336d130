use std::fmt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// A harness failure. Its `Debug` form is its `Display` form, so that `unwrap()` and `expect()` in a test
/// print the server's log readably rather than as one escaped string.
#[derive(thiserror::Error)]
pub enum Error {
    /// The server binary could not be found; the message says how to install it.
    #[error("{0}")]
    BinaryNotFound(String),
    /// The temporary directory could not be made.
    #[error("creating the temporary directory for {server}")]
    TempDir {
        /// Which server.
        server: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No free loopback port could be reserved.
    #[error("reserving a free loopback port for {server}")]
    Port {
        /// Which server.
        server: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The process could not be started at all.
    #[error("starting {server} from {}", binary.display())]
    Spawn {
        /// Which server.
        server: &'static str,
        /// The binary that was run.
        binary: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The process exited before it became ready.
    #[error("{server} exited ({status}) before it was ready; its log:\n{log}")]
    Exited {
        /// Which server.
        server: &'static str,
        /// How it exited.
        status: ExitStatus,
        /// The end of its log.
        log: String,
    },
    /// The process did not become ready in time.
    #[error("{server} was not ready after {waited:?}; its log:\n{log}")]
    NotReady {
        /// Which server.
        server: &'static str,
        /// How long the harness waited.
        waited: Duration,
        /// The end of its log.
        log: String,
    },
    /// A client could not connect to a server that reported ready.
    #[error("connecting a client to {server} at {endpoint}: {message}")]
    Connect {
        /// Which server.
        server: &'static str,
        /// Where.
        endpoint: String,
        /// The client's error.
        message: String,
    },
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
