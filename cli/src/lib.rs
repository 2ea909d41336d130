//! The library half of the `canopy` binary: the roles that wire several crates together in one process, so
//! that other commands and tests can start them in process.
//!
//! - [`demo`]: `canopy demo`, the embedded server with demo clusters, the bundled example applied and
//!   followed until Ready;
//! - [`serve`]: `canopy serve`, the engine, the built-in controllers and rsync in one process, with
//!   `--demo N` edgesim clusters registered under the cluster provider `demo`.

pub mod demo;
pub mod serve;
