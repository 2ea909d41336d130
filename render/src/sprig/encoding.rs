//! Encodings and checksums: base64 and base32 (standard alphabets, padded), SHA-1, SHA-256, SHA-512 and
//! Adler-32. A failed decode gives the error's text as the result, as Sprig does.

use data_encoding::{BASE32, BASE64, Encoding};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::template::Funcs;

use super::args::{exact, string};

/// Registers the encoding and checksum functions.
pub(crate) fn register(f: &mut Funcs) {
    unary(f, "b64enc", |s| BASE64.encode(s.as_bytes()));
    unary(f, "b64dec", |s| decode(&BASE64, "base64", s));
    unary(f, "b32enc", |s| BASE32.encode(s.as_bytes()));
    unary(f, "b32dec", |s| decode(&BASE32, "base32", s));
    unary(f, "sha1sum", |s| hex(&Sha1::digest(s.as_bytes())));
    unary(f, "sha256sum", |s| hex(&Sha256::digest(s.as_bytes())));
    unary(f, "sha512sum", |s| hex(&Sha512::digest(s.as_bytes())));
    unary(f, "adler32sum", |s| adler32(s.as_bytes()).to_string());
}

fn unary(f: &mut Funcs, name: &'static str, op: fn(&str) -> String) {
    f.insert(name, move |_, a| {
        exact(a, 1)?;
        Ok(op(string(&a[0])?).into())
    });
}

/// The decoded text, or Go's `illegal base64 data at input byte N` (counted without line breaks).
fn decode(enc: &Encoding, name: &str, s: &str) -> String {
    // Go's decoders skip line breaks.
    let input: Vec<u8> = s.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
    match enc.decode(&input) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("illegal {name} data at input byte {}", e.position),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adler-32 (RFC 1950).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % MOD;
        b = (b + a) % MOD;
    }
    (b << 16) | a
}
