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

/// The functions a chart sees: Sprig's, with Helm's over them, as `helm template` has them. `lookup` finds
/// nothing; `getHostByName` returns `""` (Helm's behaviour without `--enable-dns`); `env` and `expandenv`
/// are not defined, since Helm removes them, so a chart that calls them fails to parse as it does in Helm.
pub fn default_funcs() -> Funcs {
    let mut funcs = crate::sprig::funcs();
    funcs.remove("env");
    funcs.remove("expandenv");
    funcs.insert("getHostByName", |_, args| match args {
        [_] => Ok(crate::template::Value::String(String::new())),
        _ => Err(format!(
            "wrong number of args for getHostByName: want 1 got {}",
            args.len()
        )),
    });
    funcs::register(&mut funcs, None);
    funcs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Template, Value};

    #[test]
    fn helm_resolves_no_hosts_and_has_no_env_functions() {
        let t = Template::new("t")
            .funcs(&default_funcs())
            .parse(r#"[{{ getHostByName "example.com" }}]"#)
            .unwrap();
        assert_eq!(t.execute("t", &Value::Nil).unwrap(), "[]");
        for f in ["env", "expandenv"] {
            let err = Template::new("t")
                .funcs(&default_funcs())
                .parse(&format!(r#"{{{{ {f} "HOME" }}}}"#))
                .unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!(r#"function "{f}" not defined"#)),
                "{err}"
            );
        }
    }
}
