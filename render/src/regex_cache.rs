//! Compiled regular expressions, kept per thread: templates and schemas use a few patterns many times
//! (a `regexReplaceAll` in a `range`, a schema `pattern` per list item), and compiling one costs far more
//! than matching it.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

/// How many patterns a thread keeps; past that the cache starts over, so odd inputs cannot grow it.
const CAPACITY: usize = 256;

thread_local! {
    static CACHE: RefCell<HashMap<String, Result<Regex, regex::Error>>> = RefCell::new(HashMap::new());
}

/// `Regex::new(pattern)`, compiled once per thread. Clones of a `Regex` share the compiled program.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    CACHE.with_borrow_mut(|cache| {
        if let Some(found) = cache.get(pattern) {
            return found.clone();
        }
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        let compiled = Regex::new(pattern);
        cache.insert(pattern.to_owned(), compiled.clone());
        compiled
    })
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
