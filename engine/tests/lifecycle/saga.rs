//! The instantiate saga: controller order, failures, deadlines, stop, and resume after a kill.

use std::sync::Arc;
use std::time::Duration;

use canopy_tests::RsyncMethod;
use serde_json::json;
use tokio::sync::Notify;

use crate::support::*;

fn intent() -> serde_json::Value {
    json!({
        "allOf": [{"clusterProvider": "prov", "cluster": "c3"}],
        "anyOf": [{"clusterProvider": "prov", "clusterLabel": "edge"}],
    })
}

#[tokio::test]
async fn placement_then_action_controllers_run_by_priority_and_only_when_named() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let p1 = TestController::new("p1", &calls, Behaviour::Keep);
    let p5 = TestController::new(
        "p5",
        &calls,
        Behaviour::Score(vec![("prov+c1", 1.0), ("prov+c2", 5.0)]),
    );
    let p10 = TestController::new("p10", &calls, Behaviour::Keep);
    let a1 = TestController::new("a1", &calls, Behaviour::Keep);
    let a3 = TestController::new("a3", &calls, Behaviour::Keep);
    let unused = TestController::new("unused", &calls, Behaviour::Keep);
    // Registered shuffled; `unused` shares the lowest priority but no DIG intent names it.
    let _served = register(
        &engine,
        &[
            Ctl::action(&a3, 3),
            Ctl::placement(&p10, 10),
            Ctl::placement(&unused, 1),
            Ctl::action(&a1, 1),
            Ctl::placement(&p5, 5),
            Ctl::placement(&p1, 1),
        ],
    )
    .await;
    dig(&engine, intent(), &["a3", "p10", "a1", "p5", "p1"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    let accepted = engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    assert_eq!(accepted.body["state"], "Instantiating");
    assert_eq!(accepted.body["revision"], 1);
    let status = engine.wait_state(DIG, "Instantiated").await;

    let saga: Vec<String> = calls
        .all()
        .into_iter()
        .filter(|c| !c.contains("PostEvent"))
        .collect();
    assert_eq!(
        saga,
        [
            "p1:FilterClusters",
            "p5:FilterClusters",
            "p10:FilterClusters",
            "a1:UpdateAppContext",
            "a3:UpdateAppContext"
        ]
    );
    assert_eq!(
        calls.count("unused"),
        0,
        "a controller no DIG intent names is never called"
    );
    // The anyOf group keeps its highest-scoring cluster; the allOf cluster is its own group.
    let mut clusters = placed(&status);
    clusters.sort();
    assert_eq!(clusters, ["prov+c2", "prov+c3"]);
    // rsync got the context the status shows, once.
    let instance = status["states"]["statusctxid"].as_str().unwrap().to_owned();
    let call = env.wait_dig_rsync_call(1).await;
    assert_eq!(call.method, RsyncMethod::InstallApp);
    assert_eq!(call.contexts, std::slice::from_ref(&instance));
    assert_eq!(env.dig_rsync_calls().len(), 1, "{:?}", env.rsync.calls());
    assert_eq!(status["deployedStatus"], "Built");
    // Every action controller hears of the success.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while calls
        .all()
        .iter()
        .filter(|c| c.contains("PostEvent:Instantiate"))
        .count()
        < 2
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "PostEvent never came: {:?}",
            calls.all()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The detail output shows the scores the choice was made by.
    let detail = engine
        .get(&format!("{DIG}/status?output=detail"))
        .await
        .expect(200);
    let scores: Vec<_> = detail.body["apps"][0]["placement"]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["cluster"].clone(), c["score"].clone()))
        .collect();
    assert!(
        scores.contains(&(json!("prov+c2"), json!(5.0))),
        "{scores:?}"
    );
}

