//! The AppContext composed from the rendered apps and their placements: every placed cluster of an app
//! gets the app's rendered manifests, ready for the action controllers' edits and then the writer.

use canopy_schemas::ContextId;
use canopy_schemas::name::AppName;

use super::render::Rendered;
use crate::appcontext::{App, AppContext, Meta, Placement};

/// Rendered apps and placements do not match. Terminal: both come from the same DIG, so this is a bug
/// in the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A rendered app has no placement.
    #[error("app {0} was rendered but has no placement")]
    Unplaced(AppName),
    /// A placement names an app that was not rendered.
    #[error("app {0} has a placement but was not rendered")]
    Unrendered(AppName),
}

/// The context `id` with `meta`: the apps in `rendered` order, each on the clusters of its placement.
pub fn compose(
    id: ContextId,
    meta: Meta,
    rendered: Vec<Rendered>,
    mut placements: Vec<(AppName, Placement)>,
) -> Result<AppContext, Error> {
    let mut apps = Vec::with_capacity(rendered.len());
    for app in rendered {
        let at = (placements.iter().position(|(name, _)| name == &app.name))
            .ok_or_else(|| Error::Unplaced(app.name.clone()))?;
        let (_, placement) = placements.swap_remove(at);
        let clusters = (placement.clusters.iter())
            .map(|p| (p.cluster.clone(), app.manifests.clone()))
            .collect();
        apps.push(App {
            name: app.name,
            depends_on: app.depends_on,
            placement,
            clusters,
        });
    }
    if let Some((name, _)) = placements.into_iter().next() {
        return Err(Error::Unrendered(name));
    }
    Ok(AppContext { id, meta, apps })
}

#[cfg(test)]
mod tests {
    use canopy_schemas::Revision;

    use super::*;
    use crate::appcontext::{Manifest, Manifests, Placed};

    fn meta() -> Meta {
        Meta {
            project: "p".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            version: "v1".parse().unwrap(),
            dig: "dig".parse().unwrap(),
            revision: Revision::FIRST,
            namespace: "ns".into(),
            logical_cloud: None,
            for_cloud: false,
        }
    }

    fn rendered(name: &str) -> Rendered {
        Rendered {
            name: name.parse().unwrap(),
            depends_on: Vec::new(),
            manifests: Manifests {
                resources: vec![Manifest {
                    api_version: "v1".into(),
                    kind: "ConfigMap".into(),
                    name: name.into(),
                    namespace: None,
                    body: b"kind: ConfigMap".to_vec(),
                }],
                ..Manifests::default()
            },
        }
    }

    fn placement(app: &str, clusters: &[&str]) -> (AppName, Placement) {
        let clusters = (clusters.iter())
            .map(|c| Placed {
                cluster: c.parse().unwrap(),
                group: Some("1".into()),
                score: None,
            })
            .collect();
        (
            app.parse().unwrap(),
            Placement {
                clusters,
                dropped: Vec::new(),
            },
        )
    }

    #[test]
    fn every_placed_cluster_gets_the_apps_manifests_in_render_order() {
        let ctx = compose(
            ContextId::new(3),
            meta(),
            vec![rendered("db"), rendered("web")],
            vec![placement("web", &["p+a"]), placement("db", &["p+a", "p+b"])],
        )
        .unwrap();
        let names: Vec<&str> = ctx.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["db", "web"]);
        assert_eq!(ctx.apps[0].clusters.len(), 2);
        assert!(
            (ctx.apps[0].clusters.values()).all(|m| m.resources[0].name == "db"),
            "each cluster has the rendered manifests"
        );
    }

    #[test]
    fn apps_and_placements_must_match() {
        let unplaced = compose(ContextId::new(3), meta(), vec![rendered("db")], Vec::new());
        assert_eq!(unplaced, Err(Error::Unplaced("db".parse().unwrap())));
        let unrendered = compose(
            ContextId::new(3),
            meta(),
            Vec::new(),
            vec![placement("web", &["p+a"])],
        );
        assert_eq!(unrendered, Err(Error::Unrendered("web".parse().unwrap())));
    }
}
