//! The saga's record of its own progress, at `/canopy/ctx/<ctx>/saga`: which steps are done and, for a failed
//! saga, why. What each controller answered is kept beside it (`saga/<step>/<n>`), so a resumed saga replays
//! answers instead of calling a controller twice for a step it completed.

use canopy_schemas::Timestamp;
use serde::{Deserialize, Serialize};

use crate::appcontext::ContextKeys;
use crate::context::{ContextStore, Key};
use crate::lifecycle::{Error, Result, WorkKind};

/// One step of a saga.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    /// The apps' charts are rendered.
    Render,
    /// The generic placement intents are resolved to candidate groups.
    Resolve,
    /// Every placement controller answered.
    Placement,
    /// One cluster per group is chosen.
    Select,
    /// Every action controller answered and its edits are applied.
    Action,
    /// The AppContext is written, `status` last.
    Write,
    /// rsync accepted the work.
    Handoff,
}

impl Step {
    /// The step's name in messages and keys.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Render => "render",
            Self::Resolve => "resolve",
            Self::Placement => "placement",
            Self::Select => "select",
            Self::Action => "action",
            Self::Write => "write",
            Self::Handoff => "handoff",
        }
    }
}

/// A step done, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    /// The step.
    pub step: Step,
    /// When it was recorded.
    pub time: Timestamp,
}

/// The progress of one saga.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// What the saga does.
    pub kind: WorkKind,
    /// The steps done, in order.
    pub done: Vec<Done>,
    /// The step that failed and why.
    pub failed: Option<(Step, String)>,
}

impl Progress {
    /// A saga that has done nothing yet.
    pub fn new(kind: WorkKind) -> Self {
        Self {
            kind,
            done: Vec::new(),
            failed: None,
        }
    }

    /// True when `step` is recorded as done.
    pub fn is_done(&self, step: Step) -> bool {
        self.done.iter().any(|d| d.step == step)
    }

    /// Reads the progress of context `keys`, if any.
    pub async fn load(ctx: &dyn ContextStore, keys: &ContextKeys) -> Result<Option<Self>> {
        let key = keys.saga();
        match ctx.get(&key).await? {
            Some(kv) => Ok(Some(decode(&key, &kv.value)?)),
            None => Ok(None),
        }
    }

    /// Records `step` as done.
    pub async fn mark(
        &mut self,
        ctx: &dyn ContextStore,
        keys: &ContextKeys,
        step: Step,
    ) -> Result<()> {
        if !self.is_done(step) {
            self.done.push(Done {
                step,
                time: Timestamp::now(),
            });
        }
        self.save(ctx, keys).await
    }

    /// Writes the progress.
    pub async fn save(&self, ctx: &dyn ContextStore, keys: &ContextKeys) -> Result<()> {
        let key = keys.saga();
        ctx.put(&key, encode(&key, self)?).await?;
        Ok(())
    }
}

fn encode<T: Serialize>(key: &Key, value: &T) -> Result<Vec<u8>> {
    rmp_serde::to_vec_named(value).map_err(|source| Error::Encode {
        key: key.clone(),
        source,
    })
}

fn decode<T: serde::de::DeserializeOwned>(key: &Key, bytes: &[u8]) -> Result<T> {
    rmp_serde::from_slice(bytes).map_err(|source| Error::Decode {
        key: key.clone(),
        source,
    })
}
