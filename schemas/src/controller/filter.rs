//! `FilterClusters`: the candidate clusters of each app, and what a placement controller decides about them.

use super::cluster::Cluster;
use super::convert::{list, message, name};
use super::dig::{DigIdentity, Intent};
use super::error::{Error, Problem, Result};
use crate::name::{AppName, ClusterRef};
use crate::proto::controller::v1 as pb;

/// Request to `FilterClusters`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterRequest {
    /// The DIG.
    pub dig: DigIdentity,
    /// The controller's intent for this DIG.
    pub intent: Intent,
    /// Every app with its candidate clusters in groups.
    pub apps: Vec<AppCandidates>,
}

/// The candidate clusters of one app.
#[derive(Debug, Clone, PartialEq)]
pub struct AppCandidates {
    /// The app.
    pub app: AppName,
    /// Its placement groups.
    pub groups: Vec<ClusterGroup>,
}

impl AppCandidates {
    /// Every candidate cluster of the app, over all its groups.
    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.groups.iter().flat_map(|g| g.clusters.iter())
    }

    /// Whether `cluster` is a candidate of the app.
    pub fn is_candidate(&self, cluster: &ClusterRef) -> bool {
        self.clusters().any(|c| &c.cluster == cluster)
    }
}

/// A placement group: every cluster of a mandatory (allOf) group is deployed; one cluster of an anyOf group is.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterGroup {
    /// Group id, unique within the app.
    pub group: String,
    /// True for an allOf group, false for an anyOf group.
    pub mandatory: bool,
    /// The candidate clusters of the group.
    pub clusters: Vec<Cluster>,
}

/// Response of `FilterClusters`. Clusters that no decision names stay as they were.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterResponse {
    /// Decisions per app.
    pub apps: Vec<AppDecision>,
}

/// The decisions about one app's clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct AppDecision {
    /// The app.
    pub app: AppName,
    /// The decisions.
    pub clusters: Vec<ClusterDecision>,
}

/// A decision about one cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterDecision {
    /// Which cluster.
    pub cluster: ClusterRef,
    /// Keep (with a score) or drop (with a reason).
    pub verdict: Verdict,
}

/// What a placement controller decides about one cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Keep the cluster. Within an anyOf group the engine picks the cluster with the highest total score.
    Keep {
        /// A finite score; 0 when the controller does not score.
        score: f64,
    },
    /// Drop the cluster from the app's candidates.
    Drop {
        /// Why, shown in status and events.
        reason: String,
    },
}

impl ClusterDecision {
    /// Keep `cluster` with `score`.
    pub fn keep(cluster: ClusterRef, score: f64) -> Self {
        Self {
            cluster,
            verdict: Verdict::Keep { score },
        }
    }

    /// Drop `cluster` because of `reason`.
    pub fn drop(cluster: ClusterRef, reason: impl Into<String>) -> Self {
        Self {
            cluster,
            verdict: Verdict::Drop {
                reason: reason.into(),
            },
        }
    }
}

impl TryFrom<pb::FilterClustersRequest> for FilterRequest {
    type Error = Error;
    fn try_from(m: pb::FilterClustersRequest) -> Result<Self> {
        Ok(Self {
            dig: message("dig", m.dig)?,
            intent: message("intent", m.intent)?,
            apps: list("apps", m.apps)?,
        })
    }
}

impl From<FilterRequest> for pb::FilterClustersRequest {
    fn from(r: FilterRequest) -> Self {
        Self {
            dig: Some(r.dig.into()),
            intent: Some(r.intent.into()),
            apps: r.apps.into_iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::AppCandidates> for AppCandidates {
    type Error = Error;
    fn try_from(m: pb::AppCandidates) -> Result<Self> {
        Ok(Self {
            app: name("app", m.app)?,
            groups: list("groups", m.groups)?,
        })
    }
}

impl From<AppCandidates> for pb::AppCandidates {
    fn from(a: AppCandidates) -> Self {
        Self {
            app: a.app.to_string(),
            groups: a.groups.into_iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::ClusterGroup> for ClusterGroup {
    type Error = Error;
    fn try_from(m: pb::ClusterGroup) -> Result<Self> {
        Ok(Self {
            group: m.group,
            mandatory: m.mandatory,
            clusters: list("clusters", m.clusters)?,
        })
    }
}

impl From<ClusterGroup> for pb::ClusterGroup {
    fn from(g: ClusterGroup) -> Self {
        Self {
            group: g.group,
            mandatory: g.mandatory,
            clusters: g.clusters.into_iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::FilterClustersResponse> for FilterResponse {
    type Error = Error;
    fn try_from(m: pb::FilterClustersResponse) -> Result<Self> {
        Ok(Self {
            apps: list("apps", m.apps)?,
        })
    }
}

impl From<FilterResponse> for pb::FilterClustersResponse {
    fn from(r: FilterResponse) -> Self {
        Self {
            apps: r.apps.into_iter().map(Into::into).collect(),
        }
    }
}

/// A decision on the wire, `None` when its verdict is `VERDICT_UNSPECIFIED` (the cluster stays as it was,
/// exactly as if no decision named it).
struct MaybeDecision(Option<ClusterDecision>);

impl TryFrom<pb::ClusterDecision> for MaybeDecision {
    type Error = Error;
    fn try_from(m: pb::ClusterDecision) -> Result<Self> {
        let cluster: ClusterRef = message("cluster", m.cluster)?;
        let verdict = match pb::Verdict::try_from(m.verdict) {
            Ok(pb::Verdict::Unspecified) => return Ok(Self(None)),
            Ok(pb::Verdict::Keep) if m.score.is_finite() => Verdict::Keep { score: m.score },
            Ok(pb::Verdict::Keep) => return Err(Error::new("score", Problem::NotFinite)),
            Ok(pb::Verdict::Drop) => Verdict::Drop { reason: m.reason },
            Err(_) => return Err(Error::new("verdict", Problem::Enum(m.verdict))),
        };
        Ok(Self(Some(ClusterDecision { cluster, verdict })))
    }
}

impl TryFrom<pb::AppDecision> for AppDecision {
    type Error = Error;
    fn try_from(m: pb::AppDecision) -> Result<Self> {
        let decisions: Vec<MaybeDecision> = list("clusters", m.clusters)?;
        Ok(Self {
            app: name("app", m.app)?,
            clusters: decisions.into_iter().filter_map(|d| d.0).collect(),
        })
    }
}

impl From<AppDecision> for pb::AppDecision {
    fn from(a: AppDecision) -> Self {
        Self {
            app: a.app.to_string(),
            clusters: a.clusters.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<ClusterDecision> for pb::ClusterDecision {
    fn from(d: ClusterDecision) -> Self {
        let (verdict, score, reason) = match d.verdict {
            Verdict::Keep { score } => (pb::Verdict::Keep, score, String::new()),
            Verdict::Drop { reason } => (pb::Verdict::Drop, 0.0, reason),
        };
        Self {
            cluster: Some(d.cluster.into()),
            verdict: verdict.into(),
            score,
            reason,
        }
    }
}
