//! The four commands as a closed set: which request each sends for a document, and in which order the
//! documents go.
//!
//! - `apply` POSTs each document to its anchor; an action (only an anchor) is POSTed without a body.
//! - `update` PUTs to the resource's path ([`Document::resource_path`]).
//! - `delete` sends DELETE to the same path, in reverse file order.
//! - `get` GETs the same path and prints the answer.
//!
//! `update` and `delete` skip actions and lifecycle operations; `get` skips lifecycle operations.

use std::fmt;

use reqwest::Method;

use super::client::{Body, Request};
use super::document::{self, Attachments, Document};

/// One of the client commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Create: POST to the anchor.
    Apply,
    /// Replace: PUT to the resource.
    Update,
    /// Delete: DELETE the resource, last document first.
    Delete,
    /// Read: GET the resource.
    Get,
}

/// What a command does with one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this request.
    Send(Request),
    /// Leave the document alone, for the reason given.
    Skip(&'static str),
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Apply => "apply",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Get => "get",
        })
    }
}

impl Verb {
    /// The documents in the order this command handles them: file order, reversed for `delete` so that
    /// children go before their parents.
    pub fn order<T>(self, mut documents: Vec<T>) -> Vec<T> {
        if self == Self::Delete {
            documents.reverse();
        }
        documents
    }

    /// The request this command sends for `doc`, or why it skips it.
    pub fn plan(self, doc: &Document) -> document::Result<Step> {
        let skip_for_update = doc.is_action() || doc.is_lifecycle_operation();
        let (method, path, body) = match self {
            Self::Apply if doc.is_action() => (Method::POST, doc.anchor.clone(), Body::Empty),
            Self::Apply => (Method::POST, doc.anchor.clone(), body(doc)),
            Self::Update | Self::Delete if skip_for_update => {
                return Ok(Step::Skip("an action, only apply sends it"));
            }
            Self::Get if doc.is_lifecycle_operation() => {
                return Ok(Step::Skip("a lifecycle operation, there is nothing to get"));
            }
            Self::Update => (Method::PUT, doc.resource_path()?, body(doc)),
            Self::Delete => (Method::DELETE, doc.resource_path()?, Body::Empty),
            Self::Get => (Method::GET, doc.resource_path()?, Body::Empty),
        };
        Ok(Step::Send(Request { method, path, body }))
    }
}

/// The body of a document that is not an action: JSON, or multipart when it attaches files.
fn body(doc: &Document) -> Body {
    match &doc.attachments {
        Attachments::None => Body::Json(doc.body()),
        attachments => Body::Multipart {
            metadata: doc.body(),
            attachments: attachments.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn doc(yaml: &str) -> Document {
        document::parse(yaml, Path::new("/")).remove(0).unwrap()
    }

    fn send(verb: Verb, yaml: &str) -> Request {
        match verb.plan(&doc(yaml)).unwrap() {
            Step::Send(request) => request,
            Step::Skip(why) => panic!("skipped: {why}"),
        }
    }

    const APP: &str = concat!(
        "resourceContext: {anchor: projects/p/composite-apps/c/v1/apps}\nmetadata: {name: web}\nfile: ",
        env!("CARGO_MANIFEST_DIR"),
        "/Cargo.toml\n"
    );
    const CAPP: &str = "resourceContext: {anchor: projects/p/composite-apps}\nmetadata: {name: c}\nspec: {compositeAppVersion: v1}\n";
    const LABEL: &str =
        "resourceContext: {anchor: cluster-providers/p/clusters/c1/labels}\nclusterLabel: edge\n";
    const INSTANTIATE: &str = "resourceContext: {anchor: projects/p/composite-apps/c/v1/deployment-intent-groups/d/instantiate}\n";

    #[test]
    fn apply_posts_to_the_anchor_with_the_body() {
        let request = send(Verb::Apply, CAPP);
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.path, "projects/p/composite-apps");
        assert_eq!(
            request.body,
            Body::Json(json!({"metadata": {"name": "c"}, "spec": {"compositeAppVersion": "v1"}}))
        );
    }

    #[test]
    fn apply_posts_an_action_without_a_body() {
        let request = send(Verb::Apply, INSTANTIATE);
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.body, Body::Empty);
    }

    #[test]
    fn a_document_with_a_file_is_multipart() {
        let request = send(Verb::Update, APP);
        assert_eq!(request.method, Method::PUT);
        assert_eq!(request.path, "projects/p/composite-apps/c/v1/apps/web");
        assert!(matches!(
            request.body,
            Body::Multipart {
                attachments: Attachments::File(_),
                ..
            }
        ));
    }

    #[test]
    fn update_and_delete_address_composite_apps_by_name_and_version() {
        assert_eq!(
            send(Verb::Update, CAPP).path,
            "projects/p/composite-apps/c/v1"
        );
        let request = send(Verb::Delete, CAPP);
        assert_eq!(request.method, Method::DELETE);
        assert_eq!(request.path, "projects/p/composite-apps/c/v1");
        assert_eq!(request.body, Body::Empty);
    }

    #[test]
    fn update_and_delete_address_labels_by_label() {
        assert_eq!(
            send(Verb::Update, LABEL).path,
            "cluster-providers/p/clusters/c1/labels/edge"
        );
        assert_eq!(
            send(Verb::Delete, LABEL).path,
            "cluster-providers/p/clusters/c1/labels/edge"
        );
        assert_eq!(
            send(Verb::Update, LABEL).body,
            Body::Json(json!({"clusterLabel": "edge"}))
        );
    }

    #[test]
    fn update_delete_and_get_skip_actions() {
        for verb in [Verb::Update, Verb::Delete, Verb::Get] {
            assert!(
                matches!(verb.plan(&doc(INSTANTIATE)).unwrap(), Step::Skip(_)),
                "{verb}"
            );
        }
        let rollback = "resourceContext: {anchor: projects/p/composite-apps/c/v1/deployment-intent-groups/d/rollback}\nspec: {revision: '1'}\n";
        assert!(matches!(
            Verb::Update.plan(&doc(rollback)).unwrap(),
            Step::Skip(_)
        ));
        assert_eq!(
            send(Verb::Apply, rollback).body,
            Body::Json(json!({"spec": {"revision": "1"}}))
        );
    }

    #[test]
    fn get_reads_a_nameless_anchor_itself() {
        let status = "resourceContext: {anchor: projects/p/composite-apps/c/v1/deployment-intent-groups/d/status}\n";
        let request = send(Verb::Get, status);
        assert_eq!(request.method, Method::GET);
        assert_eq!(
            request.path,
            "projects/p/composite-apps/c/v1/deployment-intent-groups/d/status"
        );
    }

    #[test]
    fn delete_runs_in_reverse_file_order() {
        assert_eq!(Verb::Delete.order(vec![1, 2, 3]), [3, 2, 1]);
        for verb in [Verb::Apply, Verb::Update, Verb::Get] {
            assert_eq!(verb.order(vec![1, 2, 3]), [1, 2, 3]);
        }
    }

    #[test]
    fn a_composite_app_without_a_version_cannot_be_updated() {
        let no_version =
            "resourceContext: {anchor: projects/p/composite-apps}\nmetadata: {name: c}\n";
        assert!(matches!(
            Verb::Update.plan(&doc(no_version)),
            Err(document::Error::NoCompositeAppVersion { index: 1 })
        ));
    }
}
