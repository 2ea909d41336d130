//! `canopy demo`: the whole system on this machine in one command, with nothing to install beyond the
//! build. It starts `canopy serve --demo N` in process, writes the bundled example (`examples/`, compiled
//! into the binary) into the data directory, applies it with the same code as `canopy apply` (its last
//! documents approve and instantiate the DIG), shows progress until the DIG is Ready, prints the status
//! table and the DIG's last events, and keeps serving until Ctrl-C so that `canopy status`, `canopy events`
//! and `canopy apply` can be tried against it. `--exit-when-ready` stops after the table instead (CI runs it
//! that way).
//!
//! - [`args`]: the command line;
//! - [`example`]: the bundled example and where it is written.

pub mod args;
pub mod example;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use canopy_engine::cli::status::progress::{Bars, Lines, Progress};
use canopy_engine::cli::status::{self, Outcome, Target, render};
use canopy_engine::cli::{self as client, events};

pub use args::Args;

use crate::serve;

/// How many of the DIG's events the demo prints once it is Ready.
pub const LAST_EVENTS: usize = 12;

/// Runs the demo: output to stdout, logs to stderr. Exit codes: 0 Ready (and, without
/// `--exit-when-ready`, stopped by Ctrl-C), 1 failed, 2 not Ready within `--timeout`.
pub async fn run(args: Args, stop: impl Future<Output = ()>) -> anyhow::Result<ExitCode> {
    let data_dir = args.data_dir();
    let out = &mut std::io::stdout();
    writeln!(
        out,
        "canopy demo: starting canopy serve with {} edgesim clusters (data in {})",
        args.clusters,
        data_dir.display()
    )?;
    let running = serve::start(serve::Config::embedded(
        args.listen,
        &data_dir,
        Some(args.clusters),
    ))
    .await?;
    let server = running
        .api_base()
        .trim_end_matches("/v2")
        .trim_end_matches('/')
        .to_owned();
    if let Some(demo) = running.demo() {
        writeln!(
            out,
            "canopy demo: API on {}; clusters {} on edgesim {}",
            running.api_base(),
            demo.clusters.join(", "),
            demo.url()
        )?;
    }
    let files = example::write(&data_dir)?;
    let dig = example::dig();
    let client = client::client::Client::new(&server)?;
    if status::wait::fetch_body(&client, &dig).await.is_ok() {
        writeln!(
            out,
            "canopy demo: {dig} exists already in {}; not applying it again",
            data_dir.display()
        )?;
    } else {
        writeln!(
            out,
            "canopy demo: canopy apply -f {} -v {}",
            files.deployment.display(),
            files.values.display()
        )?;
        let apply = client::Command::Apply(client::Args {
            file: files.deployment.clone(),
            values: Some(files.values.clone()),
            server: server.clone(),
            stop_on_failure: true,
        });
        if client::run(&apply, &mut out.lock()).await != ExitCode::SUCCESS {
            running.stop().await?;
            anyhow::bail!("applying the example failed (the lines above say which document)");
        }
    }
    writeln!(out, "canopy demo: waiting until {dig} is ready")?;
    let outcome = {
        let mut progress: Box<dyn Progress + Send> = if out.is_terminal() {
            Box::new(Bars::stdout())
        } else {
            Box::new(Lines::new(std::io::stdout()))
        };
        status::wait(
            &server,
            &dig,
            Target::Ready,
            args.timeout,
            progress.as_mut(),
        )
        .await?
    };
    let code = match &outcome {
        Outcome::Reached(snapshot) => {
            writeln!(out)?;
            render::status(&dig, snapshot, out)?;
            writeln!(out, "\nlast events:")?;
            events::last(&server, &dig, LAST_EVENTS, out).await?;
            0
        }
        Outcome::Failed(_, why) => {
            writeln!(out, "canopy demo: {dig} failed")?;
            render::failures(why, out)?;
            1
        }
        Outcome::TimedOut(_) => {
            writeln!(
                out,
                "canopy demo: {dig} is not ready after {:?}",
                args.timeout
            )?;
            2
        }
    };
    if args.exit_when_ready || code != 0 {
        running.stop().await?;
        return Ok(ExitCode::from(code));
    }
    let anchor = example::anchor();
    writeln!(
        out,
        "\ncanopy demo: still serving on {server}; try, in another shell:\n  \
         canopy status {anchor} --server {server}\n  \
         canopy events --dig {dig} --server {server} --follow\n  \
         canopy apply -f {} -v {} --server {server}   (terminate: removes the apps from the clusters)\n\
         Ctrl-C stops it.",
        files.terminate.display(),
        files.values.display()
    )?;
    running.serve_until(stop).await?;
    Ok(ExitCode::SUCCESS)
}
