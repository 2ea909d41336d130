//! Helm's layer over the template engine: its own functions (`include`, `tpl`, `toYaml`, ...), the objects
//! templates see (`.Release`, `.Chart`, `.Capabilities`, `.Files`, `.Template`), and the YAML form Helm
//! writes.
//!
//! - [`funcs`]: Helm's functions (`include`, `tpl`, `required`, `fail`, `toYaml`, `fromYaml`, `lookup`, ...);
//! - [`objects`]: `.Files` and `.Capabilities`;
//! - [`render`](mod@render): rendering a chart tree as `helm template` does;
//! - [`toml`]: the TOML that `toToml` writes;
//! - [`yaml`]: `toYaml`/`fromYaml` with Helm's output layout.

pub mod funcs;
pub mod objects;
pub mod render;
pub mod toml;
pub mod yaml;

use crate::template::Funcs;

/// The functions a chart sees: Sprig's, with Helm's over them. `lookup` finds nothing.
pub fn default_funcs() -> Funcs {
    let mut funcs = crate::sprig::funcs();
    funcs::register(&mut funcs, None);
    funcs
}
