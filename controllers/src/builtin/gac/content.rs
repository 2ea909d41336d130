//! What the uploaded files of a gac spec hold: base64 bytes, objects (YAML or JSON), and ConfigMap or Secret
//! data keyed by `dataKeyOptions`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use canopy_schemas::controller::Violation;
use canopy_schemas::controller::gac::{CustomizationSpec, DataOptions};
use serde_json::{Map, Value, json};

use crate::builtin::decode;

/// The kinds whose data a customization's files fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DataKind {
    /// `ConfigMap`: text goes to `data`, other bytes to `binaryData` (base64).
    ConfigMap,
    /// `Secret`: every file goes to `data`, base64.
    Secret,
}

impl DataKind {
    /// The data kind `kind` names, compared without case as EMCO does.
    pub(super) fn of(kind: &str) -> Option<Self> {
        match kind.to_ascii_lowercase().as_str() {
            "configmap" => Some(Self::ConfigMap),
            "secret" => Some(Self::Secret),
            _ => None,
        }
    }

    /// The options field of a customization that applies to this kind, with its name.
    fn options(self, c: &CustomizationSpec) -> (&'static str, Option<&Value>) {
        match self {
            Self::ConfigMap => ("spec.configMapOptions", c.spec.config_map_options.as_ref()),
            Self::Secret => ("spec.secretOptions", c.spec.secret_options.as_ref()),
        }
    }

    /// An empty object of this kind named `name`, for a new object uploaded without a file.
    pub(super) fn skeleton(self, name: &str) -> Value {
        match self {
            Self::ConfigMap => {
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {}})
            }
            Self::Secret => json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                   "metadata": {"name": name}, "data": {}}),
        }
    }

    /// The merge patch that sets `data` (and for a ConfigMap `binaryData`) to `entries`.
    pub(super) fn data_patch(self, entries: &[(String, Vec<u8>)]) -> Value {
        let (mut data, mut binary) = (Map::new(), Map::new());
        for (key, bytes) in entries {
            match (self, std::str::from_utf8(bytes)) {
                (Self::ConfigMap, Ok(text)) => data.insert(key.clone(), text.into()),
                (Self::ConfigMap, Err(_)) => {
                    binary.insert(key.clone(), STANDARD.encode(bytes).into())
                }
                (Self::Secret, _) => data.insert(key.clone(), STANDARD.encode(bytes).into()),
            };
        }
        let mut patch = Map::new();
        if !data.is_empty() {
            patch.insert("data".into(), data.into());
        }
        if !binary.is_empty() {
            patch.insert("binaryData".into(), binary.into());
        }
        Value::Object(patch)
    }
}

/// The bytes of base64 `content` at `field`.
pub(super) fn bytes(field: &str, content: &str) -> Result<Vec<u8>, Violation> {
    STANDARD
        .decode(content)
        .map_err(|e| Violation::new(field, format!("must be base64: {e}")))
}

/// The object in `bytes` (YAML, which JSON is a part of) at `field`.
pub(super) fn object(field: &str, bytes: &[u8]) -> Result<Value, Violation> {
    match yaml_serde::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Violation::new(field, "must hold one YAML or JSON object")),
        Err(e) => Err(Violation::new(
            field,
            format!("must hold a YAML or JSON object: {e}"),
        )),
    }
}

/// A customization's files, sorted by what they do.
#[derive(Debug, Default)]
pub(super) struct Files {
    /// Data entries: key and bytes, in upload order.
    pub(super) data: Vec<(String, Vec<u8>)>,
    /// Merge patch documents, in upload order.
    pub(super) merges: Vec<Value>,
}

/// Sorts the files of `c`, a customization of a resource of kind `kind`. For a ConfigMap or Secret a file is
/// data under its `keyName` (its file name by default) unless its `dataKeyOptions` entry says `mergePatch:
/// "true"`; for any other kind every file is a merge patch. Fields are named relative to the customization.
pub(super) fn files(kind: Option<DataKind>, c: &CustomizationSpec) -> Result<Files, Violation> {
    let options = match kind {
        Some(kind) => match kind.options(c) {
            (field, Some(v)) => {
                serde_path_to_error::deserialize::<_, DataOptions>(v).map_err(|e| {
                    decode::within(field, Violation::new(e.path().to_string(), e.into_inner()))
                })?
            }
            (_, None) => DataOptions::default(),
        },
        None => DataOptions::default(),
    };
    let mut sorted = Files::default();
    for (k, file) in c.files.iter().enumerate() {
        let field = format!("files[{k}].content");
        let content = bytes(&field, &file.content)?;
        let option = options
            .data_key_options
            .iter()
            .find(|o| o.file_name == file.name);
        let merge = option.is_some_and(|o| o.merge_patch.eq_ignore_ascii_case("true"));
        if kind.is_none() || merge {
            sorted.merges.push(object(&field, &content)?);
            continue;
        }
        let key = match option {
            Some(o) if !o.key_name.is_empty() => o.key_name.clone(),
            _ => file.name.clone(),
        };
        check_data_key(&format!("files[{k}]"), &key)?;
        if sorted.data.iter().any(|(have, _)| *have == key) {
            return Err(Violation::new(
                format!("files[{k}]"),
                format!("data key {key:?} is given twice"),
            ));
        }
        sorted.data.push((key, content));
    }
    Ok(sorted)
}

/// Kubernetes' rule for ConfigMap and Secret keys: letters, digits, `-`, `_` and `.`, at most 253.
fn check_data_key(field: &str, key: &str) -> Result<(), Violation> {
    let ok = !key.is_empty()
        && key.len() <= 253
        && key != "."
        && key != ".."
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        let rule =
            format!("data key {key:?} must be letters, digits, '-', '_' or '.', at most 253");
        Err(Violation::new(field, rule))
    }
}
