//! The `canopy` binary. It parses arguments and calls into the engine; it holds no logic of its own.

use std::process::ExitCode;

use clap::Parser;

/// canopy deploys composite applications to many edge Kubernetes clusters, in the style of EMCO.
// One variant per subcommand or group of subcommands; a flattened group (such as the client commands from
// `canopy_engine::cli`) appears at the top level.
#[derive(Parser)]
#[command(name = "canopy", version, about, long_about)]
enum Cli {
    /// emcoctl's resource-file commands.
    #[command(flatten)]
    Client(canopy_engine::cli::Command),
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse() {
        Cli::Client(command) => {
            canopy_engine::cli::run(&command, &mut std::io::stdout().lock()).await
        }
    }
}
