//! The DIG a call is about ([`DigIdentity`]) and the controller's intent for it ([`Intent`]).

use serde_json::Value;

use super::convert::{json, name};
use super::error::{Error, Problem, Result};
use crate::ids::{ContextId, Revision};
use crate::name::{
    CompositeAppName, CompositeAppVersion, ControllerName, DigName, IntentName, LogicalCloudName,
    ProjectName,
};
use crate::proto::controller::v1 as pb;

/// Identity of the deployment intent group a call is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigIdentity {
    /// Project.
    pub project: ProjectName,
    /// Composite app.
    pub composite_app: CompositeAppName,
    /// Composite app version.
    pub composite_app_version: CompositeAppVersion,
    /// Deployment intent group.
    pub dig: DigName,
    /// The AppContext being built, or being terminated.
    pub app_context_id: ContextId,
    /// The DIG revision this AppContext belongs to.
    pub revision: Revision,
    /// Namespace the DIG deploys into (from its logical cloud).
    pub namespace: String,
    /// Logical cloud.
    pub logical_cloud: LogicalCloudName,
    /// Helm release name (the DIG's `spec.version`).
    pub release: String,
}

impl TryFrom<pb::DigIdentity> for DigIdentity {
    type Error = Error;
    fn try_from(m: pb::DigIdentity) -> Result<Self> {
        Ok(Self {
            project: name("project", m.project)?,
            composite_app: name("composite_app", m.composite_app)?,
            composite_app_version: name("composite_app_version", m.composite_app_version)?,
            dig: name("deployment_intent_group", m.deployment_intent_group)?,
            app_context_id: m
                .app_context_id
                .parse()
                .map_err(|e| Error::new("app_context_id", Problem::Id(e)))?,
            revision: Revision::new(m.revision).ok_or_else(|| {
                let text = m.revision.to_string();
                Error::new("revision", Problem::Id(crate::ids::Error::Revision(text)))
            })?,
            namespace: m.namespace,
            logical_cloud: name("logical_cloud", m.logical_cloud)?,
            release: m.release,
        })
    }
}

impl From<DigIdentity> for pb::DigIdentity {
    fn from(d: DigIdentity) -> Self {
        Self {
            project: d.project.to_string(),
            composite_app: d.composite_app.to_string(),
            composite_app_version: d.composite_app_version.to_string(),
            deployment_intent_group: d.dig.to_string(),
            app_context_id: d.app_context_id.to_string(),
            revision: d.revision.get(),
            namespace: d.namespace,
            logical_cloud: d.logical_cloud.to_string(),
            release: d.release,
        }
    }
}

/// The intent a controller is called for: the value of the DIG intents map under the controller's name.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// The registered controller (the key in the DIG intents map).
    pub controller: ControllerName,
    /// The intent object (the value in the DIG intents map).
    pub name: IntentName,
    /// The intent's full spec, exactly as the user created it. Its shape belongs to the controller.
    pub spec: Value,
}

impl TryFrom<pb::Intent> for Intent {
    type Error = Error;
    fn try_from(m: pb::Intent) -> Result<Self> {
        Ok(Self {
            controller: name("controller", m.controller)?,
            name: name("name", m.name)?,
            spec: json("spec_json", &m.spec_json)?,
        })
    }
}

impl From<Intent> for pb::Intent {
    fn from(i: Intent) -> Self {
        Self {
            controller: i.controller.to_string(),
            name: i.name.to_string(),
            spec_json: i.spec.to_string(),
        }
    }
}
