//! `canopy events` and `canopy status` end to end: the commands run in process against an engine in process
//! (embedded store; events on a real nats-server's JetStream, or the in-process bus), whose DIGs are
//! instantiated on the rsync double, with rsync's status writes and events made as rsync makes them.

mod events;
mod status;
// The lifecycle tests' engine, controllers and fixtures; this binary uses part of them.
#[allow(
    dead_code,
    reason = "shared with the lifecycle tests, which use the rest"
)]
#[path = "../lifecycle/support.rs"]
mod support;

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use canopy_engine::appcontext::{AppProgress, ContextKeys};
use canopy_engine::context::{Op, Txn};
use canopy_engine::events::Outbox;
use canopy_schemas::ContextId;
use canopy_schemas::event::Event;
use canopy_schemas::name::{AppName, ClusterRef};
use clap::Parser;
use serde_json::{Value, json};

use support::*;

/// A command line as the binary embeds it.
#[derive(Parser)]
struct Cli<A: clap::Args> {
    #[command(flatten)]
    args: A,
}

/// Parses `words` (without the program name) as `A`.
fn args<A: clap::Args>(words: &[&str]) -> A {
    Cli::<A>::try_parse_from(std::iter::once("canopy").chain(words.iter().copied()))
        .unwrap_or_else(|e| panic!("{words:?}: {e}"))
        .args
}

/// The server URL of an engine (its base without `/v2`).
fn server(engine: &Engine) -> String {
    engine.base.trim_end_matches("/v2").to_owned()
}

/// A placement item.
fn item(cluster: &str) -> Value {
    json!({"clusterProvider": "prov", "cluster": cluster})
}

/// dig1 with collectd on c1 and c2, approved, instantiated on the rsync double; returns its AppContext.
async fn instantiated(engine: &Engine, env: &Env) -> ContextId {
    base(engine, env).await;
    dig(engine, json!({"allOf": [item("c1"), item("c2")]}), &[]).await;
    approve_and_instantiate(engine).await
}

/// Writes `progress` at `st/<cluster>/collectd` of `ctx` and stages `events`, in one transaction, as rsync
/// does.
async fn rsync_writes(
    env: &Env,
    ctx: ContextId,
    cluster: &str,
    progress: &AppProgress,
    events: &[Event],
) {
    let cluster: ClusterRef = cluster.parse().unwrap();
    let key = ContextKeys::new(ctx).cluster_status(&cluster, &AppName::new("collectd").unwrap());
    let mut ops = vec![Op::put(key.clone(), progress.encode(&key).unwrap())];
    ops.extend(Outbox::stage_all(events).unwrap());
    let done = env.ctx.txn(Txn::new().and_then(ops)).await.unwrap();
    assert!(done.succeeded);
}

/// A writer whose bytes a test can read while a command still runs.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Waits until the text holds `needle`; fails after 30 s (a bound for loopback, not a timing check).
    async fn wait_for(&self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{needle:?} never came; output so far:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Output, notes and exit code of a command.
struct Ran {
    code: ExitCode,
    out: String,
    notes: String,
}
