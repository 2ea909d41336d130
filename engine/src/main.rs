//! The `canopy` binary. It parses arguments and calls into the engine; it holds no logic of its own.

use clap::Parser;

/// canopy deploys composite applications to many edge Kubernetes clusters, in the style of EMCO.
///
/// No subcommand exists yet: the engine, `canopy serve` and the client commands are still to be built.
#[derive(Parser)]
#[command(name = "canopy", version, about, long_about)]
struct Cli {}

fn main() {
    let Cli {} = Cli::parse();
    eprintln!(
        "canopy {}: no subcommands exist yet; see README.md, section Status.",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
