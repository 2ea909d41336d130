//! Controller intents (a stored JSON spec per controller) and EMCO's generic action controller routes.

use canopy_schemas::rest::Violation;
use canopy_schemas::rest::action::{ControllerIntent, GacCustomization, GacIntent, GacResource};

use super::app::sibling_app;
use super::{named, under_dig, validate};
use crate::api::resource::{Resource, Upload};
use crate::api::routes::Routes;
use crate::api::upload;
use crate::api::{Api, ApiResult};
use crate::store::{Key, key};

/// Intents for controllers that keep no state of their own, under `controller-intents/{controller}`.
pub struct ControllerIntents;
impl Resource for ControllerIntents {
    type Body = ControllerIntent;
    const KIND: &'static key::Kind = &key::CONTROLLER_INTENT;
    const NOUN: &'static str = "controller intent";
    named!();
    fn refs(_body: &ControllerIntent, key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        let controller = Key::parse(&key::CONTROLLER, &[key.names()[4].as_str()])
            .map_err(|e| Violation::new("url", e))?;
        // The controller is named by the URL segment `{controller}`.
        Ok(vec![("controller".to_owned(), controller)])
    }
    async fn admit(api: &Api, key: &Key, body: &ControllerIntent) -> ApiResult<()> {
        validate::with_controller(api, key, body).await
    }
}

/// Generic action controller intents.
pub struct GacIntents;
impl Resource for GacIntents {
    type Body = GacIntent;
    const KIND: &'static key::Kind = &key::GAC_INTENT;
    const NOUN: &'static str = "generic k8s intent";
    named!();
}

/// Generic action controller resources; a new object carries its YAML as the `file` part.
pub struct GacResources;
impl Resource for GacResources {
    type Body = GacResource;
    const KIND: &'static key::Kind = &key::GAC_RESOURCE;
    const NOUN: &'static str = "generic k8s resource";
    const UPLOAD: Option<Upload> = Some(Upload {
        part: "file",
        many: false,
        blob: "file",
        check: upload::accept_any,
    });
    named!();
    fn requires_file(body: &GacResource) -> bool {
        body.is_new_object()
    }
    fn refs(body: &GacResource, key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        Ok(vec![(
            "spec.app".to_owned(),
            sibling_app(key, &body.spec.app, "spec.app")?,
        )])
    }
}

/// Generic action controller customizations, with any number of `files` parts.
pub struct GacCustomizations;
impl Resource for GacCustomizations {
    type Body = GacCustomization;
    const KIND: &'static key::Kind = &key::GAC_CUSTOMIZATION;
    const NOUN: &'static str = "customization";
    const UPLOAD: Option<Upload> = Some(Upload {
        part: "files",
        many: true,
        blob: "files",
        check: upload::accept_any,
    });
    named!();
}

/// Registers the controller-intent and gac routes.
pub fn register(routes: Routes) -> Routes {
    let gi = "/generic-k8s-intents/{genericK8sIntent}";
    let res = format!("{gi}/resources/{{genericResource}}");
    routes
        .resource::<ControllerIntents>(
            &under_dig("/controller-intents/{controller}"),
            &under_dig("/controller-intents/{controller}/{controllerIntent}"),
        )
        .resource::<GacIntents>(&under_dig("/generic-k8s-intents"), &under_dig(gi))
        .resource::<GacResources>(&under_dig(&format!("{gi}/resources")), &under_dig(&res))
        .resource::<GacCustomizations>(
            &under_dig(&format!("{res}/customizations")),
            &under_dig(&format!("{res}/customizations/{{customization}}")),
        )
}
