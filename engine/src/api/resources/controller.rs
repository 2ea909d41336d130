//! `/controllers`: registered placement and action controllers, and rsync.

use canopy_schemas::name::ControllerName;
use canopy_schemas::rest::controller::Controller;

use super::named;
use crate::api::Api;
use crate::api::announce;
use crate::api::resource::{Change, Resource};
use crate::api::routes::Routes;
use crate::store::{Key, key};

/// Registered controllers.
pub struct Controllers;

impl Resource for Controllers {
    type Body = Controller;
    const KIND: &'static key::Kind = &key::CONTROLLER;
    const NOUN: &'static str = "controller";
    named!();
    /// A re-registered or deleted controller's cached channel is dropped; the next call connects anew. The
    /// change is announced as `registered`, `updated` or `deleted`.
    async fn written(api: &Api, key: &Key, change: Change) {
        if let Ok(name) = ControllerName::new(key.name().as_str()) {
            api.remote.invalidate(&name);
        }
        let what = match change {
            Change::Created => "registered",
            Change::Replaced => "updated",
            Change::Deleted => "deleted",
        };
        if let Some(event) = announce::controller(key, what) {
            announce::announce(api, event).await;
        }
    }
}

/// Registers `/controllers`.
pub fn register(routes: Routes) -> Routes {
    routes.resource::<Controllers>("/controllers", "/controllers/{controller}")
}
