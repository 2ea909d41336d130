//! `canopy events` over SSE and over JetStream: the stored events exactly, the filters, the formats, follow,
//! the resume after a cutoff, and the errors.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use canopy_engine::appcontext::{AppProgress, Phase};
use canopy_engine::cli::events::{self, Args};
use canopy_engine::events::bus::jetstream as js_bus;
use canopy_schemas::event::{Delivery, Event, Identity};
use canopy_schemas::name::AppName;
use canopy_schemas::{ContextId, Timestamp};
use canopy_tests::NatsServer;
use serde_json::json;

use crate::support::*;
use crate::*;

/// An engine publishing to JetStream, with dig1 instantiated, dig2 approved, and rsync's app and resource
/// events for dig1's AppContext on c1 and c2, plus one of another AppContext on c1.
struct World {
    nats: NatsServer,
    /// Held: the stores and the rsync double outlive the engine.
    _env: Env,
    engine: Engine,
    ctx: ContextId,
}

async fn world() -> World {
    let nats = NatsServer::start().await.unwrap();
    let mut env = Env::embedded().await;
    let config = js_bus::Config {
        ack_timeout: Duration::from_secs(1),
        ..js_bus::Config::default()
    };
    let bus = config.build(nats.connect().await.unwrap()).await.unwrap();
    env.publish_to = Some(Arc::new(bus));
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    dig_named(&engine, "dig2", json!({"allOf": [item("c3")]}), &[]).await;
    engine
        .op(&format!("{}/approve", dig_path("dig2")), None)
        .await
        .expect(202);
    for cluster in ["prov+c1", "prov+c2"] {
        let events = [
            app_event(ctx, cluster, "Applying"),
            resource_event(ctx, cluster),
            app_event(ctx, cluster, "Applied"),
        ];
        rsync_writes(&env, ctx, cluster, &no_progress(), &events).await;
    }
    let other = ContextId::new(ctx.get() + 1_000);
    let events = [app_event(other, "prov+c1", "Applied")];
    rsync_writes(&env, other, "prov+c1", &no_progress(), &events).await;
    outbox_drained(&env).await;
    World {
        nats,
        _env: env,
        engine,
        ctx,
    }
}

/// What rsync writes before it has done anything on a cluster.
fn no_progress() -> AppProgress {
    AppProgress {
        phase: Phase::Pending,
        connectivity: canopy_engine::appcontext::Connectivity::Unknown,
        last_error: None,
        resources: Vec::new(),
        updated_at: Timestamp::now(),
    }
}

fn app_event(ctx: ContextId, cluster: &str, phase: &str) -> Event {
    Event::new(
        Identity::App {
            ctx,
            cluster: cluster.parse().unwrap(),
            app: AppName::new("collectd").unwrap(),
        },
        phase,
    )
    .with_context(ctx)
}

fn resource_event(ctx: ContextId, cluster: &str) -> Event {
    Event::new(
        Identity::Resource {
            ctx,
            cluster: cluster.parse().unwrap(),
            app: AppName::new("collectd").unwrap(),
            resource_kind: "ConfigMap".into(),
            name: "collectd-config".into(),
        },
        "Applied",
    )
    .with_message(format!("{} applied", Phase::Applied.as_str()))
}

/// Every message of the stream as a delivery: (sequence, message id, delivery).
async fn stored(nats: &NatsServer) -> Vec<(u64, String, Delivery)> {
    stream(nats)
        .await
        .into_iter()
        .map(|(sequence, id, event)| (sequence, id, Delivery::new(sequence, event)))
        .collect()
}

/// Runs `canopy events WORDS` to completion.
async fn run(words: &[&str]) -> Ran {
    let args: Args = args(words);
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let code = events::run(&args, &mut out, &mut notes).await;
    Ran {
        code,
        out: String::from_utf8(out).unwrap(),
        notes: String::from_utf8(notes).unwrap(),
    }
}

