//! The EMCO v2 REST API at the HTTP level, against the real router and an embedded store in a temporary
//! directory. One test binary, one module per route group.

mod apps;
mod clusters;
mod controllers;
mod digs;
mod intents;
mod logical_clouds;
mod rules;
mod support;
mod validate;
