//! What the bodies share: `metadata`, kv-pair lists, [`Violation`] and the [`Validate`] trait.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::name::{self, Name};

/// A body breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct Violation {
    /// Dotted path of the field, e.g. `spec.priority`.
    pub field: String,
    /// The rule, in words.
    pub rule: String,
}

impl Violation {
    /// A violation of `rule` by `field`.
    pub fn new(field: impl Into<String>, rule: impl fmt::Display) -> Self {
        Self {
            field: field.into(),
            rule: rule.to_string(),
        }
    }
}

/// Checks a body beyond what its types enforce.
pub trait Validate {
    /// The first rule the body breaks, if any.
    fn validate(&self) -> Result<(), Violation>;
}

/// Longest `metadata.description`, as in EMCO's JSON schema.
pub const MAX_DESCRIPTION: usize = 1024;
/// Longest `metadata.userData1` and `userData2`.
pub const MAX_USER_DATA: usize = 512;

/// `metadata` of every named object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// The name: EMCO's rule, at most 128 characters.
    #[schema(
        pattern = "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$",
        max_length = 128
    )]
    pub name: String,
    /// Free text, at most 1024 characters.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Free text, at most 512 characters.
    #[serde(
        default,
        rename = "userData1",
        skip_serializing_if = "String::is_empty"
    )]
    pub user_data1: String,
    /// Free text, at most 512 characters.
    #[serde(
        default,
        rename = "userData2",
        skip_serializing_if = "String::is_empty"
    )]
    pub user_data2: String,
}

impl Metadata {
    /// Metadata with just a name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            user_data1: String::new(),
            user_data2: String::new(),
        }
    }
}

impl Validate for Metadata {
    fn validate(&self) -> Result<(), Violation> {
        check_name("metadata.name", &self.name)?;
        check_len("metadata.description", &self.description, MAX_DESCRIPTION)?;
        check_len("metadata.userData1", &self.user_data1, MAX_USER_DATA)?;
        check_len("metadata.userData2", &self.user_data2, MAX_USER_DATA)
    }
}

/// Checks `value` against EMCO's name rule.
pub fn check_name(field: &str, value: &str) -> Result<Name, Violation> {
    Name::new(value).map_err(|e| Violation::new(field, name_rule(&e)))
}

fn name_rule(e: &name::Error) -> String {
    match e {
        name::Error::Empty => format!("is required and must match {}", name::PATTERN),
        other => other.to_string(),
    }
}

/// Checks that `value` has at most `max` characters.
pub fn check_len(field: &str, value: &str, max: usize) -> Result<(), Violation> {
    let len = value.chars().count();
    if len > max {
        Err(Violation::new(
            field,
            format!("must be at most {max} characters, not {len}"),
        ))
    } else {
        Ok(())
    }
}

/// Checks that `value` is not empty.
pub fn check_present(field: &str, value: &str) -> Result<(), Violation> {
    if value.trim().is_empty() {
        Err(Violation::new(field, "is required"))
    } else {
        Ok(())
    }
}

/// Checks a Kubernetes DNS-1123 label (namespaces): lower-case letters, digits and `-`, starting and ending
/// with a letter or digit, at most 63 characters.
pub fn check_dns_label(field: &str, value: &str) -> Result<(), Violation> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            format!(
                "{value:?} must be a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit"
            ),
        ))
    }
}

/// A kv-pair object (`{metadata, spec: {kv: [{key: value}, ...]}}`), used by clusters and logical clouds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KvPairs {
    /// Name and description.
    pub metadata: Metadata,
    /// The pairs.
    pub spec: KvSpec,
}

/// The pairs of a kv-pair object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KvSpec {
    /// A list of one-key objects, e.g. `[{"ovnaction_cni": "multus"}]`. Values may be any JSON.
    #[schema(value_type = Vec<Object>)]
    pub kv: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl KvPairs {
    /// The value of `key`, from the first entry that has it.
    pub fn value(&self, key: &str) -> Option<&serde_json::Value> {
        self.spec.kv.iter().find_map(|entry| entry.get(key))
    }
}

impl Validate for KvPairs {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        for (i, entry) in self.spec.kv.iter().enumerate() {
            if entry.is_empty() {
                return Err(Violation::new(
                    format!("spec.kv[{i}]"),
                    "must hold at least one key",
                ));
            }
            for key in entry.keys() {
                check_present(&format!("spec.kv[{i}] key"), key)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_field_that_breaks_a_rule() {
        assert_eq!(Metadata::named("ok-1").validate(), Ok(()));
        let bad = Metadata::named("-bad").validate().unwrap_err();
        assert_eq!(bad.field, "metadata.name");
        assert!(bad.rule.contains("begin and end"), "{}", bad.rule);
        let long = Metadata {
            description: "x".repeat(1025),
            ..Metadata::named("a")
        };
        assert_eq!(long.validate().unwrap_err().field, "metadata.description");
        assert_eq!(
            Metadata::named("")
                .validate()
                .unwrap_err()
                .rule
                .split(' ')
                .next(),
            Some("is")
        );
    }

    #[test]
    fn unknown_metadata_fields_are_rejected() {
        let err = serde_json::from_str::<Metadata>(r#"{"name":"a","colour":"red"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
    }

    #[test]
    fn dns_labels_follow_kubernetes() {
        for ok in ["default", "ns-1", "a"] {
            assert_eq!(check_dns_label("spec.namespace", ok), Ok(()), "{ok}");
        }
        for bad in ["", "Upper", "-a", "a-", "a.b", &"a".repeat(64)] {
            assert!(check_dns_label("spec.namespace", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kv_pairs_need_keys() {
        let kv: KvPairs =
            serde_json::from_str(r#"{"metadata":{"name":"kv"},"spec":{"kv":[{"a":1},{"b":"x"}]}}"#)
                .unwrap();
        assert_eq!(kv.validate(), Ok(()));
        assert_eq!(kv.value("a"), Some(&serde_json::json!(1)));
        let empty: KvPairs =
            serde_json::from_str(r#"{"metadata":{"name":"kv"},"spec":{"kv":[{}]}}"#).unwrap();
        assert_eq!(empty.validate().unwrap_err().field, "spec.kv[0]");
    }
}
