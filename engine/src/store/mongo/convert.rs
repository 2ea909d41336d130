//! JSON bodies to BSON and back, such that the body read back equals the body written
//! (`serde_json::Value` equality).
//!
//! | JSON                          | BSON                                                   |
//! |-------------------------------|--------------------------------------------------------|
//! | `null`, `true`/`false`        | Null, Boolean                                          |
//! | integer that fits in `i64`    | Int64, whatever its size, so no integer turns into a float |
//! | integer above `i64::MAX`      | Decimal128 with exponent 0 (BSON has no unsigned type) |
//! | float                         | Double, even `1.0`, so no float turns into an integer  |
//! | string                        | String                                                 |
//! | array, object                 | Array, Document (object keys keep their order)         |
//!
//! Reading also takes Int32, which only a hand edit stores. Every other BSON type is refused rather than
//! guessed at. The one JSON value BSON cannot hold is an object key containing NUL (BSON keys are
//! NUL-terminated); it is refused when the body is written.

use mongodb::bson::spec::ElementType;
use mongodb::bson::{Bson, Decimal128, Document};
use serde_json::{Map, Number, Value};

/// A body that cannot cross between JSON and BSON.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(super) enum Error {
    /// Writing: a number that is neither a 64-bit integer nor a finite double (possible only if serde_json's
    /// `arbitrary_precision` feature gets switched on).
    #[error("number {0} has no exact BSON form")]
    Number(String),
    /// Writing: an object key contains NUL.
    #[error("object key {0:?} contains a NUL character, which BSON cannot store")]
    NulInKey(String),
    /// Reading: a BSON type that no JSON body produces.
    #[error("stored value of BSON type {0:?} has no JSON form")]
    NotJson(ElementType),
    /// Reading: a decimal that is not an unsigned 64-bit integer.
    #[error("stored decimal {0} is not an integer between 0 and 2^64-1")]
    Decimal(String),
    /// Reading: a double that JSON cannot represent (NaN or an infinity).
    #[error("stored double {0} is not finite")]
    NotFinite(f64),
}

/// The BSON form of a JSON body.
pub(super) fn to_bson(value: &Value) -> Result<Bson, Error> {
    Ok(match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => number_to_bson(n)?,
        Value::String(s) => Bson::String(s.clone()),
        Value::Array(items) => Bson::Array(items.iter().map(to_bson).collect::<Result<_, _>>()?),
        Value::Object(map) => Bson::Document(object_to_document(map)?),
    })
}

