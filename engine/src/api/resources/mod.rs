//! Every configuration object of the API, one file per group, each a marker type implementing
//! [`super::resource::Resource`] plus a `register` function that names its routes.

pub mod action;
pub mod app;
pub mod cluster;
pub mod controller;
pub mod dig;
pub mod logical_cloud;
pub mod validate;

use super::routes::Routes;

/// `/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}`.
pub const COMPOSITE_APP: &str =
    "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}";

/// A composite app route's subpath.
pub fn under_composite_app(rest: &str) -> String {
    format!("{COMPOSITE_APP}{rest}")
}

/// A DIG route's subpath.
pub fn under_dig(rest: &str) -> String {
    format!("{COMPOSITE_APP}/deployment-intent-groups/{{deploymentIntentGroup}}{rest}")
}

/// Registers every group.
pub fn register(routes: Routes) -> Routes {
    let routes = controller::register(routes);
    let routes = cluster::register(routes);
    let routes = app::register(routes);
    let routes = logical_cloud::register(routes);
    let routes = dig::register(routes);
    action::register(routes)
}

/// `metadata.name` as the one own name.
macro_rules! named {
    () => {
        fn own_names(body: &Self::Body) -> Vec<String> {
            vec![body.metadata.name.clone()]
        }
    };
}
pub(crate) use named;
