//! The Sprig function library, as Helm charts use it.
//!
//! - [`semver`]: versions and constraints (`semver`, `semverCompare`);
//! - [`time`]: instants formatted by Go reference layouts (`date`, `htmlDate`, `now`).
//!
//! [`funcs`] registers the functions implemented so far.

pub mod semver;
pub mod time;

use crate::template::{CallContext, Funcs, Value};

/// The Sprig functions implemented so far.
pub fn funcs() -> Funcs {
    let mut funcs = Funcs::new();
    funcs.insert(
        "semverCompare",
        |_: &mut CallContext<'_>, args: &[Value]| match args {
            [Value::String(c), Value::String(v)] => semver::compare(c, v)
                .map(Value::Bool)
                .map_err(|e| e.to_string()),
            _ => Err("semverCompare takes a constraint and a version".into()),
        },
    );
    funcs
}
