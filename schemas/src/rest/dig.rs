//! Deployment intent groups (DIG), DIG intents, generic placement intents and app placement intents.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Metadata, Validate, Violation, check_name};

/// The key of the DIG intents map that names the generic placement intent.
pub const GENERIC_PLACEMENT_INTENT: &str = "genericPlacementIntent";

/// A deployment intent group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dig {
    /// Name and description.
    pub metadata: Metadata,
    /// What to deploy, where, with which values.
    pub spec: DigSpec,
    /// Read only: the lifecycle state (EMCO's `states`) that `GET` adds. It is accepted and ignored on
    /// create and replace, so a body read with `GET` can be sent back as it is.
    #[serde(default, skip_serializing)]
    #[schema(read_only, value_type = Option<Object>)]
    pub states: Option<serde_json::Value>,
}

/// What a DIG deploys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DigSpec {
    /// The composite profile, under the same composite app.
    pub composite_profile: String,
    /// The Helm release name.
    pub version: String,
    /// The logical cloud, under the same project.
    pub logical_cloud: String,
    /// Helm `--set` values per app.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub override_values: Vec<OverrideValues>,
}

/// Helm `--set` values for one app: `{"service.type": "NodePort"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideValues {
    /// The app.
    pub app: String,
    /// Dotted paths to string values.
    pub values: BTreeMap<String, String>,
}

impl Validate for Dig {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        let spec = &self.spec;
        check_name("spec.compositeProfile", &spec.composite_profile)?;
        check_name("spec.version", &spec.version)?;
        check_name("spec.logicalCloud", &spec.logical_cloud)?;
        for (i, o) in spec.override_values.iter().enumerate() {
            check_name(&format!("spec.overrideValues[{i}].app"), &o.app)?;
            if let Some(k) = o
                .values
                .keys()
                .find(|k| k.is_empty() || k.starts_with('.') || k.ends_with('.'))
            {
                return Err(Violation::new(
                    format!("spec.overrideValues[{i}].values"),
                    format!("{k:?} is not a dotted value path like \"service.type\""),
                ));
            }
        }
        Ok(())
    }
}

/// The DIG intents: which controllers run for the DIG, and with which of their intents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigIntent {
    /// Name and description.
    pub metadata: Metadata,
    /// The map.
    pub spec: DigIntentSpec,
}

/// Controller name to intent name; `genericPlacementIntent` names the generic placement intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigIntentSpec {
    /// The map.
    pub intent: BTreeMap<String, String>,
}

impl DigIntent {
    /// The controllers named, that is every key but `genericPlacementIntent`.
    pub fn controllers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spec
            .intent
            .iter()
            .filter(|(k, _)| *k != GENERIC_PLACEMENT_INTENT)
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl Validate for DigIntent {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        if self.spec.intent.is_empty() {
            return Err(Violation::new(
                "spec.intent",
                "must name at least one intent",
            ));
        }
        for (k, v) in &self.spec.intent {
            if k != GENERIC_PLACEMENT_INTENT {
                check_name(&format!("spec.intent key {k:?}"), k)?;
            }
            check_name(&format!("spec.intent.{k}"), v)?;
        }
        Ok(())
    }
}

/// A generic placement intent: `{metadata}`. EMCO's examples also send `spec.logicalCloud`, which EMCO
/// ignores; canopy accepts and keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementIntent {
    /// Name and description.
    pub metadata: Metadata,
    /// Ignored settings that EMCO files carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<PlacementIntentSpec>,
}

/// What EMCO files put in a generic placement intent's spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlacementIntentSpec {
    /// A logical cloud name, ignored as in EMCO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_cloud: Option<String>,
}

impl Validate for PlacementIntent {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()
    }
}

/// Where one app goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppIntent {
    /// Name and description.
    pub metadata: Metadata,
    /// The app and its placement.
    pub spec: AppIntentSpec,
}

/// The app and its placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppIntentSpec {
    /// The app.
    pub app: String,
    /// allOf and anyOf lists.
    pub intent: Placement,
}

/// Every allOf item is mandatory (each of its clusters is its own group); each anyOf list is one group
/// from which one cluster is picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Placement {
    /// Mandatory items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<PlacementItem>,
    /// One group to pick from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<PlacementItem>,
}

