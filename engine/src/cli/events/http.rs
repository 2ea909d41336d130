//! The server's event stream, `GET /v2/events` (Server-Sent Events), as a client reads it.
//!
//! Each message is one event: `id: <sequence>` and `data: <Delivery as JSON>`. A server that finds the
//! client too slow sends `event: cutoff` with `{"reason", "last_sequence"}` and closes; the client then
//! reconnects with `Last-Event-ID: <last_sequence>` and goes on from the next event, saying so on the
//! error output. A following subscription whose connection drops is resumed the same way, after the last
//! event received. Without `--follow` the server ends the stream after what it had stored, and so does
//! this client.

use std::io::Write;
use std::time::Duration;

use canopy_schemas::event::Delivery;
use canopy_schemas::event::filter::DigRef;
use canopy_schemas::event::filter::SubjectPattern;
use canopy_schemas::name::ClusterRef;
use serde::Deserialize;

use super::args::Start;
use super::output::Sink;
use super::sse::{Message, Parser};
use super::{Error, Result};
use crate::cli::client::{self, Client};

/// The pause before reconnecting a following subscription whose connection dropped.
const RECONNECT_PAUSE: Duration = Duration::from_millis(500);

/// What to ask the server for.
#[derive(Debug, Clone)]
pub struct Request {
    /// `subject` patterns.
    pub subjects: Vec<SubjectPattern>,
    /// `dig`.
    pub dig: Option<DigRef>,
    /// `cluster`.
    pub cluster: Option<ClusterRef>,
    /// `since` or `from_seq`.
    pub start: Start,
    /// `follow`.
    pub follow: bool,
}

/// The `data` of a cutoff message.
#[derive(Debug, Deserialize)]
struct Cutoff {
    reason: String,
    last_sequence: u64,
}

/// How one connection ended.
enum End {
    /// The server closed the stream.
    Closed,
    /// The server cut the client off after this sequence.
    Cutoff(Cutoff),
    /// The connection broke.
    Broken(reqwest::Error),
}

/// Reads the events `request` asks for from `server`, giving each to `sink` in order. Returns when the
/// server ends a stream that is not followed; a followed one only ends with an error.
pub async fn stream(
    server: &str,
    request: &Request,
    sink: &mut (dyn Sink + Send),
    notes: &mut (dyn Write + Send),
) -> Result<()> {
    let base = Client::new(server).map_err(Error::Client)?.url("events");
    let http = reqwest::Client::builder()
        .build()
        .map_err(|e| Error::Client(client::Error::Build(e)))?;
    // After a cutoff or a dropped connection: the sequence to resume after.
    let mut resume: Option<u64> = None;
    loop {
        let url = url(&base, request, resume.is_none())?;
        let mut get = http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "text/event-stream");
        if let Some(n) = resume {
            get = get.header("Last-Event-ID", n.to_string());
        }
        let response = get.send().await.map_err(|source| Error::Unreachable {
            url: url.to_string(),
            source,
        })?;
        if !response.status().is_success() {
            let status = response.status().as_u16();
            let body = response.bytes().await.unwrap_or_default().to_vec();
            return Err(Error::Refused {
                status,
                message: client::Response { status, body }.error_message(),
            });
        }
        let mut last = resume;
        match read(response, sink, &mut last, notes).await? {
            End::Closed if !request.follow => return Ok(()),
            End::Cutoff(cut) => {
                let after = last.unwrap_or(0).max(cut.last_sequence);
                note(
                    notes,
                    &format!(
                        "the server cut this subscription off ({}) after event {}; resuming from event {}",
                        cut.reason,
                        after,
                        after + 1
                    ),
                )?;
                resume = (after > 0).then_some(after).or(resume);
            }
            End::Closed | End::Broken(_) if request.follow => {
                note(
                    notes,
                    "the connection to the server ended; reconnecting to resume",
                )?;
                resume = last;
                tokio::time::sleep(RECONNECT_PAUSE).await;
            }
            End::Closed => unreachable!("an unfollowed stream returned above"),
            End::Broken(source) => {
                return Err(Error::Broken {
                    url: url.to_string(),
                    source,
                });
            }
        }
    }
}

