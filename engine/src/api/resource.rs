//! The generic create/list/get/replace/delete handlers, and the [`Resource`] trait that describes one kind
//! of object to them: its store kind, its key, what it references, and its uploads.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use canopy_schemas::rest::{Validate, Violation};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use super::Api;
use super::announce::{self, Expect};
use super::body::{Parts, parse_json, read_bounded};
use super::error::{ApiError, ApiResult};
use super::negotiate;
use crate::store::{self, Claim, Key, Kind, Outcome, PageRequest, Put, Record, Write};

/// The response header that carries the token for the next page of a list.
pub const CONTINUE_HEADER: &str = "x-continue";

/// The largest page a list returns.
pub const MAX_LIMIT: usize = 10_000;

/// How a multipart resource's files are received and kept.
#[derive(Debug, Clone, Copy)]
pub struct Upload {
    /// The multipart part name: `file`, or `files` for several.
    pub part: &'static str,
    /// Several parts of that name are allowed (`files`).
    pub many: bool,
    /// The blob name it is stored under (`files/<n>` when several).
    pub blob: &'static str,
    /// The check each file must pass.
    pub check: fn(&[u8]) -> Result<(), Violation>,
}

/// What a write did, for [`Resource::written`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The object was created.
    Created,
    /// The object was replaced.
    Replaced,
    /// The object was deleted.
    Deleted,
}

/// One kind of object served by the generic handlers. Implemented by a marker type per kind, so that two
/// kinds can share a body type (cluster and logical-cloud kv-pairs).
pub trait Resource: Send + Sync + 'static {
    /// The request and response body.
    type Body: Validate + Serialize + DeserializeOwned + ToSchema + Send + Sync + 'static;
    /// Where it is stored.
    const KIND: &'static Kind;
    /// Its name in messages and in the API document, e.g. `composite app`.
    const NOUN: &'static str;
    /// Its files, for multipart resources.
    const UPLOAD: Option<Upload> = None;
    /// Whether `PUT` is served (EMCO has none for clusters and cluster references).
    const REPLACEABLE: bool = true;
    /// How many names [`Resource::own_names`] returns: 2 for composite apps (name and version).
    const OWN_NAMES: usize = 1;

    /// The names the body adds to its collection's URL names to make its key: usually `metadata.name`.
    fn own_names(body: &Self::Body) -> Vec<String>;

    /// Whether a request must carry a file (a GitOps cluster needs no kubeconfig).
    fn requires_file(_body: &Self::Body) -> bool {
        Self::UPLOAD.is_some_and(|u| !u.many)
    }

    /// The objects it references, each with the field that names it.
    fn refs(_body: &Self::Body, _key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        Ok(Vec::new())
    }

    /// Unique claims it takes.
    fn claims(_body: &Self::Body, _key: &Key) -> Vec<Claim> {
        Vec::new()
    }

    /// Whether it passes a list filter such as `?app=web`. Unknown parameters are rejected before.
    fn matches(_body: &Self::Body, _query: &BTreeMap<String, String>) -> bool {
        true
    }

    /// The list filters it supports besides `limit` and `continue`.
    const FILTERS: &'static [&'static str] = &[];

    /// The query parameters `GET item` takes.
    const ITEM_QUERY: &'static [&'static str] = &[];

    /// Checks the body against what lies outside the store, after the body's own rules and before anything
    /// is written (a controller intent asks its controller). An error answers the request and nothing is
    /// written. The default accepts.
    fn admit(
        _api: &Api,
        _key: &Key,
        _body: &Self::Body,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        async { Ok(()) }
    }

    /// Checks that `key` may be deleted, before the delete (a DIG that is deployed may not). The default
    /// allows it.
    fn deleting(_api: &Api, _key: &Key) -> impl Future<Output = ApiResult<()>> + Send {
        async { Ok(()) }
    }

    /// Runs after a create, replace or delete of `key` succeeded: a controller drops its cached channel, a
    /// cluster or controller change is announced as an event, a deleted DIG's runtime state is removed. It
    /// cannot fail the request, which has already been carried out; what fails is logged.
    fn written(_api: &Api, _key: &Key, _change: Change) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// The event a successful write of `key` announces (a controller registered, a cluster labelled), if
    /// any. It is staged before the write and published only if the write happened (`api/announce.rs`).
    fn announcement(_key: &Key, _change: Change) -> Option<canopy_schemas::event::Event> {
        None
    }

    /// Adds to `GET item`'s JSON what lives outside the stored body (a DIG's lifecycle `states`). The default
    /// adds nothing.
    fn shown(
        _api: &Api,
        _key: &Key,
        shown: serde_json::Value,
    ) -> impl Future<Output = ApiResult<serde_json::Value>> + Send {
        async { Ok(shown) }
    }

    /// What `GET item` answers as JSON: the stored body, unless a query asks for a part of it.
    fn view(
        stored: serde_json::Value,
        _query: &BTreeMap<String, String>,
    ) -> ApiResult<serde_json::Value> {
        Ok(stored)
    }
}

