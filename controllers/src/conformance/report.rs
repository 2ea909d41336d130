//! What the suite reports: the [`Check`]s a controller can fail and the [`Failures`] it did.

use std::fmt;

/// One rule of the controller contract that the suite checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// The suite could connect to the controller.
    Connects,
    /// Every call answered within the suite's deadline (a `DEADLINE_EXCEEDED` or `CANCELLED` answer counts
    /// as no answer).
    Deadline,
    /// Every error the controller answered with uses a code of the contract: `INVALID_ARGUMENT`,
    /// `FAILED_PRECONDITION`, `UNAVAILABLE` or `RESOURCE_EXHAUSTED`. A panic shows up here, as a call reset
    /// before its deadline.
    ContractCodes,
    /// `ValidateIntent` accepts the spec the test supplied as valid.
    AcceptsValidSpec,
    /// `ValidateIntent` on a spec that is not JSON answers violations or `INVALID_ARGUMENT`.
    RejectsGarbageSpec,
    /// A response decodes to the domain types (set enums, finite scores, valid names, JSON that parses).
    WellFormed,
    /// A response only names apps the request carried.
    KnownApps,
    /// Every `FilterClusters` decision names a candidate cluster of its app.
    OnlyCandidates,
    /// Every patch or delete of `UpdateAppContext` targets a resource of the app, or one an earlier edit of
    /// the same response added.
    EditTargetsExist,
}

/// One check that failed, with what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The rule broken.
    pub check: Check,
    /// What the controller did.
    pub detail: String,
}

impl Failure {
    /// `check` failed because of `detail`.
    pub fn new(check: Check, detail: impl Into<String>) -> Self {
        Self {
            check,
            detail: detail.into(),
        }
    }
}

/// Every check a controller failed. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failures(pub Vec<Failure>);

impl Failures {
    /// Whether `check` is among the failures.
    pub fn has(&self, check: Check) -> bool {
        self.0.iter().any(|f| f.check == check)
    }

    /// Records a failure.
    pub fn push(&mut self, check: Check, detail: impl Into<String>) {
        self.0.push(Failure::new(check, detail));
    }

    /// `Ok` when nothing failed.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for Failures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the controller fails {} conformance check(s):",
            self.0.len()
        )?;
        for failure in &self.0 {
            write!(f, "\n  {:?}: {}", failure.check, failure.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for Failures {}
