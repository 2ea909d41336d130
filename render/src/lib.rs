//! canopy's Helm chart renderer: it turns a chart (a `.tgz` or a directory), layered values and a release
//! into Kubernetes resources, without a `helm` binary. It is a library with no IO beyond reading the chart.
//!
//! Work in progress (issue 4): the Go `text/template` engine, Sprig and Helm's functions, chart loading and
//! the ordering of the output into CRDs, hooks and resources are being built; nothing renders a chart yet.

