//! `canopy status` against an engine whose DIG is instantiated on the rsync double; rsync's per-cluster
//! progress and the AppContext's state are written into the context store as rsync writes them.

use canopy_engine::appcontext::{
    AppProgress, Connectivity, ContextKeys, Deployed, Phase, Ready, ResourceProgress, State, Status,
};
use canopy_engine::cli::status::{self, Args};
use canopy_schemas::ContextId;
use canopy_schemas::Timestamp;

use crate::support::*;
use crate::*;

const ANCHOR: &str = "/v2/projects/p1/composite-apps/ca/v1/deployment-intent-groups/dig1";

/// collectd's resources on c1 as the status lists them before rsync writes: `(apiVersion, kind, name)`.
async fn planned(engine: &Engine) -> Vec<(String, String, String)> {
    let st = engine
        .get(&format!("{DIG}/status?cluster=prov%2Bc1"))
        .await
        .expect(200)
        .body;
    st["apps"][0]["clusters"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (g, v) = (
                r["GVK"]["Group"].as_str().unwrap(),
                r["GVK"]["Version"].as_str().unwrap(),
            );
            let api_version = if g.is_empty() {
                v.to_owned()
            } else {
                format!("{g}/{v}")
            };
            let kind = r["GVK"]["Kind"].as_str().unwrap().to_owned();
            (api_version, kind, r["name"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// collectd's progress on a cluster: every resource in `deployed` and `ready`, the app in `phase`; the
/// first resource carries `message`.
fn progress(
    planned: &[(String, String, String)],
    phase: Phase,
    deployed: Deployed,
    ready: Ready,
    message: Option<&str>,
) -> AppProgress {
    let resources = planned
        .iter()
        .enumerate()
        .map(|(i, (api_version, kind, name))| ResourceProgress {
            api_version: api_version.clone(),
            kind: kind.clone(),
            name: name.clone(),
            deployed,
            ready,
            message: message.filter(|_| i == 0).map(str::to_owned),
            ..ResourceProgress::default()
        })
        .collect();
    AppProgress {
        phase,
        connectivity: Connectivity::Available,
        last_error: None,
        resources,
        updated_at: Timestamp::now(),
    }
}

/// Sets the AppContext's state, as rsync does when it finishes.
async fn context_is(env: &Env, ctx: ContextId, status: Status) {
    let key = ContextKeys::new(ctx).status();
    env.ctx
        .put(&key, status.encode(&key).unwrap())
        .await
        .unwrap();
}

/// Runs `canopy status WORDS` against `engine` to completion.
async fn run(engine: &Engine, words: &[&str]) -> Ran {
    let server = server(engine);
    let args: Args = args(&[words, &["--server", &server]].concat());
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let code = status::run(&args, &mut out, &mut notes, false).await;
    Ran {
        code,
        out: String::from_utf8(out).unwrap(),
        notes: String::from_utf8(notes).unwrap(),
    }
}

#[tokio::test]
async fn wait_follows_the_progress_and_exits_0_once_every_cluster_is_ready() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;

    let args: Args = args(&[
        ANCHOR,
        "--wait",
        "--timeout",
        "2m",
        "--server",
        &server(&engine),
    ]);
    let out = Shared::default();
    let mut writer = out.clone();
    let waiting = tokio::spawn(async move {
        let mut notes = Vec::new();
        let code = status::run(&args, &mut writer, &mut notes, false).await;
        (code, String::from_utf8(notes).unwrap())
    });
    out.wait_for("collectd 0/2 ready [Pending=2]").await;

    let ready = progress(
        &planned,
        Phase::Ready,
        Deployed::Applied,
        Ready::Ready,
        None,
    );
    rsync_writes(&env, ctx, "prov+c1", &ready, &[]).await;
    out.wait_for("collectd 1/2 ready [Pending=1 Ready=1]").await;
    rsync_writes(&env, ctx, "prov+c2", &ready, &[]).await;
    out.wait_for("collectd 2/2 ready [Ready=2]").await;
    assert!(
        !waiting.is_finished(),
        "the AppContext is not Instantiated yet"
    );
    context_is(&env, ctx, Status::new(State::Instantiated)).await;

    let (code, notes) = waiting.await.unwrap();
    assert_eq!(code, ExitCode::SUCCESS, "{notes}{}", out.text());
    let text = out.text();
    assert_eq!(
        text.lines().last(),
        Some("p1/ca/v1/dig1 is ready"),
        "{text}"
    );

    let shown = run(&engine, &[ANCHOR]).await;
    assert_eq!(shown.code, ExitCode::SUCCESS, "{}", shown.notes);
    let rows: Vec<Vec<&str>> = shown
        .out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        rows.contains(&vec!["STATE", "Instantiated"]),
        "{}",
        shown.out
    );
    assert!(rows.contains(&vec!["READY", "Ready"]), "{}", shown.out);
    assert!(
        rows.contains(&vec!["collectd", "2", "2", "2", "Ready=2"]),
        "{}",
        shown.out
    );
    assert!(!shown.out.contains("FAILING"), "{}", shown.out);
}

#[tokio::test]
async fn deployed_is_reached_before_ready_and_waiting_for_ready_times_out_with_exit_2() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;

    let ran = run(
        &engine,
        &[ANCHOR, "--wait", "--for", "deployed", "--timeout", "200ms"],
    )
    .await;
    assert_eq!(
        ran.code,
        ExitCode::from(2),
        "nothing is applied yet: {}",
        ran.out
    );
    assert!(
        ran.out
            .contains("timed out after 200ms: p1/ca/v1/dig1 is not deployed yet"),
        "{}",
        ran.out
    );

    let applied = progress(
        &planned,
        Phase::Applied,
        Deployed::Applied,
        Ready::NotReady,
        None,
    );
    for cluster in ["prov+c1", "prov+c2"] {
        rsync_writes(&env, ctx, cluster, &applied, &[]).await;
    }
    context_is(&env, ctx, Status::new(State::Instantiated)).await;
    let ran = run(&engine, &[ANCHOR, "--wait", "--for", "deployed"]).await;
    assert_eq!(ran.code, ExitCode::SUCCESS, "{}{}", ran.out, ran.notes);
    assert!(
        ran.out.ends_with("p1/ca/v1/dig1 is deployed\n"),
        "{}",
        ran.out
    );

    let ran = run(&engine, &[ANCHOR, "--wait", "--timeout", "300ms"]).await;
    assert_eq!(ran.code, ExitCode::from(2), "{}{}", ran.out, ran.notes);
    assert!(
        ran.out
            .contains("timed out after 300ms: p1/ca/v1/dig1 is not ready yet"),
        "{}",
        ran.out
    );
}

#[tokio::test]
async fn a_cluster_that_failed_for_good_ends_the_wait_with_exit_1_and_its_reason() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ctx = instantiated(&engine, &env).await;
    let planned = planned(&engine).await;

    let ready = progress(
        &planned,
        Phase::Ready,
        Deployed::Applied,
        Ready::Ready,
        None,
    );
    rsync_writes(&env, ctx, "prov+c1", &ready, &[]).await;
    let failed = progress(
        &planned,
        Phase::Failed,
        Deployed::Failed,
        Ready::NotPresent,
        Some("admission webhook denied it"),
    );
    rsync_writes(&env, ctx, "prov+c2", &failed, &[]).await;

    let ran = run(&engine, &[ANCHOR, "--wait"]).await;
    assert_eq!(ran.code, ExitCode::FAILURE, "{}{}", ran.out, ran.notes);
    let (kind, name) = (&planned[0].1, &planned[0].2);
    let failing: Vec<&str> = ran
        .out
        .lines()
        .skip_while(|l| !l.starts_with("FAILING"))
        .collect();
    assert_eq!(failing.len(), 2, "{}", ran.out);
    let row: Vec<&str> = failing[1].split_whitespace().collect();
    assert_eq!(
        row[..4],
        ["collectd", "on", "prov/c2", "Failed"],
        "{}",
        ran.out
    );
    assert!(
        failing[1].ends_with(&format!("{kind}/{name}: admission webhook denied it")),
        "{}",
        ran.out
    );
    assert!(
        ran.out
            .contains("p1/ca/v1/dig1 failed: it cannot become ready"),
        "{}",
        ran.out
    );

    let shown = run(&engine, &[ANCHOR]).await;
    assert_eq!(shown.code, ExitCode::SUCCESS);
    assert!(shown.out.contains("collectd on prov/c2"), "{}", shown.out);
}

#[tokio::test]
async fn a_dig_that_does_not_exist_is_an_error_naming_the_server_answer() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    let ran = run(&engine, &[ANCHOR, "--wait"]).await;
    assert_eq!(ran.code, ExitCode::FAILURE);
    assert!(
        ran.notes.contains("the server answered 404"),
        "{}",
        ran.notes
    );
}
