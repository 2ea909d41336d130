//! Regular expressions, from Sprig's `regex_test.go`.

use super::{check, check_err};

#[test]
fn regex_match_and_find_use_re2_syntax() {
    check(&[
        (
            r#"{{ regexMatch "^[a-z]+\\[[0-9]+\\]$" "abc[123]" }}"#,
            "true",
        ),
        (r#"{{ regexMatch "^[0-9]+$" "abc" }}"#, "false"),
        (r#"{{ regexMatch "(" "abc" }}"#, "false"),
        (r#"{{ mustRegexMatch "a.c" "abc" }}"#, "true"),
        (r#"{{ regexFind "[a-zA-Z][1-9]" "abcd1234" }}"#, "d1"),
        (r#"{{ regexFind "x" "abcd1234" }}"#, ""),
        (r#"{{ regexFindAll "[a-z]" "a1b2c3" -1 }}"#, "[a b c]"),
        (r#"{{ regexFindAll "[a-z]" "a1b2c3" 2 }}"#, "[a b]"),
        (r#"{{ regexFindAll "x" "a1b2c3" -1 }}"#, "[]"),
    ]);
    check_err(&[
        (r#"{{ mustRegexMatch "(" "abc" }}"#, "error parsing regexp"),
        (r#"{{ regexFind "(" "abc" }}"#, "error parsing regexp"),
    ]);
}

#[test]
fn regex_replace_expands_groups_unless_literal() {
    check(&[
        (
            r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#,
            "-W-xxW-",
        ),
        (r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}"#, "---"),
        (
            r#"{{ regexReplaceAll "(?P<first>\\w+) (?P<last>\\w+)" "ada lovelace" "$last, $first" }}"#,
            "lovelace, ada",
        ),
        (
            r#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}"#,
            "-${1}-${1}-",
        ),
        (r#"{{ mustRegexReplaceAll "a" "banana" "$$" }}"#, "b$n$n$"),
    ]);
}

#[test]
fn regex_split_and_quote_meta_follow_go() {
    check(&[
        (r#"{{ regexSplit "a" "banana" -1 }}"#, "[b n n ]"),
        (r#"{{ regexSplit "a" "banana" 2 }}"#, "[b nana]"),
        (r#"{{ regexSplit "a" "banana" 0 }}"#, "[]"),
        (r#"{{ regexSplit "z+" "pizza" -1 | len }}"#, "2"),
        (r#"{{ regexQuoteMeta "1.2.3+[a]" }}"#, r"1\.2\.3\+\[a\]"),
        (r#"{{ regexQuoteMeta "a-b#c" }}"#, "a-b#c"),
    ]);
}

#[test]
fn regex_cases_from_sprig_tests_hold() {
    check(&[
        (r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "T" }}"#, "-T-T-"),
        (
            r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1" }}"#,
            "--xx-",
        ),
        (
            r#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "$1" }}"#,
            "-$1-$1-",
        ),
        (
            r#"{{ regexMatch "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}" "Test@Acme.Com" }}"#,
            "true",
        ),
        (
            r#"{{ regexMatch "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}" "test@acme" }}"#,
            "false",
        ),
        (r#"{{ regexFindAll "a{2}" "aaaaaaaa" 1 | len }}"#, "1"),
        (r#"{{ regexFindAll "a{2}" "aaaa" -1 | len }}"#, "2"),
        (r#"{{ regexFind "fo.?" "foo foe fome" }}"#, "foo"),
        (r#"{{ regexSplit "z+" "pizza" 1 | len }}"#, "1"),
        (r#"{{ regexSplit "a" "banana" 1 }}"#, "[banana]"),
        (r#"{{ regexQuoteMeta "pretzel" }}"#, "pretzel"),
    ]);
}
