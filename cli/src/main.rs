//! The `canopy` binary. It parses arguments and calls into the engine; it holds no logic of its own.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc, not the system allocator: rsync allocates and frees many small buffers per request on
/// every worker thread, and glibc's malloc spent about a third of rsync's CPU on it at 1,000 clusters
/// (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// canopy deploys composite applications to many edge Kubernetes clusters, in the style of EMCO.
// One variant per subcommand or group of subcommands; a flattened group (such as the client commands from
// `canopy_engine::cli`) appears at the top level.
#[derive(Parser)]
#[command(name = "canopy", version, about, long_about)]
enum Cli {
    /// Serve the EMCO v2 REST API (port 9015 by default) over the embedded store or MongoDB.
    Engine(canopy_engine::server::Args),
    /// Serve a built-in controller over gRPC: `gac` (generic action) or `placement` (scoring placement).
    Controller(ControllerArgs),
    /// Serve rsync (port 9031 by default): applies AppContexts to the edge clusters, against etcd and,
    /// for several replicas, NATS JetStream.
    Rsync(canopy_rsync::args::Args),
    /// Serve everything in one process: the engine's API (port 9015 by default), the built-in controllers
    /// and rsync on loopback gRPC ports, registered with the engine; with --demo N, N edgesim clusters too.
    Serve(canopy_cli::serve::Args),
    /// Run canopy with simulated edge clusters, deploy the bundled example to them, show it become Ready,
    /// and keep serving until Ctrl-C (--exit-when-ready stops after the table).
    Demo(canopy_cli::demo::Args),
    // `events` and `status` take their help from their `Args` (a doc comment here would replace it).
    Events(canopy_engine::cli::events::Args),
    Status(canopy_engine::cli::status::Args),
    /// emcoctl's resource-file commands.
    #[command(flatten)]
    Client(canopy_engine::cli::Command),
}

/// `canopy controller`'s command line.
#[derive(clap::Args)]
struct ControllerArgs {
    /// Which built-in controller: gac or placement.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(canopy_controllers::builtin::NAMES))]
    name: String,
    /// Address to serve gRPC on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:9030")]
    listen: std::net::SocketAddr,
}

fn init_logs() {
    init_logs_at("info");
}

/// Logs to stderr at `level` unless RUST_LOG says otherwise.
fn init_logs_at(level: &str) {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse() {
        Cli::Controller(args) => {
            init_logs();
            let served = canopy_controllers::builtin::serve_builtin(
                &args.name,
                args.listen,
                canopy_engine::server::stop_signal(),
            )
            .await;
            let result = match served {
                Ok(serving) => serving.wait().await.map_err(anyhow::Error::from),
                Err(e) => Err(e.into()),
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("canopy controller {}: {:#}", args.name, e);
                    ExitCode::FAILURE
                }
            }
        }
        Cli::Engine(args) => {
            init_logs();
            match serve(args).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("canopy engine: {:#}", e);
                    ExitCode::FAILURE
                }
            }
        }
        Cli::Rsync(args) => {
            init_logs();
            match canopy_rsync::args::run(args, canopy_engine::server::stop_signal()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("canopy rsync: {:#}", e);
                    ExitCode::FAILURE
                }
            }
        }
        Cli::Serve(args) => {
            init_logs();
            match serve_all(args).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("canopy serve: {:#}", e);
                    ExitCode::FAILURE
                }
            }
        }
        Cli::Demo(args) => {
            // Warnings only: the demo's own lines tell the story.
            init_logs_at("warn");
            match canopy_cli::demo::run(args, canopy_engine::server::stop_signal()).await {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("canopy demo: {:#}", e);
                    ExitCode::FAILURE
                }
            }
        }
        Cli::Events(args) => {
            // Buffered: the printer flushes after each event when following, and at the end.
            let out = std::io::BufWriter::new(std::io::stdout());
            canopy_engine::cli::events::run(&args, out, &mut std::io::stderr()).await
        }
        Cli::Status(args) => {
            let terminal = std::io::stdout().is_terminal();
            // Not locked: on a terminal, indicatif draws the progress bars on stdout from its own thread.
            let mut out = std::io::stdout();
            canopy_engine::cli::status::run(&args, &mut out, &mut std::io::stderr(), terminal).await
        }
        Cli::Client(command) => {
            canopy_engine::cli::run(&command, &mut std::io::stdout().lock()).await
        }
    }
}

async fn serve(args: canopy_engine::server::Args) -> anyhow::Result<()> {
    let server = canopy_engine::server::Server::bind(args.into()).await?;
    server.run(canopy_engine::server::stop_signal()).await?;
    Ok(())
}

/// `canopy serve`: starts, prints where the API (and the demo clusters) are, and serves until SIGTERM or
/// Ctrl-C.
async fn serve_all(args: canopy_cli::serve::Args) -> anyhow::Result<()> {
    let running = canopy_cli::serve::start(args.into()).await?;
    if let Some(demo) = running.demo() {
        println!(
            "canopy serve: demo clusters {} on edgesim {}",
            demo.clusters.join(", "),
            demo.url()
        );
    }
    println!("canopy serve: API on {}", running.api_base());
    running
        .serve_until(canopy_engine::server::stop_signal())
        .await?;
    Ok(())
}
