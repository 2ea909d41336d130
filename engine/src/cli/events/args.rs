//! `canopy events`'s command line, and where in the bus a subscription starts.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use canopy_schemas::Timestamp;
use canopy_schemas::event::Filter;
use canopy_schemas::event::filter::{DigRef, SubjectPattern, parse_cluster};
use canopy_schemas::name::ClusterRef;

use super::output::Format;
use crate::api::time::parse_rfc3339;
use crate::cli::args::DEFAULT_SERVER;
use crate::duration;

/// Print canopy's lifecycle events: DIG and logical-cloud transitions, each app and resource on each
/// cluster, clusters and controllers.
///
/// Events come from the server's `GET /v2/events` (Server-Sent Events), or with `--nats` straight from the
/// JetStream stream CANOPY_EVENTS, filtered here the same way; both print the same lines. Without
/// `--follow` the events stored now are printed (all of them unless `--since` or `--from-seq` says where
/// to start) and the command exits; with `--follow` it goes on printing new events until interrupted,
/// starting with the new ones unless `--since` or `--from-seq` says otherwise.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A NATS subject pattern to match (`*` one token, `>` the rest), e.g. `canopy.dig.>`. The same as
    /// one `--subject`.
    #[arg(value_name = "SUBJECT")]
    pub raw_subject: Option<SubjectPattern>,
    /// A NATS subject pattern to match; repeat it to match any of several.
    #[arg(long = "subject", value_name = "PATTERN")]
    pub subjects: Vec<SubjectPattern>,
    /// Only the events of this DIG (`project/compositeApp/version/dig`): its transitions and the app and
    /// resource events of its AppContexts.
    #[arg(long, value_name = "P/CA/V/DIG")]
    pub dig: Option<DigRef>,
    /// Only the events of this cluster (`provider/cluster`): its own, and its apps' and resources'.
    #[arg(long, value_name = "PROVIDER/CLUSTER", value_parser = parse_cluster)]
    pub cluster: Option<ClusterRef>,
    /// Start with the events stored since this long ago (`10m`, `1h30m`) or this RFC 3339 time.
    #[arg(long, value_name = "DURATION|TIME", conflicts_with = "from_seq")]
    pub since: Option<Since>,
    /// Start at this bus sequence number (the SEQ column, `sequence` in JSON).
    #[arg(long = "from-seq", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub from_seq: Option<u64>,
    /// Keep printing new events until interrupted.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// table: aligned columns; json: one event (`{sequence, subject, event}`) per line; yaml: one
    /// document per event.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// The server's base URL (plain http://).
    #[arg(long, value_name = "URL", env = "CANOPY_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,
    /// Read the JetStream stream on this NATS server instead of asking the server.
    #[arg(long, value_name = "URL", env = "CANOPY_NATS")]
    pub nats: Option<String>,
}

impl Args {
    /// The filter the arguments describe.
    pub fn filter(&self) -> Filter {
        let mut filter = Filter::all();
        for p in self.raw_subject.iter().chain(&self.subjects) {
            filter = filter.subject(p.clone());
        }
        if let Some(dig) = &self.dig {
            filter = filter.dig(dig.clone());
        }
        if let Some(cluster) = &self.cluster {
            filter = filter.cluster(cluster.clone());
        }
        filter
    }

    /// Where the subscription starts: as asked, else every stored event (without `--follow`) or only new
    /// ones (with it).
    pub fn start(&self) -> Start {
        match (&self.since, self.from_seq) {
            (Some(since), _) => Start::Since(since.clone()),
            (None, Some(n)) => Start::Sequence(n),
            (None, None) if self.follow => Start::New,
            (None, None) => Start::All,
        }
    }
}

/// Where in the bus a subscription starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Only events published after it starts.
    New,
    /// Every stored event.
    All,
    /// The events stored since a time.
    Since(Since),
    /// The events from this sequence on.
    Sequence(u64),
}

/// `--since`: a time, or a duration back from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Since {
    text: String,
    when: When,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum When {
    Ago(Duration),
    At(Timestamp),
}

impl Since {
    /// The argument as given (what the server is sent).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant meant, for a duration counted back from `now`.
    pub fn instant(&self, now: Timestamp) -> Timestamp {
        match self.when {
            When::Ago(ago) => Timestamp::from_unix_nanos(
                now.unix_nanos()
                    .saturating_sub(i64::try_from(ago.as_nanos()).unwrap_or(i64::MAX)),
            ),
            When::At(at) => at,
        }
    }
}

/// `--since` is neither a duration nor an RFC 3339 time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "since {0:?}: must be a duration such as 10m or 1h30m, or an RFC 3339 time such as 2026-01-02T15:04:05Z"
)]
pub struct SinceError(pub String);

impl FromStr for Since {
    type Err = SinceError;
    fn from_str(s: &str) -> Result<Self, SinceError> {
        let when = match duration::parse(s) {
            Ok(ago) => When::Ago(ago),
            Err(_) => When::At(parse_rfc3339(s).map_err(|_| SinceError(s.to_owned()))?),
        };
        Ok(Self {
            text: s.to_owned(),
            when,
        })
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
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

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Cli::try_parse_from(std::iter::once("events").chain(args.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn the_start_defaults_to_everything_stored_or_to_new_events_when_following() {
        assert_eq!(parse(&[]).unwrap().start(), Start::All);
        assert_eq!(parse(&["--follow"]).unwrap().start(), Start::New);
        assert_eq!(
            parse(&["--from-seq", "5", "-f"]).unwrap().start(),
            Start::Sequence(5)
        );
        let since = parse(&["--since", "10m"]).unwrap().start();
        let Start::Since(since) = since else {
            panic!("{since:?}")
        };
        let now = Timestamp::from_unix_nanos(3_600_000_000_000);
        assert_eq!(
            since.instant(now),
            Timestamp::from_unix_nanos(3_000_000_000_000)
        );
        let at: Since = "2026-01-02T15:04:05Z".parse().unwrap();
        assert_eq!(at.instant(now).unix_nanos(), 1_767_366_245_000_000_000);
    }

    #[test]
    fn since_and_from_seq_conflict_and_bad_values_name_the_rule() {
        let e = parse(&["--since", "10m", "--from-seq", "3"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
        let e = parse(&["--since", "yesterday"]).unwrap_err().to_string();
        assert!(e.contains("RFC 3339"), "{e}");
        let e = parse(&["--from-seq", "0"]).unwrap_err().to_string();
        assert!(e.contains("from-seq"), "{e}");
        let e = parse(&["--subject", "canopy..dig"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("tokens between dots"), "{e}");
        let e = parse(&["--dig", "p/ca"]).unwrap_err().to_string();
        assert!(e.contains("four names"), "{e}");
        let e = parse(&["--cluster", "c1"]).unwrap_err().to_string();
        assert!(e.contains("provider/cluster"), "{e}");
    }

    #[test]
    fn the_positional_subject_joins_the_repeated_ones() {
        let args = parse(&["canopy.dig.>", "--subject", "canopy.cluster.>"]).unwrap();
        let filter = args.filter();
        let patterns: Vec<&str> = filter.patterns().iter().map(|p| p.as_str()).collect();
        assert_eq!(patterns, ["canopy.dig.>", "canopy.cluster.>"]);
        assert!(parse(&[]).unwrap().filter().patterns().is_empty());
    }
}
