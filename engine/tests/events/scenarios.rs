//! The scenarios [`both!`](crate::both) runs over each bus.

use std::sync::{Arc, Mutex};

use canopy_engine::api::events::{self, stream::Cutoff};
use canopy_engine::api::time::rfc3339;
use canopy_schemas::Timestamp;
use canopy_schemas::event::Delivery;

use crate::sse::{Block, delivery};
use crate::support::{
    Bus, Engine, app_event, cluster_event, controller, controllers, dig_event, eventually,
    resource_event,
};

fn sequences(deliveries: &[Delivery]) -> Vec<u64> {
    deliveries.iter().map(|d| d.sequence).collect()
}

pub async fn a_client_resumes_with_last_event_id_without_gap_or_duplicate(bus: Bus) {
    let engine = Engine::start(bus).await;
    let first = controllers("a", 10);
    let mut sse = engine.subscribe("", None).await;
    let mut published = engine.publish(&first).await;
    let got = sse.deliveries(4).await;
    drop(sse);
    let second = controllers("b", 10);
    published.extend(engine.publish(&second).await);

    let last = got.last().unwrap().sequence;
    let mut resumed = engine.subscribe("", Some(last)).await;
    let rest = resumed.deliveries(16).await;
    let all: Vec<Delivery> = got.into_iter().chain(rest).collect();
    assert_eq!(sequences(&all), published, "no gap and no duplicate");
    let ids: Vec<_> = all.iter().map(|d| d.event.id).collect();
    let sent: Vec<_> = first.iter().chain(&second).map(|e| e.id).collect();
    assert_eq!(ids, sent);

    // Last-Event-ID wins over from_seq, and without follow the resumed stream ends after what is stored.
    let mut tail = engine
        .subscribe("from_seq=1&follow=false", Some(published[17]))
        .await;
    assert_eq!(sequences(&tail.until_end().await), published[18..]);
}

pub async fn a_slow_client_is_cut_off_while_a_fast_client_gets_every_event(bus: Bus) {
    const ROUNDS: usize = 48;
    const PER_ROUND: usize = 16;
    const PADDING: usize = 64 << 10;
    let engine = Engine::with(
        bus,
        events::Config {
            buffer: 64,
            ..events::Config::default()
        },
    )
    .await;
    // The slow client reads the response head and nothing more.
    let mut slow = engine.subscribe("", None).await;
    let mut fast = engine.subscribe("", None).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let fast_reader = {
        let seen = seen.clone();
        tokio::spawn(async move {
            while let Some(block) = fast.message().await {
                seen.lock().unwrap().push(delivery(&block).sequence);
            }
        })
    };
    let mut published = Vec::new();
    for round in 0..ROUNDS {
        let events: Vec<_> = (0..PER_ROUND)
            .map(|i| controller(&format!("c{round}x{i}"), PADDING))
            .collect();
        published.extend(engine.publish(&events).await);
        let last = *published.last().unwrap();
        eventually("the fast client keeps up", || {
            seen.lock().unwrap().last() == Some(&last)
        })
        .await;
    }
    assert_eq!(
        *seen.lock().unwrap(),
        published,
        "the fast client got everything"
    );
    fast_reader.abort();

    // The slow client gets what was buffered for it, then the cutoff naming the last sequence sent.
    let mut got = Vec::new();
    let cutoff = loop {
        match slow.message().await.expect("a cutoff before the end") {
            Block::Message {
                event: Some(name),
                data,
                ..
            } => {
                assert_eq!(name, "cutoff");
                break serde_json::from_str::<Cutoff>(&data[0]).unwrap();
            }
            block => got.push(delivery(&block).sequence),
        }
    };
    assert!(
        slow.block().await.is_none(),
        "the stream ends after the cutoff"
    );
    assert_eq!(got, published[..got.len()], "what was sent has no gap");
    assert!(
        got.len() < published.len(),
        "the slow client was cut off early"
    );
    assert_eq!(cutoff.last_sequence, got.last().copied());
    assert!(cutoff.reason.contains("behind"), "{}", cutoff.reason);

    // It resumes where it was cut off and gets the rest.
    let after = cutoff.last_sequence.unwrap_or(0);
    let mut resumed = engine
        .subscribe("follow=false&from_seq=1", Some(after))
        .await;
    let rest = sequences(&resumed.until_end().await);
    assert_eq!(rest, published[got.len()..]);
}

