//! One cancellation token per context and operation in this process: every task of the operation works
//! under it, and the [supervisor](crate::supervisor) cancels it when a stop is asked for or the operation
//! is replaced, which ends the waits and applies in flight at once.

use canopy_schemas::ContextId;
use dashmap::DashMap;
use tokio_util::sync::CancellationToken;

/// The tokens of the operations this process works on.
#[derive(Default)]
pub struct Registry {
    tokens: DashMap<ContextId, (u64, CancellationToken)>,
}

impl Registry {
    /// The token of operation `op` on `ctx`. A token of an older operation on the context is cancelled.
    pub fn token(&self, ctx: ContextId, op: u64) -> CancellationToken {
        let mut entry = self
            .tokens
            .entry(ctx)
            .or_insert_with(|| (op, CancellationToken::new()));
        if entry.0 != op {
            entry.1.cancel();
            *entry = (op, CancellationToken::new());
        }
        entry.1.clone()
    }

    /// Cancels the work on `ctx`, unless it belongs to operation `keep`.
    pub fn cancel(&self, ctx: ContextId, keep: Option<u64>) {
        if let Some((_, (op, token))) = self.tokens.remove(&ctx) {
            if Some(op) == keep {
                self.tokens.insert(ctx, (op, token));
            } else {
                token.cancel();
            }
        }
    }

    /// Cancels everything (shutdown).
    pub fn cancel_all(&self) {
        for entry in self.tokens.iter() {
            entry.value().1.cancel();
        }
    }
}
