//! List paging: `limit` and `continue`. A continue token is opaque to clients; it encodes the
//! resourceVersion of the first page (the snapshot) and the key of the last object returned. A later page is
//! served from the live objects after that key, which is the snapshot as long as no object after the key
//! changed since; otherwise, or when the change history no longer reaches back to the snapshot, the token
//! has expired and the answer is a 410 `Expired`, as Kubernetes answers once etcd compacted the snapshot.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::cluster::Target;
use crate::status::{Error, Result};
use crate::store::{Key, Store};

/// A decoded continue token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continue {
    /// The resourceVersion of the list's first page.
    pub rv: u64,
    /// The namespace of the last object returned.
    pub namespace: String,
    /// The name of the last object returned.
    pub name: String,
}

impl Continue {
    /// The token after `key` in a list taken at `rv`.
    pub fn after(rv: u64, key: &Key) -> Self {
        Self {
            rv,
            namespace: key.namespace.clone(),
            name: key.name.clone(),
        }
    }

    /// The opaque text of the token.
    pub fn encode(&self) -> String {
        let text =
            json!({"v": "edgesim/v1", "rv": self.rv, "ns": self.namespace, "name": self.name});
        URL_SAFE_NO_PAD.encode(text.to_string())
    }

    /// Parses a token; a malformed one is a 400, as in Kubernetes.
    pub fn decode(token: &str) -> Result<Self> {
        let invalid = || Error::BadRequest(format!("continue key is not valid: {token:?}"));
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let doc: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        match (
            doc["v"].as_str(),
            doc["rv"].as_u64(),
            doc["ns"].as_str(),
            doc["name"].as_str(),
        ) {
            (Some("edgesim/v1"), Some(rv), Some(ns), Some(name)) => Ok(Self {
                rv,
                namespace: ns.to_string(),
                name: name.to_string(),
            }),
            _ => Err(invalid()),
        }
    }

    /// The key of the last object returned, for the target's kind.
    pub fn key(&self, target: &Target) -> Key {
        Key {
            namespace: self.namespace.clone(),
            ..target.key(&self.name)
        }
    }

    /// A 410 unless the objects after the token's key are still as they were at its resourceVersion.
    pub fn check(&self, st: &Store, target: &Target) -> Result<()> {
        let last = self.key(target);
        let consistent = st.since(self.rv).is_some_and(|events| {
            !events
                .iter()
                .any(|e| super::read::in_scope(&e.key, target) && e.key > last)
        });
        if consistent && self.rv <= st.rv() {
            Ok(())
        } else {
            Err(Error::Gone(
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_and_garbage_is_refused() {
        let token = Continue {
            rv: 42,
            namespace: "default".into(),
            name: "cm-7".into(),
        };
        assert_eq!(Continue::decode(&token.encode()).unwrap(), token);
        assert!(Continue::decode("not a token").is_err());
        assert!(Continue::decode(&URL_SAFE_NO_PAD.encode("{}")).is_err());
    }
}