pub async fn dig_cluster_and_subject_filters_pass_exactly_their_events(bus: Bus) {
    let engine = Engine::start(bus).await;
    // dig1's lifecycle record knows AppContext 7; dig2's knows 8.
    engine.dig("dig1", &[7]).await;
    engine.dig("dig2", &[8]).await;
    let seq = engine
        .publish(&[
            dig_event("dig1", "Instantiating", 7), // 1
            app_event(7, "c1", "Applied"),         // 2
            app_event(8, "c1", "Applied"),         // 3
            dig_event("dig2", "Instantiating", 8), // 4
            resource_event(7, "c2", "Applied"),    // 5
            cluster_event("c1", "unreachable"),    // 6
            controller("gac", 0),                  // 7
            dig_event("dig1", "Instantiated", 9),  // 8: a new AppContext, learned from the event
            app_event(9, "c2", "Applied"),         // 9
        ])
        .await;
    let pick = |positions: &[usize]| positions.iter().map(|p| seq[p - 1]).collect::<Vec<_>>();
    let from_2 = format!("from_seq={}", seq[1]);
    let from_1 = format!("from_seq={}", seq[0]);
    for (query, expected) in [
        // Starting after dig1's first event: AppContext 7 comes from the lifecycle record.
        (format!("dig=p1/ca/v1/dig1&{from_2}"), pick(&[2, 5, 8, 9])),
        (format!("dig=p1/ca/v1/dig2&{from_1}"), pick(&[3, 4])),
        (format!("cluster=prov/c1&{from_1}"), pick(&[2, 3, 6])),
        (format!("cluster=prov%2Bc2&{from_1}"), pick(&[5, 9])),
        (
            format!("subject=canopy.dig.>,canopy.controller.>&{from_1}"),
            pick(&[1, 4, 7, 8]),
        ),
        (
            format!("subject=canopy.ctx.>&cluster=prov/c2&{from_1}"),
            pick(&[9]),
        ),
        (
            format!("dig=p1/ca/v1/dig1&cluster=prov/c2&{from_1}"),
            pick(&[5, 9]),
        ),
        // Overlapping patterns (JetStream refuses them as consumer filters) still pass their union.
        (
            format!("subject=canopy.>&subject=canopy.dig.>&{from_1}"),
            pick(&[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ),
    ] {
        let mut sse = engine
            .subscribe(&format!("{query}&follow=false"), None)
            .await;
        assert_eq!(sequences(&sse.until_end().await), expected, "{query}");
    }
    let r = engine.get("dig=p1/ca/v1/nope", None).await;
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("nope"), "{body}");
}

pub async fn from_seq_since_and_the_default_start_where_they_should(bus: Bus) {
    let engine = Engine::start(bus).await;
    let mut early = engine.publish(&controllers("a", 3)).await;
    let mark = Timestamp::now();
    let late = engine.publish(&controllers("b", 3)).await;

    let since = rfc3339(mark);
    let mut sse = engine
        .subscribe(&format!("since={since}&follow=false"), None)
        .await;
    assert_eq!(sequences(&sse.until_end().await), late);
    let mut sse = engine.subscribe("since=1h&follow=false", None).await;
    early.extend(&late);
    assert_eq!(sequences(&sse.until_end().await), early);
    let mut sse = engine
        .subscribe(&format!("from_seq={}&follow=false", late[1]), None)
        .await;
    assert_eq!(sequences(&sse.until_end().await), late[1..]);
    // Nothing stored from the start: a stream without follow ends at once.
    let mut sse = engine.subscribe("follow=false", None).await;
    assert!(sse.until_end().await.is_empty());

    // The default start is the next event, not the stored ones.
    let mut new_only = engine.subscribe("", None).await;
    let next = engine.publish(&controllers("c", 1)).await;
    assert_eq!(sequences(&new_only.deliveries(1).await), next);
    // A since in the future waits for events stored from then on.
    let future = rfc3339(Timestamp::from_unix_nanos(
        mark.unix_nanos() + 3_600_000_000_000,
    ));
    let mut sse = engine
        .subscribe(&format!("since={future}&follow=false"), None)
        .await;
    assert!(sse.until_end().await.is_empty());
}

pub async fn each_event_is_an_id_and_one_line_of_json_and_idle_streams_get_comments(bus: Bus) {
    let engine = Engine::with(
        bus,
        events::Config {
            heartbeat: std::time::Duration::from_millis(50),
            ..events::Config::default()
        },
    )
    .await;
    let mut sse = engine.subscribe("", None).await;
    // Nothing is published yet: the first block can only be a heartbeat.
    assert_eq!(sse.block().await, Some(Block::Comment));
    let event = controller("rsync", 0).with_message("two\nlines");
    let seq = engine.publish(std::slice::from_ref(&event)).await;
    let block = sse.message().await.unwrap();
    let d = delivery(&block);
    assert_eq!(d.sequence, seq[0]);
    assert_eq!(d.event, event);
    assert_eq!(d.subject, "canopy.controller.rsync.registered");
}

pub async fn bad_queries_are_400_naming_the_field(bus: Bus) {
    let engine = Engine::start(bus).await;
    for (query, last_event_id, field) in [
        ("subject=canopy..x", None, "subject"),
        ("dig=p1/ca", None, "dig"),
        ("cluster=c1", None, "cluster"),
        ("since=yesterday", None, "since"),
        ("from_seq=0", None, "from_seq"),
        ("follow=maybe", None, "follow"),
        ("since=1m&from_seq=1", None, "since"),
        ("fromseq=1", None, "fromseq"),
        ("", Some("twelve"), "Last-Event-ID"),
    ] {
        let r = engine.get_with(query, last_event_id).await;
        assert_eq!(r.status(), 400, "{query}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["field"], field, "{query}: {body}");
        assert!(
            body["rule"].as_str().is_some_and(|r| !r.is_empty()),
            "{body}"
        );
    }
}
