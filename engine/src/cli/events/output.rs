//! How `canopy events` prints events: a table, one JSON object per line, or YAML documents.
//!
//! The table's columns are SEQ (the bus sequence), TIME (RFC 3339, UTC, milliseconds), KIND (`dig`, `app`,
//! `resource`, `cluster`, `controller`, `logical_cloud`), WHAT (the names the event is about), FROM → TO
//! (the transition) and MESSAGE. JSON and YAML carry the whole [`Delivery`].

use std::io::{self, Write};

use canopy_schemas::Timestamp;
use canopy_schemas::event::{Delivery, Event, Identity};
use canopy_schemas::name::ClusterRef;

use crate::api::time::rfc3339;
use crate::cli::table::{Stream, Table};

/// The table's header.
pub const HEADER: [&str; 6] = ["SEQ", "TIME", "KIND", "WHAT", "FROM → TO", "MESSAGE"];
/// The starting column widths of a table that is written as events come.
const STREAM_WIDTHS: [usize; 6] = [5, 24, 10, 32, 28, 0];

/// An output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns.
    #[default]
    Table,
    /// One event per line, as JSON.
    Json,
    /// One YAML document per event.
    Yaml,
}

/// Where delivered events go.
pub trait Sink {
    /// Takes the next event that passed the filter.
    fn deliver(&mut self, delivery: Delivery) -> io::Result<()>;
}

/// Prints events in a format. A table is aligned over all its rows when the output ends ([`Printer::finish`]);
/// when following, rows are written as they come and columns widen as needed.
pub struct Printer<W: Write> {
    out: W,
    format: Format,
    rows: Table,
    stream: Option<Stream>,
}

impl<W: Write> Printer<W> {
    /// A printer to `out`; `streaming` when the events never end (`--follow`).
    pub fn new(out: W, format: Format, streaming: bool) -> Self {
        Self {
            out,
            format,
            rows: Table::new(&HEADER),
            stream: streaming.then(|| Stream::new(&HEADER, &STREAM_WIDTHS)),
        }
    }

    /// Writes what is still held (a table's rows), and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        if self.format == Format::Table && self.stream.is_none() && !self.rows.is_empty() {
            self.rows.write(&mut self.out)?;
        }
        self.out.flush()
    }
}

impl<W: Write> Sink for Printer<W> {
    fn deliver(&mut self, delivery: Delivery) -> io::Result<()> {
        match self.format {
            Format::Json => {
                serde_json::to_writer(&mut self.out, &delivery).map_err(io::Error::other)?;
                self.out.write_all(b"\n")?;
            }
            Format::Yaml => {
                let doc = yaml_serde::to_string(&delivery).map_err(io::Error::other)?;
                write!(self.out, "---\n{doc}")?;
            }
            Format::Table => match &mut self.stream {
                Some(stream) => stream.write(&mut self.out, &row(&delivery))?,
                None => self.rows.push(row(&delivery).to_vec()),
            },
        }
        if self.stream.is_some() {
            self.out.flush()?;
        }
        Ok(())
    }
}

/// Keeps the last `n` events delivered.
#[derive(Debug, Clone)]
pub struct Tail {
    n: usize,
    /// The kept events, oldest first.
    pub events: std::collections::VecDeque<Delivery>,
}

impl Tail {
    /// Keeps at most `n`.
    pub fn new(n: usize) -> Self {
        Self {
            n,
            events: std::collections::VecDeque::with_capacity(n),
        }
    }
}

impl Sink for Tail {
    fn deliver(&mut self, delivery: Delivery) -> io::Result<()> {
        if self.n == 0 {
            return Ok(());
        }
        if self.events.len() == self.n {
            self.events.pop_front();
        }
        self.events.push_back(delivery);
        Ok(())
    }
}

/// The table row of one event.
pub fn row(d: &Delivery) -> [String; 6] {
    let e = &d.event;
    [
        d.sequence.to_string(),
        time(e.time),
        kind(&e.subject).to_owned(),
        what(&e.subject),
        transition(e),
        e.message.clone(),
    ]
}

/// `t` in RFC 3339, UTC, to the millisecond: `2026-11-29T10:21:08.123Z`.
pub fn time(t: Timestamp) -> String {
    let nanos = t.unix_nanos();
    let secs = nanos - nanos.rem_euclid(1_000_000_000);
    let millis = nanos.rem_euclid(1_000_000_000) / 1_000_000;
    let whole = rfc3339(Timestamp::from_unix_nanos(secs));
    format!("{}.{millis:03}Z", whole.trim_end_matches('Z'))
}

/// The event's kind, as the envelope names it.
pub fn kind(identity: &Identity) -> &'static str {
    match identity {
        Identity::Dig { .. } => "dig",
        Identity::App { .. } => "app",
        Identity::Resource { .. } => "resource",
        Identity::Cluster { .. } => "cluster",
        Identity::Controller { .. } => "controller",
        Identity::LogicalCloud { .. } => "logical_cloud",
    }
}

/// The names an event is about: `p/ca/v1/dig`; `ctx 7 prov/c1 app`; `ctx 7 prov/c1 app Kind/name`;
/// `prov/c1`; the controller's name; `p/lc`.
pub fn what(identity: &Identity) -> String {
    match identity {
        Identity::Dig {
            project,
            composite_app,
            version,
            dig,
        } => format!("{project}/{composite_app}/{version}/{dig}"),
        Identity::App { ctx, cluster, app } => format!("ctx {ctx} {} {app}", cluster_name(cluster)),
        Identity::Resource {
            ctx,
            cluster,
            app,
            resource_kind,
            name,
        } => format!(
            "ctx {ctx} {} {app} {resource_kind}/{name}",
            cluster_name(cluster)
        ),
        Identity::Cluster { cluster } => cluster_name(cluster),
        Identity::Controller { name } => name.to_string(),
        Identity::LogicalCloud {
            project,
            logical_cloud,
        } => format!("{project}/{logical_cloud}"),
    }
}

fn cluster_name(c: &ClusterRef) -> String {
    format!("{}/{}", c.provider, c.cluster)
}

/// `from → to`, or `→ to` when the state left is not known.
pub fn transition(e: &Event) -> String {
    match &e.from {
        Some(from) => format!("{from} → {}", e.to),
        None => format!("→ {}", e.to),
    }
}

#[cfg(test)]
mod tests;
