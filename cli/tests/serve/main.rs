//! `canopy serve --demo 3` as a process, driven as a user drives it: `canopy apply` with the files of
//! `examples/`, the status endpoint, and edgesim's admin API to see what reached the clusters.

mod support;

mod demo;
mod distributed;
mod end_to_end;
mod examples;
mod restart;
