//! Escaping of names into NATS subject tokens.
//!
//! A NATS subject is a list of tokens joined by `.`; `*` and `>` are wildcards, and whitespace ends the
//! subject. A name put into a subject unescaped could therefore split one token into two (`a.b`), widen a
//! subscription (`*`), or cut the subject short. The escaping is:
//!
//! - `A`–`Z`, `a`–`z`, `0`–`9`, `-` and `_` stand for themselves;
//! - every other byte of the name's UTF-8 form, `~` included, becomes `~` followed by two upper-case hex
//!   digits (`.` → `~2E`, `~` → `~7E`, `é` → `~C3~A9`);
//! - the empty string becomes `~` alone, since a subject token may not be empty.
//!
//! So a token is never empty and contains only `[-_~0-9A-Za-z]`. Decoding reverses the mapping exactly,
//! which makes it injective: two different names never share a token. [`pair`] joins two escaped names with
//! `+`, which an escaped name never contains, so pairs are injective too (`provider+cluster`).

use std::fmt::Write as _;

/// The escape character.
const ESCAPE: char = '~';

fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Escapes `name` into one subject token.
pub fn escape(name: &str) -> String {
    if name.is_empty() {
        return ESCAPE.to_string();
    }
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if is_plain(b) {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "{ESCAPE}{b:02X}");
        }
    }
    out
}

/// Escapes two names into one token, `escape(a)+escape(b)`.
pub fn pair(a: &str, b: &str) -> String {
    format!("{}+{}", escape(a), escape(b))
}

/// The token is not the output of [`escape`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{token:?} is not an escaped subject token: {why}")]
pub struct DecodeError {
    /// The token.
    pub token: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// Reverses [`escape`].
pub fn unescape(token: &str) -> Result<String, DecodeError> {
    let fail = |why| DecodeError {
        token: token.to_owned(),
        why,
    };
    if token == "~" {
        return Ok(String::new());
    }
    if token.is_empty() {
        return Err(fail("empty"));
    }
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'~' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .ok_or_else(|| fail("'~' must be followed by two hex digits"))?;
                let byte = decode_hex(hex)
                    .ok_or_else(|| fail("'~' must be followed by two upper-case hex digits"))?;
                if is_plain(byte) {
                    return Err(fail("a plain character is escaped"));
                }
                out.push(byte);
                i += 3;
            }
            b if is_plain(b) => {
                out.push(b);
                i += 1;
            }
            _ => return Err(fail("contains a character that escaping never produces")),
        }
    }
    String::from_utf8(out).map_err(|_| fail("the escaped bytes are not UTF-8"))
}

fn decode_hex(hex: &[u8]) -> Option<u8> {
    let digit = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    };
    Some(digit(hex[0])? << 4 | digit(hex[1])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_names_stay_readable() {
        assert_eq!(escape("nginx-app_1"), "nginx-app_1");
        assert_eq!(escape("v1.2"), "v1~2E2");
        assert_eq!(escape("a*b>c d"), "a~2Ab~3Ec~20d");
        assert_eq!(escape("~"), "~7E");
        assert_eq!(escape(""), "~");
        assert_eq!(escape("\u{e9}"), "~C3~A9");
        assert_eq!(pair("prov.1", "edge"), "prov~2E1+edge");
    }

    #[test]
    fn unescape_rejects_what_escape_never_writes() {
        for bad in ["", "a.b", "~2", "~zz", "~2e", "~41", "a+b", "~FF"] {
            assert!(unescape(bad).is_err(), "{bad:?}");
        }
    }

    fn is_subject_safe(token: &str) -> bool {
        !token.is_empty()
            && !token.contains(['.', '*', '>'])
            && !token.chars().any(char::is_whitespace)
    }

    proptest! {
        #[test]
        fn escaping_round_trips_and_is_subject_safe(name in any::<String>()) {
            let token = escape(&name);
            prop_assert!(is_subject_safe(&token), "{:?} -> {:?}", name, token);
            prop_assert_eq!(unescape(&token), Ok(name));
        }

        // Round-tripping already implies this; it is stated on its own because it is the property the
        // subjects rely on, and it is checked on names built from the characters most likely to collide.
        #[test]
        fn different_names_never_share_a_token(a in "[-_.~*> a-zA-Z0-9\u{e9}]{0,8}", b in "[-_.~*> a-zA-Z0-9\u{e9}]{0,8}") {
            prop_assume!(a != b);
            prop_assert_ne!(escape(&a), escape(&b));
        }

        #[test]
        fn different_pairs_never_share_a_token(a in "[-_.+~a-c]{0,5}", b in "[-_.+~a-c]{0,5}", c in "[-_.+~a-c]{0,5}", d in "[-_.+~a-c]{0,5}") {
            prop_assume!((&a, &b) != (&c, &d));
            let (p, q) = (pair(&a, &b), pair(&c, &d));
            prop_assert!(is_subject_safe(&p));
            prop_assert_ne!(p, q);
        }
    }
}
