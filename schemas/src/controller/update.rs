//! `UpdateAppContext`: the resources and clusters of the apps an intent names, and the edits returned.

use super::cluster::Cluster;
use super::convert::{list, message, name};
use super::dig::{DigIdentity, Intent};
use super::edit::Edit;
use super::error::{Error, Problem, Result};
use super::resource::{Resource, ResourceKey};
use crate::ids::ContextId;
use crate::name::AppName;
use crate::proto::controller::v1 as pb;

/// Request to `UpdateAppContext`.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRequest {
    /// The DIG.
    pub dig: DigIdentity,
    /// The controller's intent for this DIG.
    pub intent: Intent,
    /// The apps, with their resources and clusters.
    pub apps: Vec<AppResources>,
    /// On update, the AppContext of the revision being replaced; `None` on instantiate.
    pub update_from: Option<ContextId>,
}

impl UpdateRequest {
    /// The app named `app`, if the request carries it.
    pub fn app(&self, app: &AppName) -> Option<&AppResources> {
        self.apps.iter().find(|a| &a.app == app)
    }
}

/// The resources and clusters of one app in the AppContext being built.
#[derive(Debug, Clone, PartialEq)]
pub struct AppResources {
    /// The app.
    pub app: AppName,
    /// Its resources, in apply order.
    pub resources: Vec<Resource>,
    /// The clusters it is placed on.
    pub clusters: Vec<Cluster>,
}

impl AppResources {
    /// The resource with `key`, if the app has it.
    pub fn resource(&self, key: &ResourceKey) -> Option<&Resource> {
        self.resources.iter().find(|r| &r.key == key)
    }
}

/// Response of `UpdateAppContext`: edits, applied in order, all or none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateResponse {
    /// The edits.
    pub edits: Vec<Edit>,
}

impl TryFrom<pb::UpdateAppContextRequest> for UpdateRequest {
    type Error = Error;
    fn try_from(m: pb::UpdateAppContextRequest) -> Result<Self> {
        let update_from = match m.update_from_app_context_id.as_str() {
            "" => None,
            id => Some(
                id.parse()
                    .map_err(|e| Error::new("update_from_app_context_id", Problem::Id(e)))?,
            ),
        };
        Ok(Self {
            dig: message("dig", m.dig)?,
            intent: message("intent", m.intent)?,
            apps: list("apps", m.apps)?,
            update_from,
        })
    }
}

impl From<UpdateRequest> for pb::UpdateAppContextRequest {
    fn from(r: UpdateRequest) -> Self {
        Self {
            dig: Some(r.dig.into()),
            intent: Some(r.intent.into()),
            apps: r.apps.into_iter().map(Into::into).collect(),
            update_from_app_context_id: r.update_from.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

impl TryFrom<pb::AppResources> for AppResources {
    type Error = Error;
    fn try_from(m: pb::AppResources) -> Result<Self> {
        Ok(Self {
            app: name("app", m.app)?,
            resources: list("resources", m.resources)?,
            clusters: list("clusters", m.clusters)?,
        })
    }
}

impl From<AppResources> for pb::AppResources {
    fn from(a: AppResources) -> Self {
        Self {
            app: a.app.to_string(),
            resources: a.resources.into_iter().map(Into::into).collect(),
            clusters: a.clusters.into_iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::UpdateAppContextResponse> for UpdateResponse {
    type Error = Error;
    fn try_from(m: pb::UpdateAppContextResponse) -> Result<Self> {
        Ok(Self {
            edits: list("edits", m.edits)?,
        })
    }
}

impl From<UpdateResponse> for pb::UpdateAppContextResponse {
    fn from(r: UpdateResponse) -> Self {
        Self {
            edits: r.edits.into_iter().map(Into::into).collect(),
        }
    }
}
