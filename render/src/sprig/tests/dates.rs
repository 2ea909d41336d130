//! Dates and versions, from Sprig's `date_test.go` and `semver_test.go`.

use super::{check, check_err, check_with, render};
use crate::template::Value;

#[test]
fn date_formats_unix_seconds_by_go_layout() {
    check(&[
        (
            r#"{{ date "2006-01-02 15:04:05 MST" 1234567890 }}"#,
            "2009-02-13 23:31:30 UTC",
        ),
        (r#"{{ htmlDate 1234567890 }}"#, "2009-02-13"),
        (
            r#"{{ dateInZone "2006-01-02 15:04 -0700" 1234567890 "UTC" }}"#,
            "2009-02-13 23:31 +0000",
        ),
        (
            r#"{{ dateInZone "15:04 MST" 1234567890 "Etc/GMT-2" }}"#,
            "01:31 +02",
        ),
        (
            r#"{{ htmlDateInZone 1234567890 "Etc/GMT+12" }}"#,
            "2009-02-13",
        ),
    ]);
    check(&[
        (
            r#"{{ date_in_zone "02 Jan 06 15:04 -0700" 1560458379 "foobar" }}"#,
            "13 Jun 19 20:39 +0000",
        ),
        (r#"{{ htmlDate 0 }}"#, "1970-01-01"),
    ]);
    check_err(&[(
        r#"{{ dateInZone "15:04" 0 "Europe/Paris" }}"#,
        "Europe/Paris",
    )]);
}

#[test]
fn to_date_parses_by_layout_and_feeds_the_formatters() {
    check(&[
        (
            r#"{{ toDate "2006-01-02" "2017-12-31" | date "02/01/2006" }}"#,
            "31/12/2017",
        ),
        (
            r#"{{ toDate "2006-01-02T15:04:05Z07:00" "2017-12-31T10:00:00+02:00" | unixEpoch }}"#,
            "1514707200",
        ),
        (
            r#"{{ toDate "Jan 2, 2006 3:04pm" "Feb 13, 2009 11:31pm" | unixEpoch }}"#,
            "1234567860",
        ),
        (r#"{{ toDate "2006-01-02" "nope" | date "2006" }}"#, "0001"),
        (
            r#"{{ toDate "2006-01-02 15:04:05.000" "2020-02-29 01:02:03.456" | date "05.000" }}"#,
            "03.456",
        ),
    ]);
    check_err(&[(
        r#"{{ mustToDate "2006-01-02" "2017-02-30" }}"#,
        "out of range",
    )]);
}

#[test]
fn date_modify_and_durations_use_go_duration_syntax() {
    check(&[
        (
            r#"{{ toDate "2006-01-02" "2020-01-01" | dateModify "-1.5h" | date "2006-01-02 15:04" }}"#,
            "2019-12-31 22:30",
        ),
        (
            r#"{{ toDate "2006-01-02" "2020-01-01" | dateModify "bad" | date "2006-01-02" }}"#,
            "2020-01-01",
        ),
        (r#"{{ duration 95 }}"#, "1m35s"),
        (r#"{{ duration "3605" }}"#, "1h0m5s"),
        (r#"{{ duration 0 }}"#, "0s"),
        (r#"{{ durationRound "2h5s" }}"#, "2h"),
        (r#"{{ durationRound "24h5s" }}"#, "1d"),
        (r#"{{ durationRound "2400h5s" }}"#, "3m"),
        (r#"{{ durationRound "9000h" }}"#, "1y"),
        (r#"{{ durationRound 3600000000001 }}"#, "1h"),
        (r#"{{ durationRound "bad" }}"#, "0s"),
    ]);
    check_err(&[(
        r#"{{ toDate "2006" "2020" | mustDateModify "1x" }}"#,
        "unknown unit",
    )]);
}

#[test]
fn now_is_a_time_in_utc() {
    let year = render(r#"{{ now | date "2006" }}"#, &Value::Nil).unwrap();
    assert!(year.parse::<i32>().unwrap() >= 2024, "{year}");
    let epoch: i64 = render("{{ now | unixEpoch }}", &Value::Nil)
        .unwrap()
        .parse()
        .unwrap();
    assert!(epoch > 1_700_000_000);
    assert_eq!(render(r#"{{ now | ago }}"#, &Value::Nil).unwrap(), "0s");
    assert_eq!(
        render(r#"{{ ago "not a time" }}"#, &Value::Nil).unwrap(),
        "0s"
    );
    let past = render(r#"{{ now | dateModify "-125s" | ago }}"#, &Value::Nil).unwrap();
    assert_eq!(past, "2m5s");
    let future = render(r#"{{ now | dateModify "5s" | ago }}"#, &Value::Nil).unwrap();
    assert_eq!(future, "-5s");
    let json = render(
        r#"{{ toDate "2006-01-02" "2020-02-29" | toJson }}"#,
        &Value::Nil,
    )
    .unwrap();
    assert_eq!(json, r#""2020-02-29T00:00:00Z""#);
    assert_eq!(
        render(r#"{{ now | kindOf }}"#, &Value::Nil).unwrap(),
        "struct"
    );
    assert!(
        render("{{ now }}", &Value::Nil)
            .unwrap()
            .ends_with(" +0000 UTC")
    );
}

#[test]
fn semver_compare_checks_constraints() {
    let data = Value::from(serde_json::json!({"kube": "v1.29.3-eks-1"}));
    check_with(
        &data,
        &[
            (r#"{{ semverCompare "1.2.3" "1.2.3" }}"#, "true"),
            (r#"{{ semverCompare "^1.2.0" "1.2.3" }}"#, "true"),
            (r#"{{ semverCompare "^1.2.0" "2.2.3" }}"#, "false"),
            (r#"{{ semverCompare ">=1.19.0-0" .kube }}"#, "true"),
            (r#"{{ semverCompare ">=1.19.0" .kube }}"#, "false"),
        ],
    );
    check_err(&[(
        r#"{{ semverCompare "1.2.3" "bad" }}"#,
        "Invalid Semantic Version",
    )]);
}

#[test]
fn semver_exposes_the_version_parts() {
    check(&[
        (r#"{{ semver "1.2.3" | (semver "1.2.3").Compare }}"#, "0"),
        (r#"{{ semver "1.2.3" | (semver "1.3.3").Compare }}"#, "1"),
        (r#"{{ semver "1.4.3" | (semver "1.2.3").Compare }}"#, "-1"),
        (
            r#"{{ $v := semver "1.2.3-beta.1+c0ff33" }}{{ $v.Major }}.{{ $v.Minor }}.{{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }}"#,
            "1.2.3 beta.1 c0ff33",
        ),
        (r#"{{ semver "v1.2" }}"#, "1.2.0"),
        (r#"{{ (semver "1.2.3").Compare (semver "1.3.0") }}"#, "-1"),
        (
            r#"{{ (semver "1.4.0").GreaterThan (semver "1.3.0") }}"#,
            "true",
        ),
    ]);
    check_err(&[(r#"{{ semver "1.x.y" }}"#, "Invalid Semantic Version")]);
}

#[test]
fn semver_compare_reports_bad_input() {
    check_err(&[
        (
            r#"{{ semverCompare "badConstraint" "1.2.3" }}"#,
            "error calling semverCompare",
        ),
        (
            r#"{{ semverCompare "1.2.0" "badVersion" }}"#,
            "error calling semverCompare",
        ),
    ]);
}
