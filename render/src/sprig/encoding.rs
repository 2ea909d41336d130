//! Encodings and checksums: base64 and base32 (standard alphabets, padded), SHA-1, SHA-256, SHA-512 and
//! Adler-32. A failed decode gives the error's text as the result, as Sprig does.

use data_encoding::{BASE32, BASE64, Encoding};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::template::{Bytes, Funcs, Value};

use super::args::{exact, string};

/// Registers the encoding and checksum functions.
pub(crate) fn register(f: &mut Funcs) {
    unary(f, "b64enc", |s| BASE64.encode(s));
    decoder(f, "b64dec", BASE64, "base64");
    unary(f, "b32enc", |s| BASE32.encode(s));
    decoder(f, "b32dec", BASE32, "base32");
    unary(f, "sha1sum", |s| hex(&Sha1::digest(s)));
    unary(f, "sha256sum", |s| hex(&Sha256::digest(s)));
    unary(f, "sha512sum", |s| hex(&Sha512::digest(s)));
    unary(f, "adler32sum", |s| adler32(s).to_string());
}

/// An encoding of one string argument. Bytes (`.Files.GetBytes`, a binary `.Files.Get`) are encoded as they
/// are, not as their lossy text.
fn unary(f: &mut Funcs, name: &'static str, op: fn(&[u8]) -> String) {
    f.insert(name, move |_, a| {
        exact(a, 1)?;
        let encoded = match &a[0] {
            Value::Object(o) if let Some(bytes) = o.bytes() => op(bytes),
            v => op(string(v)?.as_bytes()),
        };
        Ok(encoded.into())
    });
}

/// A decoder: the decoded text (bytes that are not UTF-8 stay bytes, as in a Go string), or Go's
/// `illegal base64 data at input byte N` (counted without line breaks), which Sprig returns as the result.
fn decoder(f: &mut Funcs, name: &'static str, enc: Encoding, label: &'static str) {
    f.insert(name, move |_, a| {
        exact(a, 1)?;
        // Go's decoders skip line breaks.
        let input: Vec<u8> = string(&a[0])?
            .bytes()
            .filter(|b| !matches!(b, b'\r' | b'\n'))
            .collect();
        Ok(match enc.decode(&input) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Value::String(text),
                Err(e) => Value::object(Bytes::binary_string(e.into_bytes())),
            },
            Err(e) => Value::String(format!("illegal {label} data at input byte {}", e.position)),
        })
    });
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
