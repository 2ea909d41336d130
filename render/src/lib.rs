//! canopy's Helm chart renderer: it turns a chart (a `.tgz` or a directory), layered values and a release
//! into Kubernetes resources, without a `helm` binary. It is a library with no IO beyond reading the chart.
//!
//! - [`chart`]: loading a chart from a directory or a `.tgz`: metadata, values, templates, CRDs, files,
//!   `.helmignore` and subcharts;
//! - [`helm`]: Helm's functions and objects over the template engine;
//! - [`manifest`]: rendered text to Helm's output: CRDs, hooks by event and weight, and resources in Helm's
//!   install order;
//! - [`schema`]: `values.schema.json` validation, with every violation named by its value path;
//! - [`sprig`]: the Sprig function library;
//! - [`template`]: a Go `text/template` engine (lexer, parser, executor, Go's builtins and `fmt` verbs),
//!   with a function registry that Sprig and Helm's functions plug into;
//! - [`values`]: Helm's value layering (chart `values.yaml`, then profile values, then `--set` overrides),
//!   with Helm's number semantics and its `--set` syntax.
//!
//! The entry points: load a chart with [`chart::Chart::from_dir`] or [`chart::Chart::from_tgz`], then call
//! [`helm::render::render`] with [`helm::render::Options`] (release, capabilities, value layers, `--set`
//! overrides, and [`helm::default_funcs`]). The result is a [`manifest::Output`]: CRDs, hooks by event and
//! weight (test hooks dropped), and the main resources in Helm's install order, each parsed and as YAML.
//!
//! Sprig functions that are not implemented are listed in [`sprig::NOT_IMPLEMENTED`]; calling one is an
//! error that names it. docs/render.md describes what is covered and how it is tested.

pub mod chart;
pub mod helm;
pub mod manifest;
mod regex_cache;
pub mod schema;
pub mod sprig;
pub mod template;
pub mod values;
