//! Encodings, checksums and random values.

use super::{check, check_err, render};
use crate::template::Value;

#[test]
fn base64_and_base32_round_trip_and_report_bad_input() {
    check(&[
        (r#"{{ b64enc "coffee" }}"#, "Y29mZmVl"),
        (r#"{{ b64dec "Y29mZmVl" }}"#, "coffee"),
        (r#"{{ b32enc "coffee" }}"#, "MNXWMZTFMU======"),
        (r#"{{ b32dec "MNXWMZTFMU======" }}"#, "coffee"),
        (
            r#"{{ b64dec "Y29m*mVl" }}"#,
            "illegal base64 data at input byte 4",
        ),
        (r#"{{ b64dec "Y29m\nZmVl" }}"#, "coffee"),
    ]);
}

#[test]
fn checksums_are_lower_case_hex_or_decimal() {
    check(&[
        (
            r#"{{ sha1sum "abc" }}"#,
            "a9993e364706816aba3e25717850c26c9cd0d89d",
        ),
        (
            r#"{{ sha256sum "abc" }}"#,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            r#"{{ sha512sum "abc" }}"#,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
        (r#"{{ adler32sum "Wikipedia" }}"#, "300286872"),
    ]);
}

#[test]
fn random_strings_have_the_requested_length_and_alphabet() {
    let nil = Value::Nil;
    for (text, ok) in [
        (
            "{{ randAlphaNum 12 }}",
            (|c: char| c.is_ascii_alphanumeric()) as fn(char) -> bool,
        ),
        ("{{ randAlpha 12 }}", |c: char| c.is_ascii_alphabetic()),
        ("{{ randNumeric 12 }}", |c: char| c.is_ascii_digit()),
        ("{{ randAscii 12 }}", |c: char| (' '..='~').contains(&c)),
    ] {
        let out = render(text, &nil).unwrap();
        assert_eq!(out.chars().count(), 12, "{text}: {out:?}");
        assert!(out.chars().all(ok), "{text}: {out:?}");
    }
    let a = render("{{ randAlphaNum 32 }}", &nil).unwrap();
    let b = render("{{ randAlphaNum 32 }}", &nil).unwrap();
    assert_ne!(a, b);
}

#[test]
fn rand_bytes_and_shuffle_keep_their_shape() {
    let bytes = render("{{ randBytes 24 }}", &Value::Nil).unwrap();
    assert_eq!(bytes.len(), 32, "{bytes}");
    let shuffled = render(r#"{{ shuffle "abcdefghij" }}"#, &Value::Nil).unwrap();
    let mut chars: Vec<char> = shuffled.chars().collect();
    chars.sort_unstable();
    assert_eq!(chars.into_iter().collect::<String>(), "abcdefghij");
    check(&[(r#"{{ shuffle "" }}{{ hello }}"#, "Hello!")]);
}

#[test]
fn uuidv4_is_a_random_version_four_uuid() {
    let u = render("{{ uuidv4 }}", &Value::Nil).unwrap();
    let re =
        regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    assert!(re.unwrap().is_match(&u), "{u}");
    assert_ne!(u, render("{{ uuidv4 }}", &Value::Nil).unwrap());
}

#[test]
fn unimplemented_sprig_functions_fail_by_name() {
    for name in crate::sprig::NOT_IMPLEMENTED {
        let err = render(&format!("{{{{ {name} }}}}"), &Value::Nil).unwrap_err();
        assert!(
            err.contains(&format!(
                "\"{name}\" is a Sprig function that canopy does not implement"
            )),
            "{err}"
        );
    }
}

#[test]
fn path_functions_follow_go_path() {
    check(&[
        (r#"{{ base "foo/bar/baz.txt" }}"#, "baz.txt"),
        (r#"{{ osBase "foo/bar/" }}"#, "bar"),
        (r#"{{ dir "foo/bar/baz" }}"#, "foo/bar"),
        (r#"{{ osDir "baz" }}"#, "."),
        (r#"{{ clean "foo/../../bar//baz/." }}"#, "../bar/baz"),
        (r#"{{ osClean "" }}"#, "."),
        (r#"{{ ext "foo/bar.tar.gz" }}"#, ".gz"),
        (r#"{{ osExt "foo.d/bar" }}"#, ""),
        (r#"{{ isAbs "/foo" }} {{ osIsAbs "foo" }}"#, "true false"),
    ]);
}

#[test]
fn url_parse_and_join_follow_go_net_url() {
    check(&[
        (
            r#"{{ urlParse "proto://auth@host:80/path?query#fragment" | toJson }}"#,
            r#"{"fragment":"fragment","host":"host:80","hostname":"host","opaque":"","path":"/path","query":"query","scheme":"proto","userinfo":"auth"}"#,
        ),
        (r#"{{ (urlParse "mailto:a@b.c").opaque }}"#, "a@b.c"),
        (r#"{{ (urlParse "/a%20b?x=1").path }}"#, "/a b"),
        (r#"{{ (urlParse "http://[::1]:8080/").hostname }}"#, "::1"),
        (
            r#"{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "query" "query" "scheme" "proto") }}"#,
            "proto://host:80/path?query#fragment",
        ),
        (
            r#"{{ urlJoin (dict "host" "h" "path" "a b" "userinfo" "u:p") }}"#,
            "//u:p@h/a%20b",
        ),
        (
            r#"{{ urlParse "https://x.io/p" | urlJoin }}"#,
            "https://x.io/p",
        ),
    ]);
    check_err(&[(r#"{{ urlParse ":nope" }}"#, "missing protocol scheme")]);
}

#[test]
fn htpasswd_pairs_a_user_with_a_bcrypt_hash() {
    let line = render(r#"{{ htpasswd "admin" "secret" }}"#, &Value::Nil).unwrap();
    let (user, hash) = line.split_once(':').unwrap();
    assert_eq!(user, "admin");
    assert!(bcrypt::verify("secret", hash).unwrap(), "{line}");
    check(&[(r#"{{ htpasswd "a:b" "secret" }}"#, "invalid username: a:b")]);
    let h = render(r#"{{ bcrypt "pw" }}"#, &Value::Nil).unwrap();
    assert!(
        h.starts_with("$2a$10$") && bcrypt::verify("pw", &h).unwrap(),
        "{h}"
    );
}

#[test]
fn aes_round_trips_through_a_random_iv() {
    check(&[
        (
            r#"{{ "plaintext" | encryptAES "secretkey" | decryptAES "secretkey" }}"#,
            "plaintext",
        ),
        (r#"{{ encryptAES "k" "" }}{{ decryptAES "k" "" }}"#, ""),
    ]);
    let a = render(r#"{{ encryptAES "k" "same" }}"#, &Value::Nil).unwrap();
    let b = render(r#"{{ encryptAES "k" "same" }}"#, &Value::Nil).unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 44, "16 bytes of IV and one block, in base64: {a}");
}
