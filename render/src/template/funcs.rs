//! The function registry, and the context a function gets so it can run templates (`include`, `tpl`).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::exec;
use super::value::{Func, FuncPtr, Value};
use super::{Template, builtins};

/// Functions by name, as Go's `template.FuncMap`. Cheap to clone: clones share the table until one
/// of them changes it.
#[derive(Clone, Default)]
pub struct Funcs(Arc<HashMap<String, Arc<FuncPtr>>>);

impl Funcs {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register `f` under `name`, replacing any earlier function of that name.
    pub fn insert<F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        F: Fn(&mut CallContext<'_>, &[Value]) -> Result<Value, String> + Send + Sync + 'static,
    {
        Arc::make_mut(&mut self.0).insert(name.into(), Arc::new(f));
        self
    }

    /// The function registered under `name`.
    pub fn get(&self, name: &str) -> Option<Func> {
        self.0.get(name).map(|f| Func(f.clone()))
    }

    /// Unregister `name`, so that a template calling it no longer parses.
    pub fn remove(&mut self, name: &str) {
        Arc::make_mut(&mut self.0).remove(name);
    }

    /// Whether `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.0.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Add every function of `other`, replacing same-named ones.
    pub fn extend(&mut self, other: &Funcs) {
        if self.0.is_empty() {
            self.0 = other.0.clone();
            return;
        }
        Arc::make_mut(&mut self.0).extend(other.0.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}

impl fmt::Debug for Funcs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_tuple("Funcs").field(&names).finish()
    }
}

/// What a function can do besides computing on its arguments: execute templates of the set it runs in.
pub struct CallContext<'a> {
    pub(crate) tmpl: &'a Template,
    /// The name of the template [`Template::execute`] was called with.
    pub(crate) root: &'a str,
    pub(crate) depth: usize,
}

impl CallContext<'_> {
    /// Execute the named template of the current set with `data` as dot, like Helm's `include`.
    pub fn include(&mut self, name: &str, data: &Value) -> Result<String, String> {
        exec::run(self.tmpl, self.root, name, data, self.depth + 1).map_err(|e| e.to_string())
    }

    /// Parse `text` into a copy of the current set, under the name of the template being executed, and
    /// execute it with `data`, like Helm's `tpl`.
    pub fn tpl(&mut self, text: &str, data: &Value) -> Result<String, String> {
        let parsed = self
            .tmpl
            .parse_file(self.root, text)
            .map_err(|e| e.to_string())?;
        let set = self.tmpl.with_overlay(&parsed);
        exec::run(&set, self.root, self.root, data, self.depth + 1).map_err(|e| e.to_string())
    }

    /// The name of the template [`Template::execute`] was called with.
    pub fn template_name(&self) -> &str {
        self.root
    }

    /// Call a function value, as the `call` builtin does.
    pub fn call(&mut self, f: &Func, args: &[Value]) -> Result<Value, String> {
        (f.0)(self, args)
    }

    /// Whether a function with this name exists in the set, registered or built in.
    pub fn has_function(&self, name: &str) -> bool {
        self.tmpl.funcs.contains(name) || builtins::Builtin::lookup(name).is_some()
    }
}
