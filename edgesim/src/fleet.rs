//! The fleet: every virtual cluster of one server, by name, and the name ranges used to create them in bulk.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::cluster::Cluster;

/// A failed fleet operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The range text is not `prefix-0001..prefix-0100` (or a single name).
    #[error("invalid cluster range {0:?}: expected a name or `edge-0001..edge-0100`")]
    BadRange(String),
    /// A cluster name is not a DNS label.
    #[error("invalid cluster name {0:?}: use lower-case letters, digits and '-' (at most 63)")]
    BadName(String),
}

/// Result of a fleet operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// All virtual clusters of one server. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    clusters: Arc<RwLock<HashMap<String, Arc<Cluster>>>>,
}

impl Fleet {
    /// The named cluster.
    pub fn get(&self, name: &str) -> Option<Arc<Cluster>> {
        self.read().get(name).cloned()
    }

    /// Creates the named cluster if it does not exist; returns whether it was created.
    pub fn create(&self, name: &str) -> Result<bool> {
        validate(name)?;
        if self.read().contains_key(name) {
            return Ok(false);
        }
        // Built outside the write lock; a concurrent create of the same name keeps the first cluster.
        let cluster = Cluster::new(name);
        let mut map = self.clusters.write().unwrap_or_else(|e| e.into_inner());
        match map.entry(name.to_string()) {
            std::collections::hash_map::Entry::Occupied(_) => Ok(false),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(cluster);
                Ok(true)
            }
        }
    }

    /// Deletes the named cluster; returns whether it existed.
    pub fn delete(&self, name: &str) -> bool {
        self.clusters
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name)
            .is_some()
    }

    /// Names of all clusters, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.read().keys().cloned().collect();
        names.sort();
        names
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Cluster>>> {
        self.clusters.read().unwrap_or_else(|e| e.into_inner())
    }
}

fn validate(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::BadName(name.to_string()))
    }
}

/// Expands `edge-0001..edge-0100` (same prefix, zero padding taken from the first) or a single name.
pub fn expand(range: &str) -> Result<Vec<String>> {
    let bad = || Error::BadRange(range.to_string());
    let Some((first, last)) = range.split_once("..") else {
        validate(range)?;
        return Ok(vec![range.to_string()]);
    };
    let split = |s: &str| {
        let digits = s.len() - s.bytes().rev().take_while(u8::is_ascii_digit).count();
        (s[..digits].to_string(), s[digits..].to_string())
    };
    let ((prefix, from), (prefix2, to)) = (split(first.trim()), split(last.trim()));
    if prefix != prefix2 || from.is_empty() || to.is_empty() {
        return Err(bad());
    }
    let width = from.len();
    let (a, b): (u64, u64) = (
        from.parse().map_err(|_| bad())?,
        to.parse().map_err(|_| bad())?,
    );
    if a > b || b - a >= 1_000_000 {
        return Err(bad());
    }
    let names: Vec<String> = (a..=b).map(|n| format!("{prefix}{n:0width$}")).collect();
    names.iter().try_for_each(|n| validate(n))?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_expands_with_the_padding_of_its_first_name() {
        assert_eq!(
            expand("edge-0001..edge-0003").unwrap(),
            ["edge-0001", "edge-0002", "edge-0003"]
        );
        assert_eq!(
            expand("edge-9999..edge-10000").unwrap(),
            ["edge-9999", "edge-10000"]
        );
        assert_eq!(expand("solo").unwrap(), ["solo"]);
        assert!(expand("a-1..b-2").is_err());
        assert!(expand("a-5..a-1").is_err());
        assert!(expand("Bad_Name").is_err());
    }
}
