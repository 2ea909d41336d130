//! The intent spec of the built-in generic action controller (gac), as the engine assembles it from what users
//! stored under EMCO's gac REST routes ([`crate::rest::action`]): the intent's name, and each of its resources
//! with the uploaded file and its customizations with their uploaded files. Files travel base64-encoded.
//!
//! The resource and customization entries reuse the stored REST bodies field for field (`metadata`, `spec`)
//! and add the uploaded files beside them, so violations name paths such as
//! `resources[0].customizations[1].spec.patchType`:
//!
//! ```json
//! {
//!   "intent": "operator-gac",
//!   "resources": [{
//!     "metadata": {"name": "cm-extra"},
//!     "spec": {"app": "web", "newObject": "true",
//!              "resourceGVK": {"apiVersion": "v1", "kind": "ConfigMap", "name": "extra"}},
//!     "file": "YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnTWFwCm1ldGFkYXRhOgogIG5hbWU6IGV4dHJhCg==",
//!     "customizations": [{
//!       "metadata": {"name": "edge-only"},
//!       "spec": {"clusterSpecific": "true",
//!                "clusterInfo": {"scope": "label", "clusterProvider": "p1", "clusterLabel": "edge", "mode": "allow"},
//!                "configMapOptions": {"dataKeyOptions": [{"fileName": "app.conf", "keyName": "conf"}]}},
//!       "files": [{"name": "app.conf", "content": "bGV2ZWw9ZGVidWcK"}]
//!     }]
//!   }]
//! }
//! ```
//!
//! The meaning of each field is in `docs/controllers.md`.

use serde::{Deserialize, Serialize};

use crate::rest::Metadata;
use crate::rest::action::{GacCustomization, GacCustomizationSpec, GacResource, GacResourceSpec};

/// A gac intent with everything stored under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spec {
    /// The gac intent's name (its `metadata.name`).
    pub intent: String,
    /// Its resources, in the order the controller applies them.
    #[serde(default)]
    pub resources: Vec<ResourceSpec>,
}

/// One stored resource ([`GacResource`]) with its uploaded file and its customizations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceSpec {
    /// The stored `metadata`.
    pub metadata: Metadata,
    /// The stored `spec`: app, newObject and resourceGVK.
    pub spec: GacResourceSpec,
    /// The uploaded object (YAML or JSON), base64; needed for a new object other than a ConfigMap or Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its customizations, in the order the controller applies them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customizations: Vec<CustomizationSpec>,
}

/// One stored customization ([`GacCustomization`]) with its uploaded files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomizationSpec {
    /// The stored `metadata`.
    pub metadata: Metadata,
    /// The stored `spec`: cluster scope, patch, ConfigMap and Secret options.
    pub spec: GacCustomizationSpec,
    /// The uploaded files: ConfigMap or Secret data, or merge patches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<File>,
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct File {
    /// The file name as uploaded; `dataKeyOptions[].fileName` refers to it.
    pub name: String,
    /// The content, base64 (standard alphabet, padded).
    pub content: String,
}

/// `configMapOptions` or `secretOptions` of a customization: which data key each uploaded file becomes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataOptions {
    /// One entry per file that needs a key other than its file name, or that is a merge patch.
    #[serde(default)]
    pub data_key_options: Vec<DataKeyOption>,
}

/// How one uploaded file feeds a ConfigMap or Secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataKeyOption {
    /// The uploaded file.
    pub file_name: String,
    /// The data key it becomes; the file name when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key_name: String,
    /// `"true"` when the file is a merge patch of the object rather than data.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub merge_patch: String,
}

impl ResourceSpec {
    /// The stored resource body, without the file and customizations.
    pub fn resource(&self) -> GacResource {
        GacResource {
            metadata: self.metadata.clone(),
            spec: self.spec.clone(),
        }
    }

    /// A resource entry from its stored body, uploaded file and customizations.
    pub fn new(
        resource: GacResource,
        file: Option<String>,
        customizations: Vec<CustomizationSpec>,
    ) -> Self {
        Self {
            metadata: resource.metadata,
            spec: resource.spec,
            file,
            customizations,
        }
    }
}

impl CustomizationSpec {
    /// The stored customization body, without the files.
    pub fn customization(&self) -> GacCustomization {
        GacCustomization {
            metadata: self.metadata.clone(),
            spec: self.spec.clone(),
        }
    }

    /// A customization entry from its stored body and uploaded files.
    pub fn new(customization: GacCustomization, files: Vec<File>) -> Self {
        Self {
            metadata: customization.metadata,
            spec: customization.spec,
            files,
        }
    }
}

#[cfg(test)]
mod tests;
