use super::*;

#[test]
fn versions_parse_leniently_and_sort_by_semver() {
    assert_eq!(Version::parse("v1.29").unwrap().to_string(), "1.29.0");
    assert_eq!(
        Version::parse("1.29.3-eks-adc7111+build.5").unwrap().pre,
        "eks-adc7111"
    );
    for bad in ["", "x", "1.2.3.4", "1..2", "1.2.3-", "a.b.c"] {
        assert!(Version::parse(bad).is_err(), "{bad:?}");
    }
    let mut list: Vec<Version> = [
        "1.0.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
    ]
    .iter()
    .map(|v| Version::parse(v).unwrap())
    .collect();
    list.reverse();
    list.sort();
    let sorted: Vec<String> = list.iter().map(Version::to_string).collect();
    assert_eq!(
        sorted,
        [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0"
        ]
    );
}

/// Cases from Masterminds semver v3's documented constraint semantics.
#[test]
fn constraints_behave_like_masterminds_semver() {
    let cases: &[(&str, &str, bool)] = &[
        (">=1.19.0-0", "v1.29.0", true),
        (">=1.19.0-0", "1.29.3-eks-adc7111", true),
        (">=1.19.0", "1.29.3-eks-adc7111", false),
        ("<1.30", "1.29.3-eks-adc7111", false),
        ("<1.30.0-0", "1.29.3-eks-adc7111", true),
        (">= 1.2, < 3.0.0 || >= 4.2.3", "2.5.0", true),
        (">= 1.2, < 3.0.0 || >= 4.2.3", "3.5.0", false),
        (">= 1.2, < 3.0.0 || >= 4.2.3", "4.2.3", true),
        (">=1.2 <3", "2.0.0", true),
        ("1.2 - 1.4.5", "1.4.5", true),
        ("1.2 - 1.4.5", "1.4.6", false),
        ("1.2.x", "1.2.9", true),
        ("1.2.x", "1.3.0", false),
        ("=1.2", "1.2.7", true),
        ("*", "7.3.1", true),
        (">1.2", "1.2.9", false),
        (">1.2", "1.3.0", true),
        ("<=1.2", "1.2.9", true),
        ("<=1.2", "1.3.0", false),
        ("~1.2.3", "1.2.9", true),
        ("~1.2.3", "1.3.0", false),
        ("~1", "1.9.9", true),
        ("~1", "2.0.0", false),
        ("~>1.2", "1.2.0", true),
        ("^1.2.3", "1.9.0", true),
        ("^1.2.3", "2.0.0", false),
        ("^0.2.3", "0.2.9", true),
        ("^0.2.3", "0.3.0", false),
        ("^0.0.3", "0.0.4", false),
        ("^0.0", "0.0.9", true),
        ("^0", "0.9.0", true),
        ("!=1.2.3", "1.2.4", true),
        ("!=1.2.3", "1.2.3", false),
        ("1.2.3", "1.2.3", true),
        ("=>1.0, =<2.0", "2.0.0", true),
    ];
    for (constraint, version, want) in cases {
        assert_eq!(
            compare(constraint, version),
            Ok(*want),
            "{constraint} on {version}"
        );
    }
}

#[test]
fn bad_constraints_and_versions_are_errors() {
    assert!(compare(">=abc", "1.0.0").is_err());
    assert!(compare(">=1.0", "not-a-version").is_err());
    assert!(compare("%1.0", "1.0.0").is_err());
    assert!(compare("", "1.0.0").is_err());
}