/// Rejects query parameters outside `known`, naming them.
fn check_query(query: &BTreeMap<String, String>, known: &[&str]) -> ApiResult<()> {
    match query.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(unknown) => {
            let known = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            Err(Violation::new(
                unknown.as_str(),
                format!("is not a parameter here (known: {known})"),
            )
            .into())
        }
    }
}

/// The names in the URL, in order.
type UrlNames = Path<Vec<(String, String)>>;

fn names(Path(params): UrlNames) -> Vec<String> {
    params.into_iter().map(|(_, v)| v).collect()
}

/// The key of `kind` from the URL names, or a 400 naming the bad segment.
pub fn url_key(kind: &'static Kind, names: &[String]) -> ApiResult<Key> {
    Key::parse(kind, names).map_err(|e| ApiError::invalid(Violation::new("url", e)))
}

fn body_key<R: Resource>(url_names: &[String], body: &R::Body) -> ApiResult<Key> {
    let mut all = url_names.to_vec();
    all.extend(R::own_names(body));
    url_key(R::KIND, &all)
}

/// Reads and checks the body of a create or replace: JSON, or multipart with its files.
async fn read_body<R: Resource>(
    api: &Api,
    request: Request,
) -> ApiResult<(R::Body, Vec<(String, Bytes)>)> {
    let Some(upload) = R::UPLOAD else {
        let bytes = read_bounded(request.into_body(), api.limits.json_bytes).await?;
        return Ok((parse_json(&bytes, "body")?, Vec::new()));
    };
    let parts = Parts::read(request, api.limits.upload_bytes).await?;
    let metadata = parts
        .one("metadata")
        .ok_or_else(|| Violation::new("metadata", "the multipart `metadata` part is required"))?;
    let body: R::Body = parse_json(metadata, "metadata")?;
    let files = parts.all(upload.part);
    if files.is_empty() && R::requires_file(&body) {
        return Err(Violation::new(
            upload.part,
            format!("the multipart `{}` part is required", upload.part),
        )
        .into());
    }
    if files.len() > 1 && !upload.many {
        return Err(Violation::new(
            upload.part,
            format!("only one `{}` part is allowed", upload.part),
        )
        .into());
    }
    let mut blobs = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        (upload.check)(file).map_err(|v| Violation::new(upload.part, v.rule))?;
        let name = if upload.many {
            format!("{}/{i}", upload.blob)
        } else {
            upload.blob.to_owned()
        };
        blobs.push((name, file.clone()));
    }
    Ok((body, blobs))
}

fn put_of<R: Resource>(
    key: &Key,
    body: &R::Body,
    blobs: Vec<(String, Bytes)>,
) -> ApiResult<(Put, Vec<(String, Key)>)> {
    let refs = R::refs(body, key)?;
    let data = serde_json::to_value(body)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let mut put = Put::new(key.clone(), data)
        .refs(refs.iter().map(|(_, k)| k.clone()))
        .claims(R::claims(body, key));
    put.blobs = blobs;
    Ok((put, refs))
}