#[tokio::test]
async fn a_failing_controller_leaves_instantiate_failed_and_the_context_kept() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let p1 = TestController::new("p1", &calls, Behaviour::Drop(vec!["prov+c1"]));
    let a1 = TestController::new("a1", &calls, Behaviour::Fail);
    let _served = register(&engine, &[Ctl::placement(&p1, 1), Ctl::action(&a1, 1)]).await;
    dig(&engine, intent(), &["p1", "a1"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let status = engine.wait_state(DIG, "InstantiateFailed").await;
    let reason = status["reason"].as_str().unwrap();
    assert!(
        reason.contains("a1") && reason.contains("refuses on purpose"),
        "{reason}"
    );
    // The context is kept with what the build reached: placement done, the failure recorded.
    assert_eq!(status["deployedStatus"], "InstantiateFailed");
    assert!(status["deployedReason"].as_str().unwrap().contains("a1"));
    let mut clusters = placed(&status);
    clusters.sort();
    assert_eq!(clusters, ["prov+c2", "prov+c3"], "p1 dropped c1");
    assert!(
        env.dig_rsync_calls().is_empty(),
        "nothing is handed to rsync"
    );
    // A terminal failure is not retried: one call.
    assert_eq!(calls.count("a1"), 1);
    let detail = engine
        .get(&format!("{DIG}/status?output=detail"))
        .await
        .expect(200);
    let dropped = &detail.body["apps"][0]["placement"]["dropped"][0];
    assert_eq!(dropped["cluster"], "prov+c1");
    assert_eq!(dropped["controller"], "p1");
    // Instantiate may be tried again after a failure, with a new revision.
    a1.set(Behaviour::Keep);
    let again = engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    assert_eq!(again.body["revision"], 2);
    engine.wait_state(DIG, "Instantiated").await;
}

#[tokio::test]
async fn a_controller_slower_than_its_deadline_fails_the_step_and_is_named() {
    let env = Env::embedded().await;
    let engine = env.engine_with(Duration::from_millis(300)).await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let slow = TestController::new("slowpoke", &calls, Behaviour::Slow(Duration::from_secs(3)));
    let _served = register(&engine, &[Ctl::placement(&slow, 1)]).await;
    dig(&engine, intent(), &["slowpoke"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let status = engine.wait_state(DIG, "InstantiateFailed").await;
    let reason = status["reason"].as_str().unwrap();
    assert!(
        reason.contains("placement step failed")
            && reason.contains("slowpoke")
            && reason.contains("FilterClusters"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_killed_engine_resumes_the_saga_and_calls_no_controller_twice_for_a_completed_step() {
    let env = Env::etcd().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let gate = Arc::new(Notify::new());
    let p1 = TestController::new("p1", &calls, Behaviour::Keep);
    let p2 = TestController::new("p2", &calls, Behaviour::Score(vec![("prov+c1", 9.0)]));
    let a1 = TestController::new("a1", &calls, Behaviour::Gate(gate.clone()));
    let _served = register(
        &engine,
        &[
            Ctl::placement(&p1, 1),
            Ctl::placement(&p2, 2),
            Ctl::action(&a1, 1),
        ],
    )
    .await;
    dig(&engine, intent(), &["p1", "p2", "a1"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    // The saga is inside the action step, the placement step recorded.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while calls.count("a1") == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the action step never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    engine.kill();
    a1.set(Behaviour::Keep);

    let engine = env.engine().await;
    let status = engine.wait_state(DIG, "Instantiated").await;
    assert_eq!(
        calls.count("p1"),
        1,
        "placement was done: {:?}",
        calls.all()
    );
    assert_eq!(
        calls.count("p2"),
        1,
        "placement was done: {:?}",
        calls.all()
    );
    assert!(
        calls.count("a1") >= 2,
        "the unfinished action step runs again"
    );
    // The replayed placement answer still decides: p2's score chose c1.
    let mut clusters = placed(&status);
    clusters.sort();
    assert_eq!(clusters, ["prov+c1", "prov+c3"]);
    let installs: Vec<_> = env
        .dig_rsync_calls()
        .into_iter()
        .filter(|c| c.method == RsyncMethod::InstallApp)
        .collect();
    assert_eq!(installs.len(), 1);
    gate.notify_waiters();
}

#[tokio::test]
async fn stop_cancels_an_instantiate_in_flight() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let gate = Arc::new(Notify::new());
    let a1 = TestController::new("a1", &calls, Behaviour::Gate(gate.clone()));
    let _served = register(&engine, &[Ctl::action(&a1, 1)]).await;
    dig(&engine, intent(), &["a1"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while calls.count("a1") == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the action step never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stopped = engine.op(&format!("{DIG}/stop"), None).await.expect(202);
    assert_eq!(stopped.body["state"], "InstantiateStopped");
    assert_eq!(engine.runner.running(), 0, "the saga task is gone");
    gate.notify_waiters();
    a1.set(Behaviour::Keep);
    // Nothing moves it on: it stays stopped and nothing reached rsync.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(engine.state(DIG).await, "InstantiateStopped");
    assert!(env.dig_rsync_calls().is_empty());
    // Stopping again is refused; terminate cleans up.
    let again = engine.op(&format!("{DIG}/stop"), None).await.expect(409);
    assert!(
        again.error().contains("InstantiateStopped"),
        "{}",
        again.error()
    );
}
