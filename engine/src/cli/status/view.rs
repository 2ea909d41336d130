//! A DIG's status as `canopy status` reads it: the body of `GET DIG/status?status=ready&output=detail`
//! (docs/api.md, "Status"), and what it means for a target.
//!
//! **deployed**: the DIG's `state` is `Instantiated` and its AppContext's state (`deployedStatus`) is
//! `Instantiated`, which rsync writes once every resource is applied on every cluster.
//! **ready**: deployed, and `readyStatus` is `Ready` (every resource on every cluster is Ready).
//! **failed**: neither can be reached without another operation: the DIG is `InstantiateFailed`,
//! `InstantiateStopped`, `Terminating`, `Terminated`, `TerminateFailed` or `TerminateStopped`; or the
//! AppContext is `InstantiateFailed`, `UpdateFailed`, `Terminating`, `Terminated` or `TerminateFailed`;
//! or an app stopped on a cluster (its `phase` is `Failed` or `Stopped`).
//! Anything else is still on its way (`Created` and `Approved` included: an instantiate may come).
//!
//! Per app and cluster, a cluster counts as done for `deployed` when its phase is `Applied` or `Ready`, and
//! for `ready` when, besides, each of its resources is Ready.

use serde_json::Value;

/// What `--wait` waits for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Every resource applied on every cluster.
    Deployed,
    /// Deployed, and every resource Ready.
    #[default]
    Ready,
}

impl Target {
    /// The target's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Deployed => "deployed",
            Self::Ready => "ready",
        }
    }
}

/// DIG states from which no target is reached without another operation.
const DIG_FAILED: &[&str] = &[
    "InstantiateFailed",
    "InstantiateStopped",
    "Terminating",
    "Terminated",
    "TerminateFailed",
    "TerminateStopped",
];
/// AppContext states from which no target is reached.
const CONTEXT_FAILED: &[&str] = &[
    "InstantiateFailed",
    "UpdateFailed",
    "Terminating",
    "Terminated",
    "TerminateFailed",
];
/// App phases on a cluster that are final failures.
const PHASE_FAILED: &[&str] = &["Failed", "Stopped"];

/// One status answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The DIG's lifecycle state.
    pub state: String,
    /// Why its last saga failed.
    pub reason: Option<String>,
    /// The AppContext reported on (`states.statusctxid`), if any.
    pub context: Option<String>,
    /// The AppContext's state (`deployedStatus`); `None` before it is built.
    pub context_state: Option<String>,
    /// Why the AppContext is in its state.
    pub context_reason: Option<String>,
    /// `readyStatus` is `Ready`.
    pub ready: bool,
    /// The apps, in deployment order.
    pub apps: Vec<App>,
}

/// One app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// Its name.
    pub name: String,
    /// Its clusters.
    pub clusters: Vec<Cluster>,
}

/// One app on one cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// `provider/cluster`.
    pub name: String,
    /// rsync's phase; `None` until rsync writes.
    pub phase: Option<String>,
    /// Whether rsync reaches the cluster.
    pub connectivity: String,
    /// rsync's last error there.
    pub last_error: Option<String>,
    /// How many resources.
    pub resources: usize,
    /// How many of them are Ready.
    pub ready_resources: usize,
    /// `Kind/name: message` of each resource with a message.
    pub messages: Vec<String>,
}

impl Cluster {
    /// The phase, `Pending` until rsync writes one.
    pub fn phase(&self) -> &str {
        self.phase.as_deref().unwrap_or("Pending")
    }

    /// True when this app on this cluster has reached `target`.
    pub fn reached(&self, target: Target) -> bool {
        let applied = matches!(self.phase(), "Applied" | "Ready");
        match target {
            Target::Deployed => applied,
            Target::Ready => applied && self.ready_resources == self.resources,
        }
    }

    /// True when the app stopped on this cluster for good.
    pub fn failed(&self) -> bool {
        PHASE_FAILED.contains(&self.phase())
    }

    /// Why the cluster is failing or retrying, if it is: rsync's last error, else the resources' messages.
    pub fn trouble(&self) -> Option<String> {
        if let Some(e) = &self.last_error {
            return Some(e.clone());
        }
        if !self.messages.is_empty() {
            return Some(self.messages.join("; "));
        }
        self.failed().then(|| format!("phase {}", self.phase()))
    }
}

/// A failure that keeps the DIG from its target, or a cluster in trouble.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What failed: `DIG`, `AppContext <id>`, or `<app> on <provider/cluster>`.
    pub what: String,
    /// The state or phase it is in.
    pub state: String,
    /// Why.
    pub reason: String,
}

/// Where a DIG stands against a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The target is reached.
    Reached,
    /// The target cannot be reached; why.
    Failed(Vec<Failure>),
    /// Still on its way.
    Waiting,
}

impl Snapshot {
    /// Reads a status body (`status=ready&output=detail`).
    pub fn from_json(body: &Value) -> Result<Self, serde_json::Error> {
        let raw: raw::Status = serde_json::from_value(body.clone())?;
        Ok(raw.into())
    }

