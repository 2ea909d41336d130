//! Decoding an intent spec into its type, naming the failing field by its path inside the spec.

use canopy_schemas::controller::Violation;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The field path of the spec as a whole.
pub(crate) const ROOT: &str = "spec";

/// Decodes `spec` as a `T`; a failure names the field it happened at.
pub(crate) fn spec<T: DeserializeOwned>(spec: &Value) -> Result<T, Violation> {
    if !spec.is_object() {
        return Err(Violation::new(ROOT, "must be a JSON object"));
    }
    serde_path_to_error::deserialize(spec).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { ROOT.to_owned() } else { path };
        Violation::new(field, e.into_inner())
    })
}

/// `v` with `prefix` put in front of its field path.
pub(crate) fn within(prefix: &str, mut v: Violation) -> Violation {
    v.field = format!("{prefix}.{}", v.field);
    v
}

#[cfg(test)]
mod tests {
    use canopy_schemas::controller::placement::Spec;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_bad_field_is_named_by_its_path() {
        let bad = json!({"labelSelector": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Near"}]});
        let v = spec::<Spec>(&bad).unwrap_err();
        assert_eq!(v.field, "labelSelector[1].operator");
        assert!(v.rule.contains("Near"), "{v}");
    }

    #[test]
    fn a_spec_that_is_not_an_object_is_refused_as_a_whole_and_an_unknown_field_by_name() {
        let v = spec::<Spec>(&json!([1])).unwrap_err();
        assert_eq!(
            (v.field.as_str(), v.rule.as_str()),
            ("spec", "must be a JSON object")
        );
        let v = spec::<Spec>(&json!({"nope": 1})).unwrap_err();
        assert_eq!(v.field, "nope");
        assert!(v.rule.contains("unknown field"), "{v}");
    }
}
