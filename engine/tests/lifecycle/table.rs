//! EMCO's state table through the REST API, one test per transition with the 409s around it; revisions
//! across update, rollback, terminate and re-instantiate; Idempotency-Key.

use canopy_engine::appcontext::{ContextKeys, State, Status};
use canopy_schemas::ContextId;
use canopy_tests::RsyncMethod;
use serde_json::{Value, json};

use crate::support::*;

fn intent() -> Value {
    json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1"}]})
}

async fn ready(env: &Env) -> Engine {
    let engine = env.engine().await;
    base(&engine, env).await;
    dig(&engine, intent(), &[]).await;
    engine
}

/// Asserts that each operation is refused with 409 naming `state`.
async fn refused(engine: &Engine, ops: &[&str], state: &str) {
    for op in ops {
        let reply = engine.op(&format!("{DIG}/{op}"), None).await;
        let body = reply.body.clone();
        let reply = reply.expect(409);
        assert!(
            reply.error().contains(&format!("that is {state}")),
            "{op} from {state}: {body}"
        );
    }
}

async fn rollback(engine: &Engine, revision: Value) -> Reply {
    engine
        .post(
            &format!("{DIG}/rollback"),
            json!({"metadata": {"description": "back"}, "spec": {"revision": revision}}),
        )
        .await
}