/// A cluster or a label of one provider. An allOf item may nest an anyOf list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlacementItem {
    /// The provider.
    pub cluster_provider: String,
    /// One cluster, or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// every cluster with this label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_label: Option<String>,
    /// A nested anyOf list (allOf items only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub any_of: Vec<PlacementItem>,
}

impl Placement {
    /// Every item, nested ones included, with its field path.
    pub fn items(&self) -> Vec<(String, &PlacementItem)> {
        let mut out = Vec::new();
        for (i, item) in self.all_of.iter().enumerate() {
            out.push((format!("spec.intent.allOf[{i}]"), item));
            for (j, nested) in item.any_of.iter().enumerate() {
                out.push((format!("spec.intent.allOf[{i}].anyOf[{j}]"), nested));
            }
        }
        for (i, item) in self.any_of.iter().enumerate() {
            out.push((format!("spec.intent.anyOf[{i}]"), item));
        }
        out
    }
}

impl Validate for AppIntent {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        check_name("spec.app", &self.spec.app)?;
        let intent = &self.spec.intent;
        if intent.all_of.is_empty() && intent.any_of.is_empty() {
            return Err(Violation::new(
                "spec.intent",
                "needs at least one allOf or anyOf item",
            ));
        }
        for (path, item) in intent.items() {
            check_name(&format!("{path}.clusterProvider"), &item.cluster_provider)?;
            match (&item.cluster, &item.cluster_label) {
                (Some(c), None) => check_name(&format!("{path}.cluster"), c).map(drop)?,
                (None, Some(l)) => check_name(&format!("{path}.clusterLabel"), l).map(drop)?,
                _ => {
                    return Err(Violation::new(
                        path,
                        "needs exactly one of cluster or clusterLabel",
                    ));
                }
            }
            if path.contains("anyOf") && !item.any_of.is_empty() {
                return Err(Violation::new(
                    format!("{path}.anyOf"),
                    "anyOf lists nest only inside allOf items",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_intent(intent: &str) -> AppIntent {
        serde_json::from_str(&format!(
            r#"{{"metadata":{{"name":"ai"}},"spec":{{"app":"web","intent":{intent}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn an_item_needs_exactly_one_of_cluster_or_label() {
        let ok = app_intent(
            r#"{"allOf":[{"clusterProvider":"p","cluster":"c1"}],"anyOf":[{"clusterProvider":"p","clusterLabel":"edge"}]}"#,
        );
        assert_eq!(ok.validate(), Ok(()));
        let both = app_intent(
            r#"{"allOf":[{"clusterProvider":"p","cluster":"c1","clusterLabel":"edge"}]}"#,
        );
        assert_eq!(both.validate().unwrap_err().field, "spec.intent.allOf[0]");
        let neither = app_intent(r#"{"anyOf":[{"clusterProvider":"p"}]}"#);
        assert_eq!(
            neither.validate().unwrap_err().field,
            "spec.intent.anyOf[0]"
        );
    }

    #[test]
    fn any_of_nests_inside_all_of_only() {
        let nested = app_intent(
            r#"{"allOf":[{"clusterProvider":"p","cluster":"c1","anyOf":[{"clusterProvider":"p","cluster":"c2"}]}]}"#,
        );
        assert_eq!(nested.validate(), Ok(()));
        assert_eq!(nested.spec.intent.items().len(), 2);
        let deep = app_intent(
            r#"{"anyOf":[{"clusterProvider":"p","cluster":"c1","anyOf":[{"clusterProvider":"p","cluster":"c2"}]}]}"#,
        );
        assert_eq!(
            deep.validate().unwrap_err().field,
            "spec.intent.anyOf[0].anyOf"
        );
    }

    #[test]
    fn dig_intents_list_the_controllers() {
        let di: DigIntent = serde_json::from_str(
            r#"{"metadata":{"name":"i"},"spec":{"intent":{"genericPlacementIntent":"gpi","gac":"g1","hpa":"h1"}}}"#,
        )
        .unwrap();
        assert_eq!(di.validate(), Ok(()));
        assert_eq!(
            di.controllers().collect::<Vec<_>>(),
            [("gac", "g1"), ("hpa", "h1")]
        );
    }
}
