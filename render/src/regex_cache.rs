//! Compiled regular expressions, kept for the process: templates and schemas use a few patterns many times
//! (a `regexReplaceAll` in a `range`, a schema `pattern` per list item), and compiling one costs far more
//! than matching it.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::Regex;

/// How many patterns the cache keeps; past that the cache starts over, so odd inputs cannot grow it.
const CAPACITY: usize = 256;

/// Compiled patterns. Process-wide, not per thread: each render runs on a thread of its own.
static CACHE: LazyLock<Mutex<HashMap<String, Result<Regex, regex::Error>>>> =
    LazyLock::new(Default::default);

/// `Regex::new(pattern)`, compiled once. Clones of a `Regex` share the compiled program and are safe
/// to use from any thread.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = cache.get(pattern) {
        return found.clone();
    }
    if cache.len() >= CAPACITY {
        cache.clear();
    }
    let compiled = Regex::new(pattern);
    cache.insert(pattern.to_owned(), compiled.clone());
    compiled
}

#[cfg(test)]
mod tests {
    #[test]
    fn compiles_once_and_keeps_errors() {
        let a = super::compile("^a+$").unwrap();
        let b = super::compile("^a+$").unwrap();
        assert!(a.is_match("aaa") && b.is_match("a") && !b.is_match("b"));
        assert!(super::compile("(").is_err());
        assert!(super::compile("(").is_err());
    }
}
