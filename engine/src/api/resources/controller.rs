//! `/controllers`: registered placement and action controllers, and rsync.

use canopy_schemas::rest::controller::Controller;

use super::named;
use crate::api::resource::Resource;
use crate::api::routes::Routes;
use crate::store::key;

/// Registered controllers.
pub struct Controllers;

impl Resource for Controllers {
    type Body = Controller;
    const KIND: &'static key::Kind = &key::CONTROLLER;
    const NOUN: &'static str = "controller";
    named!();
}

/// Registers `/controllers`.
pub fn register(routes: Routes) -> Routes {
    routes.resource::<Controllers>("/controllers", "/controllers/{controller}")
}
