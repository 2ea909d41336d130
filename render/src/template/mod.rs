//! A Go `text/template` engine: the language Helm charts are written in.
//!
//! - [`value`]: the values templates see ([`Value`], host [`Object`]s, function values).
//! - `lex`, `parse`, `ast`: template text to trees, with Go's syntax and error messages.
//! - `exec`: walks a tree with data, with Go's semantics for fields, variables, `range` and templates.
//! - `builtins`: Go's predefined functions (`and`, `index`, `printf`, `eq`, ...).
//! - [`fmt`](mod@fmt): Go's `fmt` verbs for values.
//! - [`funcs`]: the registry of added functions and the [`CallContext`] they get.
//!
//! ```
//! use canopy_render::template::{Template, Value};
//! let t = Template::new("x").parse("{{range .}}{{.}},{{end}}").unwrap();
//! let out = t.execute("x", &Value::from(serde_json::json!([1, 2]))).unwrap();
//! assert_eq!(out, "1,2,");
//! ```
//!
//! Added functions and files share one set, as with Go's `Funcs` and `t.New(name).Parse(text)`:
//!
//! ```
//! use canopy_render::template::{Funcs, Template, Value};
//! let mut funcs = Funcs::new();
//! funcs.insert("include", |cx, args| match args {
//!     [Value::String(name), data] => cx.include(name, data).map(Value::String),
//!     _ => Err("include takes a template name and data".into()),
//! });
//! let mut set = Template::new("main").funcs(&funcs);
//! set.add("_helpers.tpl", r#"{{define "greet"}}hello {{.}}{{end}}"#).unwrap();
//! set.add("main", r#"{{include "greet" "world" | printf "%q"}}"#).unwrap();
//! assert_eq!(set.execute("main", &Value::Nil).unwrap(), r#""hello world""#);
//! ```

use std::collections::HashMap;
use std::sync::Arc;

mod ast;
mod builtins;
pub mod bytes;
mod exec;
pub mod fmt;
pub mod funcs;
mod lex;
mod literal;
mod parse;
pub mod value;

pub use bytes::Bytes;
pub(crate) use exec::on_big_stack;
pub use funcs::{CallContext, Funcs};
pub use value::{Func, Map, Object, Value, Watch};

/// What the template engine failed at.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The template text does not parse; the message is Go's, `template: NAME:LINE: ...`.
    #[error("{0}")]
    Parse(String),
    /// Executing failed; the message is Go's, `template: NAME:LINE:COL: executing "NAME" at <...>: ...`.
    #[error("{0}")]
    Exec(String),
}

/// The result type of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a field lookup on a map does when the key is missing (Go's `missingkey` option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey {
    /// Go's `missingkey=default`: the result is "no value", printed as `<no value>`.
    #[default]
    Default,
    /// Go's `missingkey=zero`: the result is the map's zero element, nil, as Helm uses.
    Zero,
    /// Go's `missingkey=error`: execution stops with an error.
    Error,
}

/// Execution options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// What a missing map key gives.
    pub missing_key: MissingKey,
}

/// One file's templates, parsed by [`Template::parse_file`]: its own tree, then its `define`s and
/// `block`s. Cloning is cheap; trees are shared.
#[derive(Clone, Debug)]
pub struct Parsed(Vec<Arc<ast::Tree>>);

/// A set of named templates that can call each other, like Go's `*template.Template` and its
/// associated templates. Cloning is cheap; trees are shared.
#[derive(Clone, Debug)]
pub struct Template {
    name: String,
    trees: Arc<HashMap<String, Arc<ast::Tree>>>,
    /// Trees over `trees`, found first: what a `tpl` call adds to a copy of the set, kept apart so
    /// that the copy need not copy the whole table.
    overlay: HashMap<String, Arc<ast::Tree>>,
    pub(crate) funcs: Funcs,
    pub(crate) options: Options,
}

impl Template {
    /// An empty set whose main template is called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            trees: Arc::default(),
            overlay: HashMap::new(),
            funcs: Funcs::new(),
            options: Options::default(),
        }
    }

    /// Add functions; they must be added before text that uses them is parsed.
    pub fn funcs(mut self, funcs: &Funcs) -> Self {
        self.funcs.extend(funcs);
        self
    }

    /// Set the execution options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Parse `text` as the main template (and its `define`s).
    pub fn parse(mut self, text: &str) -> Result<Self> {
        let name = self.name.clone();
        self.add(&name, text)?;
        Ok(self)
    }

    /// Parse another file into the set under `name`, like Go's `t.New(name).Parse(text)`. A later
    /// definition of a name replaces an earlier one, unless the later one is empty.
    pub fn add(&mut self, name: &str, text: &str) -> Result<()> {
        let parsed = self.parse_file(name, text)?;
        self.add_parsed(&parsed);
        Ok(())
    }

    /// Parse a file as [`Template::add`] would, without adding it: the result can be added to this set,
    /// or to any set with the same function names, with [`Template::add_parsed`], as often as wanted.
    pub fn parse_file(&self, name: &str, text: &str) -> Result<Parsed> {
        let funcs = &self.funcs;
        let has = |f: &str| funcs.contains(f) || builtins::Builtin::lookup(f).is_some();
        let trees = exec::on_big_stack(|| parse::parse(name, text, &has).map_err(Error::Parse))?;
        Ok(Parsed(trees.into_iter().map(Arc::new).collect()))
    }

    /// Add a parsed file to the set, as [`Template::add`] does.
    pub fn add_parsed(&mut self, parsed: &Parsed) {
        for t in &parsed.0 {
            if t.is_empty() && self.lookup(&t.name) {
                continue;
            }
            self.overlay.remove(&t.name);
            Arc::make_mut(&mut self.trees).insert(t.name.clone(), t.clone());
        }
    }

    /// A copy of the set with `parsed` added, as `tpl` makes: the copy shares this set's trees rather
    /// than copying its table.
    pub(crate) fn with_overlay(&self, parsed: &Parsed) -> Template {
        let mut set = self.clone();
        for t in &parsed.0 {
            if t.is_empty() && set.lookup(&t.name) {
                continue;
            }
            set.overlay.insert(t.name.clone(), t.clone());
        }
        set
    }

    /// The main template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a template called `name` is defined in the set.
    pub fn lookup(&self, name: &str) -> bool {
        self.overlay.contains_key(name) || self.trees.contains_key(name)
    }

    /// The names of all templates in the set, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut n: Vec<&str> = self
            .trees
            .keys()
            .chain(self.overlay.keys())
            .map(String::as_str)
            .collect();
        n.sort_unstable();
        n.dedup();
        n
    }

    pub(crate) fn tree(&self, name: &str) -> Option<&Arc<ast::Tree>> {
        self.overlay.get(name).or_else(|| self.trees.get(name))
    }

    /// Execute the template `name` of the set with `data` as dot, like Go's `ExecuteTemplate`.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String> {
        exec::on_big_stack(|| exec::run(self, name, name, data, 0))
    }
}

#[cfg(test)]
mod tests;
