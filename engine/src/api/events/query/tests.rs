//! Query checking: every parameter's rule, the start's precedence, and unknown or repeated parameters.

use super::*;

const NOW: Timestamp = Timestamp::from_unix_nanos(1_000_000 * 1_000_000_000);

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn ok(pairs: &[(&str, &str)]) -> Query {
    parse(&params(pairs), None, NOW).unwrap()
}

fn field_of(pairs: &[(&str, &str)]) -> (String, String) {
    let v = parse(&params(pairs), None, NOW).unwrap_err();
    (v.field, v.rule)
}

#[test]
fn the_default_is_every_new_event_followed() {
    let q = ok(&[]);
    assert_eq!(q.start, Start::New);
    assert!(q.follow && q.subjects.is_empty() && q.dig.is_none() && q.cluster.is_none());
}

#[test]
fn subjects_may_repeat_or_be_comma_separated() {
    let q = ok(&[
        ("subject", "canopy.dig.>,canopy.cluster.*.*.*"),
        ("subject", "canopy.ctx.>"),
    ]);
    let got: Vec<&str> = q.subjects.iter().map(SubjectPattern::as_str).collect();
    assert_eq!(
        got,
        ["canopy.dig.>", "canopy.cluster.*.*.*", "canopy.ctx.>"]
    );
}

#[test]
fn since_takes_a_duration_back_from_now_or_a_time() {
    let ten_minutes = Timestamp::from_unix_nanos(NOW.unix_nanos() - 600 * 1_000_000_000);
    assert_eq!(ok(&[("since", "10m")]).start, Start::Time(ten_minutes));
    assert_eq!(
        ok(&[("since", "1970-01-01T00:00:01Z")]).start,
        Start::Time(Timestamp::from_unix_nanos(1_000_000_000))
    );
}

#[test]
fn last_event_id_resumes_after_it_and_wins_over_from_seq() {
    let header = HeaderValue::from_static("41");
    let q = parse(&params(&[("from_seq", "3")]), Some(&header), NOW).unwrap();
    assert_eq!(q.start, Start::Sequence(42));
    assert_eq!(ok(&[("from_seq", "3")]).start, Start::Sequence(3));
    let bad = HeaderValue::from_static("abc");
    let v = parse(&[], Some(&bad), NOW).unwrap_err();
    assert_eq!(v.field, "Last-Event-ID");
}

#[test]
fn bad_values_name_the_parameter_and_the_rule() {
    for (pairs, field, rule) in [
        (vec![("subject", "canopy..x")], "subject", "empty"),
        (vec![("subject", "canopy.>,")], "subject", "empty"),
        (vec![("dig", "p/ca/v1")], "dig", "four names"),
        (vec![("cluster", "c1")], "cluster", "provider/cluster"),
        (vec![("since", "10 minutes")], "since", "duration"),
        (vec![("since", "2026-13-01T00:00:00Z")], "since", "month"),
        (vec![("from_seq", "0")], "from_seq", "at least 1"),
        (vec![("from_seq", "-1")], "from_seq", "at least 1"),
        (vec![("follow", "yes")], "follow", "true or false"),
        (vec![("from-seq", "1")], "from-seq", "not a parameter"),
        (
            vec![("dig", "p/ca/v1/d"), ("dig", "p/ca/v1/e")],
            "dig",
            "more than once",
        ),
        (
            vec![("since", "1m"), ("from_seq", "2")],
            "since",
            "from_seq",
        ),
    ] {
        let (f, r) = field_of(&pairs);
        assert_eq!(f, field, "{pairs:?}: {r}");
        assert!(r.contains(rule), "{pairs:?}: {r}");
    }
}
