//! canopy's client commands, compatible with emcoctl: `canopy apply | update | delete | get -f FILE
//! [-v VALUES] [--server URL] [-s]`.
//!
//! - [`args`]: the clap [`Command`] and its [`Args`], for the binary to embed;
//! - [`template`]: renders the file as a Go `text/template` with the `-v` values;
//! - [`document`]: emcoctl's document model and how a file's text becomes documents;
//! - [`verb`]: which request each command sends for a document, and in which order;
//! - [`client`]: the HTTP client (plain HTTP only: no TLS is compiled in);
//! - [`mod@run`]: the entry point [`run()`], which ties these together and writes one line per document;
//! - [`events`]: `canopy events`, lifecycle events from the server's SSE stream or from JetStream;
//! - [`status`]: `canopy status`, a DIG's state as a table, and `--wait` for it to be deployed or ready;
//! - [`table`]: aligned columns, for those two.

pub mod args;
pub mod client;
pub mod document;
pub mod events;
pub mod run;
pub mod status;
pub mod table;
pub mod template;
pub mod verb;

pub use args::{Args, Command};
pub use run::run;
pub use verb::Verb;
