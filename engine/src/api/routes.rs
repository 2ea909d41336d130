//! Builds the router and the OpenAPI document from one list of registrations: every route that is served is
//! described, by construction. [`Routes::described`] lists `(method, path)` pairs for the test that checks
//! the document against real requests.

use std::collections::BTreeSet;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr,
    Required, ResponseBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

use super::error::ErrorBody;
use super::resource::{self, Resource};
use super::{Api, resources};

/// The router and its document, built together.
pub struct Routes {
    router: Router<Api>,
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
    described: BTreeSet<(String, String)>,
}

/// Which operations a route serves.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    /// `POST collection`.
    Create,
    /// `GET collection`.
    List,
    /// `GET item`.
    Get,
    /// `PUT item`.
    Replace,
    /// `DELETE item`.
    Delete,
}

impl Routes {
    fn new() -> Self {
        let mut schemas = vec![(ErrorBody::name().into_owned(), ErrorBody::schema())];
        ErrorBody::schemas(&mut schemas);
        Self {
            router: Router::new(),
            paths: Paths::new(),
            schemas,
            described: BTreeSet::new(),
        }
    }

    /// Serves the five generic operations of `R` (four when it has no `PUT`).
    pub fn resource<R: Resource>(self, collection: &str, item: &str) -> Self {
        self.resource_listed_by::<R>(collection, item, axum::routing::get(resource::list::<R>))
    }

    /// Like [`Routes::resource`], with `list` answering `GET collection` (for lists with special filters).
    pub fn resource_listed_by<R: Resource>(
        mut self,
        collection: &str,
        item: &str,
        list: MethodRouter<Api>,
    ) -> Self {
        let mut schemas = vec![(R::Body::name().into_owned(), R::Body::schema())];
        R::Body::schemas(&mut schemas);
        self.schemas.extend(schemas);
        self = self.route(
            collection,
            list.post(resource::create::<R>),
            vec![
                (HttpMethod::Post, op_doc::<R>(Op::Create, collection)),
                (HttpMethod::Get, op_doc::<R>(Op::List, collection)),
            ],
        );
        let mut item_router = get(resource::get_one::<R>).delete(resource::delete::<R>);
        let mut docs = vec![
            (HttpMethod::Get, op_doc::<R>(Op::Get, item)),
            (HttpMethod::Delete, op_doc::<R>(Op::Delete, item)),
        ];
        if R::REPLACEABLE {
            item_router = item_router.put(resource::replace::<R>);
            docs.push((HttpMethod::Put, op_doc::<R>(Op::Replace, item)));
        }
        self.route(item, item_router, docs)
    }

    /// Serves `handler` at `path` (under `/v2`) with the given documented operations.
    pub fn route(
        mut self,
        path: &str,
        handler: MethodRouter<Api>,
        docs: Vec<(HttpMethod, OperationBuilder)>,
    ) -> Self {
        self.router = self.router.route(path, handler);
        for (method, op) in docs {
            let with_params = path_params(path).fold(op, |op, name| {
                op.parameter(
                    ParameterBuilder::new()
                        .name(name)
                        .parameter_in(ParameterIn::Path)
                        .required(Required::True)
                        .schema(Some(string())),
                )
            });
            let full = format!("/v2{path}");
            self.described
                .insert((method_name(&method).to_owned(), full.clone()));
            self.paths
                .add_path_operation(full, vec![method], with_params.build());
        }
        self
    }

    /// Every `(METHOD, /v2/path)` the document describes.
    pub fn described(&self) -> &BTreeSet<(String, String)> {
        &self.described
    }

    fn document(&self) -> OpenApi {
        OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("canopy")
                    .version(env!("CARGO_PKG_VERSION"))
                    .description(Some("EMCO v2 compatible API of canopy, a multi-cluster application orchestrator."))
                    .build(),
            )
            .paths(self.paths.clone())
            .components(Some(ComponentsBuilder::new().schemas_from_iter(self.schemas.clone()).build()))
            .build()
    }
}

fn method_name(m: &HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Head => "HEAD",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Trace => "TRACE",
    }
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn string() -> Schema {
    ObjectBuilder::new().schema_type(Type::String).into()
}

fn schema_ref<R: Resource>() -> Ref {
    Ref::from_schema_name(R::Body::name())
}

/// A documented response whose body is the JSON error (or, for 2xx, a JSON body described in words).
pub(crate) fn error_doc(description: &str) -> RefOr<utoipa::openapi::Response> {
    error(description)
}

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(ErrorBody::name())))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build()
        .into()
}

fn json(description: &str, schema: impl Into<RefOr<Schema>>) -> RefOr<utoipa::openapi::Response> {
    let content = ContentBuilder::new().schema(Some(schema)).build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build()
        .into()
}

