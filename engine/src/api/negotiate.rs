//! `GET` of an object with a file (app, app profile, cluster, gac resource) honours `Accept`:
//! `application/json` (or none, or `*/*`) gives the body; `application/octet-stream` gives the file;
//! `multipart/form-data` gives both, as the parts `metadata` and `file`. EMCO 21.03 panicked on a missing
//! `Accept`; canopy answers JSON.

use axum::body::Body;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, Bytes, BytesMut};

use super::Api;
use super::error::{ApiError, ApiResult};
use super::resource::Upload;
use crate::store::Record;

/// What the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// The JSON body.
    Json,
    /// The file.
    File,
    /// Both, as multipart.
    Both,
}

/// Reads `Accept`: the first listed media type that canopy serves wins.
pub fn wanted(headers: &HeaderMap) -> Result<Wanted, ApiError> {
    let Some(accept) = headers.get(ACCEPT) else {
        return Ok(Wanted::Json);
    };
    let accept = accept
        .to_str()
        .map_err(|_| ApiError::new(StatusCode::NOT_ACCEPTABLE, "Accept header is not readable"))?;
    for media in accept.split(',').map(|m| {
        m.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }) {
        match media.as_str() {
            "application/json" | "*/*" | "application/*" | "" => return Ok(Wanted::Json),
            "application/octet-stream" => return Ok(Wanted::File),
            "multipart/form-data" | "multipart/*" => return Ok(Wanted::Both),
            _ => {}
        }
    }
    Err(ApiError::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "cannot answer Accept: {accept}; use application/json, application/octet-stream or multipart/form-data"
        ),
    ))
}

/// Answers a `GET` of `record` as the client asked.
pub async fn respond(
    api: &Api,
    record: &Record,
    upload: Upload,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let wanted = wanted(headers)?;
    if wanted == Wanted::Json {
        return Ok(axum::Json(record.data.clone()).into_response());
    }
    let file = if upload.many {
        None
    } else {
        api.store.blob(&record.key, upload.blob).await?
    };
    match (wanted, file) {
        (Wanted::File, Some(file)) => {
            Ok(([(CONTENT_TYPE, "application/octet-stream")], file).into_response())
        }
        (Wanted::Both, file) => Ok(multipart(&record.data, file, upload.part)),
        (_, None) => Err(ApiError::not_found(format!("{} has no file", record.key))),
        (Wanted::Json, Some(_)) => unreachable!("handled above"),
    }
}

fn multipart(data: &serde_json::Value, file: Option<Bytes>, part: &str) -> Response {
    let json = data.to_string();
    let boundary = boundary_for(&[json.as_bytes(), file.as_deref().unwrap_or_default()]);
    let mut body = BytesMut::new();
    let mut add = |name: &str, content_type: &str, bytes: &[u8]| {
        body.put_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.put_slice(bytes);
        body.put_slice(b"\r\n");
    };
    add("metadata", "application/json", json.as_bytes());
    if let Some(file) = &file {
        add(part, "application/octet-stream", file);
    }
    body.put_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    ([(CONTENT_TYPE, content_type)], Body::from(body.freeze())).into_response()
}

/// A boundary that occurs in none of `parts`: `canopy-<n>` for the first `n` that is absent.
fn boundary_for(parts: &[&[u8]]) -> String {
    (0u64..)
        .map(|n| format!("canopy-boundary-{n:08x}"))
        .find(|b| {
            parts
                .iter()
                .all(|p| !p.windows(b.len()).any(|w| w == b.as_bytes()))
        })
        .expect("some boundary is absent from finite parts")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, v.parse().unwrap());
        h
    }

    #[test]
    fn the_boundary_never_occurs_in_a_part() {
        let taken = b"xx canopy-boundary-00000000 canopy-boundary-00000001 yy";
        assert_eq!(boundary_for(&[b"{}", taken]), "canopy-boundary-00000002");
    }

    #[test]
    fn a_missing_accept_gets_json() {
        assert_eq!(wanted(&HeaderMap::new()).unwrap(), Wanted::Json);
        assert_eq!(wanted(&accept("*/*")).unwrap(), Wanted::Json);
    }

    #[test]
    fn the_first_served_type_wins() {
        assert_eq!(
            wanted(&accept("application/octet-stream")).unwrap(),
            Wanted::File
        );
        assert_eq!(
            wanted(&accept("text/html, multipart/form-data;q=0.9")).unwrap(),
            Wanted::Both
        );
        assert_eq!(
            wanted(&accept("text/html")).unwrap_err().status,
            StatusCode::NOT_ACCEPTABLE
        );
    }
}
