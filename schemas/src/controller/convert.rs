//! Small helpers the conversions share: required fields, names, JSON and lists with indexed paths.

use serde_json::Value;

use super::error::{Error, Problem, Result};

/// The value of a required message field.
pub(crate) fn required<T>(field: &str, value: Option<T>) -> Result<T> {
    value.ok_or_else(|| Error::new(field, Problem::Missing))
}

/// Parses a name of type `N` from `field`.
pub(crate) fn name<N, E>(field: &str, value: String) -> Result<N>
where
    N: TryFrom<String, Error = E>,
    E: Into<crate::name::Error>,
{
    N::try_from(value).map_err(|e| Error::new(field, Problem::Name(e.into())))
}

/// Parses the JSON text of `field`.
pub(crate) fn json(field: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::new(field, Problem::Json(e)))
}

/// Converts every item of the list `field`, naming the failing item by its index.
pub(crate) fn list<P, D>(field: &str, items: Vec<P>) -> Result<Vec<D>>
where
    D: TryFrom<P, Error = Error>,
{
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| D::try_from(item).map_err(|e| e.within(&format!("{field}[{i}]"))))
        .collect()
}

/// Converts a required sub-message `field`.
pub(crate) fn message<P, D>(field: &str, value: Option<P>) -> Result<D>
where
    D: TryFrom<P, Error = Error>,
{
    D::try_from(required(field, value)?).map_err(|e| e.within(field))
}