/// The JSON body that [`to_bson`] stored as `bson`.
pub(super) fn to_json(bson: &Bson) -> Result<Value, Error> {
    Ok(match bson {
        Bson::Null => Value::Null,
        Bson::Boolean(b) => Value::Bool(*b),
        Bson::Int32(i) => Value::Number((*i).into()),
        Bson::Int64(i) => Value::Number((*i).into()),
        Bson::Decimal128(d) => Value::Number(decimal_to_u64(d)?.into()),
        Bson::Double(f) => Value::Number(Number::from_f64(*f).ok_or(Error::NotFinite(*f))?),
        Bson::String(s) => Value::String(s.clone()),
        Bson::Array(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Bson::Document(doc) => Value::Object(document_to_object(doc)?),
        other => return Err(Error::NotJson(other.element_type())),
    })
}

fn number_to_bson(n: &Number) -> Result<Bson, Error> {
    if let Some(i) = n.as_i64() {
        Ok(Bson::Int64(i))
    } else if let Some(u) = n.as_u64() {
        Ok(Bson::Decimal128(u64_to_decimal(u)))
    } else {
        match n.as_f64() {
            Some(f) if f.is_finite() => Ok(Bson::Double(f)),
            _ => Err(Error::Number(n.to_string())),
        }
    }
}

fn object_to_document(map: &Map<String, Value>) -> Result<Document, Error> {
    let mut doc = Document::new();
    for (key, value) in map {
        if key.contains('\0') {
            return Err(Error::NulInKey(key.clone()));
        }
        doc.insert(key.clone(), to_bson(value)?);
    }
    Ok(doc)
}

fn document_to_object(doc: &Document) -> Result<Map<String, Value>, Error> {
    doc.iter()
        .map(|(key, value)| Ok((key.clone(), to_json(value)?)))
        .collect()
}

fn u64_to_decimal(u: u64) -> Decimal128 {
    u.to_string()
        .parse()
        .expect("every u64 has 20 digits or fewer, within Decimal128's 34")
}

fn decimal_to_u64(d: &Decimal128) -> Result<u64, Error> {
    let text = d.to_string();
    text.parse().map_err(|_| Error::Decimal(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::oid::ObjectId;
    use serde_json::json;

    fn round_trip(value: &Value) -> Value {
        to_json(&to_bson(value).unwrap()).unwrap()
    }

    #[test]
    fn tricky_bodies_read_back_equal() {
        let body = json!({
            "null": null,
            "flags": [true, false],
            "ints": [0, 1, -1, i64::MIN, i64::MAX, i64::MAX as u64 + 1, u64::MAX],
            "floats": [0.0, -0.0, 1.0, -2.5, 1e300, f64::MIN_POSITIVE, f64::MAX, 0.1],
            "strings": ["", "ünïcödé ✓ 🚀 日本語", "nul \u{0} inside", "quote \" and \\ backslash"],
            "nested": [[[]], [{}], {"a": {"b": {"c": [1, [2, [3]]]}}}],
            "dotted.key": "app.kubernetes.io/name",
            "$dollar": 1,
            "": "empty key",
        });
        assert_eq!(round_trip(&body), body);
    }

    #[test]
    fn tricky_bodies_survive_encoding_to_bson_bytes() {
        let body = json!({
            "ints": [i64::MIN, u64::MAX],
            "floats": [-0.0, 0.1],
            "strings": ["ünïcödé 🚀", "nul \u{0} inside"],
            "nested": [{"a": [[], {}]}],
        });
        let Bson::Document(doc) = to_bson(&body).unwrap() else {
            panic!("an object becomes a document");
        };
        let mut bytes = Vec::new();
        doc.to_writer(&mut bytes).unwrap();
        let read = Document::from_reader(bytes.as_slice()).unwrap();
        assert_eq!(to_json(&Bson::Document(read)).unwrap(), body);
    }

    #[test]
    fn integers_stay_integers_and_floats_stay_floats() {
        assert_eq!(to_bson(&json!(1)).unwrap(), Bson::Int64(1));
        assert_eq!(to_bson(&json!(1.0)).unwrap(), Bson::Double(1.0));
        assert!(round_trip(&json!(1.0)).is_f64());
        assert!(round_trip(&json!(7)).is_i64());
        assert_eq!(round_trip(&json!(u64::MAX)).as_u64(), Some(u64::MAX));
    }

    #[test]
    fn object_keys_keep_their_order() {
        let body = json!({"zeta": 1, "alpha": 2, "mid": 3});
        let Bson::Document(doc) = to_bson(&body).unwrap() else {
            panic!("an object becomes a document");
        };
        assert_eq!(doc.keys().collect::<Vec<_>>(), ["zeta", "alpha", "mid"]);
        let back = round_trip(&body);
        let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["zeta", "alpha", "mid"]);
    }

    #[test]
    fn a_key_with_nul_is_refused_on_write() {
        let body = json!({"spec": {"bad\u{0}key": 1}});
        assert_eq!(to_bson(&body), Err(Error::NulInKey("bad\u{0}key".into())));
    }

    #[test]
    fn stored_values_without_a_json_form_are_refused() {
        assert_eq!(
            to_json(&Bson::ObjectId(ObjectId::new())),
            Err(Error::NotJson(ElementType::ObjectId))
        );
        assert_eq!(
            to_json(&Bson::Double(f64::NAN)).unwrap_err().to_string(),
            "stored double NaN is not finite"
        );
        let fraction: Decimal128 = "1.5".parse().unwrap();
        assert_eq!(
            to_json(&Bson::Decimal128(fraction)),
            Err(Error::Decimal("1.5".into()))
        );
    }

    #[test]
    fn int32_from_a_hand_edit_reads_as_an_integer() {
        assert_eq!(to_json(&Bson::Int32(-7)).unwrap(), json!(-7));
    }
}
