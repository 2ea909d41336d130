//! The pure scheduling steps of instantiate (docs/DESIGN.md §4): each is a function from domain inputs to
//! domain outputs, and the lifecycle saga calls them in order and records what each produced.
//!
//! - [`catalog`]: the clusters of the given providers with their labels and kv-pairs, as controllers see
//!   them, and the synthetic `canopy/placedApps` kv entry;
//! - [`resolve`]: generic placement intents to candidate clusters in groups, with EMCO's semantics;
//! - [`select`]: placement controllers' keep/drop/score decisions accumulated, then one cluster picked per
//!   group by score;
//! - [`edits`]: an action controller's edits applied to an AppContext, all or none, and the resources an
//!   action controller is shown;
//! - [`render`]: every app of a composite app rendered with its profile and override values, in
//!   dependency order ([`order`]), each profile archive read by [`profile`];
//! - [`compose`]: the rendered apps and their placements as one in-memory AppContext.
//!
//! Every module has its own `Error`, and each error says whether retrying the same call may help
//! (`is_retryable`).

pub mod catalog;
pub mod compose;
pub mod edits;
pub mod order;
pub mod profile;
pub mod render;
pub mod resolve;
pub mod select;
