//! A conformance suite any controller's tests can run: it calls a running controller over gRPC and checks
//! the rules every correct controller keeps, whatever its intent means (STYLE 19).
//!
//! ```no_run
//! # async fn example(addr: std::net::SocketAddr) {
//! use canopy_controllers::conformance::Suite;
//! Suite::new(addr)
//!     .with_spec(serde_json::json!({"replicas": 2}))
//!     .check_action()
//!     .await
//!     .unwrap_or_else(|failures| panic!("{failures}"));
//! # }
//! ```
//!
//! - [`report`]: the [`Check`]s and the [`Failures`] the suite returns;
//! - `fixture`: the requests it sends;
//! - `placement` and `action`: the checks of each service;
//! - [`local`]: the same suite run against a controller value, served for the run.

mod action;
mod call;
mod fixture;
pub mod local;
mod placement;
pub mod report;

pub use local::{apps, check_action_controller, check_placement_controller};
pub use report::{Check, Failure, Failures};

use std::net::SocketAddr;
use std::time::Duration;

use canopy_schemas::controller::{Intent, ValidateRequest};
use canopy_schemas::name::AppName;
use canopy_schemas::proto::controller::v1 as pb;
use serde_json::Value;

use call::Probe;

/// The suite, pointed at one running controller. Build it with [`Suite::new`] and the `with_` methods, then
/// run [`Suite::check_placement`] or [`Suite::check_action`].
#[derive(Debug, Clone)]
pub struct Suite {
    endpoint: String,
    spec: Option<Value>,
    apps: Vec<AppName>,
    deadline: Duration,
}

impl Suite {
    /// The suite for the controller listening on `addr`, with no valid spec, apps `app1` and `app2`, and a
    /// deadline of 5 s per call.
    pub fn new(addr: SocketAddr) -> Self {
        let app = |s: &str| s.parse().expect("fixture app names are valid");
        Self {
            endpoint: format!("http://{addr}"),
            spec: None,
            apps: vec![app("app1"), app("app2")],
            deadline: Duration::from_secs(5),
        }
    }

    /// An intent spec the controller accepts. `ValidateIntent` must accept it, and the main calls are made
    /// with it as well as with odd specs.
    pub fn with_spec(mut self, spec: Value) -> Self {
        self.spec = Some(spec);
        self
    }

    /// The apps of the requests, for a spec that names apps.
    pub fn with_apps(mut self, apps: impl IntoIterator<Item = AppName>) -> Self {
        self.apps = apps.into_iter().collect();
        self
    }

    /// The deadline of each call.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Runs every placement check; `Err` lists each one that failed.
    pub async fn check_placement(&self) -> Result<(), Failures> {
        let mut probe = self.probe();
        placement::run(self, &mut probe).await;
        probe.failures.into_result()
    }

    /// Runs every action check; `Err` lists each one that failed.
    pub async fn check_action(&self) -> Result<(), Failures> {
        let mut probe = self.probe();
        action::run(self, &mut probe).await;
        probe.failures.into_result()
    }

    fn probe(&self) -> Probe {
        Probe {
            deadline: self.deadline,
            failures: Failures::default(),
        }
    }

    /// The intent of the requests, with `spec`.
    fn intent(spec: Value) -> Intent {
        Intent {
            controller: "conformance".parse().expect("fixture names are valid"),
            name: "suite".parse().expect("fixture names are valid"),
            spec,
        }
    }

    /// Every spec the main calls are made with: the valid one first, if any, then the odd ones.
    fn specs(&self) -> Vec<Value> {
        self.spec
            .iter()
            .cloned()
            .chain(fixture::odd_specs())
            .collect()
    }

    /// The `ValidateIntent` requests to send, each with the check its answer is held to.
    fn validations(&self) -> Vec<(Option<Check>, pb::ValidateIntentRequest)> {
        let request = |spec| {
            pb::ValidateIntentRequest::from(ValidateRequest {
                intent: Self::intent(spec),
            })
        };
        let mut garbage = request(Value::Null);
        if let Some(intent) = garbage.intent.as_mut() {
            intent.spec_json = fixture::GARBAGE.into();
        }
        let valid = self
            .spec
            .clone()
            .map(|s| (Some(Check::AcceptsValidSpec), request(s)));
        let odd = fixture::odd_specs().into_iter().map(|s| (None, request(s)));
        valid
            .into_iter()
            .chain([(Some(Check::RejectsGarbageSpec), garbage)])
            .chain(odd)
            .collect()
    }
}

/// Holds one `ValidateIntent` answer to `check`: the valid spec yields no violations; garbage yields
/// violations or `INVALID_ARGUMENT`; other specs may yield anything within the contract.
fn judge_validation(
    probe: &mut Probe,
    check: Option<Check>,
    answer: Result<pb::ValidateIntentResponse, tonic::Status>,
) {
    match (check, answer) {
        (Some(Check::AcceptsValidSpec), Ok(r)) if !r.violations.is_empty() => {
            let detail = format!("ValidateIntent refused the valid spec: {:?}", r.violations);
            probe.failures.push(Check::AcceptsValidSpec, detail);
        }
        (Some(Check::AcceptsValidSpec), Err(status)) => {
            let detail = format!("ValidateIntent failed on the valid spec: {status}");
            probe.failures.push(Check::AcceptsValidSpec, detail);
        }
        (Some(Check::RejectsGarbageSpec), Ok(r)) if r.violations.is_empty() => {
            let detail = format!(
                "ValidateIntent accepted {:?}, which is not JSON",
                fixture::GARBAGE
            );
            probe.failures.push(Check::RejectsGarbageSpec, detail);
        }
        (Some(Check::RejectsGarbageSpec), Err(s)) if s.code() != tonic::Code::InvalidArgument => {
            let detail = format!("ValidateIntent answered a spec that is not JSON with {s}");
            probe.failures.push(Check::RejectsGarbageSpec, detail);
        }
        _ => {}
    }
}
