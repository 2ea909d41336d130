//! A task: one cluster's part of one operation, the unit rsync's queue carries and its replicas share.

use canopy_schemas::ContextId;
use canopy_schemas::name::ClusterRef;
use serde::{Deserialize, Serialize};

/// One cluster's part of an operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Task {
    /// The AppContext the operation is recorded on.
    pub ctx: ContextId,
    /// The operation's id ([`OpRecord::id`](crate::op::OpRecord::id)).
    pub op: u64,
    /// The cluster.
    pub cluster: ClusterRef,
}

impl Task {
    /// A stable id: the same task always has the same id, so that a queue drops a repeat of it.
    pub fn id(&self) -> String {
        format!("{}.{}.{}", self.ctx, self.op, self.cluster)
    }

    /// The task as queue payload bytes.
    pub fn encode(&self) -> Vec<u8> {
        crate::op::encode(self)
    }

    /// A task from queue payload bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        rmp_serde::from_slice(bytes).map_err(|e| format!("decoding a queued task: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_round_trips_and_its_id_is_stable() {
        let t = Task {
            ctx: "42".parse().unwrap(),
            op: 7,
            cluster: "p+c1".parse().unwrap(),
        };
        assert_eq!(Task::decode(&t.encode()).unwrap(), t);
        assert_eq!(t.id(), "42.7.p+c1");
    }
}
