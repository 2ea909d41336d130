//! Registered controllers: `{metadata, spec: {host, port, type, priority}}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Metadata, Validate, Violation, check_present};

/// The name rsync registers under; it needs only a host and a port.
pub const RSYNC: &str = "rsync";
/// Lowest controller priority (runs first).
pub const MIN_PRIORITY: u32 = 1;
/// Highest controller priority.
pub const MAX_PRIORITY: u32 = 1_000_000;

/// A registered controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    /// Name and description.
    pub metadata: Metadata,
    /// Where it listens and when it runs.
    pub spec: ControllerSpec,
}

/// Whether a controller places or acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ControllerType {
    /// Narrows and scores clusters (`FilterClusters`).
    Placement,
    /// Edits resources (`UpdateAppContext`).
    Action,
}

/// Where a controller listens and when it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControllerSpec {
    /// Host name or IP address of its gRPC server.
    pub host: String,
    /// Port of its gRPC server, 1 to 65535.
    pub port: u32,
    /// Placement or action; required for every controller but rsync.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ControllerType>,
    /// 1 to 1,000,000; the lowest runs first. Required for every controller but rsync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
}

impl Validate for Controller {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        let spec = &self.spec;
        check_present("spec.host", &spec.host)?;
        if spec.host.len() > 253 || spec.host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(Violation::new(
                "spec.host",
                "must be a host name or IP address (no spaces or '/', at most 253 characters)",
            ));
        }
        if !(1..=65535).contains(&spec.port) {
            return Err(Violation::new(
                "spec.port",
                format!("must be between 1 and 65535, not {}", spec.port),
            ));
        }
        if let Some(p) = spec.priority
            && !(MIN_PRIORITY..=MAX_PRIORITY).contains(&p)
        {
            return Err(Violation::new(
                "spec.priority",
                format!("must be between {MIN_PRIORITY} and {MAX_PRIORITY}, not {p}"),
            ));
        }
        if self.metadata.name != RSYNC {
            if spec.kind.is_none() {
                return Err(Violation::new(
                    "spec.type",
                    "is required: placement or action (only rsync may omit it)",
                ));
            }
            if spec.priority.is_none() {
                return Err(Violation::new(
                    "spec.priority",
                    "is required (only rsync may omit it)",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Controller {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn rsync_needs_only_host_and_port() {
        let rsync = parse(r#"{"metadata":{"name":"rsync"},"spec":{"host":"rsync","port":9031}}"#);
        assert_eq!(rsync.validate(), Ok(()));
        let gac = parse(r#"{"metadata":{"name":"gac"},"spec":{"host":"gac","port":9033}}"#);
        assert_eq!(gac.validate().unwrap_err().field, "spec.type");
    }

    #[test]
    fn priority_and_port_have_ranges() {
        let bad = parse(
            r#"{"metadata":{"name":"hpa"},"spec":{"host":"h","port":1,"type":"placement","priority":0}}"#,
        );
        assert_eq!(bad.validate().unwrap_err().field, "spec.priority");
        let ok = parse(
            r#"{"metadata":{"name":"hpa"},"spec":{"host":"h","port":1,"type":"placement","priority":1000000}}"#,
        );
        assert_eq!(ok.validate(), Ok(()));
        let port = parse(
            r#"{"metadata":{"name":"hpa"},"spec":{"host":"h","port":70000,"type":"action","priority":1}}"#,
        );
        assert_eq!(port.validate().unwrap_err().field, "spec.port");
    }

    #[test]
    fn type_must_be_placement_or_action() {
        let err = serde_json::from_str::<Controller>(
            r#"{"metadata":{"name":"x"},"spec":{"host":"h","port":1,"type":"other"}}"#,
        );
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("unknown variant `other`")
        );
    }
}
