//! NATS subjects for lifecycle events (docs/DESIGN.md §8). This module is the only place subjects are
//! built.
//!
//! | family | subject |
//! |---|---|
//! | DIG transition | `canopy.dig.<project>.<compositeApp>.<version>.<dig>.<state>` |
//! | app on a cluster | `canopy.ctx.<ctx>.<provider>+<cluster>.<app>.<state>` |
//! | resource | `canopy.res.<ctx>.<provider>+<cluster>.<app>.<kind>.<name>.<state>` |
//! | cluster | `canopy.cluster.<provider>.<cluster>.<event>` |
//! | controller | `canopy.controller.<name>.<event>` |
//! | logical cloud transition | `canopy.lc.<project>.<logicalCloud>.<state>` |
//!
//! Every name and state is escaped with [`token::escape`], so each occupies exactly one token whatever it
//! contains. A cluster inside an AppContext subject is one token, `provider+cluster`, built by
//! [`token::pair`].

pub mod token;

use std::fmt;

use crate::ids::ContextId;
use crate::name::{
    AppName, ClusterRef, CompositeAppName, CompositeAppVersion, ControllerName, DigName,
    LogicalCloudName, ProjectName,
};

/// The JetStream stream that captures every canopy event.
pub const STREAM: &str = "CANOPY_EVENTS";

/// The filter that matches every canopy subject.
pub const ALL: &str = "canopy.>";

/// A complete NATS subject for one event.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject(String);

impl Subject {
    fn build(family: &str, tokens: &[String]) -> Self {
        let mut s = String::from("canopy.");
        s.push_str(family);
        for t in tokens {
            s.push('.');
            s.push_str(t);
        }
        Self(s)
    }

    /// A DIG entering `state`.
    pub fn dig(
        project: &ProjectName,
        composite_app: &CompositeAppName,
        version: &CompositeAppVersion,
        dig: &DigName,
        state: &str,
    ) -> Self {
        Self::dig_ending(project, composite_app, version, dig, token::escape(state))
    }

    /// The pattern of every transition of one DIG: its subject with the wildcard `*` for the state.
    pub fn dig_any_state(
        project: &ProjectName,
        composite_app: &CompositeAppName,
        version: &CompositeAppVersion,
        dig: &DigName,
    ) -> String {
        Self::dig_ending(project, composite_app, version, dig, "*".to_owned()).0
    }

    /// A DIG subject whose last token is `last`, taken as it is (escaped already, or a wildcard).
    fn dig_ending(
        project: &ProjectName,
        composite_app: &CompositeAppName,
        version: &CompositeAppVersion,
        dig: &DigName,
        last: String,
    ) -> Self {
        let e = token::escape;
        let tokens = [
            e(project.as_str()),
            e(composite_app.as_str()),
            e(version.as_str()),
            e(dig.as_str()),
            last,
        ];
        Self::build("dig", &tokens)
    }

    /// A logical cloud entering `state`.
    pub fn logical_cloud(project: &ProjectName, lc: &LogicalCloudName, state: &str) -> Self {
        let e = token::escape;
        Self::build("lc", &[e(project.as_str()), e(lc.as_str()), e(state)])
    }

    /// An app of AppContext `ctx` entering `state` on `cluster`.
    pub fn app(ctx: ContextId, cluster: &ClusterRef, app: &AppName, state: &str) -> Self {
        let tokens = [
            ctx.to_string(),
            cluster_token(cluster),
            token::escape(app.as_str()),
            token::escape(state),
        ];
        Self::build("ctx", &tokens)
    }

    /// A resource (`kind`/`name`) of an app of AppContext `ctx` entering `state` on `cluster`.
    pub fn resource(
        ctx: ContextId,
        cluster: &ClusterRef,
        app: &AppName,
        kind: &str,
        name: &str,
        state: &str,
    ) -> Self {
        let e = token::escape;
        let tokens = [
            ctx.to_string(),
            cluster_token(cluster),
            e(app.as_str()),
            e(kind),
            e(name),
            e(state),
        ];
        Self::build("res", &tokens)
    }

    /// Something happening to a cluster: `registered`, `labelled`, `reachable`, `unreachable`, `deleted`.
    pub fn cluster(cluster: &ClusterRef, event: &str) -> Self {
        let e = token::escape;
        let tokens = [
            e(cluster.provider.as_str()),
            e(cluster.cluster.as_str()),
            e(event),
        ];
        Self::build("cluster", &tokens)
    }

    /// Something happening to a registered controller.
    pub fn controller(name: &ControllerName, event: &str) -> Self {
        Self::build(
            "controller",
            &[token::escape(name.as_str()), token::escape(event)],
        )
    }

    /// The subject as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The subject as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn cluster_token(cluster: &ClusterRef) -> String {
    token::pair(cluster.provider.as_str(), cluster.cluster.as_str())
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Subject {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> ClusterRef {
        "prov.a+edge-1".parse().unwrap()
    }

    #[test]
    fn every_family_has_the_documented_shape() {
        let dig = Subject::dig(
            &"proj".parse().unwrap(),
            &"ca".parse().unwrap(),
            &"v1.0".parse().unwrap(),
            &"dig".parse().unwrap(),
            "Instantiated",
        );
        assert_eq!(dig.as_str(), "canopy.dig.proj.ca.v1~2E0.dig.Instantiated");
        let lc = Subject::logical_cloud(
            &"proj".parse().unwrap(),
            &"lc.1".parse().unwrap(),
            "Instantiated",
        );
        assert_eq!(lc.as_str(), "canopy.lc.proj.lc~2E1.Instantiated");
        let app: AppName = "web".parse().unwrap();
        let ctx = ContextId::new(99);
        assert_eq!(
            Subject::app(ctx, &cluster(), &app, "Applied").as_str(),
            "canopy.ctx.99.prov~2Ea+edge-1.web.Applied"
        );
        assert_eq!(
            Subject::resource(
                ctx,
                &cluster(),
                &app,
                "ClusterRole",
                "system:metrics",
                "Ready"
            )
            .as_str(),
            "canopy.res.99.prov~2Ea+edge-1.web.ClusterRole.system~3Ametrics.Ready"
        );
        assert_eq!(
            Subject::cluster(&cluster(), "reachable").as_str(),
            "canopy.cluster.prov~2Ea.edge-1.reachable"
        );
        assert_eq!(
            Subject::controller(&"hpa".parse().unwrap(), "registered").as_str(),
            "canopy.controller.hpa.registered"
        );
    }

    #[test]
    fn hostile_resource_names_cannot_add_tokens() {
        let app: AppName = "web".parse().unwrap();
        let s = Subject::resource(
            ContextId::new(1),
            &cluster(),
            &app,
            "Kind",
            "a.b.*.>  x",
            "Ready",
        );
        assert_eq!(s.as_str().split('.').count(), 8);
        assert!(!s.as_str().contains(['*', '>', ' ']));
    }
}
