//! `canopy demo`'s command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use canopy_engine::duration;

/// `canopy demo`: runs canopy with simulated edge clusters, deploys the bundled example to them, shows it
/// become Ready, then keeps serving until Ctrl-C.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// How many simulated edge clusters (edgesim, in process) to deploy to.
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..=crate::serve::demo::MAX_CLUSTERS as i64))]
    pub clusters: u32,
    /// Address to serve the API on; the client commands' default --server is port 9015 on localhost.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9015")]
    pub listen: SocketAddr,
    /// Keep the stores here (and reuse what a previous demo left). Default: a new directory under the
    /// system's temporary directory.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// How long to wait for Ready, as 90s, 2m or 1h30m.
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = duration::parse)]
    pub timeout: Duration,
    /// Stop once the example is Ready and the table is printed, instead of serving until Ctrl-C.
    #[arg(long)]
    pub exit_when_ready: bool,
}

impl Args {
    /// The data directory: `--data-dir`, or a fresh one under the temporary directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default();
            std::env::temp_dir().join(format!("canopy-demo-{}-{stamp}", std::process::id()))
        })
    }
}
