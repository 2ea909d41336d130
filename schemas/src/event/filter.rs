//! Which events a subscriber asked for: the filters of `canopy events` and `GET /v2/events`, applied the same
//! way by the server (SSE) and by the client (NATS).
//!
//! A [`Filter`] holds up to three criteria, and an event must pass every one that is set:
//! - **subjects**: NATS subject patterns (`*` one token, `>` the rest); the event's subject must match one;
//! - **dig** (`project/compositeApp/version/dig`): the DIG's own events, and the app and resource events of
//!   its AppContexts. The AppContexts are learned from the DIG's events as they pass (each carries its
//!   `context`) and can be given up front with [`Filter::know_context`] when a subscription starts after
//!   the DIG's last transition;
//! - **cluster** (`provider/cluster`): the cluster's own events, and the app and resource events on it.
//!
//! The filter learns from every DIG event it is shown, even one another criterion rejects, so show it every
//! event in order and keep the one filter for the whole subscription.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use super::{Event, Identity};
use crate::ids::ContextId;
use crate::name::{
    ClusterName, ClusterProviderName, ClusterRef, CompositeAppName, CompositeAppVersion, DigName,
    ProjectName,
};

/// A filter argument is malformed. The message names the argument and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// A subject pattern breaks NATS's rules.
    #[error("subject {pattern:?}: {rule}")]
    Subject {
        /// The pattern.
        pattern: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A DIG reference is not `project/compositeApp/version/dig` with valid names.
    #[error("dig {text:?}: {rule}")]
    Dig {
        /// The argument.
        text: String,
        /// The rule it breaks.
        rule: String,
    },
    /// A cluster reference is not `provider/cluster` (or `provider+cluster`) with valid names.
    #[error("cluster {text:?}: {rule}")]
    Cluster {
        /// The argument.
        text: String,
        /// The rule it breaks.
        rule: String,
    },
}

/// A NATS subject pattern: dot-separated tokens, where `*` matches one token and a final `>` matches one or
/// more.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubjectPattern(String);

impl SubjectPattern {
    /// The pattern's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `subject` (a complete subject, no wildcards) matches.
    pub fn matches(&self, subject: &str) -> bool {
        let mut subject = subject.split('.');
        for token in self.0.split('.') {
            match (token, subject.next()) {
                (">", Some(_)) => return true,
                ("*", Some(_)) => {}
                (t, Some(s)) if t == s => {}
                _ => return false,
            }
        }
        subject.next().is_none()
    }
}

