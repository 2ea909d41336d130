//! The DIG and logical-cloud lifecycle end to end through the REST API: sagas that call real gRPC controllers
//! in priority order and hand off to an rsync double, the state table with every 409, idempotency and
//! revisions, resume after a killed engine, and the events of every transition.

mod actions;
mod cloud;
mod events;
mod placement;
mod saga;
mod status;
mod support;
mod table;
