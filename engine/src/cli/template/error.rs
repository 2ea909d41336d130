//! What can go wrong when rendering a template.

/// A template could not be parsed or executed. Every variant names the template line it comes from.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The template text is not valid template syntax.
    #[error("line {line}: {message}")]
    Syntax {
        /// The 1-based line of the action at fault.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A field path names a key that the values do not have.
    #[error("line {line}: no value for key \"{key}\" in {path}")]
    MissingKey {
        /// The 1-based line of the action at fault.
        line: usize,
        /// The missing key.
        key: String,
        /// The whole field path, such as `.Cluster.Name`.
        path: String,
    },
    /// A well-formed action could not be executed against the values.
    #[error("line {line}: {message}")]
    Exec {
        /// The 1-based line of the action at fault.
        line: usize,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// A syntax error at `line`.
    pub(super) fn syntax(line: usize, message: impl Into<String>) -> Self {
        Self::Syntax {
            line,
            message: message.into(),
        }
    }

    /// An execution error at `line`.
    pub(super) fn exec(line: usize, message: impl Into<String>) -> Self {
        Self::Exec {
            line,
            message: message.into(),
        }
    }
}

/// The template module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
