//! Requests to the engine's REST handlers in process ([`canopy_engine::api::app`] called as a service, no
//! socket): the same requests, validation, stored objects and events as over HTTP. `canopy serve` registers
//! its controllers and demo clusters this way before the engine resumes the sagas that call them, so a
//! resumed saga never calls a controller at the port of the previous run.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::Value;
use tower::ServiceExt;

use super::error::{Error, Result};

/// The boundary of the multipart bodies sent (it appears in no kubeconfig or JSON body sent).
const BOUNDARY: &str = "canopy-serve-7d1f3c9a2b";

/// The engine's REST API, called in process.
#[derive(Clone)]
pub struct Local {
    router: Router,
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body (a string when the body is not JSON).
    pub body: Value,
}

impl Reply {
    /// `Ok(self)` when the status is one of `accepted`; otherwise [`Error::Refused`] naming `step`.
    pub fn expect(self, step: &str, accepted: &[u16]) -> Result<Self> {
        if accepted.contains(&self.status) {
            Ok(self)
        } else {
            Err(Error::Refused {
                step: step.to_owned(),
                status: self.status,
                body: self.body.to_string(),
            })
        }
    }
}

impl Local {
    /// Calls the handlers over `api`.
    pub fn new(api: canopy_engine::api::Api) -> Self {
        Self {
            router: canopy_engine::api::app(api),
        }
    }

    /// `method path` (under `/v2`) with an optional JSON body.
    pub async fn json(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        let builder = Request::builder()
            .method(method)
            .uri(format!("/v2{path}"))
            .header(header::ACCEPT, "application/json");
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.expect("a request from a valid path"))
            .await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Reply> {
        self.json(Method::GET, path, None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        self.json(Method::POST, path, Some(body)).await
    }

    /// `POST path` as `multipart/form-data`: the part `metadata` (JSON) and the part `file`.
    pub async fn upload(&self, path: &str, metadata: &Value, file: &[u8]) -> Result<Reply> {
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{metadata}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("/v2{path}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .expect("a request from a valid path");
        self.send(request).await
    }

    async fn send(&self, request: Request<Body>) -> Result<Reply> {
        let what = format!("{} {}", request.method(), request.uri());
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|never| match never {});
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|e| Error::Body {
                what,
                message: e.to_string(),
            })?;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Reply { status, body })
    }
}