/// Maps a missing reference to 404 naming the field that references it.
fn store_error(e: store::Error, refs: &[(String, Key)], noun: &str) -> ApiError {
    match &e {
        store::Error::ReferenceMissing { target, .. } => {
            let field = refs
                .iter()
                .find(|(_, k)| k == target)
                .map_or("body", |(f, _)| f.as_str());
            let mut err =
                ApiError::invalid(Violation::new(field, format!("{target} does not exist")));
            err.status = StatusCode::NOT_FOUND;
            err
        }
        store::Error::ClaimTaken { holder, .. } => ApiError::new(
            StatusCode::CONFLICT,
            format!("this {noun} conflicts with {holder}: {e}"),
        ),
        _ => e.into(),
    }
}

/// Reads, checks and writes a create or replace: the key is `collection` plus the body's own names, and
/// must equal `url` when given (a `PUT` names the object in its URL).
async fn put<R: Resource>(
    api: &Api,
    collection: &[String],
    url: Option<&[String]>,
    request: Request,
    write: fn(Put) -> Write,
) -> ApiResult<(Outcome, serde_json::Value)> {
    let (body, blobs) = read_body::<R>(api, request).await?;
    let key = body_key::<R>(collection, &body)?;
    if url.is_some_and(|url| {
        key.names()
            .iter()
            .map(|n| n.as_str())
            .ne(url.iter().map(String::as_str))
    }) {
        return Err(Violation::new("metadata.name", "must match the name in the URL").into());
    }
    let (put, refs) = put_of::<R>(&key, &body, blobs)?;
    R::admit(api, &key, &body).await?;
    let data = put.data.clone();
    let staged = match R::announcement(&key, change_of(api, &key, url.is_none()).await?) {
        Some(event) => Some(
            announce::stage(api.ctx.as_ref(), event, &key, Expect::Present(data.clone())).await?,
        ),
        None => None,
    };
    let written = api.store.write(vec![write(put)]).await;
    settle(api, staged, written.is_ok()).await;
    let outcome = written.map_err(|e| store_error(e, &refs, R::NOUN))?;
    let change = if outcome[0] == Outcome::Created {
        Change::Created
    } else {
        Change::Replaced
    };
    R::written(api, &key, change).await;
    Ok((outcome[0], data))
}

/// Whether a write of `key` creates or replaces it: a `POST` creates; a `PUT` replaces what exists.
async fn change_of(api: &Api, key: &Key, create: bool) -> ApiResult<Change> {
    if create || api.store.get(key).await?.is_none() {
        Ok(Change::Created)
    } else {
        Ok(Change::Replaced)
    }
}

/// Publishes or drops a staged announcement once its write is done. A failure here is logged: the pending
/// event is settled by [`announce::recover`] at the next start.
async fn settle(api: &Api, staged: Option<announce::Staged>, happened: bool) {
    let Some(staged) = staged else {
        return;
    };
    let settled = if happened {
        announce::promote(api.ctx.as_ref(), staged).await
    } else {
        announce::abandon(api.ctx.as_ref(), staged).await
    };
    if let Err(e) = settled {
        tracing::warn!(error = %e, "a pending event is left for the next start to settle");
    }
}

/// `POST collection`: 201 with the stored body.
pub async fn create<R: Resource>(
    State(api): State<Api>,
    url: UrlNames,
    request: Request,
) -> ApiResult<Response> {
    let (_, data) = put::<R>(&api, &names(url), None, request, Write::Create).await?;
    Ok((StatusCode::CREATED, Json(data)).into_response())
}

/// `PUT item`: 200 when it replaced, 201 when it created.
pub async fn replace<R: Resource>(
    State(api): State<Api>,
    url: UrlNames,
    request: Request,
) -> ApiResult<Response> {
    let names = names(url);
    let collection = &names[..names.len() - R::OWN_NAMES];
    let (outcome, data) = put::<R>(&api, collection, Some(&names), request, Write::Replace).await?;
    let status = if outcome == Outcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(data)).into_response())
}

