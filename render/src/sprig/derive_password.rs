//! Sprig's `derivePassword`: the Master Password algorithm (Lyndir's, version 3), which turns a master
//! password, a user and a site into a site password of a chosen template, the same every time.
//!
//! The key is scrypt (N = 32768, r = 8, p = 2, 64 bytes) of the password, salted with
//! `com.lyndir.masterpassword`, the user's length (big-endian u32) and the user; an HMAC-SHA256 under that
//! key of the same scope, the site's length and the site, and the counter gives a seed whose first byte
//! picks one of the type's templates and whose next bytes pick each character from its class.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::template::{Funcs, Value};

use super::args::{exact, string};

/// The algorithm's scope, the start of both the salt and the HMAC message.
const SEED: &[u8] = b"com.lyndir.masterpassword";

/// Registers `derivePassword`.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("derivePassword", |_, a| {
        exact(a, 5)?;
        let counter = match &a[0] {
            Value::Int(i) => {
                u32::try_from(*i).map_err(|_| format!("expected unsigned integer; found {i}"))?
            }
            v => {
                return Err(format!(
                    "wrong type for value; expected uint32; got {}",
                    v.type_name()
                ));
            }
        };
        let (kind, password) = (string(&a[1])?, string(&a[2])?);
        let (user, site) = (string(&a[3])?, string(&a[4])?);
        Ok(derive(counter, kind, password, user, site).into())
    });
}

/// The templates of each password type.
fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters a template letter stands for.
fn characters(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// The password for `site` of type `kind`, or Sprig's message for an unknown type.
pub(crate) fn derive(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&len32(user).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2)
        .map_err(|e| e.to_string())
        .and_then(|params| {
            scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }

    let mut mac = match Hmac::<Sha256>::new_from_slice(&key) {
        Ok(mac) => mac,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    mac.update(SEED);
    mac.update(&len32(site).to_be_bytes());
    mac.update(site.as_bytes());
    mac.update(&counter.to_be_bytes());
    let seed = mac.finalize().into_bytes();

    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = characters(class);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

/// A length as the algorithm writes it: Go's `uint32(len(s))`, which wraps.
fn len32(s: &str) -> u32 {
    s.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sprig's `TestDerivePassword`.
    #[test]
    fn matches_sprig_test_vectors() {
        for (counter, kind, want) in [
            (1, "long", "ZedaFaxcZaso9*"),
            (2, "long", "Fovi2@JifpTupx"),
            (1, "maximum", "pf4zS1LjCg&LjhsZ7T2~"),
            (1, "medium", "ZedJuz8$"),
            (1, "basic", "pIS54PLs"),
            (1, "short", "Zed5"),
            (1, "pin", "6685"),
        ] {
            assert_eq!(
                derive(counter, kind, "password", "user", "example.com"),
                want,
                "{kind} {counter}"
            );
        }
        assert_eq!(
            derive(1, "nope", "password", "user", "example.com"),
            "cannot find password template nope"
        );
    }
}
