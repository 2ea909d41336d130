//! Collects what an app sequence reports about each resource, and folds it into the app's status.

use std::sync::Mutex;

use canopy_engine::appcontext::{AppProgress, Deployed, Manifest, Ready};
use canopy_schemas::Timestamp;

use crate::cluster::app::{Report, ResourceEvent};

/// The events of one sequence run, in order.
#[derive(Default)]
pub struct Collect {
    events: Mutex<Vec<(usize, String, String, ResourceEvent)>>,
}

impl Report for Collect {
    fn resource(&self, index: usize, m: &Manifest, event: ResourceEvent) {
        self.events
            .lock()
            .expect("lock")
            .push((index, m.kind.clone(), m.name.clone(), event));
    }
}

impl Collect {
    /// Folds the collected events into `p` (whose resources are those the sequence worked on). Events
    /// about resources that are not in `p` (the deletions of an update, which index the old resources) are
    /// matched by kind and name and otherwise ignored.
    pub fn fold_into(&self, p: &mut AppProgress) {
        let now = Timestamp::now();
        for (index, kind, name, event) in self.events.lock().expect("lock").iter() {
            let at = match p.resources.get(*index) {
                Some(r) if &r.kind == kind && &r.name == name => Some(*index),
                _ => p
                    .resources
                    .iter()
                    .position(|r| &r.kind == kind && &r.name == name),
            };
            let Some(r) = at.and_then(|i| p.resources.get_mut(i)) else {
                continue;
            };
            match event {
                ResourceEvent::Applied => {
                    r.deployed = Deployed::Applied;
                    r.message = None;
                    r.applied_at = Some(now);
                    r.ready = Ready::NotReady;
                    r.ready_at = None;
                }
                ResourceEvent::Unchanged => {
                    if r.deployed != Deployed::Applied {
                        r.deployed = Deployed::Applied;
                        r.applied_at.get_or_insert(now);
                    }
                }
                ResourceEvent::Failed(message) => {
                    r.deployed = Deployed::Failed;
                    r.message = Some(message.clone());
                }
                ResourceEvent::Readiness(ready) => {
                    if r.ready != *ready {
                        r.ready = *ready;
                        if *ready == Ready::Ready {
                            r.ready_at = Some(now);
                        }
                    }
                }
                ResourceEvent::Deleted => {
                    r.deployed = Deployed::Deleted;
                    r.ready = Ready::NotPresent;
                }
            }
        }
    }
}
