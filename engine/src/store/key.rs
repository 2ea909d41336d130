//! Kinds of stored objects and their keys. This module is the only place resource-store keys are built.
//!
//! Every object has a [`Kind`] and a [`Key`]. The kind fixes the key's shape: the segment labels from the
//! root (`project`, `compositeApp`, `version`, `app`) and the kind of its parent. The key supplies one name
//! per segment. A key's path interleaves the two (`project/p1/compositeApp/ca/version/v1/app/web`). Names
//! never contain `/`, so a child's path always starts with its parent's path and a `/`. The storage key
//! prefixes the path with the kind (`app:project/p1/...`), so that one prefix scan lists one kind under one
//! parent and nothing else.

use std::fmt;

use canopy_schemas::name::{self, Name};

/// One kind of stored object.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Kind {
    /// The kind's name in storage keys and messages.
    pub name: &'static str,
    /// Segment labels from the root, one per name in the key.
    pub segments: &'static [&'static str],
    /// The parent's kind; `None` at the root.
    pub parent: Option<&'static Kind>,
}

macro_rules! kinds {
    ($($(#[$doc:meta])* $id:ident = $name:literal, [$($seg:literal),+], $parent:expr;)+) => {
        $( $(#[$doc])* pub static $id: Kind = Kind { name: $name, segments: &[$($seg),+], parent: $parent }; )+
        /// Every kind, parents before children.
        pub static ALL: &[&Kind] = &[$(&$id),+];
    };
}

kinds! {
    /// A registered controller.
    CONTROLLER = "controller", ["controller"], None;
    /// A cluster provider.
    CLUSTER_PROVIDER = "clusterProvider", ["clusterProvider"], None;
    /// A cluster; its kubeconfig is the blob `kubeconfig`.
    CLUSTER = "cluster", ["clusterProvider", "cluster"], Some(&CLUSTER_PROVIDER);
    /// A label of a cluster; the name is the label.
    CLUSTER_LABEL = "clusterLabel", ["clusterProvider", "cluster", "label"], Some(&CLUSTER);
    /// A kv-pair object of a cluster.
    CLUSTER_KV = "clusterKv", ["clusterProvider", "cluster", "kvPair"], Some(&CLUSTER);
    /// A project.
    PROJECT = "project", ["project"], None;
    /// A composite app at one version.
    COMPOSITE_APP = "compositeApp", ["project", "compositeApp", "version"], Some(&PROJECT);
    /// An app; its Helm chart is the blob `chart`.
    APP = "app", ["project", "compositeApp", "version", "app"], Some(&COMPOSITE_APP);
    /// A dependency of an app on another app.
    APP_DEPENDENCY = "appDependency", ["project", "compositeApp", "version", "app", "dependency"], Some(&APP);
    /// A composite profile.
    COMPOSITE_PROFILE = "compositeProfile", ["project", "compositeApp", "version", "compositeProfile"], Some(&COMPOSITE_APP);
    /// An app profile; its tgz is the blob `profile`.
    APP_PROFILE = "appProfile", ["project", "compositeApp", "version", "compositeProfile", "profile"], Some(&COMPOSITE_PROFILE);
    /// A deployment intent group.
    DIG = "dig", ["project", "compositeApp", "version", "dig"], Some(&COMPOSITE_APP);
    /// The DIG intents: controller name to intent name.
    DIG_INTENT = "digIntent", ["project", "compositeApp", "version", "dig", "intent"], Some(&DIG);
    /// A generic placement intent.
    PLACEMENT_INTENT = "placementIntent", ["project", "compositeApp", "version", "dig", "placementIntent"], Some(&DIG);
    /// An app placement intent.
    APP_INTENT = "appIntent", ["project", "compositeApp", "version", "dig", "placementIntent", "appIntent"], Some(&PLACEMENT_INTENT);
    /// An intent for a controller that keeps no state of its own: controller name, then intent name.
    CONTROLLER_INTENT = "controllerIntent", ["project", "compositeApp", "version", "dig", "controller", "controllerIntent"], Some(&DIG);
    /// A generic action controller (gac) intent.
    GAC_INTENT = "gacIntent", ["project", "compositeApp", "version", "dig", "gacIntent"], Some(&DIG);
    /// A gac resource; its file is the blob `file`.
    GAC_RESOURCE = "gacResource", ["project", "compositeApp", "version", "dig", "gacIntent", "resource"], Some(&GAC_INTENT);
    /// A gac customization; its files are the blobs `files/<n>`.
    GAC_CUSTOMIZATION = "gacCustomization", ["project", "compositeApp", "version", "dig", "gacIntent", "resource", "customization"], Some(&GAC_RESOURCE);
    /// A logical cloud.
    LOGICAL_CLOUD = "logicalCloud", ["project", "logicalCloud"], Some(&PROJECT);
    /// A cluster reference of a logical cloud.
    LC_CLUSTER_REF = "lcClusterRef", ["project", "logicalCloud", "clusterReference"], Some(&LOGICAL_CLOUD);
    /// A user permission of a logical cloud.
    LC_USER_PERMISSION = "lcUserPermission", ["project", "logicalCloud", "userPermission"], Some(&LOGICAL_CLOUD);
    /// A cluster quota of a logical cloud.
    LC_CLUSTER_QUOTA = "lcClusterQuota", ["project", "logicalCloud", "clusterQuota"], Some(&LOGICAL_CLOUD);
    /// A kv-pair object of a logical cloud.
    LC_KV = "lcKv", ["project", "logicalCloud", "kvPair"], Some(&LOGICAL_CLOUD);
}

impl Kind {
    /// Finds a kind by name.
    pub fn by_name(name: &str) -> Option<&'static Kind> {
        ALL.iter().copied().find(|k| k.name == name)
    }

    /// The kinds whose parent is this kind.
    pub fn children(&'static self) -> impl Iterator<Item = &'static Kind> {
        ALL.iter()
            .copied()
            .filter(move |k| k.parent.is_some_and(|p| std::ptr::eq(p, self)))
    }

    /// The storage-key prefix of every object of this kind under `parent` (`None` for root kinds).
    pub fn prefix_under(&'static self, parent: Option<&Key>) -> String {
        match parent {
            Some(p) => format!("{}:{}/", self.name, p.path()),
            None => format!("{}:", self.name),
        }
    }
}

/// A key does not fit its kind, or a storage key cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The number of names differs from the kind's segments.
    #[error("a {kind} key needs {want} names, got {got}")]
    Arity {
        /// The kind.
        kind: &'static str,
        /// Names needed.
        want: usize,
        /// Names given.
        got: usize,
    },
    /// A name breaks EMCO's rule.
    #[error("{segment} name: {source}")]
    Name {
        /// Which segment.
        segment: &'static str,
        /// What is wrong.
        #[source]
        source: name::Error,
    },
    /// A storage key that no kind produces.
    #[error("malformed storage key {0:?}")]
    Malformed(String),
}

/// The key of one stored object.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    kind: &'static Kind,
    names: Vec<Name>,
}

impl Key {
    /// A key of `kind` from already checked names.
    pub fn new(kind: &'static Kind, names: Vec<Name>) -> Result<Self, Error> {
        if names.len() != kind.segments.len() {
            return Err(Error::Arity {
                kind: kind.name,
                want: kind.segments.len(),
                got: names.len(),
            });
        }
        Ok(Self { kind, names })
    }

    /// A key of `kind` from strings, checking each name.
    pub fn parse<S: AsRef<str>>(kind: &'static Kind, names: &[S]) -> Result<Self, Error> {
        if names.len() != kind.segments.len() {
            return Err(Error::Arity {
                kind: kind.name,
                want: kind.segments.len(),
                got: names.len(),
            });
        }
        let names = names
            .iter()
            .zip(kind.segments)
            .map(|(n, segment)| {
                Name::new(n.as_ref()).map_err(|source| Error::Name { segment, source })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { kind, names })
    }

    /// The key of a child of kind `kind` named `name` (plus `extra` names for kinds that add two segments).
    pub fn child(&self, kind: &'static Kind, names: &[Name]) -> Result<Self, Error> {
        let mut all = self.names.clone();
        all.extend(names.iter().cloned());
        Self::new(kind, all)
    }

    /// The kind.
    pub fn kind(&self) -> &'static Kind {
        self.kind
    }

    /// Every name, from the root.
    pub fn names(&self) -> &[Name] {
        &self.names
    }

    /// The object's own name (the last one).
    pub fn name(&self) -> &Name {
        self.names
            .last()
            .expect("every kind has at least one segment")
    }

    /// The parent's key, `None` at the root.
    pub fn parent(&self) -> Option<Key> {
        let parent = self.kind.parent?;
        Some(Key {
            kind: parent,
            names: self.names[..parent.segments.len()].to_vec(),
        })
    }

    /// `segment/name/segment/name/...`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for (segment, name) in self.kind.segments.iter().zip(&self.names) {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(segment);
            out.push('/');
            out.push_str(name.as_str());
        }
        out
    }

    /// `kind:path`, the key in storage.
    pub fn storage_key(&self) -> String {
        format!("{}:{}", self.kind.name, self.path())
    }

    /// Reads a storage key back.
    pub fn from_storage_key(s: &str) -> Result<Self, Error> {
        let malformed = || Error::Malformed(s.to_owned());
        let (kind, path) = s.split_once(':').ok_or_else(malformed)?;
        let kind = Kind::by_name(kind).ok_or_else(malformed)?;
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() != kind.segments.len() * 2 {
            return Err(malformed());
        }
        let mut names = Vec::with_capacity(kind.segments.len());
        for (pair, segment) in parts.chunks(2).zip(kind.segments) {
            if pair[0] != *segment {
                return Err(malformed());
            }
            names.push(Name::new(pair[1]).map_err(|_| malformed())?);
        }
        Ok(Self { kind, names })
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.storage_key())
    }
}

