//! Random values: `randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`, `randInt`, `randBytes` (base64
//! of that many random bytes), `shuffle` and `uuidv4`. They
//! draw from the operating system's generator, as Sprig's `crypto/rand` does, so their output differs on
//! every render: a chart that uses them is not reproducible, in canopy as in Helm.

use crate::template::{Funcs, Value};

use super::args::{exact, int};

const ALPHA: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

/// Registers the random functions.
pub(crate) fn register(f: &mut Funcs) {
    let alnum: &'static str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let ascii: &'static str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    for (name, set) in [
        ("randAlphaNum", alnum),
        ("randAlpha", ALPHA),
        ("randNumeric", DIGITS),
        ("randAscii", ascii),
    ] {
        f.insert(name, move |_, a| {
            exact(a, 1)?;
            let n = int(&a[0])?;
            let n = usize::try_from(n)
                .map_err(|_| format!("Requested random string length {n} is less than 0."))?;
            Ok(random_string(set, n)?.into())
        });
    }
    f.insert("randInt", |_, a| {
        exact(a, 2)?;
        let (lo, hi) = (int(&a[0])?, int(&a[1])?);
        if hi <= lo {
            return Err("invalid argument to Intn".into());
        }
        let span = hi.wrapping_sub(lo) as u64;
        Ok(Value::Int(lo.wrapping_add(below(span)? as i64)))
    });
    f.insert("randBytes", |_, a| {
        exact(a, 1)?;
        let n = usize::try_from(int(&a[0])?).map_err(|_| "negative byte count".to_string())?;
        let mut buf = vec![0u8; n];
        getrandom::fill(&mut buf).map_err(|e| e.to_string())?;
        Ok(data_encoding::BASE64.encode(&buf).into())
    });
    f.insert("shuffle", |_, a| {
        exact(a, 1)?;
        let mut chars: Vec<char> = super::args::string(&a[0])?.chars().collect();
        for i in (1..chars.len()).rev() {
            let j = below(i as u64 + 1)? as usize;
            chars.swap(i, j);
        }
        Ok(chars.into_iter().collect::<String>().into())
    });
    f.insert("uuidv4", |_, a| {
        exact(a, 0)?;
        Ok(uuid_v4()?.into())
    });
}

fn bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf)
}

/// A uniform random number in `0..n`, by rejection.
fn below(n: u64) -> Result<u64, String> {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let r = u64::from_le_bytes(bytes::<8>()?);
        if r < zone {
            return Ok(r % n);
        }
    }
}

fn random_string(set: &str, n: usize) -> Result<String, String> {
    let chars: Vec<char> = set.chars().collect();
    (0..n)
        .map(|_| Ok(chars[below(chars.len() as u64)? as usize]))
        .collect()
}

/// A random (version 4, variant 1) UUID in its hyphenated lower-case form.
fn uuid_v4() -> Result<String, String> {
    let mut b = bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}