    /// Where the DIG stands against `target` (the module's definitions).
    pub fn verdict(&self, target: Target) -> Verdict {
        let context_failed = self
            .context_state
            .as_deref()
            .is_some_and(|s| CONTEXT_FAILED.contains(&s));
        let cluster_failed = self.clusters().any(|(_, c)| c.failed());
        if DIG_FAILED.contains(&self.state.as_str()) || context_failed || cluster_failed {
            return Verdict::Failed(self.failures());
        }
        let deployed =
            self.state == "Instantiated" && self.context_state.as_deref() == Some("Instantiated");
        match target {
            Target::Deployed if deployed => Verdict::Reached,
            Target::Ready if deployed && self.ready => Verdict::Reached,
            _ => Verdict::Waiting,
        }
    }

    /// Every app and cluster pair.
    pub fn clusters(&self) -> impl Iterator<Item = (&App, &Cluster)> {
        self.apps
            .iter()
            .flat_map(|a| a.clusters.iter().map(move |c| (a, c)))
    }

    /// What is wrong: a failed DIG or AppContext with its reason, and each cluster that failed or is
    /// retrying, with why.
    pub fn failures(&self) -> Vec<Failure> {
        let mut out = Vec::new();
        if DIG_FAILED.contains(&self.state.as_str()) {
            out.push(Failure {
                what: "DIG".into(),
                state: self.state.clone(),
                reason: self.reason.clone().unwrap_or_default(),
            });
        }
        if let Some(state) = &self.context_state
            && (CONTEXT_FAILED.contains(&state.as_str()) || self.context_reason.is_some())
        {
            out.push(Failure {
                what: format!("AppContext {}", self.context.as_deref().unwrap_or("?")),
                state: state.clone(),
                reason: self.context_reason.clone().unwrap_or_default(),
            });
        }
        for (app, cluster) in self.clusters() {
            if let Some(reason) = cluster.trouble() {
                out.push(Failure {
                    what: format!("{} on {}", app.name, cluster.name),
                    state: cluster.phase().to_owned(),
                    reason,
                });
            }
        }
        out
    }
}

/// The status body as the API writes it: only the fields read here.
mod raw {
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Status {
        pub state: String,
        pub reason: Option<String>,
        #[serde(default)]
        pub states: States,
        pub deployed_status: Option<String>,
        pub deployed_reason: Option<String>,
        pub ready_status: Option<String>,
        #[serde(default)]
        pub apps: Vec<App>,
    }

    #[derive(Deserialize, Default)]
    pub struct States {
        #[serde(default)]
        pub statusctxid: String,
    }

    #[derive(Deserialize)]
    pub struct App {
        pub name: String,
        #[serde(default)]
        pub clusters: Vec<Cluster>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Cluster {
        pub cluster_provider: String,
        pub cluster: String,
        pub connectivity: Option<String>,
        pub last_error: Option<String>,
        pub phase: Option<String>,
        #[serde(default)]
        pub resources: Vec<Resource>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Resource {
        #[serde(rename = "GVK", default)]
        pub gvk: Gvk,
        pub name: String,
        pub ready_status: Option<String>,
        pub message: Option<String>,
    }

    #[derive(Deserialize, Default)]
    pub struct Gvk {
        #[serde(rename = "Kind", default)]
        pub kind: String,
    }
}

impl From<raw::Status> for Snapshot {
    fn from(s: raw::Status) -> Self {
        let apps = s
            .apps
            .into_iter()
            .map(|a| App {
                name: a.name,
                clusters: a.clusters.into_iter().map(Cluster::from).collect(),
            })
            .collect();
        Self {
            state: s.state,
            reason: s.reason.filter(|r| !r.is_empty()),
            context: Some(s.states.statusctxid).filter(|c| !c.is_empty()),
            context_state: s.deployed_status,
            context_reason: s.deployed_reason.filter(|r| !r.is_empty()),
            ready: s.ready_status.as_deref() == Some("Ready"),
            apps,
        }
    }
}

impl From<raw::Cluster> for Cluster {
    fn from(c: raw::Cluster) -> Self {
        let ready_resources = c
            .resources
            .iter()
            .filter(|r| r.ready_status.as_deref() == Some("Ready"))
            .count();
        let messages = c
            .resources
            .iter()
            .filter_map(|r| {
                let m = r.message.as_deref().filter(|m| !m.is_empty())?;
                Some(format!("{}/{}: {m}", r.gvk.kind, r.name))
            })
            .collect();
        Self {
            name: format!("{}/{}", c.cluster_provider, c.cluster),
            phase: c.phase,
            connectivity: c.connectivity.unwrap_or_else(|| "Unknown".into()),
            last_error: c.last_error.filter(|e| !e.is_empty()),
            resources: c.resources.len(),
            ready_resources,
            messages,
        }
    }
}

#[cfg(test)]
mod tests;