/// Reads one connection's messages until it ends; `last` follows the last sequence delivered.
async fn read(
    mut response: reqwest::Response,
    sink: &mut (dyn Sink + Send),
    last: &mut Option<u64>,
    notes: &mut (dyn Write + Send),
) -> Result<End> {
    let mut parser = Parser::new();
    loop {
        let bytes = match response.chunk().await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(End::Closed),
            Err(e) => return Ok(End::Broken(e)),
        };
        for message in parser.push(&bytes) {
            if let Some(cut) = handle(message, sink, last, notes)? {
                return Ok(End::Cutoff(cut));
            }
        }
    }
}

/// Handles one message: an event goes to the sink; a cutoff is returned.
fn handle(
    message: Message,
    sink: &mut dyn Sink,
    last: &mut Option<u64>,
    notes: &mut dyn Write,
) -> Result<Option<Cutoff>> {
    match message.event.as_deref() {
        None | Some("message") => match serde_json::from_str::<Delivery>(&message.data) {
            Ok(delivery) => {
                *last = Some(delivery.sequence);
                sink.deliver(delivery).map_err(Error::Output)?;
            }
            Err(e) => note(
                notes,
                &format!(
                    "skipping event {}: its data is not an event ({e})",
                    message.id.unwrap_or_default()
                ),
            )?,
        },
        Some("cutoff") => {
            let cut = serde_json::from_str(&message.data).map_err(|source| Error::BadCutoff {
                data: message.data.clone(),
                source,
            })?;
            return Ok(Some(cut));
        }
        // Message types this client does not know are for newer clients.
        Some(_) => {}
    }
    Ok(None)
}

fn note(notes: &mut dyn Write, text: &str) -> Result<()> {
    writeln!(notes, "canopy events: {text}").map_err(Error::Output)
}

/// The URL of the subscription; `first` for the first connection, which carries the start (a resumed one
/// carries `Last-Event-ID` instead).
fn url(base: &str, request: &Request, first: bool) -> Result<reqwest::Url> {
    let mut url = reqwest::Url::parse(base).map_err(|e| Error::Url {
        url: base.to_owned(),
        reason: e.to_string(),
    })?;
    {
        let mut q = url.query_pairs_mut();
        for s in &request.subjects {
            q.append_pair("subject", s.as_str());
        }
        if let Some(dig) = &request.dig {
            q.append_pair("dig", &dig.to_string());
        }
        if let Some(c) = &request.cluster {
            q.append_pair("cluster", &format!("{}/{}", c.provider, c.cluster));
        }
        if first {
            match &request.start {
                Start::New => {}
                Start::All => {
                    q.append_pair("from_seq", "1");
                }
                Start::Since(since) => {
                    q.append_pair("since", since.as_str());
                }
                Start::Sequence(n) => {
                    q.append_pair("from_seq", &n.to_string());
                }
            }
        }
        q.append_pair("follow", if request.follow { "true" } else { "false" });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_carries_every_filter_and_the_start_only_on_the_first_connection() {
        let request = Request {
            subjects: vec![
                "canopy.dig.>".parse().unwrap(),
                "canopy.ctx.*.a+b.>".parse().unwrap(),
            ],
            dig: Some("p/ca/v1/d".parse().unwrap()),
            cluster: Some("edge+c1".parse().unwrap()),
            start: Start::Since("10m".parse().unwrap()),
            follow: true,
        };
        let first = url("http://h:1/v2/events", &request, true).unwrap();
        assert_eq!(
            first.as_str(),
            "http://h:1/v2/events?subject=canopy.dig.%3E&subject=canopy.ctx.*.a%2Bb.%3E&dig=p%2Fca%2Fv1%2Fd\
             &cluster=edge%2Fc1&since=10m&follow=true"
        );
        let again = url("http://h:1/v2/events", &request, false).unwrap();
        assert!(!again.as_str().contains("since"), "{again}");
        let all = Request {
            start: Start::All,
            follow: false,
            subjects: vec![],
            dig: None,
            cluster: None,
        };
        assert_eq!(
            url("http://h:1/v2/events", &all, true).unwrap().query(),
            Some("from_seq=1&follow=false")
        );
    }
}
