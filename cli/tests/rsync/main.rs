//! rsync end to end: the engine, rsync and edgesim with real etcd (and NATS where noted), over gRPC and
//! REST as in production. They live beside the `canopy` binary so that a test can run and kill
//! `canopy rsync` as a process.

mod support;

mod deps;
mod events;
mod faults;
mod order;
mod recovery;
mod status;
mod update;
mod workers;
