//! The Sprig function library (Masterminds/sprig v3), as Helm charts use it. [`funcs`] registers every
//! function; each concept has its own module:
//!
//! - `strings`, `words`: trimming, case, slicing, quoting, wrapping, splitting and joining;
//! - `defaults`, `json`: `default`, `empty`, `coalesce`, `ternary`, `deepEqual`, and `toJson` and its
//!   kin with Go's `encoding/json` output;
//! - `lists`, `dicts`: list and dictionary functions, including the `must` forms;
//! - `convert`, `args`: `int`, `float64`, `atoi`, the kind and type tests, and the `cast` rules and
//!   typed-parameter checks all functions share;
//! - `math`, `decimal`: integer arithmetic, and float arithmetic done in decimal as Sprig does;
//! - `regex`: the `regex*` functions;
//! - `paths`, `url`: `base`, `dir`, `clean`, `ext`, `isAbs` and their `os` forms; `urlParse`, `urlJoin`;
//! - `crypto`, `aes_cbc`: `bcrypt`, `htpasswd`, `encryptAES` and `decryptAES`;
//! - `keys`, `certs`, `pem`: `genPrivateKey`; `genCA`, `genSelfSignedCert`, `genSignedCert`, their
//!   `WithKey` forms and `buildCustomCert`, which return a map with the PEM strings `Cert` and `Key`;
//! - `derive_password`: `derivePassword`, the Master Password algorithm;
//! - `encoding`, `random`: base64, base32, checksums, random strings, `randBytes`, `shuffle` and `uuidv4`;
//! - `dates`, `duration`, `parse_time`, [`time`]: `now`, `date`, `toDate`, `dateModify`, `ago`, and Go's
//!   reference layouts;
//! - `versions`, [`semver`]: `semver` and `semverCompare`.
//!
//! Where canopy knowingly differs from Sprig on Go:
//!
//! - An argument of the wrong type or count fails inside the call, so the message reads `error calling
//!   NAME: wrong type for value; expected string; got int` where Go's engine omits `error calling NAME:`.
//! - Ints are `int64`: `duration 95` is `1m35s`, where Sprig, given Go's `int` literal, prints `0s`.
//! - Zones: only UTC (also for `Local`) and `Etc/GMT±N`; other IANA names are errors.
//! - `toDate` parses the common layout elements; `{{ now }}` prints no monotonic-clock suffix.
//! - `snakecase`/`kebabcase` reproduce xstrings 1.3's cases but not its exact handling of invalid UTF-8;
//!   `uniq`, `keys` and `values` follow sorted key order where Go's map order is random.
//! - `addf` and kin use 128-bit decimals, falling back to floats beyond that range.
//! - Sprig's `certificate` struct is a map with keys `Cert` and `Key`: fields read and `toJson`/`toYaml`
//!   print as in Go, but `typeOf` says `map[string]interface {}`, and `genSignedCert` takes any map with
//!   those keys as its CA. EC keys are P-256 and P-384 only (Go also reads P-224 and P-521), and a new CA's
//!   subject key identifier is Go 1.25's (truncated SHA-256 of the public key).
//! - Guards Go lacks: `until`, `untilStep` and `seq` refuse more than ten million numbers, and a map
//!   that contains itself makes `toJson`, `deepCopy` fail (and `deepEqual`, `merge` stop) instead of
//!   recursing until the stack overflows.
//!
//! Sprig functions canopy does not implement are listed in [`NOT_IMPLEMENTED`] with the reason:
//! `getHostByName` (a DNS lookup), `env` and `expandenv` (the environment, which Helm removes too); each
//! is registered so that calling it fails with a message naming it, rather than as an unknown function. Helm's own
//! functions (`include`, `tpl`, `required`, `fail`, `toYaml`, `fromYaml`, ...) are not Sprig's and are not
//! here. Functions whose output is random (`randAlphaNum` and kin, `randInt`, `randBytes`, `shuffle`,
//! `uuidv4`, `bcrypt`, `htpasswd`, `encryptAES`, new keys and certificates) or depends on the
//! clock (`now`, `ago`, `date` of anything but a time) differ on every render.

use crate::template::Funcs;

mod aes_cbc;
mod args;
mod certs;
mod convert;
mod crypto;
pub mod dates;
mod decimal;
mod defaults;
mod derive_password;
mod dicts;
mod duration;
mod encoding;
mod json;
mod keys;
mod lists;
mod math;
mod parse_time;
mod paths;
mod pem;
mod random;
mod regex;
pub mod semver;
mod strings;
pub mod time;
mod url;
pub mod versions;
mod words;

/// Sprig v3 functions canopy does not implement, because a render does no I/O and must not depend on the
/// machine it runs on:
///
/// - `getHostByName` would resolve a name in DNS, a network lookup whose answer changes with where and
///   when the chart renders (Helm itself, unless run with `--enable-dns`, replaces it with a function
///   that returns `""`);
/// - `env` and `expandenv` would read the renderer's environment variables; Helm removes both from its
///   function map for the same reason (a chart must not read the secrets of whoever renders it).
///
/// Calling one is an error that names it.
pub const NOT_IMPLEMENTED: &[&str] = &["getHostByName", "env", "expandenv"];

/// Every Sprig function canopy implements, plus a failing stand-in for each of [`NOT_IMPLEMENTED`].
pub fn funcs() -> Funcs {
    let mut f = Funcs::new();
    for name in NOT_IMPLEMENTED {
        f.insert(*name, move |_, _| {
            Err(format!(
                "{name:?} is a Sprig function that canopy does not implement"
            ))
        });
    }
    strings::register(&mut f);
    defaults::register(&mut f);
    lists::register(&mut f);
    dicts::register(&mut f);
    convert::register(&mut f);
    math::register(&mut f);
    regex::register(&mut f);
    encoding::register(&mut f);
    random::register(&mut f);
    dates::register(&mut f);
    versions::register(&mut f);
    paths::register(&mut f);
    url::register(&mut f);
    crypto::register(&mut f);
    aes_cbc::register(&mut f);
    keys::register(&mut f);
    certs::register(&mut f);
    derive_password::register(&mut f);
    f
}

#[cfg(test)]
mod tests;
