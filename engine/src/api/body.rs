//! Reading request bodies: JSON with the failing field named, multipart with named parts, both bounded.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use bytes::Bytes;
use canopy_schemas::rest::{Validate, Violation};
use serde::de::DeserializeOwned;

use super::error::{ApiError, ApiResult};

/// Reads the whole body, or answers 413 past `limit` bytes.
pub async fn read_bounded(body: Body, limit: usize) -> ApiResult<Bytes> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut over = false;
        while let Some(s) = source {
            over |= s.is::<http_body_util::LengthLimitError>();
            source = s.source();
        }
        if over {
            ApiError::too_large(limit)
        } else {
            ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                format!("reading the request body: {e}"),
            )
        }
    })
}

/// Parses JSON into `T`, naming the field on failure, then validates it.
pub fn parse_json<T: DeserializeOwned + Validate>(bytes: &[u8], what: &str) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Violation::new(what, "a JSON body is required").into());
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let rule = e.into_inner().to_string();
        // serde reports a missing field at its parent; name the field itself.
        if let Some(missing) = rule
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            let field = if path == "." {
                missing.to_owned()
            } else {
                format!("{path}.{missing}")
            };
            return Violation::new(field, "is required");
        }
        let field = if path == "." { what.to_owned() } else { path };
        // serde_json appends " at line L column C", which helps with big bodies.
        Violation::new(field, rule)
    })?;
    value.validate()?;
    Ok(value)
}

/// A multipart request split into its parts.
pub struct Parts {
    /// `(part name, bytes)` in request order.
    pub parts: Vec<(String, Bytes)>,
}

impl Parts {
    /// Reads a `multipart/form-data` body of at most `limit` bytes.
    pub async fn read(request: Request, limit: usize) -> ApiResult<Self> {
        let is_multipart = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            return Err(Violation::new(
                "Content-Type",
                "must be multipart/form-data with a `metadata` part",
            )
            .into());
        }
        let (head, body) = request.into_parts();
        let bytes = read_bounded(body, limit).await?;
        let request = Request::from_parts(head, Body::from(bytes));
        let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
            ApiError::new(
                e.status(),
                format!("reading multipart body: {}", e.body_text()),
            )
        })?;
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| {
            ApiError::new(
                e.status(),
                format!("reading multipart body: {}", e.body_text()),
            )
        })? {
            let name = field.name().unwrap_or_default().to_owned();
            let data = field.bytes().await.map_err(|e| {
                ApiError::new(
                    e.status(),
                    format!("reading multipart part {name:?}: {}", e.body_text()),
                )
            })?;
            parts.push((name, data));
        }
        Ok(Self { parts })
    }

    /// The first part named `name`.
    pub fn one(&self, name: &str) -> Option<&Bytes> {
        self.parts.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }

    /// Every part named `name`.
    pub fn all(&self, name: &str) -> Vec<&Bytes> {
        self.parts
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, b)| b)
            .collect()
    }
}
