//! What a subscriber sees of an instantiate over 20 clusters, through `GET /v2/events` (the engine's
//! in-process bus): every DIG, app and resource transition, in order per subject, none missing, and final
//! states that agree with the status rsync stored. A subscriber that comes afterwards with
//! `canopy events --from-seq 1` replays the same events.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use canopy_engine::appcontext::State;
use canopy_engine::cli::events::sse::Parser;
use canopy_schemas::event::{Delivery, Identity};

use crate::support::*;

const CLUSTERS: usize = 20;

/// Opens `GET /v2/events?query`. The server subscribes to its feed before it answers, so every event
/// published after this returns is in the response.
async fn open(base: &str, query: &str) -> reqwest::Response {
    let response = reqwest::get(format!("{base}/events?{query}"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response
}

/// Reads `GET /v2/events?query` into `into` until the stream ends.
async fn subscribe(base: &str, query: &str, into: Arc<Mutex<Vec<Delivery>>>) {
    read(open(base, query).await, into).await;
}

/// Reads an event stream into `into` until it ends.
async fn read(mut response: reqwest::Response, into: Arc<Mutex<Vec<Delivery>>>) {
    let mut parser = Parser::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        for message in parser.push(&chunk) {
            assert_eq!(message.event, None, "no cutoff: {}", message.data);
            into.lock()
                .unwrap()
                .push(serde_json::from_str(&message.data).unwrap());
        }
    }
}

/// What an event is about, with the dimension its states belong to (a resource's deployed and ready
/// states are two separate chains).
fn chain_of(d: &Delivery) -> (String, &'static str) {
    let dimension = match (&d.event.subject, d.event.to.as_str()) {
        (Identity::Resource { .. }, "Ready" | "NotReady" | "NotPresent") => "ready",
        (Identity::Resource { .. }, _) => "deployed",
        _ => "state",
    };
    (format!("{:?}", d.event.subject), dimension)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subscriber_sees_every_transition_of_an_instantiate_in_order_and_a_replay_matches() {
    let _heavy = HEAVY.lock().await;
    let world = World::start(CLUSTERS, false).await;
    let rsync = world.rsync(quick()).await;
    world.register_rsync(rsync.addr().port()).await;
    world.fixture(CLUSTERS).await;
    // The setup's own events (the DIG's approval among them) are published before the subscriber comes:
    // the relay publishes a moment after each commit, and a slow one would show them to it.
    world.outbox_empty().await;

    let live = Arc::new(Mutex::new(Vec::new()));
    let reader = tokio::spawn(read(open(&world.base, "").await, live.clone()));
    world.op(&format!("{DIG}/instantiate")).await.expect(202);
    world.wait_state(DIG, "Instantiated").await;
    let ctx = world.status_context(DIG).await;
    world.wait_context(ctx, State::Instantiated).await;
    let statuses = world
        .wait_progress(ctx, "every app Ready", all_ready(3 * CLUSTERS))
        .await;

    // Everything the bus holds from the instantiate on, read again after the fact.
    let first = loop {
        if let Some(d) = live.lock().unwrap().first() {
            break d.sequence;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let replay = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let replayed = loop {
        replay.lock().unwrap().clear();
        subscribe(
            &world.base,
            &format!("from_seq={first}&follow=false"),
            replay.clone(),
        )
        .await;
        let replayed = replay.lock().unwrap().clone();
        let ready_apps = replayed
            .iter()
            .filter(|d| matches!(d.event.subject, Identity::App { .. }) && d.event.to == "Ready")
            .count();
        if ready_apps >= 3 * CLUSTERS && live.lock().unwrap().len() >= replayed.len() {
            break replayed;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "the events of the instantiate did not all arrive"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    reader.abort();
    let seen = live.lock().unwrap().clone();
    assert_eq!(
        seen.iter()
            .map(|d| (d.sequence, d.event.id))
            .collect::<Vec<_>>(),
        replayed
            .iter()
            .map(|d| (d.sequence, d.event.id))
            .collect::<Vec<_>>(),
        "the live subscriber and the replay saw the same events"
    );

    // In order per subject, none missing: each state change starts where the last one of its chain ended.
    let mut last: BTreeMap<(String, &str), String> = BTreeMap::new();
    for d in &seen {
        let chain = chain_of(d);
        if let Some(from) = &d.event.from {
            let before = last.get(&chain);
            assert!(
                before.is_none() || before == Some(from),
                "{}: from {from} but the last event of its chain was {before:?}",
                d.subject
            );
        }
        last.insert(chain, d.event.to.clone());
    }
    let digs: Vec<&str> = seen
        .iter()
        .filter(|d| matches!(d.event.subject, Identity::Dig { .. }))
        .map(|d| d.event.to.as_str())
        .collect();
    assert_eq!(
        digs,
        ["Instantiating", "Instantiated"],
        "the DIG's transitions"
    );

    // The final state of each app and resource is the one in the status, and every one has events.
    let mut apps = 0;
    let mut resources = 0;
    for (key, progress) in &statuses {
        let mut segments = key.rsplit('/');
        let (app, cluster) = (segments.next().unwrap(), segments.next().unwrap());
        let app_chain = seen.iter().rev().find(|d| {
            matches!(&d.event.subject, Identity::App { ctx: c, cluster: cl, app: a }
                if *c == ctx && cl.to_string() == cluster && a.as_str() == app)
        });
        assert_eq!(
            app_chain.map(|d| d.event.to.as_str()),
            Some(progress.phase.as_str()),
            "{key}: the app's last event is its phase"
        );
        apps += 1;
        for r in &progress.resources {
            let of_resource = |dimension: &str| {
                seen.iter()
                    .rev()
                    .filter(|d| chain_of(d).1 == dimension)
                    .find(|d| {
                        matches!(&d.event.subject, Identity::Resource { ctx: c, cluster: cl, app: a, resource_kind, name }
                            if *c == ctx && cl.to_string() == cluster && a.as_str() == app
                                && *resource_kind == r.kind && *name == r.name)
                    })
                    .map(|d| d.event.to.clone())
            };
            assert_eq!(
                of_resource("deployed").as_deref(),
                Some(r.deployed.as_str()),
                "{key} {}/{}",
                r.kind,
                r.name
            );
            assert_eq!(
                of_resource("ready").as_deref(),
                Some(r.ready.as_str()),
                "{key} {}/{}",
                r.kind,
                r.name
            );
            resources += 1;
        }
    }
    assert_eq!(
        apps,
        3 * CLUSTERS,
        "every app on every cluster has a status"
    );
    let resource_subjects: std::collections::BTreeSet<String> = seen
        .iter()
        .filter(|d| matches!(d.event.subject, Identity::Resource { .. }))
        .map(|d| format!("{:?}", d.event.subject))
        .collect();
    assert_eq!(
        resource_subjects.len(),
        resources,
        "as many resources have events as the status lists"
    );

    // `canopy events --from-seq` prints the same events, one JSON line each.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args(["events", "-o", "json", "--from-seq", &first.to_string()])
        .args(["--server", world.base.trim_end_matches("/v2")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<Delivery> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        printed, replayed,
        "canopy events --from-seq replays the same events"
    );
    drop(rsync);
}
