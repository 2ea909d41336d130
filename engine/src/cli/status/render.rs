//! `canopy status`'s table: the DIG's state, per app its clusters by phase, and the clusters in trouble.

use std::collections::BTreeMap;
use std::io::{self, Write};

use canopy_schemas::event::filter::DigRef;

use super::view::{Failure, Snapshot, Target};
use crate::cli::table::Table;

/// Writes the whole status of `dig`.
pub fn status(dig: &DigRef, s: &Snapshot, out: &mut dyn Write) -> io::Result<()> {
    let mut head = Table::new(&["DIG", &dig.to_string()]);
    head.push(vec!["STATE".into(), s.state.clone()]);
    if let Some(reason) = &s.reason {
        head.push(vec!["REASON".into(), reason.clone()]);
    }
    let context = match (&s.context, &s.context_state) {
        (Some(id), Some(state)) => format!("{id} {state}"),
        (Some(id), None) => format!("{id} (being built)"),
        (None, _) => "none (not instantiated)".into(),
    };
    head.push(vec!["APPCONTEXT".into(), context]);
    if let Some(reason) = &s.context_reason {
        head.push(vec!["CONTEXT REASON".into(), reason.clone()]);
    }
    if s.context_state.is_some() {
        let ready = if s.ready { "Ready" } else { "NotReady" };
        head.push(vec!["READY".into(), ready.into()]);
    }
    head.write(out)?;
    if !s.apps.is_empty() {
        writeln!(out)?;
        apps(s).write(out)?;
    }
    failures(&s.failures(), out)
}

/// Per app: its clusters, how many are deployed and ready, and the count of each phase.
pub fn apps(s: &Snapshot) -> Table {
    let mut table = Table::new(&["APP", "CLUSTERS", "DEPLOYED", "READY", "BY PHASE"]);
    for app in &s.apps {
        let done = |t: Target| app.clusters.iter().filter(|c| c.reached(t)).count();
        table.push(vec![
            app.name.clone(),
            app.clusters.len().to_string(),
            done(Target::Deployed).to_string(),
            done(Target::Ready).to_string(),
            by_phase(app.clusters.iter().map(|c| c.phase())),
        ]);
    }
    table
}

/// `Applied=1 Pending=2`, phases in name order.
pub fn by_phase<'a>(phases: impl Iterator<Item = &'a str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in phases {
        *counts.entry(p).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(p, n)| format!("{p}={n}")).collect();
    parts.join(" ")
}

/// The failures, under a blank line and a `FAILING` table; nothing when there are none.
pub fn failures(failures: &[Failure], out: &mut dyn Write) -> io::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let mut table = Table::new(&["FAILING", "STATE", "REASON"]);
    for f in failures {
        table.push(vec![f.what.clone(), f.state.clone(), f.reason.clone()]);
    }
    table.write(out)
}
