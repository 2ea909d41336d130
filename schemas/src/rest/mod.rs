//! REST bodies of EMCO's v2 API, as canopy accepts and returns them, with their validation rules.
//!
//! Every body rejects unknown fields, and [`Validate::validate`] checks what serde cannot: EMCO's name
//! rule, lengths, ranges and fields that depend on each other. A failure is a [`Violation`] naming the
//! field (a dotted path such as `spec.priority`) and the rule it broke. The bodies are plain data; the
//! engine decides where they are stored and what they reference.
//!
//! - [`common`]: `metadata`, kv-pair lists, and the checks the bodies share;
//! - [`controller`]: registered controllers;
//! - [`cluster`]: cluster providers, clusters, labels, kv-pairs;
//! - [`app`]: projects, composite apps, apps, dependencies, composite and app profiles;
//! - [`dig`]: deployment intent groups, DIG intents, generic placement intents and app intents;
//! - [`logical_cloud`]: logical clouds and their cluster references, user permissions and quotas;
//! - [`action`]: controller intents and the generic action controller's intents.

pub mod action;
pub mod app;
pub mod cluster;
pub mod common;
pub mod controller;
pub mod dig;
pub mod logical_cloud;

pub use common::{Metadata, Validate, Violation};