impl FromStr for SubjectPattern {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Self, FilterError> {
        let fail = |rule| FilterError::Subject {
            pattern: s.to_owned(),
            rule,
        };
        if s.is_empty() {
            return Err(fail("must not be empty"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(fail("must not contain whitespace"));
        }
        let tokens: Vec<&str> = s.split('.').collect();
        for (i, t) in tokens.iter().enumerate() {
            if t.is_empty() {
                return Err(fail("tokens between dots must not be empty"));
            }
            if t.len() > 1 && (t.contains('*') || t.contains('>')) {
                return Err(fail("`*` and `>` must be whole tokens"));
            }
            if *t == ">" && i + 1 != tokens.len() {
                return Err(fail("`>` may only be the last token"));
            }
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for SubjectPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A DIG named by its four names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DigRef {
    /// Project.
    pub project: ProjectName,
    /// Composite app.
    pub composite_app: CompositeAppName,
    /// Composite app version.
    pub version: CompositeAppVersion,
    /// The DIG.
    pub dig: DigName,
}

impl FromStr for DigRef {
    type Err = FilterError;
    /// Parses `project/compositeApp/version/dig`.
    fn from_str(s: &str) -> Result<Self, FilterError> {
        let fail = |rule: String| FilterError::Dig {
            text: s.to_owned(),
            rule,
        };
        let parts: Vec<&str> = s.split('/').collect();
        let [p, ca, v, d] = parts[..] else {
            return Err(fail(
                "must be project/compositeApp/version/dig (four names)".into(),
            ));
        };
        Ok(Self {
            project: ProjectName::new(p).map_err(|e| fail(format!("project: {e}")))?,
            composite_app: CompositeAppName::new(ca)
                .map_err(|e| fail(format!("composite app: {e}")))?,
            version: CompositeAppVersion::new(v).map_err(|e| fail(format!("version: {e}")))?,
            dig: DigName::new(d).map_err(|e| fail(format!("dig: {e}")))?,
        })
    }
}

impl DigRef {
    /// The subjects of the DIG's own transitions.
    pub fn states_pattern(&self) -> SubjectPattern {
        SubjectPattern(crate::subject::Subject::dig_any_state(
            &self.project,
            &self.composite_app,
            &self.version,
            &self.dig,
        ))
    }
}

impl fmt::Display for DigRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.project.as_str(),
            self.composite_app.as_str(),
            self.version.as_str(),
            self.dig.as_str()
        )
    }
}

/// Parses a cluster argument: `provider/cluster` or EMCO's `provider+cluster`.
pub fn parse_cluster(s: &str) -> Result<ClusterRef, FilterError> {
    let fail = |rule: String| FilterError::Cluster {
        text: s.to_owned(),
        rule,
    };
    let (provider, cluster) = s
        .split_once('/')
        .or_else(|| s.split_once('+'))
        .ok_or_else(|| fail("must be provider/cluster".into()))?;
    Ok(ClusterRef {
        provider: ClusterProviderName::new(provider).map_err(|e| fail(format!("provider: {e}")))?,
        cluster: ClusterName::new(cluster).map_err(|e| fail(format!("cluster: {e}")))?,
    })
}

/// A subscriber's filter. The default passes every event.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    subjects: Vec<SubjectPattern>,
    dig: Option<DigRef>,
    cluster: Option<ClusterRef>,
    contexts: BTreeSet<ContextId>,
}

impl Filter {
    /// A filter that passes every event.
    pub fn all() -> Self {
        Self::default()
    }

    /// Also requires the subject to match `pattern` or another pattern given this way.
    pub fn subject(mut self, pattern: SubjectPattern) -> Self {
        self.subjects.push(pattern);
        self
    }

    /// Also requires the event to belong to `dig`.
    pub fn dig(mut self, dig: DigRef) -> Self {
        self.dig = Some(dig);
        self
    }

    /// Also requires the event to concern `cluster`.
    pub fn cluster(mut self, cluster: ClusterRef) -> Self {
        self.cluster = Some(cluster);
        self
    }

    /// Counts `ctx` as one of the DIG's AppContexts (for a subscription that starts after the DIG's event).
    pub fn know_context(&mut self, ctx: ContextId) {
        self.contexts.insert(ctx);
    }

    /// The DIG criterion, if set.
    pub fn dig_ref(&self) -> Option<&DigRef> {
        self.dig.as_ref()
    }

    /// The subject patterns a subscription can narrow to without missing an event this filter passes: the
    /// given patterns; none (every subject) when none were given, since a DIG or cluster criterion needs
    /// app and resource events whose subjects name only an AppContext.
    pub fn patterns(&self) -> &[SubjectPattern] {
        &self.subjects
    }

    /// Shows the filter the next event; true when the subscriber gets it.
    pub fn pass(&mut self, subject: &str, event: &Event) -> bool {
        if let (Some(dig), Identity::Dig { .. }) = (&self.dig, &event.subject)
            && same_dig(dig, &event.subject)
            && let Some(ctx) = event.context
        {
            self.contexts.insert(ctx);
        }
        let subject_ok =
            self.subjects.is_empty() || self.subjects.iter().any(|p| p.matches(subject));
        subject_ok && self.dig_ok(event) && self.cluster_ok(event)
    }

    fn dig_ok(&self, event: &Event) -> bool {
        let Some(dig) = &self.dig else { return true };
        match &event.subject {
            Identity::Dig { .. } => same_dig(dig, &event.subject),
            Identity::App { ctx, .. } | Identity::Resource { ctx, .. } => {
                self.contexts.contains(ctx)
            }
            Identity::Cluster { .. }
            | Identity::Controller { .. }
            | Identity::LogicalCloud { .. } => false,
        }
    }