/// `canopy events WORDS` through the server and through NATS: both succeed and print the same; returns
/// the output.
async fn both(w: &World, words: &[&str]) -> String {
    let server = server(&w.engine);
    let nats = w.nats.url();
    let sse = run(&[words, &["--server", &server]].concat()).await;
    assert_eq!(sse.code, ExitCode::SUCCESS, "SSE {words:?}: {}", sse.notes);
    let js = run(&[words, &["--nats", &nats]].concat()).await;
    assert_eq!(js.code, ExitCode::SUCCESS, "NATS {words:?}: {}", js.notes);
    assert_eq!(sse.out, js.out, "SSE and NATS differ for {words:?}");
    sse.out
}

fn deliveries(json_lines: &str) -> Vec<Delivery> {
    json_lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn sequences(json_lines: &str) -> Vec<u64> {
    deliveries(json_lines).iter().map(|d| d.sequence).collect()
}

#[tokio::test]
async fn without_follow_both_modes_print_exactly_the_stored_events_in_every_format() {
    let w = world().await;
    let stored = stored(&w.nats).await;
    assert!(stored.len() > 20, "a full setup publishes many events");

    let json = both(&w, &["-o", "json"]).await;
    let got = deliveries(&json);
    let got_ids: Vec<(u64, String)> = got
        .iter()
        .map(|d| (d.sequence, d.event.id.to_string()))
        .collect();
    let want_ids: Vec<(u64, String)> = stored.iter().map(|(s, id, _)| (*s, id.clone())).collect();
    assert_eq!(got_ids, want_ids);
    let want: Vec<Delivery> = stored.into_iter().map(|(_, _, d)| d).collect();
    assert_eq!(got, want);

    let yaml = both(&w, &["-o", "yaml"]).await;
    let docs: Vec<Delivery> = yaml
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| yaml_serde::from_str(d).unwrap())
        .collect();
    assert_eq!(docs, want);

    let table = both(&w, &[]).await;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), want.len() + 1, "{table}");
    assert!(lines[0].starts_with("SEQ  TIME"), "{table}");
    let dig1 = lines
        .iter()
        .find(|l| l.contains(" dig ") && l.contains("Instantiating → Instantiated"))
        .unwrap_or_else(|| panic!("no dig1 Instantiated row:\n{table}"));
    assert!(dig1.contains("p1/ca/v1/dig1"), "{dig1}");
    let res = lines
        .iter()
        .find(|l| l.contains(" resource "))
        .unwrap_or_else(|| panic!("no resource row:\n{table}"));
    assert!(
        res.contains(&format!(
            "ctx {} prov/c1 collectd ConfigMap/collectd-config",
            w.ctx
        )),
        "{res}"
    );
    assert!(res.ends_with("Applied applied"), "{res}");
}

