//! What etcd's revisions between instantiate and Applied wrote, read back from etcd's history once the
//! run is over (so the reading does not load etcd while it is measured): each revision (one transaction)
//! is named by the kinds of keys it put (`+`) or deleted (`-`), and the benchmark prints how many
//! revisions per cluster each shape took.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::Context;
use canopy_engine::context::watch::EventKind;
use canopy_engine::context::{ContextStore, Key, Revision};

/// How long one replayed event may take to arrive.
const EVENT_DEADLINE: Duration = Duration::from_secs(30);

/// The kind of a key: its path under `/canopy/` without the names in it, e.g. `ctx/st` for
/// `/canopy/ctx/<ctx>/st/<cluster>/<app>` and `ctx/rsync/done` for a cluster's completion record.
fn class(key: &str) -> String {
    let parts: Vec<&str> = key.trim_start_matches("/canopy/").split('/').collect();
    match parts.as_slice() {
        ["ctx", _, "rsync", "done", ..] => "ctx/rsync/done".into(),
        ["ctx", _, "app", _, what, ..] => format!("ctx/app/{what}"),
        ["ctx", _, what, ..] => format!("ctx/{what}"),
        [first, second, ..] if *first == "rsync" => format!("rsync/{second}"),
        [first, ..] => (*first).to_string(),
        [] => String::new(),
    }
}

/// Reads the revisions `from..=to` from etcd's history and prints, per cluster, how many revisions of each
/// shape there were, most first. It writes one key to mark the end of the history it reads.
pub async fn print_writes(
    ctx: &dyn ContextStore,
    from: Revision,
    to: Revision,
    n: usize,
) -> anyhow::Result<()> {
    let end = ctx.put(&Key::from("/bench/end"), Vec::new()).await?;
    let mut watch = ctx.watch(&Key::from("/"), Some(from)).await?;
    let mut revisions: BTreeMap<Revision, BTreeSet<String>> = BTreeMap::new();
    loop {
        let event = tokio::time::timeout(EVENT_DEADLINE, watch.next())
            .await
            .context("replaying etcd's history")?
            .context("the history watch ended")??;
        let revision = event.revision();
        if revision >= end {
            break;
        }
        if revision <= to {
            let sign = if event.kind == EventKind::Put {
                '+'
            } else {
                '-'
            };
            revisions
                .entry(revision)
                .or_default()
                .insert(format!("{sign}{}", class(&event.kv.key.to_string())));
        }
    }
    let mut shapes: BTreeMap<String, u64> = BTreeMap::new();
    for kinds in revisions.into_values() {
        *shapes
            .entry(kinds.into_iter().collect::<Vec<_>>().join(" "))
            .or_default() += 1;
    }
    let mut sorted: Vec<(String, u64)> = shapes.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: u64 = sorted.iter().map(|(_, c)| c).sum();
    let listed: Vec<String> = sorted
        .iter()
        .map(|(shape, count)| format!("{:.2} [{shape}]", *count as f64 / n as f64))
        .collect();
    println!(
        "N={n}: etcd revisions per cluster from instantiate to Applied, {:.2} in all, by what they wrote: {}",
        total as f64 / n as f64,
        listed.join(", ")
    );
    Ok(())
}
