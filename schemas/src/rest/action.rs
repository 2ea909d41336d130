//! Controller intents (a free JSON spec per controller) and the generic action controller's (gac) intents,
//! resources and customizations.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Metadata, Validate, Violation, check_name, check_present};

/// An intent for a controller that keeps no state of its own: canopy stores the spec and passes it to the
/// controller in each call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControllerIntent {
    /// Name and description.
    pub metadata: Metadata,
    /// Whatever the controller understands; a JSON object.
    #[schema(value_type = Object)]
    pub spec: serde_json::Value,
}

impl Validate for ControllerIntent {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        if !self.spec.is_object() {
            return Err(Violation::new("spec", "must be a JSON object"));
        }
        Ok(())
    }
}

/// A generic action controller intent: `{metadata}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GacIntent {
    /// Name and description.
    pub metadata: Metadata,
}

impl Validate for GacIntent {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()
    }
}

/// A gac resource: the `metadata` part of its multipart request; a new object's YAML is the `file` part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GacResource {
    /// Name and description.
    pub metadata: Metadata,
    /// Which resource.
    pub spec: GacResourceSpec,
}

/// The resource a gac intent adds or changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GacResourceSpec {
    /// The app whose resources change.
    pub app: String,
    /// `"true"` to add a new object (from the file), `"false"` to change an existing one.
    pub new_object: String,
    /// The resource.
    #[serde(rename = "resourceGVK")]
    pub resource_gvk: Gvk,
}

/// apiVersion, kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gvk {
    /// E.g. `v1`.
    pub api_version: String,
    /// E.g. `ConfigMap`.
    pub kind: String,
    /// metadata.name of the object.
    pub name: String,
}

impl GacResource {
    /// True when the resource is a new object.
    pub fn is_new_object(&self) -> bool {
        self.spec.new_object == "true"
    }
}

impl Validate for GacResource {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        check_name("spec.app", &self.spec.app)?;
        if !matches!(self.spec.new_object.as_str(), "true" | "false") {
            return Err(Violation::new(
                "spec.newObject",
                "must be \"true\" or \"false\"",
            ));
        }
        check_present(
            "spec.resourceGVK.apiVersion",
            &self.spec.resource_gvk.api_version,
        )?;
        check_present("spec.resourceGVK.kind", &self.spec.resource_gvk.kind)?;
        check_present("spec.resourceGVK.name", &self.spec.resource_gvk.name)
    }
}

/// A gac customization: the `metadata` part of its multipart request; the `files` parts hold patches or
/// ConfigMap/Secret data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GacCustomization {
    /// Name and description.
    pub metadata: Metadata,
    /// How and where the resource is customized.
    pub spec: GacCustomizationSpec,
}

/// How and where a resource is customized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GacCustomizationSpec {
    /// `"true"` when only some clusters get it.
    #[serde(default)]
    pub cluster_specific: String,
    /// Which clusters, when cluster specific.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_info: Option<GacClusterInfo>,
    /// `json` or `merge`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub patch_type: String,
    /// The patch documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub patch_json: Vec<serde_json::Value>,
    /// ConfigMap data options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub config_map_options: Option<serde_json::Value>,
    /// Secret data options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub secret_options: Option<serde_json::Value>,
}

/// The clusters a customization applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GacClusterInfo {
    /// `label` or `name`.
    pub scope: String,
    /// The provider.
    pub cluster_provider: String,
    /// The cluster, when scope is `name`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// The label, when scope is `label`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster_label: String,
    /// `allow` (or `deny`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mode: String,
}

impl Validate for GacCustomization {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        let spec = &self.spec;
        if !matches!(spec.cluster_specific.as_str(), "" | "true" | "false") {
            return Err(Violation::new(
                "spec.clusterSpecific",
                "must be \"true\" or \"false\"",
            ));
        }
        if !matches!(spec.patch_type.as_str(), "" | "json" | "merge") {
            return Err(Violation::new(
                "spec.patchType",
                "must be \"json\" or \"merge\"",
            ));
        }
        if let Some(info) = &spec.cluster_info {
            match info.scope.as_str() {
                "label" => {
                    check_name("spec.clusterInfo.clusterLabel", &info.cluster_label).map(drop)?
                }
                "name" => check_name("spec.clusterInfo.cluster", &info.cluster).map(drop)?,
                other => {
                    return Err(Violation::new(
                        "spec.clusterInfo.scope",
                        format!("must be \"label\" or \"name\", not {other:?}"),
                    ));
                }
            }
            check_name("spec.clusterInfo.clusterProvider", &info.cluster_provider)?;
        } else if spec.cluster_specific == "true" {
            return Err(Violation::new(
                "spec.clusterInfo",
                "is required when clusterSpecific is \"true\"",
            ));
        }
        Ok(())
    }
}
