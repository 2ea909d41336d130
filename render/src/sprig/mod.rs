//! The Sprig function library, as Helm charts use it. Functions that need the template engine's values are
//! registered with the engine; the logic that stands alone lives in these modules:
//!
//! - [`semver`]: versions and constraints (`semver`, `semverCompare`);
//! - [`time`]: instants formatted by Go reference layouts (`date`, `htmlDate`, `now`).

pub mod semver;
pub mod time;
