//! Rendering the apps of a DIG's composite app version (docs/DESIGN.md §4, EMCO's instantiate step 3).
//!
//! [`load`] reads from the resource store every app with its Helm chart and dependencies, the app
//! profiles of the DIG's composite profile, and the DIG's override values. [`render`] then renders each
//! chart as `helm template` does: release name = the DIG's `spec.version`, namespace = the logical cloud's,
//! values = the chart's `values.yaml`, then the profile's values file, then the DIG's `overrideValues` for
//! the app as Helm `--set` expressions. Apps come out in dependency order ([`super::order`]).
//! [`render_apps`] does both, rendering off the async runtime.

use std::collections::BTreeMap;

use bytes::Bytes;
use canopy_render::chart::Chart;
use canopy_render::helm::{self, render::Options, render::Release};
use canopy_schemas::name::{
    self, AppName, AppProfileName, CompositeAppName, CompositeAppVersion, CompositeProfileName,
    Name, ProjectName,
};
use canopy_schemas::rest::app::{AppDependency, AppProfile};
use canopy_schemas::rest::dig::DigSpec;
use serde::de::DeserializeOwned;

use super::catalog::all;
use super::{order, profile};
use crate::appcontext::{Dependency, Manifests};
use crate::store::{self, Key, Record, ResourceStore, key};

/// Rendering failed. [`Error::is_retryable`] is true only for a store failure that says so.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The composite app version has no apps.
    #[error("composite app {0} has no apps")]
    NoApps(Key),
    /// The DIG's composite profile does not exist.
    #[error("the DIG's composite profile {0} does not exist")]
    NoCompositeProfile(CompositeProfileName),
    /// An app has no profile in the DIG's composite profile.
    #[error("app {app} has no app profile in composite profile {composite_profile}")]
    NoProfile {
        /// The app.
        app: AppName,
        /// The composite profile.
        composite_profile: CompositeProfileName,
    },
    /// Override values name an app the composite app does not have.
    #[error("the DIG's overrideValues name app {0:?}, which the composite app does not have")]
    UnknownOverrideApp(String),
    /// An app has no chart blob.
    #[error("app {0} has no Helm chart stored")]
    NoChart(AppName),
    /// A stored record or name does not decode.
    #[error("stored {key} does not decode: {message}")]
    Corrupt {
        /// The record.
        key: Key,
        /// Why.
        message: String,
    },
    /// An app's profile archive is unusable.
    #[error("app {app}: app profile {profile}: {source}")]
    Profile {
        /// The app.
        app: AppName,
        /// The profile.
        profile: AppProfileName,
        /// Why.
        #[source]
        source: profile::Error,
    },
    /// An app's chart does not load.
    #[error("app {app}: its Helm chart does not load: {source}")]
    Chart {
        /// The app.
        app: AppName,
        /// Why.
        #[source]
        source: canopy_render::chart::Error,
    },
    /// An app's chart does not render with its values.
    #[error("app {app}: rendering its Helm chart failed: {source}")]
    Render {
        /// The app.
        app: AppName,
        /// Why.
        #[source]
        source: helm::render::Error,
    },
    /// The apps cannot be ordered.
    #[error(transparent)]
    Order(#[from] order::Error),
    /// The rendering thread panicked.
    #[error("rendering panicked: {0}")]
    Panicked(String),
    /// The resource store failed.
    #[error("loading the composite app")]
    Store(#[from] store::Error),
}

impl Error {
    /// True when the same call may succeed later (only a store failure that says so).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_retryable())
    }
}

/// The module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What to render: a composite app version for one DIG.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The project.
    pub project: &'a ProjectName,
    /// The composite app.
    pub composite_app: &'a CompositeAppName,
    /// Its version.
    pub version: &'a CompositeAppVersion,
    /// The DIG's spec: composite profile, release name (`version`) and override values.
    pub dig: &'a DigSpec,
    /// The namespace to render into (the logical cloud's).
    pub namespace: &'a str,
}

/// Everything rendering needs, read from the store.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The release name.
    pub release: String,
    /// The namespace.
    pub namespace: String,
    /// The apps, by name.
    pub apps: Vec<Source>,
}

/// One app's inputs.
#[derive(Debug, Clone)]
pub struct Source {
    /// The app.
    pub name: AppName,
    /// Its Helm chart (.tgz).
    pub chart: Bytes,
    /// Its profile's name and archive.
    pub profile: (AppProfileName, Bytes),
    /// Its `--set` expressions, from the DIG's override values.
    pub set: Vec<String>,
    /// Its dependencies.
    pub depends_on: Vec<Dependency>,
}

/// One rendered app.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The app.
    pub name: AppName,
    /// Its dependencies.
    pub depends_on: Vec<Dependency>,
    /// Its resources, hooks and CRDs, as every cluster of the app gets them before action controllers.
    pub manifests: Manifests,
}

/// Loads and renders every app of `request`, in dependency order. Rendering runs on a blocking thread.
pub async fn render_apps<S: ResourceStore + ?Sized>(
    store: &S,
    request: Request<'_>,
) -> Result<Vec<Rendered>> {
    let sources = load(store, request).await?;
    tokio::task::spawn_blocking(move || render(&sources))
        .await
        .map_err(|e| Error::Panicked(e.to_string()))?
}

