//! canopy's Helm chart renderer: it turns a chart (a `.tgz` or a directory), layered values and a release
//! into Kubernetes resources, without a `helm` binary. It is a library with no IO beyond reading the chart.
//!
//! - [`template`]: a Go `text/template` engine (lexer, parser, executor, Go's builtins and `fmt` verbs),
//!   with a function registry that Sprig and Helm's functions plug into.
//!
//! Work in progress (issue 4): Sprig and Helm's functions, chart loading and the ordering of the output
//! into CRDs, hooks and resources are still to come; nothing renders a chart yet.

pub mod template;