#[tokio::test]
async fn the_filters_pass_exactly_the_events_they_name_in_both_modes() {
    let w = world().await;
    let stored: Vec<Delivery> = stored(&w.nats)
        .await
        .into_iter()
        .map(|(_, _, d)| d)
        .collect();
    let expect = |keep: &dyn Fn(&Delivery) -> bool| -> Vec<u64> {
        stored
            .iter()
            .filter(|d| keep(d))
            .map(|d| d.sequence)
            .collect()
    };
    let ctx = w.ctx;

    let dig1 = expect(&|d| match &d.event.subject {
        Identity::Dig { dig, .. } => dig.as_str() == "dig1",
        Identity::App { ctx: c, .. } | Identity::Resource { ctx: c, .. } => *c == ctx,
        _ => false,
    });
    let got = sequences(&both(&w, &["-o", "json", "--dig", "p1/ca/v1/dig1"]).await);
    assert_eq!(got, dig1);
    assert!(
        dig1.len() >= 3 + 6,
        "dig1's transitions and its six app and resource events"
    );

    let c1 = expect(&|d| match &d.event.subject {
        Identity::Cluster { cluster }
        | Identity::App { cluster, .. }
        | Identity::Resource { cluster, .. } => cluster.to_string() == "prov+c1",
        _ => false,
    });
    let got = sequences(&both(&w, &["-o", "json", "--cluster", "prov/c1"]).await);
    assert_eq!(got, c1);
    assert_eq!(
        got.len(),
        2 + 3 + 1,
        "registered, labelled; dig1's three; the other context's one"
    );

    let both_criteria = expect(&|d| {
        matches!(&d.event.subject, Identity::App { ctx: c, cluster, .. }
            if *c == ctx && cluster.to_string() == "prov+c2")
    });
    let got = sequences(
        &both(
            &w,
            &[
                "-o",
                "json",
                "--dig",
                "p1/ca/v1/dig1",
                "--cluster",
                "prov/c2",
                "canopy.ctx.>",
            ],
        )
        .await,
    );
    assert_eq!(got, both_criteria);
    assert_eq!(got.len(), 2);

    let clusters = expect(&|d| d.subject.starts_with("canopy.cluster."));
    let got = sequences(&both(&w, &["-o", "json", "canopy.cluster.>"]).await);
    assert_eq!(got, clusters);
    assert_eq!(got.len(), 8, "four clusters registered and labelled");

    let dig_or_lc =
        expect(&|d| d.subject.starts_with("canopy.dig.") || d.subject.starts_with("canopy.lc."));
    let got = sequences(
        &both(
            &w,
            &[
                "-o",
                "json",
                "--subject",
                "canopy.dig.>",
                "--subject",
                "canopy.lc.>",
            ],
        )
        .await,
    );
    assert_eq!(got, dig_or_lc);

    let middle = stored[stored.len() / 2].sequence;
    let got = sequences(&both(&w, &["-o", "json", "--from-seq", &middle.to_string()]).await);
    assert_eq!(got, expect(&|d| d.sequence >= middle));

    let got = sequences(&both(&w, &["-o", "json", "--since", "1h"]).await);
    assert_eq!(got, expect(&|_| true));
    let later = canopy_engine::api::time::rfc3339(Timestamp::from_unix_nanos(
        Timestamp::now().unix_nanos() + 3_600_000_000_000,
    ));
    let got = sequences(&both(&w, &["-o", "json", "--since", &later]).await);
    assert!(
        got.is_empty(),
        "nothing is stored after an hour from now: {got:?}"
    );
}