    fn cluster_ok(&self, event: &Event) -> bool {
        let Some(want) = &self.cluster else {
            return true;
        };
        match &event.subject {
            Identity::Cluster { cluster }
            | Identity::App { cluster, .. }
            | Identity::Resource { cluster, .. } => cluster == want,
            Identity::Dig { .. } | Identity::Controller { .. } | Identity::LogicalCloud { .. } => {
                false
            }
        }
    }
}

fn same_dig(want: &DigRef, identity: &Identity) -> bool {
    matches!(identity, Identity::Dig { project, composite_app, version, dig }
        if *project == want.project
            && *composite_app == want.composite_app
            && *version == want.version
            && *dig == want.dig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::AppName;

    fn dig_event(dig: &str, ctx: u64) -> Event {
        let d: DigRef = format!("p/ca/v1/{dig}").parse().unwrap();
        Event::new(
            Identity::Dig {
                project: d.project,
                composite_app: d.composite_app,
                version: d.version,
                dig: d.dig,
            },
            "Instantiated",
        )
        .with_context(ContextId::new(ctx))
    }

    fn app_event(ctx: u64, cluster: &str) -> Event {
        Event::new(
            Identity::App {
                ctx: ContextId::new(ctx),
                cluster: parse_cluster(cluster).unwrap(),
                app: AppName::new("web").unwrap(),
            },
            "Applied",
        )
    }

    fn pass(filter: &mut Filter, event: &Event) -> bool {
        filter.pass(event.subject().as_str(), event)
    }

    #[test]
    fn patterns_follow_nats_wildcards() {
        let p = |s: &str| s.parse::<SubjectPattern>().unwrap();
        assert!(p("canopy.>").matches("canopy.dig.a.b.c.d.Instantiated"));
        assert!(!p("canopy.>").matches("canopy"));
        assert!(p("canopy.*.x").matches("canopy.dig.x"));
        assert!(!p("canopy.*.x").matches("canopy.dig.x.y"));
        assert!(!p("canopy.dig").matches("canopy.dig.x"));
        for bad in ["", "a..b", "a.>.b", "a.b*", "a b"] {
            assert!(bad.parse::<SubjectPattern>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_dig_filter_learns_its_contexts_and_passes_their_app_events() {
        let mut filter = Filter::all().dig("p/ca/v1/d1".parse().unwrap());
        assert!(
            !pass(&mut filter, &app_event(7, "edge/c1")),
            "context not yet known"
        );
        assert!(pass(&mut filter, &dig_event("d1", 7)));
        assert!(pass(&mut filter, &app_event(7, "edge/c1")));
        assert!(!pass(&mut filter, &dig_event("d2", 8)));
        assert!(!pass(&mut filter, &app_event(8, "edge/c1")));
    }

    #[test]
    fn criteria_combine_and_a_rejected_dig_event_still_teaches_its_context() {
        let mut filter = Filter::all()
            .dig("p/ca/v1/d1".parse().unwrap())
            .cluster(parse_cluster("edge/c2").unwrap());
        assert!(
            !pass(&mut filter, &dig_event("d1", 7)),
            "a DIG event names no cluster"
        );
        assert!(!pass(&mut filter, &app_event(7, "edge/c1")));
        assert!(pass(&mut filter, &app_event(7, "edge+c2")));
    }

    #[test]
    fn a_digs_states_pattern_matches_its_transitions_only() {
        let pattern = "p/ca/v1/d1".parse::<DigRef>().unwrap().states_pattern();
        assert!(pattern.matches(dig_event("d1", 1).subject().as_str()));
        assert!(!pattern.matches(dig_event("d2", 1).subject().as_str()));
        assert!(!pattern.matches(app_event(1, "edge/c1").subject().as_str()));
    }

    #[test]
    fn bad_arguments_name_the_rule() {
        let e = "p/ca/v1".parse::<DigRef>().unwrap_err().to_string();
        assert!(e.contains("four names"), "{e}");
        let e = parse_cluster("justone").unwrap_err().to_string();
        assert!(e.contains("provider/cluster"), "{e}");
    }
}
