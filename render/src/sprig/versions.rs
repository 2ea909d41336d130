//! Sprig's `semver` and `semverCompare`, over the [`semver`] module.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::template::{Funcs, Object, Value};

use super::args::{exact, string};
use super::semver::{self, Version};

/// A Masterminds `*semver.Version` as a template value: `(semver "1.2.3").Major` and the other methods.
#[derive(Debug)]
pub struct SemverVersion(pub Version);

const METHODS: &[&str] = &[
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "Original",
    "String",
    "Compare",
    "LessThan",
    "GreaterThan",
    "Equal",
];

impl Object for SemverVersion {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn has_method(&self, name: &str) -> bool {
        METHODS.contains(&name)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let v = &self.0;
        let int = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
        Ok(match (name, args) {
            ("Major", []) => int(v.major),
            ("Minor", []) => int(v.minor),
            ("Patch", []) => int(v.patch),
            ("Prerelease", []) => v.pre.clone().into(),
            ("Metadata", []) => v.build.clone().into(),
            ("Original" | "String", []) => v.to_string().into(),
            ("Compare", [other]) => Value::Int(match v.cmp(&other_version(other)?) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }),
            ("LessThan", [other]) => (*v < other_version(other)?).into(),
            ("GreaterThan", [other]) => (*v > other_version(other)?).into(),
            ("Equal", [other]) => (v.cmp(&other_version(other)?) == Ordering::Equal).into(),
            _ => return Err(format!("wrong number of args for {name}")),
        })
    }
    fn display(&self) -> String {
        self.0.to_string()
    }
}

/// The version another method argument holds: a version object, or its text.
fn other_version(v: &Value) -> Result<Version, String> {
    let text = match v {
        Value::Object(o) if o.type_name() == "*semver.Version" => o.display(),
        v => {
            return Err(format!(
                "wrong type for value; expected *semver.Version; got {}",
                v.type_name()
            ));
        }
    };
    Version::parse(&text).map_err(|e| e.to_string())
}

/// Registers `semver` and `semverCompare`.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("semver", |_, a| {
        exact(a, 1)?;
        let v = Version::parse(string(&a[0])?).map_err(|e| e.to_string())?;
        Ok(Value::Object(Arc::new(SemverVersion(v))))
    });
    f.insert("semverCompare", |_, a| {
        exact(a, 2)?;
        let ok = semver::compare(string(&a[0])?, string(&a[1])?).map_err(|e| e.to_string())?;
        Ok(ok.into())
    });
}
