//! The values a template works on: Go's `interface{}` as seen through `reflect`, reduced to the kinds Helm
//! charts use.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use super::funcs::CallContext;

/// A host object with fields and methods, such as Helm's `.Files` or `.Capabilities`.
///
/// The executor asks for a method first and then for a field, as Go does for a struct.
pub trait Object: Send + Sync + fmt::Debug {
    /// The Go type name used in error messages, e.g. `chartutil.Capabilities`.
    fn type_name(&self) -> &str;
    /// The value of field `name`, or `None` when the object has no such field.
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    /// Whether `name` is a method of the object.
    fn has_method(&self, _name: &str) -> bool {
        false
    }
    /// Call method `name` with `args`. Only called when [`Object::has_method`] returned true.
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        Err(format!("can't call method {name}"))
    }
    /// What `%v` prints for the object.
    fn display(&self) -> String {
        format!("{{{}}}", self.type_name())
    }
    /// The object's truth value; Go's non-nil pointers and structs are true.
    fn truth(&self) -> bool {
        true
    }
    /// For an object whose Go type is a map, such as Helm's `.Files`: its entries in sorted key order,
    /// which `range` iterates and `len` counts. `None` for struct-like objects.
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// For Go's `[]byte` and strings that are not UTF-8 ([`super::bytes::Bytes`]): the exact bytes, which
    /// `b64enc`, the checksums, `toString` and `len` use.
    fn bytes(&self) -> Option<&[u8]> {
        None
    }
}

/// The signature every template function has.
pub type FuncPtr = dyn Fn(&mut CallContext<'_>, &[Value]) -> Result<Value, String> + Send + Sync;

/// A function value, which `call` can invoke.
#[derive(Clone)]
pub struct Func(pub Arc<FuncPtr>);

impl fmt::Debug for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Func")
    }
}

/// A map with string keys. Like a Go map it is a reference: clones share the entries, so Sprig's `set` can
/// change a map that the template holds elsewhere. Iteration is in sorted key order.
#[derive(Clone, Default)]
pub struct Map(Arc<MapInner>);

#[derive(Default)]
struct MapInner {
    entries: RwLock<BTreeMap<String, Value>>,
    /// Raised when the map changes; see [`Watch`].
    watch: Option<Watch>,
}

/// A flag shared by every map of a tree made with [`Value::from_json_watched`], raised when any of them
/// changes. It tells whether the tree still equals the JSON it came from, so that it can be handed to the
/// next template instead of converting the JSON again.
#[derive(Clone, Debug, Default)]
pub struct Watch(Arc<AtomicBool>);

impl Watch {
    /// A new, lowered flag.
    pub fn new() -> Self {
        Self::default()
    }
    /// Whether a map of the watched tree has changed.
    pub fn changed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl Map {
    /// A new empty map.
    pub fn new() -> Self {
        Self::default()
    }
    /// A copy of the value under `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.read().get(key).cloned()
    }
    /// Insert or replace `key`; every clone of the map sees the change.
    pub fn insert(&self, key: impl Into<String>, value: Value) {
        self.write().insert(key.into(), value);
    }
    /// Remove `key`, returning its value.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.write().remove(key)
    }
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.read().len()
    }
    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }
    /// A snapshot of the entries, in sorted key order.
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    /// Whether both handles share the same entries.
    pub fn same(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Value>> {
        self.0.entries.read().unwrap_or_else(|e| e.into_inner())
    }
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Value>> {
        if let Some(w) = &self.0.watch {
            w.0.store(true, Ordering::Relaxed);
        }
        self.0.entries.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries()).finish()
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Map(Arc::new(MapInner {
            entries: RwLock::new(iter.into_iter().collect()),
            watch: None,
        }))
    }
}

/// A template value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's nil (an empty interface).
    #[default]
    Nil,
    /// A `bool`.
    Bool(bool),
    /// An `int`.
    Int(i64),
    /// A `float64`.
    Float(f64),
    /// A `string`.
    String(String),
    /// A `[]interface{}`.
    List(Arc<Vec<Value>>),
    /// A `map[string]interface{}`.
    Map(Map),
    /// A host object with fields and methods.
    Object(Arc<dyn Object>),
    /// A function, for `call`.
    Func(Func),
}

impl Value {
    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// A map value from key-value pairs.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A host object value.
    pub fn object(o: impl Object + 'static) -> Value {
        Value::Object(Arc::new(o))
    }

    /// A function value, for `call`.
    pub fn func<F>(f: F) -> Value
    where
        F: Fn(&mut CallContext<'_>, &[Value]) -> Result<Value, String> + Send + Sync + 'static,
    {
        Value::Func(Func(Arc::new(f)))
    }

    /// Go's truth: false, 0, 0.0, "", nil and empty lists and maps are false.
    pub fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truth(),
            Value::Func(_) => true,
        }
    }

    /// The Go type name, as error messages show it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name().into(),
            Value::Func(_) => "func(...interface {}) (interface {}, error)".into(),
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
}

impl Value {
    /// [`Value::from`] a JSON value, with every map of the result raising `watch` when it changes.
    pub fn from_json_watched(v: &serde_json::Value, watch: &Watch) -> Value {
        match v {
            serde_json::Value::Array(a) => Value::list(
                a.iter()
                    .map(|e| Value::from_json_watched(e, watch))
                    .collect(),
            ),
            serde_json::Value::Object(o) => Value::Map(Map(Arc::new(MapInner {
                entries: RwLock::new(
                    o.iter()
                        .map(|(k, v)| (k.clone(), Value::from_json_watched(v, watch)))
                        .collect(),
                ),
                watch: Some(watch.clone()),
            }))),
            scalar => Value::from(scalar),
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Map(o.iter().map(|(k, v)| (k.clone(), Value::from(v))).collect())
            }
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Value::from(&v)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::list(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_integers_become_ints_and_others_floats() {
        let v = Value::from(serde_json::json!({"a": 1, "b": 1.5, "c": [true, null]}));
        let Value::Map(m) = v else {
            panic!("not a map")
        };
        assert!(matches!(m.get("a"), Some(Value::Int(1))));
        assert!(matches!(m.get("b"), Some(Value::Float(f)) if f == 1.5));
        assert!(matches!(m.get("c"), Some(Value::List(l)) if l.len() == 2));
    }

    #[test]
    fn empty_and_zero_values_are_false() {
        for v in [
            Value::Nil,
            Value::Bool(false),
            Value::Int(0),
            Value::Float(0.0),
            Value::from(""),
            Value::list(vec![]),
            Value::map(Vec::<(String, Value)>::new()),
        ] {
            assert!(!v.truth(), "{v:?}");
        }
        assert!(Value::from("x").truth());
    }

    #[test]
    fn watched_maps_tell_when_they_change() {
        let watch = Watch::new();
        let v = Value::from_json_watched(&serde_json::json!({"a": [{"b": 1}]}), &watch);
        let Value::Map(m) = v else {
            panic!("not a map")
        };
        let Some(Value::List(l)) = m.get("a") else {
            panic!("not a list")
        };
        let Value::Map(inner) = &l[0] else {
            panic!("not a map")
        };
        assert!(!watch.changed());
        assert!(matches!(inner.get("b"), Some(Value::Int(1))));
        assert!(!watch.changed());
        inner.insert("c", Value::Nil);
        assert!(watch.changed());
    }

    #[test]
    fn map_clones_share_entries() {
        let m = Map::new();
        let n = m.clone();
        n.insert("k", Value::Int(1));
        assert_eq!(m.len(), 1);
    }
}
