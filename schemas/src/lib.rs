//! canopy's wire contracts, with no IO: what crosses a process boundary and must mean the same on both
//! sides. [`proto`] holds the gRPC services that the engine uses to call placement and action controllers
//! and rsync (compiled from `proto/` with protox). [`name`] holds object names checked with EMCO's rule, as
//! typed newtypes, and [`ids`] the AppContext ids, revisions, event ids and timestamps. [`state`] holds the
//! DIG lifecycle states. [`subject`] builds NATS subjects, escaping every name so that no name can split or
//! widen a subject. [`event`] is the MessagePack envelope every lifecycle event travels in.
//! [`controller`] holds the controller contract as domain types, converted to and from the protos.
//! [`rest`] holds the bodies of EMCO's v2 REST API with their validation rules.

pub mod controller;
pub mod event;
pub mod ids;
pub mod name;
pub mod proto;
pub mod rest;
pub mod state;
pub mod subject;

pub use event::Event;
pub use ids::{ContextId, EventId, Revision, Timestamp};
pub use name::{ClusterRef, Name};
pub use state::DigState;
pub use subject::Subject;