/// rsync's part of terminate, which the double does not do: it marks the context uninstalled.
async fn rsync_uninstalled(env: &Env, instance: &str) {
    let id: ContextId = instance.parse().unwrap();
    let status = Status::new(State::Terminated);
    env.ctx
        .put(
            &ContextKeys::new(id).status(),
            rmp_serde::to_vec_named(&status).unwrap(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn created_allows_only_approve_and_changes() {
    let env = Env::embedded().await;
    let engine = ready(&env).await;
    assert_eq!(engine.state(DIG).await, "Created");
    refused(
        &engine,
        &["instantiate", "terminate", "update", "stop"],
        "Created",
    )
    .await;
    let reply = rollback(&engine, json!("1")).await.expect(409);
    assert!(reply.error().contains("Created"));
    // Created is the only state where the DIG itself may change.
    let body = json!({"metadata": {"name": "dig1"}, "spec": {"compositeProfile": "cp", "version": "r2", "logicalCloud": "lc1"}});
    engine.put(DIG, body.clone()).await.expect(200);
    // GET shows the lifecycle as EMCO's `states`; the body read can be sent back as it is.
    let read = engine.get(DIG).await.expect(200).body;
    assert_eq!(read["states"]["state"], "Created");
    assert_eq!(read["states"]["actions"], json!([]));
    engine.put(DIG, read).await.expect(200);
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    let reply = engine.put(DIG, body).await.expect(409);
    assert!(reply.error().contains("Approved"), "{}", reply.error());
    let read = engine.get(DIG).await.expect(200).body;
    assert_eq!(read["states"]["state"], "Approved");
    assert_eq!(read["states"]["actions"][0]["state"], "Approved");
    // Approving twice is harmless and records nothing new.
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    let status = engine.get(&format!("{DIG}/status")).await.expect(200);
    assert_eq!(
        status.body["states"]["actions"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn approved_allows_instantiate_and_delete() {
    let env = Env::embedded().await;
    let engine = ready(&env).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    refused(&engine, &["terminate", "update", "stop"], "Approved").await;
    rollback(&engine, json!("1")).await.expect(409);
    delete_dig_tree(&engine, DIG, &[]).await.expect(204);
    engine.get(DIG).await.expect(404);
}

#[tokio::test]
async fn instantiated_allows_update_rollback_terminate_and_refuses_the_rest() {
    let env = Env::embedded().await;
    let engine = ready(&env).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let first = engine.wait_state(DIG, "Instantiated").await;
    let ctx1 = first["states"]["statusctxid"].as_str().unwrap().to_owned();
    refused(&engine, &["approve", "instantiate", "stop"], "Instantiated").await;
    let reply = engine.delete(DIG).await.expect(409);
    assert!(reply.error().contains("Instantiated"));

    // update: revision 2, a new context, and rsync moves from the old one to it.
    let updated = engine.op(&format!("{DIG}/update"), None).await.expect(202);
    assert_eq!(updated.body["revision"], 2);
    let ctx2 = updated.body["instance"].as_str().unwrap().to_owned();
    assert_ne!(ctx2, ctx1);
    let status = engine.wait_state(DIG, "Instantiated").await;
    let call = env.wait_dig_rsync_call(2).await;
    assert_eq!(call.method, RsyncMethod::UpdateApp);
    assert_eq!(call.contexts, [ctx1.clone(), ctx2.clone()]);
    // EMCO's history: Updated (old context, rev 1), then the new revision.
    let actions: Vec<(String, u64)> = status["states"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["state"].as_str().unwrap().to_owned(),
                a["revision"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("Approved".into(), 0),
            ("Instantiating".into(), 1),
            ("Instantiated".into(), 1),
            ("Updated".into(), 1),
            ("Instantiating".into(), 2),
            ("Instantiated".into(), 2),
        ]
    );
    assert_eq!(
        status["states"]["statusctxid"], ctx1,
        "statusctxid stays the first instantiation's"
    );

    // rollback: to a revision that never was is 404; to 1 makes revision 3 with revision 1's context.
    let missing = rollback(&engine, json!("7")).await.expect(404);
    assert!(
        missing.error().contains("no revision 7"),
        "{}",
        missing.error()
    );
    rollback(&engine, json!("x")).await.expect(400);
    let back = rollback(&engine, json!("1")).await.expect(202);
    assert_eq!(back.body["revision"], 3);
    assert_eq!(back.body["instance"], ctx1.as_str());
    engine.wait_state(DIG, "Instantiated").await;
    let call = env.wait_dig_rsync_call(3).await;
    assert_eq!(call.method, RsyncMethod::RollbackApp);
    assert_eq!(call.contexts, [ctx2.clone(), ctx1.clone()]);

    // terminate: rsync uninstalls the deployed context; delete waits until rsync says it is gone.
    let t = engine
        .op(&format!("{DIG}/terminate"), None)
        .await
        .expect(202);
    assert_eq!(t.body["state"], "Terminating");
    engine.wait_state(DIG, "Terminated").await;
    let call = env.wait_dig_rsync_call(4).await;
    assert_eq!(call.method, RsyncMethod::UninstallApp);
    assert_eq!(call.contexts, std::slice::from_ref(&ctx1));
    refused(&engine, &["terminate", "update", "stop"], "Terminated").await;
    let early = engine.delete(DIG).await.expect(409);
    assert!(
        early.error().contains("rsync has not finished"),
        "{}",
        early.error()
    );

    // Re-instantiate continues the revisions (EMCO restarts at 1), so rollback stays unambiguous.
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    let again = engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    assert_eq!(again.body["revision"], 4);
    engine.wait_state(DIG, "Instantiated").await;
    engine
        .op(&format!("{DIG}/terminate"), None)
        .await
        .expect(202);
    engine.wait_state(DIG, "Terminated").await;
    let ctx4 = again.body["instance"].as_str().unwrap().to_owned();
    rsync_uninstalled(&env, &ctx4).await;
    delete_dig_tree(&engine, DIG, &[]).await.expect(204);
    // Its runtime state and every context went with it.
    assert!(
        env.ctx
            .range(&ContextKeys::new(ctx4.parse().unwrap()).prefix())
            .await
            .unwrap()
            .kvs
            .is_empty()
    );
    assert!(
        env.ctx
            .range(&ContextKeys::new(ctx1.parse().unwrap()).prefix())
            .await
            .unwrap()
            .kvs
            .is_empty()
    );
}

#[tokio::test]
async fn stopped_states_allow_what_emco_allows() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    let a1 = TestController::new("a1", &calls, Behaviour::Gate(gate.clone()));
    let _served = register(&engine, &[Ctl::action(&a1, 1)]).await;
    dig(&engine, intent(), &["a1"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    refused(
        &engine,
        &["approve", "instantiate", "terminate", "update"],
        "Instantiating",
    )
    .await;
    engine.delete(DIG).await.expect(409);
    engine.op(&format!("{DIG}/stop"), None).await.expect(202);
    refused(
        &engine,
        &["approve", "instantiate", "stop"],
        "InstantiateStopped",
    )
    .await;
    engine.delete(DIG).await.expect(409);
    // terminate from InstantiateStopped; nothing was deployed, so nothing to uninstall.
    a1.set(Behaviour::Keep);
    engine
        .op(&format!("{DIG}/terminate"), None)
        .await
        .expect(202);
    engine.wait_state(DIG, "Terminated").await;
    assert!(env.dig_rsync_calls().is_empty());
    // TerminateStopped: stop a terminate in flight, held in the action controller's TerminateAppContext.
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    engine.wait_state(DIG, "Instantiated").await;
    a1.set(Behaviour::Gate(gate.clone()));
    engine
        .op(&format!("{DIG}/terminate"), None)
        .await
        .expect(202);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !calls.all().iter().any(|c| c == "a1:TerminateAppContext") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "terminate never reached a1: {:?}",
            calls.all()
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    engine.op(&format!("{DIG}/stop"), None).await.expect(202);
    assert_eq!(engine.state(DIG).await, "TerminateStopped");
    refused(
        &engine,
        &["approve", "terminate", "update", "stop"],
        "TerminateStopped",
    )
    .await;
    a1.set(Behaviour::Keep);
    // Instantiate is allowed from TerminateStopped, as in EMCO.
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    engine.wait_state(DIG, "Instantiated").await;
}

#[tokio::test]
async fn an_idempotency_key_returns_the_first_answer_and_does_nothing_again() {
    let env = Env::embedded().await;
    let engine = ready(&env).await;
    engine
        .op(&format!("{DIG}/approve"), Some("k-approve"))
        .await
        .expect(202);
    let first = engine
        .op(&format!("{DIG}/instantiate"), Some("k-1"))
        .await
        .expect(202);
    assert!(first.headers.get("idempotent-replayed").is_none());
    engine.wait_state(DIG, "Instantiated").await;
    // The same key again: the first answer, marked as a replay, and no second instantiate.
    let repeat = engine
        .op(&format!("{DIG}/instantiate"), Some("k-1"))
        .await
        .expect(202);
    assert_eq!(repeat.body, first.body);
    assert_eq!(repeat.headers["idempotent-replayed"], "true");
    let status = engine.get(&format!("{DIG}/status")).await.expect(200);
    let instantiates = status.body["states"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "Instantiating")
        .count();
    assert_eq!(instantiates, 1);
    assert_eq!(env.dig_rsync_calls().len(), 1);
    // Without the key the same request is judged on the state: 409.
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(409);
    // The key cannot be reused for another operation.
    let reused = engine
        .op(&format!("{DIG}/terminate"), Some("k-1"))
        .await
        .expect(422);
    assert!(reused.error().contains("k-1"), "{}", reused.error());
    // A malformed key is refused.
    engine
        .op(&format!("{DIG}/terminate"), Some("bad key"))
        .await
        .expect(400);
}

/// Marks context `instance` as rsync would while it works on it.
async fn rsync_state(env: &Env, instance: &str, state: State) {
    let id: ContextId = instance.parse().unwrap();
    env.ctx
        .put(
            &ContextKeys::new(id).status(),
            rmp_serde::to_vec_named(&Status::new(state)).unwrap(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_stop_after_the_hand_off_raises_the_contexts_stop_flag_while_rsync_works() {
    let env = Env::embedded().await;
    let engine = ready(&env).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let status = engine.wait_state(DIG, "Instantiated").await;
    let ctx = status["states"]["statusctxid"].as_str().unwrap().to_owned();
    let id: ContextId = ctx.parse().unwrap();
    let flag = ContextKeys::new(id).stop();

    // rsync finished: nothing to stop.
    rsync_state(&env, &ctx, State::Instantiated).await;
    refused(&engine, &["stop"], "Instantiated").await;
    assert!(env.ctx.get(&flag).await.unwrap().is_none());

    // rsync is still applying: the stop is accepted and reaches rsync through the flag.
    rsync_state(&env, &ctx, State::Instantiating).await;
    let stopped = engine.op(&format!("{DIG}/stop"), None).await.expect(202);
    assert_eq!(stopped.body["state"], "InstantiateStopped");
    assert!(
        env.ctx.get(&flag).await.unwrap().is_some(),
        "the stop flag is set"
    );
    assert_eq!(engine.state(DIG).await, "InstantiateStopped");

    // A terminate from there is handed to rsync; once rsync works on it, it can be stopped too.
    engine
        .op(&format!("{DIG}/terminate"), None)
        .await
        .expect(202);
    engine.wait_state(DIG, "Terminated").await;
    rsync_state(&env, &ctx, State::Terminating).await;
    let stopped = engine.op(&format!("{DIG}/stop"), None).await.expect(202);
    assert_eq!(stopped.body["state"], "TerminateStopped");
}
