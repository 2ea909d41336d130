//! `canopy status <anchor>`: a DIG's status as a table, or `--wait` until it is deployed or ready.
//!
//! - [`args`]: the command line ([`Args`]), whose help defines deployed, ready and failed;
//! - [`anchor`]: the DIG's REST anchor, parsed;
//! - [`view`]: the status body read into a [`view::Snapshot`], and its [`view::Verdict`] for a target;
//! - [`wait()`]: polls the status route until the verdict is in or the time is up;
//! - [`progress`]: bars on a terminal, plain lines elsewhere;
//! - [`render`]: the table.
//!
//! [`run`] is the command. [`wait()`] and [`crate::cli::events::last`] are for other commands to reuse.

pub mod anchor;
pub mod args;
pub mod progress;
pub mod render;
pub mod view;
pub mod wait;

use std::io::Write;
use std::process::ExitCode;

pub use args::Args;
pub use view::Target;
pub use wait::{Outcome, wait};

use super::client::{self, Client};
use super::events;
use args::Output;
use progress::{Bars, Lines, Progress};

/// The status could not be read or shown.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server address is not usable.
    #[error("--server")]
    Client(#[source] client::Error),
    /// The server did not answer.
    #[error("cannot reach the server")]
    Unreachable(#[source] client::Error),
    /// The server refused the request.
    #[error("the server answered {status}: {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's error.
        message: String,
    },
    /// The answer is not a status body.
    #[error("the server's answer is not a DIG status")]
    Body(#[source] serde_json::Error),
    /// Writing the output failed.
    #[error("cannot write the output")]
    Output(#[source] std::io::Error),
}

/// The status module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs `canopy status`: output to `out`, errors to `notes`; `terminal` when `out` is one (progress
/// bars then). Exit codes: 0 shown or reached, 1 failed or an error, 2 timed out.
pub async fn run<W: Write + Send, E: Write + Send>(
    args: &Args,
    out: &mut W,
    notes: &mut E,
    terminal: bool,
) -> ExitCode {
    let code = if args.wait {
        wait_and_report(args, out, terminal).await
    } else {
        show(args, out).await.map(|()| 0)
    };
    let code = match code {
        Ok(code) => code,
        Err(e) => {
            // Nowhere is left to report a failure to write this line; the exit code still says it.
            let _ = writeln!(notes, "canopy status: error: {}", events::chain(&e));
            1
        }
    };
    if args.events > 0 {
        writeln!(out).ok();
        if let Err(e) = events::last(&args.server, &args.dig, args.events, out).await {
            let _ = writeln!(notes, "canopy status: no events: {}", events::chain(&e));
        }
    }
    ExitCode::from(code)
}

async fn show(args: &Args, out: &mut (dyn Write + Send)) -> Result<()> {
    let client = Client::new(&args.server).map_err(Error::Client)?;
    let body = wait::fetch_body(&client, &args.dig).await?;
    match args.output {
        Output::Json => {
            serde_json::to_writer_pretty(&mut *out, &body).map_err(Error::Body)?;
            writeln!(out).map_err(Error::Output)
        }
        Output::Yaml => {
            let text = yaml_serde::to_string(&body)
                .map_err(|e| Error::Output(std::io::Error::other(e)))?;
            out.write_all(text.as_bytes()).map_err(Error::Output)
        }
        Output::Table => {
            let snapshot = view::Snapshot::from_json(&body).map_err(Error::Body)?;
            render::status(&args.dig, &snapshot, out).map_err(Error::Output)
        }
    }
}

async fn wait_and_report<W: Write + Send>(args: &Args, out: &mut W, terminal: bool) -> Result<u8> {
    let mut progress: Box<dyn Progress + Send + '_> = if terminal {
        Box::new(Bars::stdout())
    } else {
        Box::new(Lines::new(&mut *out))
    };
    let outcome = wait(
        &args.server,
        &args.dig,
        args.target,
        args.timeout,
        progress.as_mut(),
    )
    .await?;
    drop(progress);
    report(args, &outcome, out).map_err(Error::Output)?;
    Ok(outcome.exit_code())
}

/// The closing lines of a wait.
fn report(args: &Args, outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    let (dig, target) = (&args.dig, args.target.as_str());
    match outcome {
        Outcome::Reached(_) => writeln!(out, "{dig} is {target}"),
        Outcome::Failed(_, why) => {
            writeln!(out, "{dig} failed: it cannot become {target}")?;
            render::failures(why, out)
        }
        Outcome::TimedOut(last) => {
            let timeout = humantime(args.timeout);
            writeln!(out, "timed out after {timeout}: {dig} is not {target} yet")?;
            if let Some(s) = last {
                writeln!(out, "last status: {}", progress::line(s, args.target))?;
                render::failures(&s.failures(), out)?;
            }
            Ok(())
        }
    }
}

/// `5m`, `90s`, `1500ms`: the timeout as it was probably written.
fn humantime(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}
