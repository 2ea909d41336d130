//! Runs one client command: reads the file (rendering it with the values, if any), then handles its
//! documents one at a time, writing one line per document.
//!
//! A line reads `document <n>: <METHOD> <anchor> [<name>] -> <status>`, followed on failure by `failed:`
//! and the server's error. A document that cannot be used is one line naming it and the problem; a skipped
//! one says why. `get` prints each answer's body after its line.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::args::{Args, Command};
use super::client::{self, Client};
use super::document::{self, Document};
use super::template;
use super::verb::{Step, Verb};

/// The file could not be turned into documents, or the output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The resource file could not be read.
    #[error("cannot read {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The values file could not be read.
    #[error("cannot read values file {}", path.display())]
    ReadValues {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The values file is not YAML.
    #[error("values file {} is not valid YAML", path.display())]
    ValuesYaml {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: yaml_serde::Error,
    },
    /// Rendering the resource file with the values failed.
    #[error("cannot render {} with the values", path.display())]
    Template {
        /// The resource file.
        path: PathBuf,
        /// What failed, with its line.
        #[source]
        source: template::Error,
    },
    /// The client could not be set up.
    #[error("cannot set up the client")]
    Client(#[source] client::Error),
    /// Writing to the output failed.
    #[error("cannot write the output")]
    Output(#[source] io::Error),
}

/// The run module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs `command`, writing its lines to `out`. Returns the process exit code: success when every document
/// succeeded or was skipped, failure otherwise (and when the file itself could not be read).
pub async fn run<W: Write>(command: &Command, out: &mut W) -> ExitCode {
    let (verb, args) = command.parts();
    match execute(verb, args, out).await {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            // The run already failed; if the output cannot take this line either, there is nowhere left to
            // report it, and the exit code still says so.
            let _ = writeln!(out, "error: {}", chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// Handles every document; returns how many failed.
async fn execute<W: Write>(verb: Verb, args: &Args, out: &mut W) -> Result<usize> {
    let client = Client::new(&args.server).map_err(Error::Client)?;
    let text = load(args)?;
    let yaml_dir = match args.file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let documents = verb.order(document::parse(&text, yaml_dir));
    let total = documents.len();
    let mut failed = 0;
    for (i, entry) in documents.into_iter().enumerate() {
        if handle(verb, &client, entry, out).await? {
            continue;
        }
        failed += 1;
        let left = total - i - 1;
        if args.stop_on_failure && left > 0 {
            writeln!(
                out,
                "stopped at the first failure (-s): {left} more document(s) not tried"
            )
            .map_err(Error::Output)?;
            break;
        }
    }
    Ok(failed)
}

/// The text of the resource file, rendered with the values file when there is one.
fn load(args: &Args) -> Result<String> {
    let text = std::fs::read_to_string(&args.file).map_err(|source| Error::ReadFile {
        path: args.file.clone(),
        source,
    })?;
    let Some(path) = &args.values else {
        return Ok(text);
    };
    let values_text = std::fs::read_to_string(path).map_err(|source| Error::ReadValues {
        path: path.clone(),
        source,
    })?;
    let values: yaml_serde::Value =
        yaml_serde::from_str(&values_text).map_err(|source| Error::ValuesYaml {
            path: path.clone(),
            source,
        })?;
    template::render(&file_name(&args.file), &text, &values).map_err(|source| Error::Template {
        path: args.file.clone(),
        source,
    })
}

/// Handles one document and writes its line (and, for `get`, the answer); returns whether it succeeded
/// or was skipped.
async fn handle<W: Write>(
    verb: Verb,
    client: &Client,
    entry: document::Result<Document>,
    out: &mut W,
) -> Result<bool> {
    let (text, ok, body) = outcome(verb, client, entry).await;
    writeln!(out, "{text}").map_err(Error::Output)?;
    if let Some(body) = body.filter(|_| verb == Verb::Get) {
        print_body(out, &body)?;
    }
    Ok(ok)
}

/// What happened to one document: its line, whether it succeeded, and a successful answer's body.
async fn outcome(
    verb: Verb,
    client: &Client,
    entry: document::Result<Document>,
) -> (String, bool, Option<Vec<u8>>) {
    let (doc, request) = match entry.and_then(|doc| verb.plan(&doc).map(|step| (doc, step))) {
        Err(e) => return (chain(&e), false, None),
        Ok((doc, Step::Skip(why))) => {
            let text = format!("document {}: skipped {}: {why}", doc.index, subject(&doc));
            return (text, true, None);
        }
        Ok((doc, Step::Send(request))) => (doc, request),
    };
    let head = format!(
        "document {}: {} {}",
        doc.index,
        request.method,
        subject(&doc)
    );
    match client.send(&request).await {
        Err(e) => (format!("{head} -> failed: {}", chain(&e)), false, None),
        Ok(response) if response.is_success() => (
            format!("{head} -> {}", response.status),
            true,
            Some(response.body),
        ),
        Ok(response) => {
            let error = response.error_message();
            (
                format!("{head} -> {} failed: {error}", response.status),
                false,
                None,
            )
        }
    }
}

/// The anchor, then the label or name when the document has one.
fn subject(doc: &Document) -> String {
    match doc.cluster_label.as_deref().or(doc.name()) {
        Some(name) => format!("{} {name}", doc.anchor),
        None => doc.anchor.clone(),
    }
}

/// A response body: JSON pretty-printed, anything else as text.
fn print_body<W: Write>(out: &mut W, body: &[u8]) -> Result<()> {
    if body.is_empty() {
        return Ok(());
    }
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(body).trim_end().to_owned(),
    };
    writeln!(out, "{text}").map_err(Error::Output)
}

/// An error and its sources on one line, joined by `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// The file's name without its folders, for template error messages (the path is in the message's prefix).
fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
