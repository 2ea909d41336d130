//! Helm's layer over the template engine: its own functions (`include`, `tpl`, `toYaml`, ...), the objects
//! templates see (`.Release`, `.Chart`, `.Capabilities`, `.Files`, `.Template`), and the YAML form Helm
//! writes.
//!
//! - [`yaml`]: `toYaml`/`fromYaml` with Helm's output layout.

pub mod yaml;
