//! `canopy events`: prints lifecycle events from the server's SSE stream or straight from JetStream.
//!
//! - [`args`]: the command line ([`Args`]) and where a subscription starts ([`args::Start`]);
//! - [`sse`]: the Server-Sent Events parser;
//! - [`http`]: the client of `GET /v2/events`, with its resume after a cutoff;
//! - [`nats`]: the JetStream reader, which applies the filter itself;
//! - [`output`]: the table, JSON and YAML forms.
//!
//! [`run`] is the command; [`last`] prints the last events of one DIG, for other commands.

pub mod args;
pub mod http;
pub mod nats;
pub mod output;
pub mod sse;

use std::io::Write;
use std::process::ExitCode;

use canopy_schemas::event::filter::DigRef;

pub use args::Args;
use output::{Printer, Sink, Tail};

use super::client;

/// Events could not be read or printed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server address is not usable.
    #[error("--server")]
    Client(#[source] client::Error),
    /// The events URL could not be built.
    #[error("--server: {url:?} is not a URL: {reason}")]
    Url {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server could not be reached.
    #[error("cannot reach the server at {url}")]
    Unreachable {
        /// The URL asked.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The server refused the subscription.
    #[error("the server answered {status}: {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's error.
        message: String,
    },
    /// The event stream broke before the server ended it.
    #[error("the event stream from {url} broke")]
    Broken {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// A cutoff message did not say where to resume.
    #[error("the server's cutoff message is malformed: {data}")]
    BadCutoff {
        /// Its data.
        data: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The NATS server could not be reached.
    #[error("cannot reach NATS at {url}")]
    NatsUnreachable {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: async_nats::ConnectError,
    },
    /// The stream is not there (the engine creates it when it runs with `--nats`).
    #[error(
        "cannot open the JetStream stream {stream} on {url} (the engine creates it when it runs with --nats)",
        stream = canopy_schemas::subject::STREAM
    )]
    StreamMissing {
        /// The NATS URL.
        url: String,
        /// Why.
        #[source]
        source: crate::events::bus::Error,
    },
    /// Creating or reading the consumer failed.
    #[error("reading the JetStream stream")]
    Feed(#[source] crate::events::feed::Error),
    /// Writing the output failed.
    #[error("cannot write the output")]
    Output(#[source] std::io::Error),
}

/// The events module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs `canopy events`: events to `out`, notes and errors to `notes`. Exits 0 when an unfollowed
/// subscription has printed everything, 1 on an error.
pub async fn run<W: Write + Send, E: Write + Send>(args: &Args, out: W, notes: &mut E) -> ExitCode {
    let mut printer = Printer::new(out, args.output, args.follow);
    let result = match read(args, &mut printer, notes).await {
        Ok(()) => printer.finish().map_err(Error::Output),
        Err(e) => {
            // Print what arrived before the error; the error is what gets reported.
            let _ = printer.finish();
            Err(e)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Nowhere is left to report a failure to write this line; the exit code still says it.
            let _ = writeln!(notes, "canopy events: error: {}", chain(&e));
            ExitCode::FAILURE
        }
    }
}

async fn read(
    args: &Args,
    sink: &mut (dyn Sink + Send),
    notes: &mut (dyn Write + Send),
) -> Result<()> {
    let start = args.start();
    match &args.nats {
        Some(url) => nats::stream(url, args.filter(), &start, args.follow, sink).await,
        None => {
            let request = http::Request {
                subjects: args
                    .raw_subject
                    .iter()
                    .chain(&args.subjects)
                    .cloned()
                    .collect(),
                dig: args.dig.clone(),
                cluster: args.cluster.clone(),
                start,
                follow: args.follow,
            };
            http::stream(&args.server, &request, sink, notes).await
        }
    }
}

/// Prints the last `k` stored events of `dig` from the server at `server` as a table (nothing when there
/// are none).
pub async fn last(
    server: &str,
    dig: &DigRef,
    k: usize,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let request = http::Request {
        subjects: Vec::new(),
        dig: Some(dig.clone()),
        cluster: None,
        start: args::Start::All,
        follow: false,
    };
    let mut tail = Tail::new(k);
    let mut notes = Vec::new();
    http::stream(server, &request, &mut tail, &mut notes).await?;
    let mut printer = Printer::new(out, output::Format::Table, false);
    for d in tail.events {
        printer.deliver(d).map_err(Error::Output)?;
    }
    printer.finish().map_err(Error::Output)
}

/// The error and its causes on one line.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
