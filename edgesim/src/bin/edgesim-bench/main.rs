//! `edgesim-bench`: the footprint and server-side-apply throughput of an `edgesim` server, measured from
//! outside. It starts the `edgesim` binary as a child process, creates the clusters through `/admin`, applies
//! the objects over HTTP, reads the server process's memory from `/proc/<pid>/status`, then runs a tight
//! kube 5 `Api::patch(Patch::Apply)` loop at each concurrency level for a fixed time.
//!
//! ```text
//! cargo build --release -p canopy-edgesim && target/release/edgesim-bench --clusters 10000 --objects 30
//! ```

mod child;
mod fill;
mod throughput;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Measures an edgesim server's memory per cluster and its server-side-apply throughput.
#[derive(Debug, Parser)]
#[command(name = "edgesim-bench", version)]
struct Args {
    /// Virtual clusters to create.
    #[arg(long, default_value_t = 10_000)]
    clusters: usize,
    /// Objects to apply to each cluster (ConfigMaps, Secrets, ServiceAccounts, Services, Deployments).
    #[arg(long, default_value_t = 30)]
    objects: usize,
    /// Seconds to run the apply loop at each concurrency level.
    #[arg(long, default_value_t = 5)]
    duration_secs: u64,
    /// Concurrency levels of the apply loop.
    #[arg(long, value_delimiter = ',', default_value = "1,16,256")]
    concurrency: Vec<usize>,
    /// Requests in flight while filling the clusters.
    #[arg(long, default_value_t = 64)]
    fill_concurrency: usize,
    /// The `edgesim` server binary (default: next to this executable).
    #[arg(long)]
    server: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = match args.server {
        Some(path) => path,
        None => std::env::current_exe()?.with_file_name("edgesim"),
    };
    let server = child::Server::start(&binary).await?;
    println!(
        "edgesim server: pid {}, {} ({})",
        server.pid(),
        server.url(),
        binary.display()
    );
    let idle = server.memory()?;
    println!("idle server: {idle}");

    let n = args.clusters.max(1);
    let range = format!("edge-{:05}..edge-{n:05}", 1);
    let created = fill::create_clusters(&server, &range).await?;
    let empty = server.memory()?;
    println!(
        "{n} empty clusters created in {created:.2?}: {empty}; {:.1} KiB per cluster over idle",
        empty.rss_over(&idle) / n as f64
    );

    let names = fill::names(n);
    let report = fill::fill(&server, &names, args.objects, args.fill_concurrency).await?;
    let full = server.memory()?;
    println!(
        "{} applies ({} failed) over HTTP at concurrency {} in {:.2?} = {:.0}/s",
        report.applies,
        report.failed,
        args.fill_concurrency,
        report.elapsed,
        report.applies as f64 / report.elapsed.as_secs_f64()
    );
    println!(
        "MEMORY {n} clusters x {} objects: {full}; {:.1} KiB per cluster over idle",
        args.objects,
        full.rss_over(&idle) / n as f64
    );

    let duration = Duration::from_secs(args.duration_secs.max(1));
    for concurrency in args.concurrency {
        let result = throughput::run(&server, &names, concurrency, duration).await?;
        println!("SSA concurrency {concurrency:>3}: {result}");
    }
    println!("server after the apply loops: {}", server.memory()?);
    Ok(())
}
