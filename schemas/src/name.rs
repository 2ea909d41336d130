//! Object names, checked with EMCO's rule, and a typed newtype per kind of object.
//!
//! EMCO names match `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$` and are at most 128 characters long. A
//! [`Name`] can only be built through [`Name::new`], so holding one proves the rule holds; the typed names
//! ([`ProjectName`], [`ClusterName`], ...) wrap a `Name` so that a cluster name cannot be passed where a
//! project name is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// The longest name EMCO accepts, in characters.
pub const MAX_LEN: usize = 128;

/// EMCO's name rule as a regular expression, for error messages and the OpenAPI document.
pub const PATTERN: &str = "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$";

/// Why a string is not a valid name. Always terminal: the same string fails the same way on retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The string is empty.
    #[error("name must not be empty (rule: {PATTERN}, at most {MAX_LEN} characters)")]
    Empty,
    /// The string is longer than [`MAX_LEN`].
    #[error("name is {len} characters long; at most {MAX_LEN} are allowed")]
    TooLong {
        /// Its length in characters.
        len: usize,
    },
    /// A character outside `[-A-Za-z0-9_.]`.
    #[error(
        "name {name:?} contains {ch:?} at position {pos}; only letters, digits, '-', '_' and '.' are allowed (rule: {PATTERN})"
    )]
    InvalidChar {
        /// The whole name.
        name: String,
        /// The offending character.
        ch: char,
        /// Its position, counted in characters from 0.
        pos: usize,
    },
    /// The first or last character is `-`, `_` or `.`.
    #[error("name {name:?} must begin and end with a letter or digit (rule: {PATTERN})")]
    BadEdge {
        /// The whole name.
        name: String,
    },
}

/// A name that satisfies EMCO's rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);

impl Name {
    /// Checks `name` against the rule.
    pub fn new(name: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        check(&name)?;
        Ok(Self(name))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn check(name: &str) -> Result<(), Error> {
    let len = name.chars().count();
    if len == 0 {
        return Err(Error::Empty);
    }
    if len > MAX_LEN {
        return Err(Error::TooLong { len });
    }
    if let Some((pos, ch)) = name.chars().enumerate().find(|(_, c)| !is_inner(*c)) {
        return Err(Error::InvalidChar {
            name: name.to_owned(),
            ch,
            pos,
        });
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Err(Error::BadEdge {
            name: name.to_owned(),
        });
    }
    Ok(())
}

fn is_inner(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Name {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::new(s)
    }
}

impl TryFrom<String> for Name {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        Self::new(s)
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

/// Defines a newtype over [`Name`] for one kind of object.
macro_rules! typed_name {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        // The literal is `PATTERN`: the attribute takes no path (a test checks they agree).
        #[schema(
            value_type = String,
            pattern = "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$",
            min_length = 1,
            max_length = 128
        )]
        pub struct $ty(Name);

        impl $ty {
            /// Checks `name` against EMCO's rule.
            pub fn new(name: impl Into<String>) -> Result<Self, Error> {
                Name::new(name).map(Self)
            }

            /// The name as a string slice.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl From<Name> for $ty {
            fn from(name: Name) -> Self {
                Self(name)
            }
        }

        impl From<$ty> for Name {
            fn from(name: $ty) -> Name {
                name.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Error> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

typed_name!(
    /// A registered controller (`rsync` is the resource synchronizer's).
    ControllerName
);
typed_name!(
    /// A cluster provider.
    ClusterProviderName
);
typed_name!(
    /// A cluster, unique within its provider.
    ClusterName
);
typed_name!(
    /// A cluster label such as `edge`.
    ClusterLabel
);
typed_name!(
    /// A project.
    ProjectName
);
typed_name!(
    /// A composite app.
    CompositeAppName
);
typed_name!(
    /// A composite app version such as `v1`.
    CompositeAppVersion
);
typed_name!(
    /// An app of a composite app.
    AppName
);
typed_name!(
    /// A composite profile.
    CompositeProfileName
);
typed_name!(
    /// An app profile.
    AppProfileName
);
typed_name!(
    /// A deployment intent group (DIG).
    DigName
);
typed_name!(
    /// A logical cloud.
    LogicalCloudName
);
typed_name!(
    /// An intent (DIG intents, placement intents, controller-specific intents).
    IntentName
);

/// A cluster named the EMCO way: provider plus cluster. Shown as `provider+cluster`, as EMCO's status
/// API and AppContext keys do; `+` cannot occur in a name, so the form is unambiguous.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
pub struct ClusterRef {
    /// The provider.
    pub provider: ClusterProviderName,
    /// The cluster within the provider.
    pub cluster: ClusterName,
}

/// Why a `provider+cluster` string is not a cluster reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterRefError {
    /// The string has no `+`.
    #[error("cluster reference {0:?} must have the form <provider>+<cluster>")]
    NoSeparator(String),
    /// The provider part is not a valid name.
    #[error("cluster provider in {text:?}: {source}")]
    Provider {
        /// The whole reference.
        text: String,
        /// What is wrong with the provider name.
        #[source]
        source: Error,
    },
    /// The cluster part is not a valid name.
    #[error("cluster in {text:?}: {source}")]
    Cluster {
        /// The whole reference.
        text: String,
        /// What is wrong with the cluster name.
        #[source]
        source: Error,
    },
}

impl ClusterRef {
    /// A reference to `cluster` of `provider`.
    pub fn new(provider: ClusterProviderName, cluster: ClusterName) -> Self {
        Self { provider, cluster }
    }
}

impl fmt::Display for ClusterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}", self.provider, self.cluster)
    }
}

impl FromStr for ClusterRef {
    type Err = ClusterRefError;
    fn from_str(s: &str) -> Result<Self, ClusterRefError> {
        let (provider, cluster) = s
            .split_once('+')
            .ok_or_else(|| ClusterRefError::NoSeparator(s.to_owned()))?;
        let text = || s.to_owned();
        Ok(Self {
            provider: ClusterProviderName::new(provider).map_err(|source| {
                ClusterRefError::Provider {
                    text: text(),
                    source,
                }
            })?,
            cluster: ClusterName::new(cluster).map_err(|source| ClusterRefError::Cluster {
                text: text(),
                source,
            })?,
        })
    }
}

#[cfg(test)]
mod tests;
