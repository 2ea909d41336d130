//! A small Go `text/template` for emcoctl values files (`-v`): the file is rendered with the values before
//! it is parsed as YAML, as emcoctl does.
//!
//! - `lex`: splits text from `{{ actions }}`, applying the trim markers `{{-` and `-}}` and
//!   dropping `{{/* comments */}}`;
//! - `token`: the tokens inside an action;
//! - `parse`: the tree: output, variables (`$x := ...`), `if`/`else if`/`else`, `with` and `range`
//!   (over lists and maps, with `$v :=` or `$i, $v :=`), each closed by `{{end}}`;
//! - [`render`]: runs the tree against the values and prints values as Go's `%v` does.
//!
//! Field access (`.A.B`, `$.A`, `$v.A`) on a key the values lack is an error, as with Go's
//! `missingkey=error`. Functions and pipelines are not supported; a full engine is a separate crate.

mod error;
mod exec;
mod lex;
mod parse;
mod token;

#[cfg(test)]
mod tests;

pub use error::{Error, Result};
pub(crate) use exec::kind as value_kind;
pub use exec::render;
