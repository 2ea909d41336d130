//! Raw bytes in a template: Go's `[]byte` (what Helm's `.Files.GetBytes` returns, and the values of a
//! `range` over `.Files.Glob`), and Go strings that are not UTF-8 (`.Files.Get` of a binary file), which a
//! Rust `String` cannot hold.
//!
//! Functions that work on bytes (`b64enc`, the checksums, `toString`, `len`) read the exact bytes through
//! [`super::Object::bytes`], so a binary file survives `.Files.Get "x.bin" | b64enc` unchanged.

use std::sync::Arc;

use super::Object;

/// Bytes that a template holds.
#[derive(Debug, Clone)]
pub struct Bytes {
    data: Arc<[u8]>,
    slice: bool,
}

impl Bytes {
    /// A Go `[]byte`: it prints as `[104 105]`, as Go does.
    pub fn slice(data: impl Into<Arc<[u8]>>) -> Self {
        Self {
            data: data.into(),
            slice: true,
        }
    }

    /// A Go string that is not valid UTF-8: it prints lossily (invalid sequences as U+FFFD), but keeps its
    /// bytes for the functions that encode them.
    pub fn binary_string(data: impl Into<Arc<[u8]>>) -> Self {
        Self {
            data: data.into(),
            slice: false,
        }
    }
}

impl Object for Bytes {
    fn type_name(&self) -> &str {
        if self.slice { "[]uint8" } else { "string" }
    }

    fn display(&self) -> String {
        if self.slice {
            let items: Vec<String> = self.data.iter().map(u8::to_string).collect();
            format!("[{}]", items.join(" "))
        } else {
            String::from_utf8_lossy(&self.data).into_owned()
        }
    }

    fn truth(&self) -> bool {
        !self.data.is_empty()
    }

    fn bytes(&self) -> Option<&[u8]> {
        Some(&self.data)
    }
}
