//! canopy's client commands, compatible with emcoctl: `canopy apply | update | delete | get -f FILE
//! [-v VALUES] [--server URL] [-s]`.
//!
//! - [`args`]: the clap [`Command`] and its [`Args`], for the binary to embed;
//! - [`template`]: renders the file as a Go `text/template` with the `-v` values;
//! - [`document`]: emcoctl's document model and how a file's text becomes documents;
//! - [`verb`]: which request each command sends for a document, and in which order;
//! - [`client`]: the HTTP client (plain HTTP only: no TLS is compiled in);
//! - [`mod@run`]: the entry point [`run()`], which ties these together and writes one line per document.

pub mod args;
pub mod client;
pub mod document;
pub mod run;
pub mod template;
pub mod verb;

pub use args::{Args, Command};
pub use run::run;
pub use verb::Verb;