/// `GET item`: the stored body, or its file as the `Accept` header asks.
pub async fn get_one<R: Resource>(
    State(api): State<Api>,
    url: UrlNames,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    check_query(&query, R::ITEM_QUERY)?;
    let key = url_key(R::KIND, &names(url))?;
    let record = load(&api, &key, R::NOUN).await?;
    match R::UPLOAD {
        Some(upload) => negotiate::respond(&api, &record, upload, &headers).await,
        None => {
            let shown = R::shown(&api, &key, R::view(record.data, &query)?).await?;
            Ok(Json(shown).into_response())
        }
    }
}

/// Reads one object or answers 404.
pub async fn load(api: &Api, key: &Key, noun: &str) -> ApiResult<Record> {
    api.store.get(key).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "{noun} {:?} does not exist ({key})",
            key.name().as_str()
        ))
    })
}

/// `DELETE item`: 204.
pub async fn delete<R: Resource>(State(api): State<Api>, url: UrlNames) -> ApiResult<StatusCode> {
    let key = url_key(R::KIND, &names(url))?;
    R::deleting(&api, &key).await?;
    let staged = match R::announcement(&key, Change::Deleted) {
        Some(event) => Some(announce::stage(api.ctx.as_ref(), event, &key, Expect::Absent).await?),
        None => None,
    };
    let written = api.store.write(vec![Write::Delete(key.clone())]).await;
    settle(&api, staged, written.is_ok()).await;
    written?;
    R::written(&api, &key, Change::Deleted).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET collection`: the bodies in name order, `?limit=` at a time, with `X-Continue` for the next page.
pub async fn list<R: Resource>(
    State(api): State<Api>,
    url: UrlNames,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let names = names(url);
    let records = list_records::<R>(&api, &names, &query).await?;
    let mut headers = HeaderMap::new();
    if let Some(next) = records.next {
        headers.insert(
            CONTINUE_HEADER,
            HeaderValue::from_str(&next).expect("base64 is a valid header"),
        );
    }
    let items: Vec<serde_json::Value> = records.items.into_iter().map(|(r, _)| r.data).collect();
    Ok((headers, Json(items)).into_response())
}

/// A filtered page of records, each with its parsed body.
pub struct Listed<B> {
    /// The records that pass the filters.
    pub items: Vec<(Record, B)>,
    /// The encoded continue token.
    pub next: Option<String>,
}

/// Lists the records of `R` under the URL's names, applying `limit`, `continue` and `R`'s filters.
pub async fn list_records<R: Resource>(
    api: &Api,
    names: &[String],
    query: &BTreeMap<String, String>,
) -> ApiResult<Listed<R::Body>> {
    let known: Vec<&str> = ["limit", "continue"]
        .iter()
        .chain(R::FILTERS)
        .copied()
        .collect();
    check_query(query, &known)?;
    let page = page_request(query)?;
    let parent = match R::KIND.parent {
        Some(kind) => {
            let key = url_key(kind, &names[..kind.segments.len()])?;
            load(api, &key, kind.name).await?;
            Some(key)
        }
        None => None,
    };
    let listed = api.store.list(R::KIND, parent.as_ref(), page).await?;
    let mut items = Vec::with_capacity(listed.items.len());
    for record in listed.items {
        // URL names beyond the parent's (a controller intent's controller) narrow the listing.
        if !record
            .key
            .names()
            .iter()
            .zip(names)
            .all(|(a, b)| a.as_str() == b)
        {
            continue;
        }
        let body: R::Body = serde_json::from_value(record.data.clone()).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("stored {} is unreadable: {e}", record.key),
            )
        })?;
        if R::matches(&body, query) {
            items.push((record, body));
        }
    }
    Ok(Listed {
        items,
        next: listed.next.map(|n| URL_SAFE_NO_PAD.encode(n)),
    })
}

fn page_request(query: &BTreeMap<String, String>) -> ApiResult<PageRequest> {
    let limit = match query.get("limit") {
        None => None,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
            _ => {
                return Err(Violation::new(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                )
                .into());
            }
        },
    };
    let after =
        match query.get("continue") {
            None => None,
            Some(token) => {
                let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| {
                    Violation::new("continue", "is not a token this listing returned")
                })?;
                Some(String::from_utf8(bytes).map_err(|_| {
                    Violation::new("continue", "is not a token this listing returned")
                })?)
            }
        };
    Ok(PageRequest { after, limit })
}
