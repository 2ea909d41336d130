//! What a lifecycle runs for: a deployment intent group, or a logical cloud (whose lifecycle is a DIG's
//! without `Approved`, as in EMCO's dcm). Each has its runtime-state key and its event subject.

use std::fmt;

use canopy_schemas::event::{Event, Identity};
use canopy_schemas::name::{
    CompositeAppName, CompositeAppVersion, DigName, LogicalCloudName, ProjectName,
};
use canopy_schemas::{ContextId, DigState, Revision};

use crate::appcontext::keys;
use crate::context::Key;

/// Which DIG.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DigId {
    /// The project.
    pub project: ProjectName,
    /// The composite app.
    pub composite_app: CompositeAppName,
    /// Its version.
    pub version: CompositeAppVersion,
    /// The DIG.
    pub dig: DigName,
}

/// Which logical cloud.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloudId {
    /// The project.
    pub project: ProjectName,
    /// The logical cloud.
    pub logical_cloud: LogicalCloudName,
}

/// A DIG or a logical cloud.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A deployment intent group.
    Dig(DigId),
    /// A logical cloud.
    Cloud(CloudId),
}

impl Target {
    /// The key of its runtime state.
    pub fn key(&self) -> Key {
        match self {
            Self::Dig(d) => keys::dig(&d.project, &d.composite_app, &d.version, &d.dig),
            Self::Cloud(c) => keys::logical_cloud(&c.project, &c.logical_cloud),
        }
    }

    /// Parses the key of a runtime state back.
    pub fn from_key(key: &Key) -> Option<Self> {
        let s = std::str::from_utf8(key.as_bytes()).ok()?;
        let (rest, cloud) = match s.strip_prefix("/canopy/dig/") {
            Some(rest) => (rest, false),
            None => (s.strip_prefix("/canopy/lc/")?, true),
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let target = match (cloud, parts.as_slice()) {
            (false, [p, ca, v, d]) => Self::Dig(DigId {
                project: p.parse().ok()?,
                composite_app: ca.parse().ok()?,
                version: v.parse().ok()?,
                dig: d.parse().ok()?,
            }),
            (true, [p, lc]) => Self::Cloud(CloudId {
                project: p.parse().ok()?,
                logical_cloud: lc.parse().ok()?,
            }),
            _ => return None,
        };
        (target.key() == *key).then_some(target)
    }

    /// The event of a transition.
    pub fn event(
        &self,
        from: DigState,
        to: DigState,
        revision: Option<Revision>,
        context: Option<ContextId>,
        message: Option<&str>,
    ) -> Event {
        let identity = match self {
            Self::Dig(d) => Identity::Dig {
                project: d.project.clone(),
                composite_app: d.composite_app.clone(),
                version: d.version.clone(),
                dig: d.dig.clone(),
            },
            Self::Cloud(c) => Identity::LogicalCloud {
                project: c.project.clone(),
                logical_cloud: c.logical_cloud.clone(),
            },
        };
        let mut e = Event::new(identity, to.as_str()).from_state(from.as_str());
        if let Some(r) = revision {
            e = e.with_revision(r);
        }
        if let Some(c) = context {
            e = e.with_context(c);
        }
        if let Some(m) = message {
            e = e.with_message(m);
        }
        e
    }

    /// True for a logical cloud.
    pub const fn is_cloud(&self) -> bool {
        matches!(self, Self::Cloud(_))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dig(d) => write!(
                f,
                "deployment intent group {}/{}/{}/{}",
                d.project, d.composite_app, d.version, d.dig
            ),
            Self::Cloud(c) => write!(f, "logical cloud {}/{}", c.project, c.logical_cloud),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back() {
        let dig = Target::Dig(DigId {
            project: "p".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            version: "v1".parse().unwrap(),
            dig: "d".parse().unwrap(),
        });
        let lc = Target::Cloud(CloudId {
            project: "p".parse().unwrap(),
            logical_cloud: "lc".parse().unwrap(),
        });
        for t in [dig, lc] {
            assert_eq!(Target::from_key(&t.key()), Some(t.clone()));
        }
        assert_eq!(Target::from_key(&Key::from("/canopy/dig/p/ca/v1")), None);
        assert_eq!(Target::from_key(&Key::from("/canopy/lc/p/lc/x")), None);
    }

    #[test]
    fn events_follow_the_target() {
        let lc = Target::Cloud(CloudId {
            project: "p".parse().unwrap(),
            logical_cloud: "lc".parse().unwrap(),
        });
        let e = lc.event(DigState::Created, DigState::Instantiating, None, None, None);
        assert_eq!(e.subject().as_str(), "canopy.lc.p.lc.Instantiating");
    }
}
