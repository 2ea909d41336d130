//! The HTTP client of the REST API: sends one request and reads the answer.
//!
//! Plain HTTP only: canopy is built without a TLS stack, so an `https://` server is refused up front. Put a
//! TLS-terminating proxy in front of the server, or reach it over a trusted network, to use it remotely.

use std::path::{Path, PathBuf};

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serde_json::Value as Json;

use super::document::Attachments;

/// A request could not be made or its answer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server address is not an `http://` URL.
    #[error(
        "server {server:?} is not an http:// URL (this build has no TLS, so https:// is not supported)"
    )]
    Server {
        /// The address given.
        server: String,
    },
    /// Building the HTTP client failed.
    #[error("cannot build the HTTP client")]
    Build(#[source] reqwest::Error),
    /// A file to attach could not be read.
    #[error("cannot read file {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The request could not be sent or its answer not received.
    #[error("no answer")]
    Send {
        /// The method.
        method: Method,
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
}

/// The client module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What to send as the request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body: actions, `delete` and `get`.
    Empty,
    /// A JSON body.
    Json(Json),
    /// `multipart/form-data`: a part `metadata` holding the JSON body, then the attached files (one part
    /// `file`, or one part `files` per file).
    Multipart {
        /// The JSON body, sent as the part `metadata`.
        metadata: Json,
        /// The files.
        attachments: Attachments,
    },
}

/// One request to the REST API.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// The path after `/v2/`.
    pub path: String,
    /// The body.
    pub body: Body,
}

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body as received.
    pub body: Vec<u8>,
}

/// The JSON error body of the REST API.
#[derive(Deserialize)]
struct ApiError {
    error: String,
    field: Option<String>,
    rule: Option<String>,
}

impl Response {
    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The failure on one line: the API's `error`, with its `field` and `rule` when present, or else the raw
    /// body with its line breaks folded.
    pub fn error_message(&self) -> String {
        if let Ok(api) = serde_json::from_slice::<ApiError>(&self.body) {
            let details: Vec<String> = [("field", api.field), ("rule", api.rule)]
                .into_iter()
                .filter_map(|(label, v)| v.map(|v| format!("{label}: {v}")))
                .collect();
            return if details.is_empty() {
                api.error
            } else {
                format!("{} ({})", api.error, details.join(", "))
            };
        }
        let raw = String::from_utf8_lossy(&self.body);
        let folded = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if folded.is_empty() {
            "(empty body)".to_owned()
        } else {
            folded
        }
    }
}

/// A client of one canopy (or EMCO) server.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    /// `http://host:port`, without a trailing `/`.
    server: String,
}

impl Client {
    /// A client of the server at `server` (`http://host:port`).
    pub fn new(server: &str) -> Result<Self> {
        let server = server.trim_end_matches('/');
        let valid = reqwest::Url::parse(server).is_ok_and(|url| url.scheme() == "http");
        if !valid {
            return Err(Error::Server {
                server: server.to_owned(),
            });
        }
        let http = reqwest::Client::builder().build().map_err(Error::Build)?;
        Ok(Self {
            http,
            server: server.to_owned(),
        })
    }

    /// The full URL of a path after `/v2/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/v2/{path}", self.server)
    }

    /// Sends `request` and reads the whole answer, whatever its status.
    pub async fn send(&self, request: &Request) -> Result<Response> {
        let url = self.url(&request.path);
        let builder = self.http.request(request.method.clone(), &url);
        let builder = match &request.body {
            Body::Empty => builder,
            Body::Json(json) => builder.json(json),
            Body::Multipart {
                metadata,
                attachments,
            } => builder.multipart(form(metadata, attachments)?),
        };
        let failed = |source| Error::Send {
            method: request.method.clone(),
            url: url.clone(),
            source,
        };
        let response = builder.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(failed)?;
        Ok(Response {
            status,
            body: body.to_vec(),
        })
    }
}

/// The multipart form of a document. Files are read whole and synchronously: they are charts, profiles and
/// kubeconfigs, and the CLI sends one request at a time.
fn form(metadata: &Json, attachments: &Attachments) -> Result<Form> {
    let form = Form::new().text("metadata", metadata.to_string());
    let (name, paths) = match attachments {
        Attachments::None => return Ok(form),
        Attachments::File(path) => ("file", std::slice::from_ref(path)),
        Attachments::Files(paths) => ("files", paths.as_slice()),
    };
    paths
        .iter()
        .try_fold(form, |form, path| Ok(form.part(name, file_part(path)?)))
}

fn file_part(path: &Path) -> Result<Part> {
    let bytes = std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let file_name = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    Ok(Part::bytes(bytes).file_name(file_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn only_2xx_is_success() {
        assert!(response(200, "").is_success());
        assert!(response(204, "").is_success());
        assert!(!response(302, "").is_success());
        assert!(!response(409, "").is_success());
    }

    #[test]
    fn api_errors_show_the_error_field_and_rule() {
        let r = response(
            400,
            r#"{"error":"bad name","field":"metadata.name","rule":"pattern"}"#,
        );
        assert_eq!(
            r.error_message(),
            "bad name (field: metadata.name, rule: pattern)"
        );
        let r = response(404, r#"{"error":"project p not found"}"#);
        assert_eq!(r.error_message(), "project p not found");
    }

    #[test]
    fn other_error_bodies_are_shown_raw_on_one_line() {
        assert_eq!(response(500, "boom\n  at x\n").error_message(), "boom at x");
        assert_eq!(response(502, "").error_message(), "(empty body)");
    }

    #[test]
    fn only_plain_http_servers_are_accepted() {
        assert_eq!(
            Client::new("http://127.0.0.1:9015/")
                .unwrap()
                .url("projects"),
            "http://127.0.0.1:9015/v2/projects"
        );
        assert!(matches!(
            Client::new("https://emco:9015"),
            Err(Error::Server { .. })
        ));
        assert!(matches!(
            Client::new("localhost:9015"),
            Err(Error::Server { .. })
        ));
    }
}
