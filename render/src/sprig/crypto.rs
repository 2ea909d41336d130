//! Password hashing: `bcrypt` and `htpasswd`, with Go's `bcrypt.DefaultCost` (10) and its `$2a$` form.
//! The salt is random, so the output differs on every render, as in Sprig.

use crate::template::Funcs;

use super::args::{exact, string};

/// Go's `bcrypt.DefaultCost`.
const COST: u32 = 10;

/// Registers `bcrypt` and `htpasswd`.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("bcrypt", |_, a| {
        exact(a, 1)?;
        Ok(hash(string(&a[0])?).into())
    });
    f.insert("htpasswd", |_, a| {
        exact(a, 2)?;
        let (user, password) = (string(&a[0])?, string(&a[1])?);
        if user.contains(':') {
            return Ok(format!("invalid username: {user}").into());
        }
        Ok(format!("{user}:{}", hash(password)).into())
    });
}

/// A bcrypt hash, or Sprig's message when hashing fails (a password over 72 bytes, as Go refuses).
fn hash(password: &str) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(password, COST) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_go_prefix_and_cost() {
        let h = hash("secret");
        assert!(h.starts_with("$2a$10$"), "{h}");
        assert!(bcrypt::verify("secret", &h).unwrap());
        assert!(!bcrypt::verify("other", &h).unwrap());
        assert!(hash(&"x".repeat(73)).starts_with("failed to encrypt"));
    }
}
