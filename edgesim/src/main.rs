//! The `edgesim` binary: parses arguments and runs the server until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// mimalloc, as in the `canopy` binary: one edgesim serves thousands of clusters, and glibc's malloc and
/// free were about a quarter of its perf samples in a 1,000-cluster fan-out (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A simulator of many Kubernetes edge clusters behind one HTTP server.
#[derive(Debug, Parser)]
#[command(name = "edgesim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Clusters to create at start: a name or a range such as `edge-0001..edge-0100`.
    #[arg(long)]
    clusters: Option<String>,
    /// Directory to write one kubeconfig per cluster into.
    #[arg(long)]
    kubeconfig_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let config = canopy_edgesim::Config {
        listen: args.listen,
        clusters: args.clusters,
        kubeconfig_dir: args.kubeconfig_dir,
    };
    let server = config.build().await?;
    let handle = server.handle();
    tracing::info!(
        url = handle.url(),
        clusters = handle.fleet().names().len(),
        "edgesim listening"
    );
    server
        .run(async {
            // If the signal handler cannot be installed, run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await;
    Ok(())
}
