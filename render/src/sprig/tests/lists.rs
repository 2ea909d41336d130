//! List functions, from Sprig's `list_test.go`.

use super::{check, check_err};

#[test]
fn push_and_prepend_copy_into_a_new_list() {
    check(&[
        (r#"{{ $t := tuple 1 2 3 }}{{ append $t 4 | len }}"#, "4"),
        (
            r#"{{ $t := tuple 1 2 3 4 }}{{ append $t 5 | join "-" }}"#,
            "1-2-3-4-5",
        ),
        (
            r#"{{ $t := regexSplit "/" "foo/bar/baz" -1 }}{{ mustPush $t "qux" | join "-" }}"#,
            "foo-bar-baz-qux",
        ),
        (
            r#"{{ $t := tuple 1 2 3 4 }}{{ prepend $t 0 | join "-" }}"#,
            "0-1-2-3-4",
        ),
        (
            r#"{{ $t := list 1 2 }}{{ $u := append $t 3 }}{{ $t }}{{ $u }}"#,
            "[1 2][1 2 3]",
        ),
    ]);
}

#[test]
fn first_last_rest_and_initial_handle_empty_lists() {
    check(&[
        (r#"{{ list 1 2 3 | first }}"#, "1"),
        (r#"{{ list | first }}"#, "<no value>"),
        (
            r#"{{ regexSplit "/src/" "foo/src/bar" -1 | mustFirst }}"#,
            "foo",
        ),
        (r#"{{ list 1 2 3 | last }}"#, "3"),
        (r#"{{ list | mustLast }}"#, "<no value>"),
        (r#"{{ list 1 2 3 | rest | first }}"#, "2"),
        (r#"{{ list | rest }}"#, "[]"),
        (r#"{{ list 1 2 3 | initial | last }}"#, "2"),
        (r#"{{ list | mustInitial }}"#, "[]"),
        (
            r#"{{ regexSplit "/" "foo/bar/baz" -1 | initial }}"#,
            "[foo bar]",
        ),
    ]);
    check_err(&[
        (r#"{{ "abc" | first }}"#, "Cannot find first on type string"),
        (r#"{{ 1 | mustRest }}"#, "Cannot find rest on type int"),
    ]);
}

#[test]
fn reverse_uniq_without_and_compact_build_new_lists() {
    check(&[
        (r#"{{ list 1 2 3 4 | reverse }}"#, "[4 3 2 1]"),
        (r#"{{ list | mustReverse }}"#, "[]"),
        (r#"{{ list 1 0 "" "hello" | compact }}"#, "[1 hello]"),
        (
            r#"{{ regexSplit "/" "foo//bar" -1 | mustCompact }}"#,
            "[foo bar]",
        ),
        (r#"{{ list 1 1 1 1 2 2 2 2 | uniq }}"#, "[1 2]"),
        (r#"{{ list "foo" 1 1 1 1 "foo" "foo" | uniq }}"#, "[foo 1]"),
        (r#"{{ list 1 1.0 | uniq }}"#, "[1 1]"),
        (r#"{{ without (list 1 2 3 4) 1 }}"#, "[2 3 4]"),
        (r#"{{ without (list 1 1 1 1 2) 1 }}"#, "[2]"),
        (r#"{{ without (list 1 2 3) }}"#, "[1 2 3]"),
        (r#"{{ without list }}"#, "[]"),
    ]);
}

#[test]
fn has_compares_deeply_and_accepts_nil() {
    check(&[
        (r#"{{ list 1 2 3 | has 1 }}"#, "true"),
        (r#"{{ list 1 2 3 | has 4 }}"#, "false"),
        (
            r#"{{ regexSplit "/" "foo/bar/baz" -1 | has "bar" }}"#,
            "true",
        ),
        (r#"{{ has "bar" nil }}"#, "false"),
        (r#"{{ list (list 1) | mustHas (list 1) }}"#, "true"),
    ]);
    check_err(&[(r#"{{ has 1 "abc" }}"#, "Cannot find has on type string")]);
}

#[test]
fn slice_and_concat_combine_lists() {
    check(&[
        (r#"{{ slice (list 1 2 3) }}"#, "[1 2 3]"),
        (r#"{{ slice (list 1 2 3) 0 1 }}"#, "[1]"),
        (r#"{{ slice (list 1 2 3) 1 3 }}"#, "[2 3]"),
        (r#"{{ mustSlice (list 1 2 3) 1 }}"#, "[2 3]"),
        (r#"{{ slice (list) 1 }}"#, "<no value>"),
        (
            r#"{{ concat (list 1 2 3) (list 4 5) (list) }}"#,
            "[1 2 3 4 5]",
        ),
        (
            r#"{{ concat (list 1 2 3) (list 4 5) (list nil) }}"#,
            "[1 2 3 4 5 <nil>]",
        ),
        (
            r#"{{ concat (list 1 2 3) (list 4 5) (list ( list "foo" ) ) }}"#,
            "[1 2 3 4 5 [foo]]",
        ),
    ]);
    check_err(&[
        (r#"{{ slice (list 1 2 3) 2 5 }}"#, "out of range"),
        (
            r#"{{ concat (list 1) 2 }}"#,
            "Cannot concat type int as list",
        ),
    ]);
}

#[test]
fn until_until_step_and_seq_count_like_sprig() {
    check(&[
        (r#"{{ until 5 }}"#, "[0 1 2 3 4]"),
        (
            r#"{{range $i, $e := until -5}}{{$i}}{{$e}} {{end}}"#,
            "00 1-1 2-2 3-3 4-4 ",
        ),
        (
            r#"{{range $i, $e := untilStep 0 -10 -2}}{{$i}}{{$e}} {{end}}"#,
            "00 1-2 2-4 3-6 4-8 ",
        ),
        (
            r#"{{ untilStep 3 0 1 }}{{ untilStep 3 99 0 }}{{ untilStep 3 99 -1 }}{{ untilStep 3 0 0 }}"#,
            "[][][][]",
        ),
        (r#"{{ until -3 }}"#, "[0 -1 -2]"),
        (r#"{{ untilStep 3 6 1 }}"#, "[3 4 5]"),
        (r#"{{ untilStep 0 10 3 }}"#, "[0 3 6 9]"),
        (r#"{{ untilStep 10 0 -3 }}"#, "[10 7 4 1]"),
        (r#"{{ untilStep 0 10 -1 }}"#, "[]"),
        (r#"{{ seq 0 1 3 }}"#, "0 1 2 3"),
        (r#"{{ seq 0 3 10 }}"#, "0 3 6 9"),
        (r#"{{ seq 3 3 2 }}"#, ""),
        (r#"{{ seq 3 -3 2 }}"#, "3"),
        (r#"{{ seq }}"#, ""),
        (r#"{{ seq 0 4 }}"#, "0 1 2 3 4"),
        (r#"{{ seq 5 }}"#, "1 2 3 4 5"),
        (r#"{{ seq -5 }}"#, "1 0 -1 -2 -3 -4 -5"),
        (r#"{{ seq 0 }}"#, "1 0"),
        (r#"{{ seq 0 1 2 3 }}"#, ""),
        (r#"{{ seq 0 -4 }}"#, "0 -1 -2 -3 -4"),
    ]);
}

#[test]
fn chunk_splits_a_list_into_pieces() {
    check(&[
        (r#"{{ tuple 1 2 3 4 5 6 7 | chunk 3 | len }}"#, "3"),
        (r#"{{ tuple | chunk 3 | len }}"#, "0"),
        (
            r#"{{ range ( tuple 1 2 3 4 5 6 7 8 9 | chunk 3 ) }}{{. | join "-"}}|{{end}}"#,
            "1-2-3|4-5-6|7-8-9|",
        ),
        (
            r#"{{ range ( tuple 1 2 3 4 5 6 7 8 | mustChunk 3 ) }}{{. | join "-"}}|{{end}}"#,
            "1-2-3|4-5-6|7-8|",
        ),
        (
            r#"{{ range ( tuple 1 2 | chunk 3 ) }}{{. | join "-"}}|{{end}}"#,
            "1-2|",
        ),
    ]);
}

#[test]
fn huge_ranges_are_refused_instead_of_exhausting_memory() {
    check_err(&[
        (r#"{{ until 1000000000000 }}"#, "more than canopy makes"),
        (
            r#"{{ untilStep 0 9000000000000000000 1 }}"#,
            "more than canopy makes",
        ),
        (
            r#"{{ seq -9000000000000000000 9000000000000000000 }}"#,
            "more than canopy makes",
        ),
    ]);
    check(&[(
        r#"{{ untilStep 0 9000000000000000000 1000000000000000000 | len }}"#,
        "9",
    )]);
}
