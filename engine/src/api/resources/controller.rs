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
    /// A re-registered or deleted controller's cached channel is dropped; the next call connects anew.
    async fn written(api: &Api, key: &Key, _change: Change) {
        if let Ok(name) = ControllerName::new(key.name().as_str()) {
            api.remote.invalidate(&name);
        }
    }
    /// Announced as `registered`, `updated` or `deleted`.
    fn announcement(key: &Key, change: Change) -> Option<canopy_schemas::event::Event> {
        let what = match change {
            Change::Created => "registered",
            Change::Replaced => "updated",
            Change::Deleted => "deleted",
        };
        announce::controller(key, what)
    }
}

/// Registers `/controllers`.
pub fn register(routes: Routes) -> Routes {
    routes.resource::<Controllers>("/controllers", "/controllers/{controller}")
}
