use super::*;
use proptest::prelude::*;

#[test]
fn accepts_emco_style_names() {
    for ok in [
        "a",
        "9",
        "ab",
        "nginx",
        "my-app_v1.2",
        "A.b-C_d",
        &"x".repeat(MAX_LEN),
    ] {
        assert_eq!(
            Name::new(ok).map(Name::into_string),
            Ok(ok.to_owned()),
            "{ok:?}"
        );
    }
}

#[test]
fn rejects_empty_long_and_badly_edged_names() {
    assert_eq!(Name::new(""), Err(Error::Empty));
    assert_eq!(
        Name::new("x".repeat(MAX_LEN + 1)),
        Err(Error::TooLong { len: MAX_LEN + 1 })
    );
    for bad in ["-a", "a-", ".a", "a.", "_", "a_"] {
        assert!(
            matches!(Name::new(bad), Err(Error::BadEdge { .. })),
            "{bad:?}"
        );
    }
}

#[test]
fn names_the_offending_character_and_the_rule() {
    let err = Name::new("web+1").unwrap_err();
    assert_eq!(
        err,
        Error::InvalidChar {
            name: "web+1".into(),
            ch: '+',
            pos: 3
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("'+'") && text.contains("position 3") && text.contains(PATTERN),
        "{text}"
    );
    assert!(matches!(
        Name::new("caf\u{e9}"),
        Err(Error::InvalidChar { ch: '\u{e9}', .. })
    ));
    assert!(matches!(
        Name::new("a b"),
        Err(Error::InvalidChar { ch: ' ', .. })
    ));
}

#[test]
fn deserializing_checks_the_rule() {
    let good: ProjectName = rmp_serde::from_slice(&rmp_serde::to_vec("proj-1").unwrap()).unwrap();
    assert_eq!(good.as_str(), "proj-1");
    let bad = rmp_serde::from_slice::<ProjectName>(&rmp_serde::to_vec("proj 1").unwrap());
    assert!(bad.unwrap_err().to_string().contains("position 4"));
}

#[test]
fn cluster_ref_round_trips_through_its_emco_form() {
    let r: ClusterRef = "provider-1+edge.7".parse().unwrap();
    assert_eq!(r.provider.as_str(), "provider-1");
    assert_eq!(r.cluster.as_str(), "edge.7");
    assert_eq!(r.to_string(), "provider-1+edge.7");
    assert!(matches!(
        "nosep".parse::<ClusterRef>(),
        Err(ClusterRefError::NoSeparator(_))
    ));
    assert!(matches!(
        "+c".parse::<ClusterRef>(),
        Err(ClusterRefError::Provider { .. })
    ));
    assert!(matches!(
        "p+c+d".parse::<ClusterRef>(),
        Err(ClusterRefError::Cluster { .. })
    ));
}

proptest! {
    // The hand-written check must agree with EMCO's regular expression on every string, including ones
    // built mostly from the characters near the rule's boundaries.
    #[test]
    fn agrees_with_emcos_regex(s in "[-A-Za-z0-9_. +*>\u{e9}]{0,130}") {
        let re = regex::Regex::new(PATTERN).unwrap();
        let expected = re.is_match(&s) && s.chars().count() <= MAX_LEN;
        prop_assert_eq!(Name::new(s.clone()).is_ok(), expected, "{:?}", s);
    }
}
