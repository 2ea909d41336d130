//! [`ControllerInfo`]: where a registered controller listens and what it is, built from the stored REST body
//! of `/controllers/{name}`.

use canopy_schemas::name::{self, ControllerName};
use canopy_schemas::rest::controller::{Controller, ControllerType, RSYNC};

/// What a registered controller is, which decides the gRPC service the engine calls on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A placement controller (`PlacementController` service).
    Placement,
    /// An action controller (`ActionController` service).
    Action,
    /// The resource synchronizer, registered as `rsync` (`Rsync` service).
    Rsync,
}

/// A registered controller as the engine calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerInfo {
    /// Its registered name.
    pub name: ControllerName,
    /// Host name or IP address of its gRPC server.
    pub host: String,
    /// Port of its gRPC server.
    pub port: u16,
    /// Placement, action, or rsync.
    pub kind: Kind,
    /// When it runs (the lowest first); `None` for rsync, which has none.
    pub priority: Option<u32>,
}

/// Why a stored controller body cannot be called. Terminal: the body must be re-registered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `metadata.name` breaks EMCO's name rule.
    #[error("controller name {0:?} is invalid")]
    Name(String, #[source] name::Error),
    /// `spec.port` is not a TCP port.
    #[error("controller {name}: spec.port {port} is not between 1 and 65535")]
    Port {
        /// The controller.
        name: ControllerName,
        /// The stored port.
        port: u32,
    },
    /// A controller other than rsync has no `spec.type`.
    #[error("controller {0}: spec.type is missing (only rsync may omit it)")]
    MissingType(ControllerName),
}

impl ControllerInfo {
    /// The `http://host:port` URI its channel connects to (IPv6 literals in brackets).
    pub fn uri(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("http://[{}]:{}", self.host, self.port)
        } else {
            format!("http://{}:{}", self.host, self.port)
        }
    }
}

impl TryFrom<&Controller> for ControllerInfo {
    type Error = Error;
    fn try_from(body: &Controller) -> Result<Self, Error> {
        let raw = &body.metadata.name;
        let name = ControllerName::new(raw.clone()).map_err(|e| Error::Name(raw.clone(), e))?;
        let port = u16::try_from(body.spec.port)
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| Error::Port {
                name: name.clone(),
                port: body.spec.port,
            })?;
        let kind = match body.spec.kind {
            Some(ControllerType::Placement) => Kind::Placement,
            Some(ControllerType::Action) => Kind::Action,
            None if name.as_str() == RSYNC => Kind::Rsync,
            None => return Err(Error::MissingType(name)),
        };
        Ok(Self {
            name,
            host: body.spec.host.clone(),
            port,
            kind,
            priority: body.spec.priority,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> Controller {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_placement_controller_keeps_its_endpoint_kind_and_priority() {
        let hpa = body(
            r#"{"metadata":{"name":"hpa"},"spec":{"host":"10.0.0.1","port":9091,"type":"placement","priority":3}}"#,
        );
        let info = ControllerInfo::try_from(&hpa).unwrap();
        assert_eq!(info.name.as_str(), "hpa");
        assert_eq!((info.kind, info.priority), (Kind::Placement, Some(3)));
        assert_eq!(info.uri(), "http://10.0.0.1:9091");
    }

    #[test]
    fn rsync_needs_no_type_but_others_do() {
        let rsync = body(r#"{"metadata":{"name":"rsync"},"spec":{"host":"::1","port":9031}}"#);
        let info = ControllerInfo::try_from(&rsync).unwrap();
        assert_eq!((info.kind, info.priority), (Kind::Rsync, None));
        assert_eq!(info.uri(), "http://[::1]:9031");
        let gac = body(r#"{"metadata":{"name":"gac"},"spec":{"host":"gac","port":9033}}"#);
        assert!(matches!(
            ControllerInfo::try_from(&gac),
            Err(Error::MissingType(_))
        ));
    }

    #[test]
    fn a_port_beyond_u16_is_refused() {
        let bad = body(
            r#"{"metadata":{"name":"hpa"},"spec":{"host":"h","port":70000,"type":"action","priority":1}}"#,
        );
        let err = ControllerInfo::try_from(&bad).unwrap_err();
        assert!(err.to_string().contains("spec.port 70000"), "{err}");
    }
}
