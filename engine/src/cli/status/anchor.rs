//! The DIG a status command is about, written as its REST anchor:
//! `projects/<p>/composite-apps/<ca>/<version>/deployment-intent-groups/<dig>`, with or without a leading
//! `/` or `/v2/` (and a trailing `/`), as emcoctl files and the API documentation write it.

use canopy_schemas::event::filter::DigRef;

/// The anchor's shape, for error messages.
pub const SHAPE: &str =
    "projects/<project>/composite-apps/<compositeApp>/<version>/deployment-intent-groups/<dig>";

/// The anchor is not a DIG's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("anchor {text:?}: {rule}")]
pub struct Error {
    /// The argument.
    pub text: String,
    /// The rule it breaks.
    pub rule: String,
}

/// Parses a DIG anchor.
pub fn parse(text: &str) -> Result<DigRef, Error> {
    let fail = |rule: String| Error {
        text: text.to_owned(),
        rule,
    };
    let path = text.trim_start_matches('/');
    let path = path.strip_prefix("v2/").unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let [
        "projects",
        p,
        "composite-apps",
        ca,
        v,
        "deployment-intent-groups",
        dig,
    ] = parts[..]
    else {
        return Err(fail(format!("must be {SHAPE}")));
    };
    [p, ca, v, dig]
        .join("/")
        .parse()
        .map_err(|e: canopy_schemas::event::filter::FilterError| fail(e.to_string()))
}

/// The path of the DIG's status route, after `/v2/`.
pub fn status_path(dig: &DigRef) -> String {
    format!(
        "projects/{}/composite-apps/{}/{}/deployment-intent-groups/{}/status",
        dig.project, dig.composite_app, dig.version, dig.dig
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_may_start_with_a_slash_or_v2_and_end_with_a_slash() {
        for text in [
            "projects/p/composite-apps/ca/v1/deployment-intent-groups/d",
            "/projects/p/composite-apps/ca/v1/deployment-intent-groups/d",
            "/v2/projects/p/composite-apps/ca/v1/deployment-intent-groups/d/",
            "v2/projects/p/composite-apps/ca/v1/deployment-intent-groups/d",
        ] {
            let dig = parse(text).unwrap();
            assert_eq!(dig.to_string(), "p/ca/v1/d", "{text}");
            assert_eq!(
                status_path(&dig),
                "projects/p/composite-apps/ca/v1/deployment-intent-groups/d/status"
            );
        }
    }

    #[test]
    fn other_paths_and_bad_names_name_the_rule() {
        let e = parse("projects/p/composite-apps/ca/v1").unwrap_err();
        assert!(e.to_string().contains(SHAPE), "{e}");
        let e = parse("projects/p/composite-apps/ca/v1/deployment-intent-groups/-bad").unwrap_err();
        assert!(e.to_string().contains("dig"), "{e}");
    }
}