#[tokio::test]
async fn follow_prints_new_events_as_they_are_published_in_both_modes() {
    let w = world().await;
    let next = stored(&w.nats).await.last().unwrap().0 + 1;
    let server = server(&w.engine);
    let nats = w.nats.url();
    let mut followers = Vec::new();
    for source in [["--server", server.as_str()], ["--nats", nats.as_str()]] {
        let words: Vec<String> = ["-o", "json", "--follow", "canopy.cluster.>", "--from-seq"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain([next.to_string(), source[0].to_owned(), source[1].to_owned()])
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let args: Args = args(&words);
        let out = Shared::default();
        let writer = out.clone();
        let task = tokio::spawn(async move {
            let mut notes = Vec::new();
            let code = events::run(&args, writer, &mut notes).await;
            (code, String::from_utf8(notes).unwrap())
        });
        followers.push((out, task));
    }
    let kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: c5\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: c5\n  context:\n    cluster: c5\n    user: admin\nusers:\n- name: admin\n  user: {}\ncurrent-context: c5\n";
    w.engine
        .multipart(
            "/cluster-providers/prov/clusters",
            meta("c5"),
            kubeconfig.as_bytes().to_vec(),
        )
        .await
        .expect(201);
    let mut lines = BTreeSet::new();
    for (out, task) in &followers {
        let text = out.wait_for("\"to\":\"registered\"").await;
        assert!(!task.is_finished(), "a follower keeps running");
        lines.insert(text);
    }
    assert_eq!(
        lines.len(),
        1,
        "SSE and NATS print the same lines: {lines:?}"
    );
    let line = lines.into_iter().next().unwrap();
    assert_eq!(sequences(&line), vec![next], "{line}");
    assert!(line.contains("canopy.cluster.prov.c5.registered"), "{line}");
    for (_, task) in followers {
        task.abort();
    }
}

/// A stand-in for `GET /v2/events` that cuts the client off after two events and serves the third to the
/// reconnection; it records each request's query and `Last-Event-ID`.
#[tokio::test]
async fn after_a_cutoff_the_client_resumes_from_the_last_event_and_says_so() {
    type Seen = Arc<std::sync::Mutex<Vec<(Option<String>, Option<String>)>>>;
    let seen: Seen = Arc::default();
    let delivery = |n: u64| {
        let e = Event::new(
            Identity::Controller {
                name: canopy_schemas::name::ControllerName::new("rsync").unwrap(),
            },
            "registered",
        );
        serde_json::to_string(&Delivery::new(n, e)).unwrap()
    };
    let bodies = [
        format!(
            "id: 1\ndata: {}\n\n: heartbeat\n\nid: 2\r\ndata: {}\r\n\r\nevent: cutoff\ndata: {{\"reason\": \"the client is too slow\", \"last_sequence\": 2}}\n\n",
            delivery(1),
            delivery(2)
        ),
        format!("id: 3\ndata: {}\n\n", delivery(3)),
    ];
    let router = {
        let seen = seen.clone();
        axum::Router::new().route(
            "/v2/events",
            axum::routing::get(
                move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
                    let seen = seen.clone();
                    let bodies = bodies.clone();
                    async move {
                        let mut seen = seen.lock().unwrap();
                        let last = headers
                            .get("last-event-id")
                            .map(|v| v.to_str().unwrap().to_owned());
                        seen.push((uri.query().map(str::to_owned), last));
                        let body = bodies[(seen.len() - 1).min(1)].clone();
                        ([("content-type", "text/event-stream")], body)
                    }
                },
            ),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let ran = run(&["-o", "json", "--from-seq", "1", "--server", &url]).await;
    assert_eq!(ran.code, ExitCode::SUCCESS, "{}", ran.notes);
    assert_eq!(sequences(&ran.out), vec![1, 2, 3]);
    assert!(
        ran.notes
            .contains("cut this subscription off (the client is too slow) after event 2"),
        "{}",
        ran.notes
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (Some("from_seq=1&follow=false".into()), None),
            (Some("follow=false".into()), Some("2".into())),
        ]
    );
    task.abort();
}

#[tokio::test]
async fn an_unreachable_server_a_missing_stream_and_a_refused_subscription_are_clear_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let ran = run(&["--server", &closed]).await;
    assert_eq!(ran.code, ExitCode::FAILURE);
    assert!(
        ran.notes
            .contains(&format!("cannot reach the server at {closed}/v2/events")),
        "{}",
        ran.notes
    );

    let nats = NatsServer::start().await.unwrap();
    let ran = run(&["--nats", &nats.url()]).await;
    assert_eq!(ran.code, ExitCode::FAILURE);
    assert!(
        ran.notes
            .contains("cannot open the JetStream stream CANOPY_EVENTS"),
        "{}",
        ran.notes
    );

    let router = axum::Router::new().route(
        "/v2/events",
        axum::routing::get(|| async {
            (
                axum::http::StatusCode::BAD_REQUEST,
                r#"{"error": "invalid query", "field": "since", "rule": "a duration or an RFC 3339 time"}"#,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let ran = run(&["--server", &url, "--since", "1h"]).await;
    assert_eq!(ran.code, ExitCode::FAILURE);
    assert!(
        ran.notes.contains(
            "the server answered 400: invalid query (field: since, rule: a duration or an RFC 3339 time)"
        ),
        "{}",
        ran.notes
    );
    task.abort();
}
