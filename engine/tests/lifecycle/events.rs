//! Every transition is an event, staged in the outbox with the transition and published by the relay:
//! through a NATS outage and through an engine that dies before publishing, once each and in order.

use std::sync::Arc;
use std::time::Duration;

use canopy_engine::events::Outbox;
use canopy_engine::events::bus::jetstream as js_bus;
use canopy_schemas::event::Event;
use canopy_tests::NatsServer;
use serde_json::json;

use crate::support::*;

async fn jetstream_env(nats: &NatsServer) -> Env {
    let mut env = Env::embedded().await;
    let config = js_bus::Config {
        ack_timeout: Duration::from_secs(1),
        ..js_bus::Config::default()
    };
    let bus = config.build(nats.connect().await.unwrap()).await.unwrap();
    env.publish_to = Some(Arc::new(bus));
    env
}

fn dig_events(all: &[(u64, String, Event)]) -> Vec<(u64, String, String)> {
    all.iter()
        .filter(|(_, _, e)| e.subject().as_str().starts_with("canopy.dig."))
        .map(|(seq, id, e)| (*seq, id.clone(), e.to.clone()))
        .collect()
}

#[tokio::test]
async fn dig_transitions_made_while_nats_is_down_arrive_in_order_exactly_once() {
    let nats = NatsServer::start().await.unwrap();
    let env = jetstream_env(&nats).await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    dig(
        &engine,
        json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1"}]}),
        &[],
    )
    .await;
    outbox_drained(&env).await;
    let before = stream(&nats).await;
    // Setup announced the clusters, their labels, rsync's registration and the logical cloud.
    let subjects: Vec<String> = before
        .iter()
        .map(|(_, _, e)| e.subject().as_str().to_owned())
        .collect();
    for want in [
        "canopy.cluster.prov.c1.registered",
        "canopy.cluster.prov.c3.labelled",
        "canopy.controller.rsync.registered",
        "canopy.lc.p1.lc1.Instantiating",
        "canopy.lc.p1.lc1.Instantiated",
    ] {
        assert!(
            subjects.iter().any(|s| s == want),
            "{want} missing from {subjects:?}"
        );
    }
    assert!(dig_events(&before).is_empty());

    nats.kill();
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    engine.wait_state(DIG, "Instantiated").await;
    assert_eq!(
        env.ctx.range(&Outbox::prefix()).await.unwrap().kvs.len(),
        3,
        "the three wait in the outbox"
    );
    nats.restart().await.unwrap();
    outbox_drained(&env).await;

    let after = stream(&nats).await;
    let digs = dig_events(&after);
    let states: Vec<&str> = digs.iter().map(|(_, _, to)| to.as_str()).collect();
    assert_eq!(states, ["Approved", "Instantiating", "Instantiated"]);
    let sequences: Vec<u64> = digs.iter().map(|(s, _, _)| *s).collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    let mut ids: Vec<&String> = digs.iter().map(|(_, id, _)| id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three distinct message ids");
    assert_eq!(after.len(), before.len() + 3, "nothing else, nothing twice");
    // The envelope carries the transition.
    let instantiated = &after
        .iter()
        .find(|(_, _, e)| e.to == "Instantiated" && e.subject().as_str().starts_with("canopy.dig."))
        .unwrap()
        .2;
    assert_eq!(instantiated.from.as_deref(), Some("Instantiating"));
    assert_eq!(instantiated.revision.map(|r| r.get()), Some(1));
    assert!(instantiated.context.is_some());
}

#[tokio::test]
async fn an_engine_killed_between_a_transition_and_its_publish_publishes_it_once_after_restart() {
    let nats = NatsServer::start().await.unwrap();
    let env = jetstream_env(&nats).await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    dig(
        &engine,
        json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1"}]}),
        &[],
    )
    .await;
    outbox_drained(&env).await;
    let before = stream(&nats).await.len();
    nats.kill();
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    // Committed with its event; the relay cannot publish; the engine dies.
    engine.kill();
    nats.restart().await.unwrap();
    let engine = env.engine().await;
    outbox_drained(&env).await;
    let after = stream(&nats).await;
    assert_eq!(after.len(), before + 1);
    let digs = dig_events(&after);
    assert_eq!(digs.len(), 1);
    assert_eq!(digs[0].2, "Approved");
    drop(engine);
}

/// The subjects on the in-process bus, once the outbox is empty.
async fn memory_subjects(env: &Env) -> Vec<String> {
    outbox_drained(env).await;
    env.bus
        .replay()
        .into_iter()
        .map(|m| m.event.subject().as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn controller_and_cluster_changes_are_announced() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let controller = |port: u16| json!({"metadata": {"name": "hpa"}, "spec": {"host": "127.0.0.1", "port": port, "type": "action", "priority": 3}});
    engine
        .post("/controllers", controller(9040))
        .await
        .expect(201);
    engine
        .put("/controllers/hpa", controller(9041))
        .await
        .expect(200);
    engine.delete("/controllers/hpa").await.expect(204);
    engine
        .post("/cluster-providers", meta("prov"))
        .await
        .expect(201);
    engine
        .multipart("/cluster-providers/prov/clusters", meta("c9"), b"apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user: {}\ncurrent-context: c\n".to_vec())
        .await
        .expect(201);
    engine
        .post(
            "/cluster-providers/prov/clusters/c9/labels",
            json!({"clusterLabel": "edge"}),
        )
        .await
        .expect(201);
    engine
        .delete("/cluster-providers/prov/clusters/c9/labels/edge")
        .await
        .expect(204);
    engine
        .delete("/cluster-providers/prov/clusters/c9")
        .await
        .expect(204);
    assert_eq!(
        memory_subjects(&env).await,
        [
            "canopy.controller.hpa.registered",
            "canopy.controller.hpa.updated",
            "canopy.controller.hpa.deleted",
            "canopy.cluster.prov.c9.registered",
            "canopy.cluster.prov.c9.labelled",
            "canopy.cluster.prov.c9.unlabelled",
            "canopy.cluster.prov.c9.deleted",
        ]
    );
    let labelled = env.bus.replay()[4].event.clone();
    assert_eq!(labelled.message, "edge");
}

/// An engine that dies between a resource write and its announcement: the next start publishes the event of
/// the write that happened, and drops the one whose write never did.
#[tokio::test]
async fn a_pending_announcement_is_published_only_if_its_write_happened() {
    use canopy_engine::api::announce::{self, Expect, PENDING};
    use canopy_engine::store::{Key, Put, Write, key};

    let env = Env::embedded().await;
    let body = |name: &str| json!({"metadata": {"name": name}, "spec": {"host": "127.0.0.1", "port": 9040, "type": "action", "priority": 3}});
    // Died after the write: staged, written, never promoted.
    let real = Key::parse(&key::CONTROLLER, &["real"]).unwrap();
    let event = announce::controller(&real, "registered").unwrap();
    announce::stage(
        env.ctx.as_ref(),
        event.clone(),
        &real,
        Expect::Present(body("real")),
    )
    .await
    .unwrap();
    env.store
        .write(vec![Write::Create(Put::new(real.clone(), body("real")))])
        .await
        .unwrap();
    // Died before the write: staged only.
    let ghost = Key::parse(&key::CONTROLLER, &["ghost"]).unwrap();
    let never = announce::controller(&ghost, "registered").unwrap();
    announce::stage(
        env.ctx.as_ref(),
        never,
        &ghost,
        Expect::Present(body("ghost")),
    )
    .await
    .unwrap();
    assert_eq!(env.ctx.range(&PENDING.into()).await.unwrap().kvs.len(), 2);

    let engine = env.engine().await;
    let subjects = memory_subjects(&env).await;
    assert_eq!(subjects, ["canopy.controller.real.registered"]);
    assert_eq!(
        env.bus.replay()[0].event.id,
        event.id,
        "the staged event itself, once"
    );
    assert!(env.ctx.range(&PENDING.into()).await.unwrap().kvs.is_empty());
    drop(engine);
}

/// A write the store refuses announces nothing.
#[tokio::test]
async fn a_refused_write_announces_nothing() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let controller = json!({"metadata": {"name": "hpa"}, "spec": {"host": "127.0.0.1", "port": 9040, "type": "action", "priority": 3}});
    engine
        .post("/controllers", controller.clone())
        .await
        .expect(201);
    engine.post("/controllers", controller).await.expect(409);
    // Labelling a cluster that does not exist.
    engine
        .post(
            "/cluster-providers/none/clusters/c1/labels",
            json!({"clusterLabel": "edge"}),
        )
        .await
        .expect(404);
    assert_eq!(
        memory_subjects(&env).await,
        ["canopy.controller.hpa.registered"]
    );
    assert!(
        env.ctx
            .range(&canopy_engine::api::announce::PENDING.into())
            .await
            .unwrap()
            .kvs
            .is_empty()
    );
}
