//! The command line of the client commands, as clap types that the binary embeds.

use std::path::PathBuf;

use super::verb::Verb;

/// The address `--server` defaults to: EMCO's orchestrator port on this machine.
pub const DEFAULT_SERVER: &str = "http://localhost:9015";

/// The client commands. Each reads an emcoctl resource file and sends one request per document, printing
/// one line per document. The exit code is non-zero when any document failed.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Create the resources of a file: POST each document to its anchor, in file order.
    Apply(Args),
    /// Replace the resources of a file: PUT each document to its anchor and name, in file order.
    /// Action documents are skipped.
    Update(Args),
    /// Delete the resources of a file, in reverse file order. Action documents are skipped.
    Delete(Args),
    /// Read the resources of a file and print each answer.
    Get(Args),
}

/// The arguments every client command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The emcoctl resource file: multi-document YAML with `version: emco/v2`, `resourceContext.anchor`,
    /// `metadata`, `spec`, and `file`, `files` or `clusterLabel`.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// A YAML values file. FILE is then rendered as a Go text/template with these values before it is read.
    #[arg(short = 'v', long = "values", value_name = "VALUES")]
    pub values: Option<PathBuf>,
    /// The server's base URL. Plain http:// only: this build has no TLS.
    #[arg(long, value_name = "URL", env = "CANOPY_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,
    /// Stop at the first document that fails.
    #[arg(short = 's', long = "stop-on-failure")]
    pub stop_on_failure: bool,
}

impl Command {
    /// The command's verb and its arguments.
    pub fn parts(&self) -> (Verb, &Args) {
        match self {
            Self::Apply(args) => (Verb::Apply, args),
            Self::Update(args) => (Verb::Update, args),
            Self::Delete(args) => (Verb::Delete, args),
            Self::Get(args) => (Verb::Get, args),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// The commands as a binary embeds them.
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    fn parse(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("canopy").chain(args.iter().copied()))
            .unwrap()
            .command
    }

    #[test]
    fn short_flags_follow_emcoctl() {
        let command = parse(&["delete", "-f", "apps.yaml", "-v", "values.yaml", "-s"]);
        let (verb, args) = command.parts();
        assert_eq!(verb, Verb::Delete);
        assert_eq!(args.file, PathBuf::from("apps.yaml"));
        assert_eq!(args.values, Some(PathBuf::from("values.yaml")));
        assert!(args.stop_on_failure);
    }

    #[test]
    fn the_server_defaults_to_the_orchestrator_port() {
        let command = parse(&["get", "--file", "a.yaml"]);
        let (verb, args) = command.parts();
        assert_eq!(verb, Verb::Get);
        assert_eq!(args.values, None);
        assert!(!args.stop_on_failure);
        let expected = std::env::var("CANOPY_SERVER").unwrap_or_else(|_| DEFAULT_SERVER.to_owned());
        assert_eq!(args.server, expected);
        let command = parse(&["apply", "-f", "a.yaml", "--server", "http://emco:9015"]);
        assert_eq!(command.parts().1.server, "http://emco:9015");
    }

    #[test]
    fn a_file_is_required() {
        assert!(Cli::try_parse_from(["canopy", "apply"]).is_err());
    }
}
