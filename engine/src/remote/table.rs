//! The connection table: one cached [`Channel`] per controller, keyed by its name.
//!
//! Channels connect lazily (the first call connects, and a broken connection is re-made by the next call),
//! with the connect timeout and HTTP/2 keepalive of [`Config`]. An entry remembers the endpoint it was
//! built for: a lookup with a different host or port builds a new channel, and [`Table::invalidate`] drops
//! the entry when the controller is re-registered or deleted. No lock is held across an `.await`: building a
//! lazy channel does no IO.

use std::time::Duration;

use canopy_schemas::name::ControllerName;
use dashmap::DashMap;
use tonic::transport::{Channel, Endpoint};

use super::endpoint::ControllerInfo;
use super::retry::Config;

/// One cached channel and the endpoint it connects to.
#[derive(Debug, Clone)]
struct Entry {
    host: String,
    port: u16,
    channel: Channel,
}

/// The cached channels, one per controller.
#[derive(Debug)]
pub struct Table {
    entries: DashMap<ControllerName, Entry>,
    connect_timeout: Duration,
    keepalive: Duration,
}

impl Table {
    /// An empty table whose channels use `config`'s connect timeout and keepalive.
    pub fn new(config: &Config) -> Self {
        Self {
            entries: DashMap::new(),
            connect_timeout: config.connect_timeout,
            keepalive: config.keepalive,
        }
    }

    /// The channel to `controller`: the cached one when it was built for the same host and port, else a new
    /// one, cached in its place.
    pub fn channel(&self, controller: &ControllerInfo) -> Result<Channel, tonic::transport::Error> {
        if let Some(entry) = self.entries.get(&controller.name)
            && entry.host == controller.host
            && entry.port == controller.port
        {
            return Ok(entry.channel.clone());
        }
        let channel = Endpoint::from_shared(controller.uri())?
            .connect_timeout(self.connect_timeout)
            .http2_keep_alive_interval(self.keepalive)
            .keep_alive_timeout(self.keepalive)
            .keep_alive_while_idle(true)
            .tcp_nodelay(true)
            .connect_lazy();
        tracing::debug!(controller = %controller.name, endpoint = %controller.uri(), "channel built");
        let entry = Entry {
            host: controller.host.clone(),
            port: controller.port,
            channel: channel.clone(),
        };
        self.entries.insert(controller.name.clone(), entry);
        Ok(channel)
    }

    /// Drops the entry of `controller`, if any; the next call builds a fresh channel. Returns whether there
    /// was one.
    pub fn invalidate(&self, controller: &ControllerName) -> bool {
        self.entries.remove(controller).is_some()
    }

    /// The `(host, port)` the cached channel of `controller` connects to, if one is cached.
    pub fn endpoint(&self, controller: &ControllerName) -> Option<(String, u16)> {
        self.entries
            .get(controller)
            .map(|e| (e.host.clone(), e.port))
    }

    /// How many channels are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no channel is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::Kind;

    fn info(port: u16) -> ControllerInfo {
        ControllerInfo {
            name: ControllerName::new("hpa").unwrap(),
            host: "127.0.0.1".into(),
            port,
            kind: Kind::Placement,
            priority: Some(1),
        }
    }

    #[tokio::test]
    async fn a_changed_port_replaces_the_entry_and_invalidate_drops_it() {
        let table = Table::new(&Config::default());
        table.channel(&info(1000)).unwrap();
        table.channel(&info(1000)).unwrap();
        assert_eq!(table.len(), 1);
        table.channel(&info(2000)).unwrap();
        assert_eq!(
            table.endpoint(&info(0).name),
            Some(("127.0.0.1".into(), 2000))
        );
        assert!(table.invalidate(&info(0).name));
        assert!(!table.invalidate(&info(0).name));
        assert!(table.is_empty());
    }
}
