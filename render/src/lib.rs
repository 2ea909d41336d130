//! canopy's Helm chart renderer: it turns a chart (a `.tgz` or a directory), layered values and a release
//! into Kubernetes resources, without a `helm` binary. It is a library with no IO beyond reading the chart.
//!
//! - [`chart`]: loading a chart from a directory or a `.tgz`: metadata, values, templates, CRDs, files,
//!   `.helmignore` and subcharts;
//! - [`manifest`]: rendered text to Helm's output: CRDs, hooks by event and weight, and resources in Helm's
//!   install order;
//! - [`schema`]: `values.schema.json` validation, with every violation named by its value path;
//! - [`sprig`]: the parts of the Sprig library that stand alone (semver constraints, Go time layouts);
//! - [`values`]: Helm's value layering (chart `values.yaml`, then profile values, then `--set` overrides),
//!   with Helm's number semantics and its `--set` syntax.
//!
//! Work in progress (issue 4): the Go `text/template` engine, Sprig and Helm's functions, chart loading and
//! the ordering of the output into CRDs, hooks and resources are being built; nothing renders a chart yet.

pub mod chart;
pub mod manifest;
pub mod schema;
pub mod sprig;
pub mod values;
