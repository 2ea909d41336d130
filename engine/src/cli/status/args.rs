//! `canopy status`'s command line.

use std::time::Duration;

use canopy_schemas::event::filter::DigRef;

use super::anchor;
use super::view::Target;
use crate::cli::args::DEFAULT_SERVER;
use crate::duration;

/// Show a deployment intent group's status, or wait until it is deployed or ready.
///
/// Without --wait: a table of the DIG's state, its AppContext's state and readiness, per app how many
/// clusters are deployed and ready and how many are in each phase, and the clusters in trouble with why
/// (-o json or yaml prints the status body instead). Exits 0.
///
/// With --wait: reads the status every 500 ms, showing a progress bar per app on a terminal and one line
/// per change otherwise, until the DIG reaches --for. Exits 0 when it does, 1 when it cannot (printing
/// what failed and why), 2 when --timeout passes first.
///
/// deployed: the DIG's state is Instantiated and so is its AppContext's (`deployedStatus`), which rsync
/// writes once every resource is applied on every cluster. ready: deployed, and `readyStatus` is Ready
/// (every resource on every cluster is Ready). failed: the DIG is InstantiateFailed, InstantiateStopped,
/// Terminating, Terminated, TerminateFailed or TerminateStopped; or the AppContext is InstantiateFailed,
/// UpdateFailed, Terminating, Terminated or TerminateFailed; or an app stopped on a cluster (phase Failed
/// or Stopped). A Created or Approved DIG is waited for: an instantiate may come.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The DIG: `projects/<p>/composite-apps/<ca>/<version>/deployment-intent-groups/<dig>`, with or
    /// without a leading `/` or `/v2/`.
    #[arg(value_name = "ANCHOR", value_parser = anchor::parse)]
    pub dig: DigRef,
    /// Wait until the DIG reaches --for, fails, or --timeout passes.
    #[arg(long)]
    pub wait: bool,
    /// What to wait for: deployed (every resource applied) or ready (applied and Ready).
    #[arg(long = "for", value_enum, default_value_t = Target::Ready, requires = "wait")]
    pub target: Target,
    /// How long to wait (`90s`, `5m`, `1h`).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse, default_value = "5m", requires = "wait")]
    pub timeout: Duration,
    /// Also print the DIG's last K events (read from the server's event stream).
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub events: usize,
    /// Without --wait: a table, or the status body as JSON or YAML.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// The server's base URL (plain http://).
    #[arg(long, value_name = "URL", env = "CANOPY_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,
}

/// How `canopy status` without `--wait` prints the status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// The DIG, its apps by phase, and the clusters in trouble.
    #[default]
    Table,
    /// The status body (`status=ready&output=detail`) as JSON.
    Json,
    /// The status body as YAML.
    Yaml,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    const DIG: &str = "/v2/projects/p/composite-apps/ca/v1/deployment-intent-groups/d";

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Cli::try_parse_from(["status", DIG].into_iter().chain(args.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn waiting_defaults_to_ready_within_five_minutes() {
        let args = parse(&["--wait"]).unwrap();
        assert!(args.wait);
        assert_eq!(args.target, Target::Ready);
        assert_eq!(args.timeout, Duration::from_secs(300));
        assert_eq!(args.dig.to_string(), "p/ca/v1/d");
        let args = parse(&["--wait", "--for", "deployed", "--timeout", "1h30m"]).unwrap();
        assert_eq!(args.target, Target::Deployed);
        assert_eq!(args.timeout, Duration::from_secs(5400));
    }

    #[test]
    fn for_and_timeout_need_wait_and_bad_values_name_the_rule() {
        assert!(parse(&["--for", "ready"]).is_err());
        assert!(parse(&["--timeout", "1m"]).is_err());
        let e = parse(&["--wait", "--timeout", "5"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs a unit"), "{e}");
        let e = Cli::try_parse_from(["status", "projects/p"])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("deployment-intent-groups"), "{e}");
    }
}
