//! Which subcharts are enabled, and the values each one sees, as Helm computes them.
//!
//! - A subchart listed in `dependencies` is enabled unless its `condition` or its `tags` say otherwise.
//!   The condition is a comma-separated list of value paths; the first that holds a boolean decides. Tags
//!   are read from the top-level `tags` map: one true tag enables it; otherwise one false tag disables it. A
//!   condition that holds a boolean overrides the tags. Subcharts in `charts/` that no dependency lists are
//!   always enabled.
//! - An `alias` renames the subchart, and its values key with it.
//! - A subchart's values are its own `values.yaml` under the parent's `values.<name>`, and its `global` map
//!   is the parent's `global` over its own.

use serde_json::{Map, Value};

use super::coalesce;
use crate::chart::Chart;

/// An enabled subchart with the name it is used under.
#[derive(Debug, Clone, Copy)]
pub struct Enabled<'a> {
    /// Its name, or its alias.
    pub name: &'a str,
    /// The subchart.
    pub chart: &'a Chart,
}

/// The enabled subcharts of `chart`, given the chart's final `values`.
pub fn enabled<'a>(chart: &'a Chart, values: &Value) -> Vec<Enabled<'a>> {
    let mut out = Vec::new();
    let mut listed = std::collections::BTreeSet::new();
    for dep in &chart.metadata.dependencies {
        let Some(sub) = chart.subcharts.iter().find(|c| c.metadata.name == dep.name) else {
            continue;
        };
        listed.insert(dep.name.as_str());
        let by_condition = dep.condition.as_deref().and_then(|c| {
            c.split(',')
                .map(str::trim)
                .find_map(|path| lookup(values, path).and_then(Value::as_bool))
        });
        let by_tags = (!dep.tags.is_empty()).then(|| {
            let states: Vec<Option<bool>> = dep
                .tags
                .iter()
                .map(|t| {
                    values
                        .get("tags")
                        .and_then(|tags| tags.get(t))
                        .and_then(Value::as_bool)
                })
                .collect();
            // Helm: disabled when no tag is true and at least one is false; tags not set do not count.
            states.contains(&Some(true)) || !states.contains(&Some(false))
        });
        if by_condition.or(by_tags).unwrap_or(true) {
            out.push(Enabled {
                name: dep.alias.as_deref().unwrap_or(&dep.name),
                chart: sub,
            });
        }
    }
    for sub in &chart.subcharts {
        if !listed.contains(sub.metadata.name.as_str()) {
            out.push(Enabled {
                name: &sub.metadata.name,
                chart: sub,
            });
        }
    }
    out
}

fn lookup<'v>(values: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(values, |v, key| v.get(key))
}

/// The final values of `chart` for user values `user` (already layered): the chart's defaults under
/// `user`, with every enabled subchart's defaults under `values.<name>` and the parent's `global` pushed
/// down, recursively.
pub fn coalesce_chart(chart: &Chart, user: &Value) -> Value {
    let mut values = chart.values.clone();
    coalesce(&mut values, user.clone());
    if !values.is_object() {
        values = Value::Object(Map::new());
    }
    let global = values
        .get("global")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    for sub in enabled(chart, &values) {
        let mut given = values
            .get(sub.name)
            .cloned()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(Map::new()));
        // The parent's globals win over the subchart's own.
        let mut sub_global = sub
            .chart
            .values
            .get("global")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        coalesce(
            &mut sub_global,
            given.get("global").cloned().unwrap_or(Value::Null),
        );
        coalesce(&mut sub_global, global.clone());
        given["global"] = sub_global;
        let scoped = coalesce_chart(sub.chart, &given);
        values[sub.name] = scoped;
    }
    values
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn chart() -> Chart {
        let files: BTreeMap<String, Vec<u8>> = [
            (
                "Chart.yaml",
                "name: app\nversion: 1.0.0\ndependencies:\n- name: redis\n  condition: redis.enabled,cache.enabled\n- name: metrics\n  tags: [monitoring, extras]\n- name: db\n  alias: database\n",
            ),
            ("values.yaml", "global:\n  region: eu\nredis:\n  enabled: true\n  port: 6380\ntags:\n  monitoring: false\n"),
            ("charts/redis/Chart.yaml", "name: redis\nversion: 7.0.0\n"),
            ("charts/redis/values.yaml", "port: 6379\nmemory: 1Gi\nglobal:\n  region: us\n  tier: cache\n"),
            ("charts/metrics/Chart.yaml", "name: metrics\nversion: 1.0.0\n"),
            ("charts/db/Chart.yaml", "name: db\nversion: 1.0.0\n"),
            ("charts/db/values.yaml", "size: 10\n"),
            ("charts/extra/Chart.yaml", "name: extra\nversion: 1.0.0\n"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec()))
        .collect();
        Chart::from_files(files).unwrap()
    }

    fn names(chart: &Chart, user: Value) -> Vec<String> {
        let values = coalesce_chart(chart, &user);
        enabled(chart, &values)
            .iter()
            .map(|e| e.name.to_owned())
            .collect()
    }

    #[test]
    fn conditions_tags_and_aliases_decide_what_is_enabled() {
        let c = chart();
        assert_eq!(
            names(&c, json!({})),
            ["redis", "database", "extra"],
            "metrics has all its tags false"
        );
        assert_eq!(
            names(&c, json!({"redis": {"enabled": false}})),
            ["database", "extra"]
        );
        assert_eq!(
            names(&c, json!({"tags": {"extras": true}})),
            ["redis", "metrics", "database", "extra"]
        );
        // The first condition path holding a boolean decides; a missing one is skipped.
        assert_eq!(
            names(
                &c,
                json!({"redis": {"enabled": "yes"}, "cache": {"enabled": false}})
            ),
            ["database", "extra"]
        );
    }

    #[test]
    fn subcharts_see_their_own_values_under_their_name_with_the_parents_globals() {
        let c = chart();
        let values = coalesce_chart(
            &c,
            &json!({"database": {"size": 20}, "global": {"owner": "ops"}}),
        );
        assert_eq!(
            values["redis"]["port"],
            json!(6380.0),
            "the parent's values.yaml overrides the subchart's"
        );
        assert_eq!(values["redis"]["memory"], "1Gi");
        assert_eq!(
            values["redis"]["global"],
            json!({"region": "eu", "tier": "cache", "owner": "ops"})
        );
        assert_eq!(
            values["database"]["size"],
            json!(20),
            "an alias is the values key"
        );
        assert!(values.get("db").is_none());
    }
}
