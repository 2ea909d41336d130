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
                // Applied again while already applied (a task tried again, or redone after a
                // restart): within one context a body never changes, so the object is as it was,
                // and its readiness stays what the watch last saw. Nothing is announced.
                ResourceEvent::Applied if r.deployed == Deployed::Applied => r.message = None,
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

#[cfg(test)]
mod tests {
    use canopy_engine::appcontext::{Phase, ResourceProgress};

    use super::*;

    fn manifest(name: &str) -> Manifest {
        Manifest {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: name.into(),
            namespace: None,
            body: b"kind: ConfigMap\n".to_vec(),
        }
    }

    fn progress(resources: &[Manifest]) -> AppProgress {
        AppProgress {
            phase: Phase::Pending,
            connectivity: Default::default(),
            last_error: None,
            resources: resources.iter().map(ResourceProgress::pending).collect(),
            updated_at: Timestamp::now(),
        }
    }

    #[test]
    fn a_first_apply_makes_a_resource_applied_and_not_ready() {
        let ms = [manifest("a")];
        let mut p = progress(&ms);
        let c = Collect::default();
        c.resource(0, &ms[0], ResourceEvent::Applied);
        c.fold_into(&mut p);
        assert_eq!(p.resources[0].deployed, Deployed::Applied);
        assert_eq!(p.resources[0].ready, Ready::NotReady);
        assert!(p.resources[0].applied_at.is_some());
    }

    #[test]
    fn applying_an_applied_and_ready_resource_again_changes_nothing_announced() {
        let ms = [manifest("a")];
        let mut p = progress(&ms);
        let first = Collect::default();
        first.resource(0, &ms[0], ResourceEvent::Applied);
        first.resource(0, &ms[0], ResourceEvent::Readiness(Ready::Ready));
        first.fold_into(&mut p);
        let before = p.resources[0].clone();
        assert_eq!(before.ready, Ready::Ready);

        let again = Collect::default();
        again.resource(0, &ms[0], ResourceEvent::Applied);
        again.fold_into(&mut p);
        assert_eq!(
            p.resources[0], before,
            "a redone apply leaves the resource as it was"
        );
    }
}
