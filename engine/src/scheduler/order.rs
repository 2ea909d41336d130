//! The deployment order of a composite app's apps: topological by dependency (an app after every app it
//! depends on), ties broken by name. A dependency cycle is an error that names the cycle.

use std::collections::{BTreeMap, BTreeSet};

use canopy_schemas::name::AppName;

/// The apps cannot be ordered. Terminal: the dependencies must change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An app depends on an app the composite app does not have.
    #[error("app {app} depends on app {depends_on}, which the composite app does not have")]
    UnknownApp {
        /// The dependent app.
        app: AppName,
        /// The missing app.
        depends_on: AppName,
    },
    /// The dependencies form a cycle, listed from its first app back to it.
    #[error("app dependencies form a cycle: {}", path(.0))]
    Cycle(Vec<AppName>),
}

fn path(cycle: &[AppName]) -> String {
    let names: Vec<&str> = cycle.iter().map(AppName::as_str).collect();
    names.join(" -> ")
}

/// `deps` (each app with the apps it depends on) in deployment order.
pub fn order(deps: &BTreeMap<AppName, Vec<AppName>>) -> Result<Vec<AppName>, Error> {
    for (app, on) in deps {
        if let Some(missing) = on.iter().find(|d| !deps.contains_key(*d)) {
            return Err(Error::UnknownApp {
                app: app.clone(),
                depends_on: missing.clone(),
            });
        }
    }
    let mut waiting: BTreeMap<&AppName, BTreeSet<&AppName>> = (deps.iter())
        .map(|(app, on)| (app, on.iter().collect()))
        .collect();
    let mut out = Vec::with_capacity(deps.len());
    while let Some(next) = waiting
        .iter()
        .find(|(_, on)| on.is_empty())
        .map(|(app, _)| *app)
    {
        waiting.remove(next);
        for on in waiting.values_mut() {
            on.remove(next);
        }
        out.push(next.clone());
    }
    if waiting.is_empty() {
        Ok(out)
    } else {
        Err(Error::Cycle(cycle(&waiting)))
    }
}

/// One cycle among `waiting`, where every app still waits on another: follow the smallest dependency
/// from the smallest app until an app repeats. The cycle is listed from its smallest app.
fn cycle(waiting: &BTreeMap<&AppName, BTreeSet<&AppName>>) -> Vec<AppName> {
    let mut seen: Vec<&AppName> = Vec::new();
    let mut at = *waiting.keys().next().expect("a cycle has apps");
    while !seen.contains(&at) {
        seen.push(at);
        at = waiting[at]
            .iter()
            .next()
            .expect("every waiting app waits on one");
    }
    let start = seen.iter().position(|a| *a == at).expect("seen");
    let mut cycle: Vec<AppName> = seen[start..].iter().map(|a| (*a).clone()).collect();
    let smallest = (0..cycle.len())
        .min_by_key(|i| &cycle[*i])
        .expect("a cycle has apps");
    cycle.rotate_left(smallest);
    cycle.push(cycle[0].clone());
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(pairs: &[(&str, &[&str])]) -> BTreeMap<AppName, Vec<AppName>> {
        (pairs.iter())
            .map(|(a, on)| {
                (
                    a.parse().unwrap(),
                    on.iter().map(|d| d.parse().unwrap()).collect(),
                )
            })
            .collect()
    }

    fn names(order: Vec<AppName>) -> Vec<String> {
        order.into_iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn apps_follow_what_they_depend_on_and_ties_go_by_name() {
        let got = order(&deps(&[
            ("web", &["db", "cache"]),
            ("db", &[]),
            ("cache", &["db"]),
            ("alpha", &[]),
        ]))
        .unwrap();
        assert_eq!(names(got), ["alpha", "db", "cache", "web"]);
    }

    #[test]
    fn a_cycle_is_named() {
        let err = order(&deps(&[
            ("a", &[]),
            ("b", &["c"]),
            ("c", &["d"]),
            ("d", &["b"]),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "app dependencies form a cycle: b -> c -> d -> b"
        );
    }

    #[test]
    fn a_dependency_on_an_absent_app_is_named() {
        let err = order(&deps(&[("a", &["ghost"])])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "app a depends on app ghost, which the composite app does not have"
        );
    }
}
