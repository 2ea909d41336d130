//! Projects, composite apps, apps, app dependencies, composite profiles and app profiles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Metadata, Validate, Violation, check_name};

/// A project: `{metadata}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Name and description.
    pub metadata: Metadata,
}

impl Validate for Project {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()
    }
}

/// A composite app at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompositeApp {
    /// Name and description.
    pub metadata: Metadata,
    /// The version.
    pub spec: CompositeAppSpec,
}

/// The version of a composite app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompositeAppSpec {
    /// E.g. `v1`; EMCO's name rule.
    pub composite_app_version: String,
}

impl Validate for CompositeApp {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        check_name("spec.compositeAppVersion", &self.spec.composite_app_version).map(drop)
    }
}

/// An app: the `metadata` part of its multipart request; the Helm chart is the `file` part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Name and description.
    pub metadata: Metadata,
}

impl Validate for App {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()
    }
}

/// The state an app dependency waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum OpStatus {
    /// Every resource of the app is ready.
    Ready,
    /// Every resource of the app is applied.
    Deployed,
}

/// An app's dependency on another app of the same composite app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppDependency {
    /// Name and description.
    pub metadata: Metadata,
    /// What it waits for.
    pub spec: AppDependencySpec,
}

/// What an app waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppDependencySpec {
    /// The app depended on.
    pub app: String,
    /// Whether to wait for it to be `Ready` or only `Deployed`.
    pub op_status: OpStatus,
    /// Extra seconds to wait after that.
    #[serde(default)]
    pub wait: u64,
}

/// The longest dependency wait, one day; longer is surely a mistake.
pub const MAX_WAIT_SECONDS: u64 = 86_400;

impl Validate for AppDependency {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        check_name("spec.app", &self.spec.app)?;
        if self.spec.wait > MAX_WAIT_SECONDS {
            return Err(Violation::new(
                "spec.wait",
                format!("must be at most {MAX_WAIT_SECONDS} seconds"),
            ));
        }
        Ok(())
    }
}

/// A composite profile: `{metadata}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompositeProfile {
    /// Name and description.
    pub metadata: Metadata,
}

impl Validate for CompositeProfile {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()
    }
}

/// An app profile: the `metadata` part of its multipart request; the profile tgz is the `file` part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppProfile {
    /// Name and description.
    pub metadata: Metadata,
    /// The app it is for.
    pub spec: AppProfileSpec,
}

/// The app a profile is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppProfileSpec {
    /// The app.
    pub app: String,
}

impl Validate for AppProfile {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        check_name("spec.app", &self.spec.app).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_op_status_is_ready_or_deployed() {
        let dep: AppDependency = serde_json::from_str(
            r#"{"metadata":{"name":"d"},"spec":{"app":"nginx","opStatus":"Ready","wait":10}}"#,
        )
        .unwrap();
        assert_eq!((dep.spec.op_status, dep.spec.wait), (OpStatus::Ready, 10));
        assert_eq!(dep.validate(), Ok(()));
        let err = serde_json::from_str::<AppDependency>(
            r#"{"metadata":{"name":"d"},"spec":{"app":"x","opStatus":"Done"}}"#,
        );
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("unknown variant `Done`")
        );
    }

    #[test]
    fn composite_app_version_follows_the_name_rule() {
        let ca: CompositeApp = serde_json::from_str(
            r#"{"metadata":{"name":"ca"},"spec":{"compositeAppVersion":"v 1"}}"#,
        )
        .unwrap();
        assert_eq!(ca.validate().unwrap_err().field, "spec.compositeAppVersion");
    }
}