/// The request body of a create or replace: JSON, or multipart with `metadata` and the file part(s).
fn request_body<R: Resource>() -> utoipa::openapi::request_body::RequestBody {
    let builder = RequestBodyBuilder::new().required(Some(Required::True));
    match R::UPLOAD {
        None => builder.content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(schema_ref::<R>()))
                .build(),
        ),
        Some(upload) => {
            let binary = ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary),
            ));
            let file: RefOr<Schema> = if upload.many {
                ArrayBuilder::new().items(binary).into()
            } else {
                Schema::from(binary.build()).into()
            };
            let form = ObjectBuilder::new()
                .property("metadata", schema_ref::<R>())
                .required("metadata")
                .property(upload.part, file);
            builder.content(
                "multipart/form-data",
                ContentBuilder::new().schema(Some(form)).build(),
            )
        }
    }
    .build()
}

fn op_doc<R: Resource>(op: Op, path: &str) -> OperationBuilder {
    let noun = R::NOUN;
    let tag = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let base = OperationBuilder::new().tag(tag);
    match op {
        Op::Create => base
            .summary(Some(format!("Create a {noun}")))
            .request_body(Some(request_body::<R>()))
            .response("201", json("Created; the stored body", schema_ref::<R>()))
            .response(
                "400",
                error("The body breaks a rule; `field` and `rule` say which"),
            )
            .response(
                "404",
                error("The parent or a referenced object does not exist"),
            )
            .response(
                "409",
                error("It already exists, or a uniqueness rule is broken"),
            )
            .response(
                "413",
                error("The request is larger than the configured limit"),
            ),
        Op::List => {
            let mut op = base
                .summary(Some(format!("List {noun}s in name order")))
                .parameter(query("limit", "At most this many items (1 to 10000); the next page's token is in the X-Continue header"))
                .parameter(query("continue", "The X-Continue token of the previous page"));
            for filter in R::FILTERS {
                op = op.parameter(query(filter, "Filter"));
            }
            op.response(
                "200",
                json("The items", ArrayBuilder::new().items(schema_ref::<R>())),
            )
            .response("400", error("A bad parameter"))
            .response("404", error("The parent does not exist"))
        }
        Op::Get => {
            let base = R::ITEM_QUERY.iter().fold(base, |op, q| {
                op.parameter(query(q, "Answer only this part"))
            });
            let ok = match R::UPLOAD {
                None => json("The stored body", schema_ref::<R>()),
                Some(_) => ResponseBuilder::new()
                    .description("By Accept: the body (application/json, also when Accept is absent), the file (application/octet-stream), or both (multipart/form-data)")
                    .content("application/json", ContentBuilder::new().schema(Some(schema_ref::<R>())).build())
                    .content("application/octet-stream", ContentBuilder::new().build())
                    .content("multipart/form-data", ContentBuilder::new().build())
                    .build()
                    .into(),
            };
            base.summary(Some(format!("Read a {noun}")))
                .response("200", ok)
                .response("404", error("It does not exist"))
        }
        Op::Replace => base
            .summary(Some(format!("Replace (or create) a {noun}")))
            .request_body(Some(request_body::<R>()))
            .response("200", json("Replaced", schema_ref::<R>()))
            .response("201", json("Created", schema_ref::<R>()))
            .response(
                "400",
                error("The body breaks a rule, or its name differs from the URL's"),
            )
            .response(
                "404",
                error("The parent or a referenced object does not exist"),
            )
            .response("409", error("A uniqueness rule is broken")),
        Op::Delete => base
            .summary(Some(format!("Delete a {noun}")))
            .response("204", ResponseBuilder::new().description("Deleted").build())
            .response("404", error("It does not exist"))
            .response(
                "409",
                error("It still has children or is still referenced; the message names one"),
            ),
    }
}

fn query(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(string()))
        .build()
}

/// Every registration.
pub fn registrations() -> Routes {
    super::events::register(super::lifecycle::register(resources::register(
        Routes::new(),
    )))
}

/// The OpenAPI document of every route.
pub fn openapi() -> OpenApi {
    registrations().document()
}

/// The whole HTTP application: `/v2/...` plus `/v2/openapi.json`.
pub fn app(api: Api) -> Router {
    let routes = registrations();
    // Encoded once. The router clones its handlers for every request it serves, so a handler holding the
    // document itself would copy the whole document (hundreds of kilobytes) for every request to any route.
    let document = bytes::Bytes::from(
        serde_json::to_vec(&routes.document()).expect("the OpenAPI document encodes"),
    );
    let v2 = routes.router.route(
        "/openapi.json",
        get(move || {
            let document = document.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    document,
                )
            }
        }),
    );
    Router::new()
        .nest("/v2", v2)
        // Bodies are read with the limits in `Api::limits`, which answer 413 in canopy's JSON form.
        .layer(DefaultBodyLimit::disable())
        .with_state(api)
}