/// Reads every input of `request` from the store.
pub async fn load<S: ResourceStore + ?Sized>(store: &S, request: Request<'_>) -> Result<Sources> {
    let names = |n: &[&str]| -> Vec<Name> {
        n.iter()
            .map(|s| Name::new(*s).expect("checked names"))
            .collect()
    };
    let ca = Key::new(
        &key::COMPOSITE_APP,
        names(&[
            request.project.as_str(),
            request.composite_app.as_str(),
            request.version.as_str(),
        ]),
    )
    .expect("three names");
    let apps = all(store, &key::APP, &ca).await?;
    if apps.is_empty() {
        return Err(Error::NoApps(ca));
    }
    let profiles = profiles(store, &ca, &request.dig.composite_profile).await?;
    let overrides = &request.dig.override_values;
    if let Some(stray) = overrides
        .iter()
        .find(|o| !apps.iter().any(|a| a.key.name().as_str() == o.app))
    {
        return Err(Error::UnknownOverrideApp(stray.app.clone()));
    }
    let mut sources = Vec::new();
    for app in apps {
        let name = AppName::from(app.key.name().clone());
        let chart = (store.blob(&app.key, "chart").await?).ok_or(Error::NoChart(name.clone()))?;
        let profile = profiles
            .get(&name)
            .cloned()
            .ok_or_else(|| Error::NoProfile {
                app: name.clone(),
                composite_profile: request.dig.composite_profile.parse().expect("checked"),
            })?;
        let set = (overrides.iter())
            .filter(|o| o.app == name.as_str())
            .flat_map(|o| o.values.iter().map(|(k, v)| format!("{k}={v}")))
            .collect();
        let mut depends_on = Vec::new();
        for dep in all(store, &key::APP_DEPENDENCY, &app.key).await? {
            let body: AppDependency = decode(&dep)?;
            let on = parse(&dep.key, &body.spec.app)?;
            depends_on.push(Dependency::new(
                on,
                body.spec.op_status.into(),
                body.spec.wait,
            ));
        }
        sources.push(Source {
            name,
            chart,
            profile,
            set,
            depends_on,
        });
    }
    Ok(Sources {
        release: request.dig.version.clone(),
        namespace: request.namespace.to_owned(),
        apps: sources,
    })
}

/// The profile (name and archive) of each app in composite profile `name` of `ca`.
async fn profiles<S: ResourceStore + ?Sized>(
    store: &S,
    ca: &Key,
    name: &str,
) -> Result<BTreeMap<AppName, (AppProfileName, Bytes)>> {
    let composite_profile: CompositeProfileName = parse(ca, name)?;
    let key = ca
        .child(&key::COMPOSITE_PROFILE, &[composite_profile.clone().into()])
        .expect("one name");
    if store.get(&key).await?.is_none() {
        return Err(Error::NoCompositeProfile(composite_profile));
    }
    let mut out = BTreeMap::new();
    for record in all(store, &key::APP_PROFILE, &key).await? {
        let body: AppProfile = decode(&record)?;
        let app = parse(&record.key, &body.spec.app)?;
        let archive =
            (store.blob(&record.key, "profile").await?).ok_or_else(|| Error::Corrupt {
                key: record.key.clone(),
                message: "the profile archive is missing".into(),
            })?;
        out.insert(app, (record.key.name().clone().into(), archive));
    }
    Ok(out)
}

/// Renders every app of `sources`, in dependency order.
pub fn render(sources: &Sources) -> Result<Vec<Rendered>> {
    let deps = (sources.apps.iter())
        .map(|a| {
            let on = a.depends_on.iter().map(|d| d.app.clone()).collect();
            (a.name.clone(), on)
        })
        .collect();
    let order = order::order(&deps)?;
    let funcs = helm::default_funcs();
    order
        .into_iter()
        .map(|name| {
            let app = (sources.apps.iter())
                .find(|a| a.name == name)
                .expect("ordered apps are the sources' apps");
            let (profile_name, archive) = &app.profile;
            let profile = profile::values(archive).map_err(|source| Error::Profile {
                app: name.clone(),
                profile: profile_name.clone(),
                source,
            })?;
            let chart = Chart::from_tgz(&app.chart).map_err(|source| Error::Chart {
                app: name.clone(),
                source,
            })?;
            let options = Options {
                release: Release {
                    name: sources.release.clone(),
                    namespace: sources.namespace.clone(),
                    ..Release::default()
                },
                values: vec![profile],
                set: app.set.clone(),
                funcs: funcs.clone(),
                ..Options::default()
            };
            let output =
                helm::render::render(&chart, &options).map_err(|source| Error::Render {
                    app: name.clone(),
                    source,
                })?;
            Ok(Rendered {
                manifests: Manifests::from(&output),
                depends_on: app.depends_on.clone(),
                name,
            })
        })
        .collect()
}

fn decode<T: DeserializeOwned>(record: &Record) -> Result<T> {
    serde_json::from_value(record.data.clone()).map_err(|e| Error::Corrupt {
        key: record.key.clone(),
        message: e.to_string(),
    })
}

/// A stored name of `key`'s record, checked.
fn parse<T: From<Name>>(key: &Key, value: &str) -> Result<T> {
    Name::new(value)
        .map(T::from)
        .map_err(|e: name::Error| Error::Corrupt {
            key: key.clone(),
            message: format!("{value:?}: {e}"),
        })
}

#[cfg(test)]
mod tests;
