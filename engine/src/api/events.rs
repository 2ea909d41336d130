//! `GET /v2/events`: the engine's events as Server-Sent Events, read from the same bus the outbox relay
//! publishes to (the in-process bus in the embedded mode, JetStream with `--nats`).
//!
//! - [`query`]: the parameters (`subject`, `dig`, `cluster`, `since`, `from_seq`, `follow`) and the
//!   `Last-Event-ID` header, checked;
//! - [`stream`]: one subscriber's reader, bounded buffer, cutoff and SSE encoding.
//!
//! With `dig`, the filter starts out knowing every AppContext the DIG's lifecycle record names, so a
//! subscription that starts mid-deploy passes the app and resource events of the revision in flight.

pub mod query;
pub mod stream;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use canopy_schemas::event::Filter;
use canopy_schemas::event::filter::DigRef;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ContentBuilder, Required, ResponseBuilder};

use super::lifecycle::Params;
use super::routes::{Routes, error_doc};
use super::{Api, ApiError, ApiResult};
use crate::events::feed::{self, Feed};
use crate::lifecycle::{DigId, Target};
use crate::store::{Key, key};

/// The route, under `/v2`.
pub const PATH: &str = "/events";

/// How subscriptions behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How often an idle subscription gets an SSE comment.
    pub heartbeat: Duration,
    /// How many deliveries wait for a client before it is cut off.
    pub buffer: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(15),
            buffer: 1024,
        }
    }
}

/// Where subscriptions read from, and how they behave.
#[derive(Clone, Default)]
pub struct Events {
    /// The bus's feed; none when the bus cannot be read back (the route then answers 501).
    pub feed: Option<Arc<dyn Feed>>,
    /// Heartbeat and buffer.
    pub config: Config,
}

/// Registers `GET /v2/events`.
pub fn register(routes: Routes) -> Routes {
    routes.route(PATH, get(subscribe), vec![(HttpMethod::Get, doc())])
}

async fn subscribe(
    State(api): State<Api>,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let last_event_id = headers.get(query::LAST_EVENT_ID);
    let q = query::parse(&params.0, last_event_id, canopy_schemas::Timestamp::now())?;
    let feed = api.events.feed.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "this engine's event bus cannot be read back, so there is nothing to subscribe to",
        )
    })?;
    let mut filter = Filter::all();
    for pattern in &q.subjects {
        filter = filter.subject(pattern.clone());
    }
    if let Some(cluster) = q.cluster {
        filter = filter.cluster(cluster);
    }
    if let Some(dig) = q.dig {
        filter = seed(&api, &dig, filter.dig(dig.clone())).await?;
    }
    let request = feed::Request {
        start: q.start,
        subjects: q.subjects,
        follow: q.follow,
    };
    let subscription = feed.open(request).await.map_err(|e| {
        let message = crate::lifecycle::saga::chain(&e);
        tracing::error!(error = %message, "opening an event subscription failed");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
    })?;
    Ok(stream::respond(subscription, filter, api.events.config).into_response())
}

/// Checks that `dig` exists (404 otherwise) and teaches `filter` every AppContext its record names.
async fn seed(api: &Api, dig: &DigRef, mut filter: Filter) -> ApiResult<Filter> {
    let names = [
        dig.project.as_str(),
        dig.composite_app.as_str(),
        dig.version.as_str(),
        dig.dig.as_str(),
    ];
    let key = Key::parse(&key::DIG, &names).map_err(|e| ApiError::not_found(e.to_string()))?;
    if api.store.get(&key).await?.is_none() {
        return Err(ApiError::not_found(format!(
            "deployment intent group {dig} does not exist ({key})"
        )));
    }
    let target = Target::Dig(DigId {
        project: dig.project.clone(),
        composite_app: dig.composite_app.clone(),
        version: dig.version.clone(),
        dig: dig.dig.clone(),
    });
    let record = api.lifecycle.record(&target).await?;
    let work = record.work.iter().flat_map(|w| [Some(w.context), w.from]);
    let contexts = record
        .revisions
        .iter()
        .chain(&record.current)
        .map(|r| Some(r.context))
        .chain([record.deployed, record.status_context])
        .chain(work)
        .flatten();
    for ctx in contexts {
        filter.know_context(ctx);
    }
    Ok(filter)
}

fn doc() -> OperationBuilder {
    let param = |name: &str, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(description))
            .build()
    };
    let sse = ResponseBuilder::new()
        .description(
            "A stream of Server-Sent Events. Each event has `id:` its sequence and `data:` the Delivery \
             `{sequence, subject, event}` as one line of JSON, with no `event:` field. Comment lines \
             keep an idle stream open. A client that falls behind its buffer, or whose feed fails, gets \
             a final `event: cutoff` with `data: {\"reason\": ..., \"last_sequence\": N}` and the stream \
             ends; reconnect with `Last-Event-ID: N`.",
        )
        .content("text/event-stream", ContentBuilder::new().build())
        .build();
    OperationBuilder::new()
        .tag("events")
        .summary(Some("Subscribe to events (Server-Sent Events)"))
        .description(Some(
            "Streams the engine's lifecycle, app, resource, cluster and controller events. Without a \
             start, only new events. The `Last-Event-ID` header resumes after that sequence and wins \
             over `since` and `from_seq`.",
        ))
        .parameter(param(
            "subject",
            "NATS subject pattern (`*` one token, `>` the rest); repeat or separate with commas",
        ))
        .parameter(param(
            "dig",
            "project/compositeApp/version/dig: the DIG's events and those of its AppContexts",
        ))
        .parameter(param(
            "cluster",
            "provider/cluster: the cluster's events and the app and resource events on it",
        ))
        .parameter(param(
            "since",
            "Start at events stored since a duration ago (10m, 2h, 7d) or an RFC 3339 time",
        ))
        .parameter(param(
            "from_seq",
            "Start at this sequence (at least 1); not with since",
        ))
        .parameter(param(
            "follow",
            "true (default): go on with new events; false: end after the events stored now",
        ))
        .parameter(
            ParameterBuilder::new()
                .name("Last-Event-ID")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("Resume after this sequence"))
                .build(),
        )
        .response("200", sse)
        .response("400", error_doc("A bad parameter; `field` names it and `rule` says why"))
        .response("404", error_doc("The DIG named by `dig` does not exist"))
        .response("501", error_doc("The event bus cannot be read back"))
        .response("503", error_doc("The event bus cannot be reached"))
}
