//! Projects, composite apps, apps (with their Helm charts), app dependencies, composite profiles and app
//! profiles (with their profile archives).

use std::collections::BTreeMap;

use canopy_schemas::rest::Violation;
use canopy_schemas::rest::app::{
    App, AppDependency, AppProfile, CompositeApp, CompositeProfile, Project,
};

use super::{named, under_composite_app};
use crate::api::resource::{Resource, Upload};
use crate::api::routes::Routes;
use crate::api::upload;
use crate::store::{Claim, Key, key};

/// Projects.
pub struct Projects;
impl Resource for Projects {
    type Body = Project;
    const KIND: &'static key::Kind = &key::PROJECT;
    const NOUN: &'static str = "project";
    named!();
}

/// Composite apps, keyed by name and version.
pub struct CompositeApps;
impl Resource for CompositeApps {
    type Body = CompositeApp;
    const KIND: &'static key::Kind = &key::COMPOSITE_APP;
    const NOUN: &'static str = "composite app";
    const OWN_NAMES: usize = 2;
    fn own_names(body: &CompositeApp) -> Vec<String> {
        vec![
            body.metadata.name.clone(),
            body.spec.composite_app_version.clone(),
        ]
    }
}

/// Apps, each with its Helm chart.
pub struct Apps;
impl Resource for Apps {
    type Body = App;
    const KIND: &'static key::Kind = &key::APP;
    const NOUN: &'static str = "app";
    const UPLOAD: Option<Upload> = Some(Upload {
        part: "file",
        many: false,
        blob: "chart",
        check: upload::check_chart,
    });
    named!();
}

/// The key of app `name` in the composite app that holds `key`.
pub fn sibling_app(key: &Key, name: &str, field: &str) -> Result<Key, Violation> {
    let mut names: Vec<String> = key.names()[..3]
        .iter()
        .map(|n| n.as_str().to_owned())
        .collect();
    names.push(name.to_owned());
    Key::parse(&key::APP, &names).map_err(|e| Violation::new(field, e))
}

/// Dependencies of an app on another app of the same composite app.
pub struct AppDependencies;
impl Resource for AppDependencies {
    type Body = AppDependency;
    const KIND: &'static key::Kind = &key::APP_DEPENDENCY;
    const NOUN: &'static str = "app dependency";
    named!();
    fn refs(body: &AppDependency, key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        if body.spec.app == key.names()[3].as_str() {
            return Err(Violation::new("spec.app", "an app cannot depend on itself"));
        }
        Ok(vec![(
            "spec.app".into(),
            sibling_app(key, &body.spec.app, "spec.app")?,
        )])
    }
}

/// Composite profiles.
pub struct CompositeProfiles;
impl Resource for CompositeProfiles {
    type Body = CompositeProfile;
    const KIND: &'static key::Kind = &key::COMPOSITE_PROFILE;
    const NOUN: &'static str = "composite profile";
    named!();
}

/// App profiles, each with its profile archive; one per app per composite profile.
pub struct AppProfiles;
impl Resource for AppProfiles {
    type Body = AppProfile;
    const KIND: &'static key::Kind = &key::APP_PROFILE;
    const NOUN: &'static str = "app profile";
    const UPLOAD: Option<Upload> = Some(Upload {
        part: "file",
        many: false,
        blob: "profile",
        check: upload::check_profile,
    });
    const FILTERS: &'static [&'static str] = &["app"];
    named!();
    fn refs(body: &AppProfile, key: &Key) -> Result<Vec<(String, Key)>, Violation> {
        Ok(vec![(
            "spec.app".into(),
            sibling_app(key, &body.spec.app, "spec.app")?,
        )])
    }
    fn claims(body: &AppProfile, key: &Key) -> Vec<Claim> {
        let profile = key
            .parent()
            .expect("an app profile has a composite profile");
        vec![Claim::new(&profile, "profile-for-app", &body.spec.app)]
    }
    fn matches(body: &AppProfile, query: &BTreeMap<String, String>) -> bool {
        query.get("app").is_none_or(|app| *app == body.spec.app)
    }
}

/// Registers the project and composite-app routes.
pub fn register(routes: Routes) -> Routes {
    let ca = under_composite_app;
    routes
        .resource::<Projects>("/projects", "/projects/{project}")
        .resource::<CompositeApps>("/projects/{project}/composite-apps", super::COMPOSITE_APP)
        .resource::<Apps>(&ca("/apps"), &ca("/apps/{app}"))
        .resource::<AppDependencies>(
            &ca("/apps/{app}/dependency"),
            &ca("/apps/{app}/dependency/{dependency}"),
        )
        .resource::<CompositeProfiles>(
            &ca("/composite-profiles"),
            &ca("/composite-profiles/{compositeProfile}"),
        )
        .resource::<AppProfiles>(
            &ca("/composite-profiles/{compositeProfile}/profiles"),
            &ca("/composite-profiles/{compositeProfile}/profiles/{appProfile}"),
        )
}