/// Shown as `<kind> <path>`, e.g. `app project/p/compositeApp/ca/version/v1/app/web`.
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.name, self.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Key {
        Key::parse(&APP, &["p", "ca", "v1", "web"]).unwrap()
    }

    #[test]
    fn paths_nest_children_under_parents() {
        let app = app();
        assert_eq!(app.path(), "project/p/compositeApp/ca/version/v1/app/web");
        assert_eq!(
            app.storage_key(),
            "app:project/p/compositeApp/ca/version/v1/app/web"
        );
        let ca = app.parent().unwrap();
        assert_eq!(ca.kind(), &COMPOSITE_APP);
        assert_eq!(ca.parent().unwrap(), Key::parse(&PROJECT, &["p"]).unwrap());
        assert!(app.storage_key().starts_with(&APP.prefix_under(Some(&ca))));
        assert!(!app.storage_key().starts_with(&APP.prefix_under(Some(
            &Key::parse(&COMPOSITE_APP, &["p", "c", "v1"]).unwrap()
        ))));
    }

    #[test]
    fn a_two_segment_child_skips_to_its_real_parent() {
        let ci = Key::parse(&CONTROLLER_INTENT, &["p", "ca", "v1", "dig", "gac", "i1"]).unwrap();
        assert_eq!(ci.parent().unwrap().kind(), &DIG);
    }

    #[test]
    fn storage_keys_read_back() {
        for key in [app(), Key::parse(&CONTROLLER, &["rsync"]).unwrap()] {
            assert_eq!(Key::from_storage_key(&key.storage_key()).unwrap(), key);
        }
        for bad in [
            "app:project/p",
            "nokind:x/y",
            "project:projekt/p",
            "project:project/-p",
        ] {
            assert!(Key::from_storage_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_check_names_and_arity() {
        assert!(matches!(
            Key::parse(&APP, &["p"]),
            Err(Error::Arity {
                want: 4,
                got: 1,
                ..
            })
        ));
        assert!(matches!(
            Key::parse(&PROJECT, &["a/b"]),
            Err(Error::Name {
                segment: "project",
                ..
            })
        ));
    }

    #[test]
    fn every_parent_is_listed_before_its_children() {
        for (i, kind) in ALL.iter().enumerate() {
            if let Some(parent) = kind.parent {
                let at = ALL.iter().position(|k| std::ptr::eq(*k, parent)).unwrap();
                assert!(at < i, "{}", kind.name);
                assert_eq!(
                    &kind.segments[..parent.segments.len()],
                    parent.segments,
                    "{}",
                    kind.name
                );
            }
        }
    }
}
