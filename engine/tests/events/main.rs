//! `GET /v2/events` at the wire level, over the in-process bus and over a real nats-server with JetStream:
//! every scenario runs against both ([`both!`]), with a raw reader of the SSE text. Also the JetStream
//! stream's retention settings and the refusal of a NATS server without JetStream.

mod retention;
mod scenarios;
mod sse;
mod support;

/// Runs a scenario of [`scenarios`] once over each bus.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::scenarios::$name(crate::support::Bus::Memory).await;
                }
            )*
        }
        mod jetstream {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::scenarios::$name(crate::support::Bus::JetStream).await;
                }
            )*
        }
    };
}

both!(
    a_client_resumes_with_last_event_id_without_gap_or_duplicate,
    a_slow_client_is_cut_off_while_a_fast_client_gets_every_event,
    dig_cluster_and_subject_filters_pass_exactly_their_events,
    from_seq_since_and_the_default_start_where_they_should,
    each_event_is_an_id_and_one_line_of_json_and_idle_streams_get_comments,
    bad_queries_are_400_naming_the_field,
);
