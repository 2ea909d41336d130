//! One cached kube client per cluster, built from the cluster's kubeconfig bytes and rebuilt when they
//! change. Kubeconfigs are parsed in memory; none is ever written to a file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use canopy_engine::appcontext::BlobHash;
use canopy_schemas::name::ClusterRef;
use dashmap::DashMap;
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::error::{ApplyError, Result};

/// How long a client waits for a TCP (and TLS) connection before the cluster counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A cache of one [`kube::Client`] per cluster.
///
/// Clients are built with a connect timeout of [`CONNECT_TIMEOUT`], no read timeout (a watch may be idle
/// for minutes; [`super::Cluster`] bounds each ordinary request itself) and without kube's default retry
/// of 429/503/504, so that a transient failure reaches rsync's own backoff at once instead of being
/// retried for minutes inside one call.
#[derive(Debug, Default)]
pub struct Clients {
    clients: DashMap<ClusterRef, Cached>,
    built: AtomicU64,
    h2c: bool,
}

#[derive(Clone)]
struct Cached {
    kubeconfig: BlobHash,
    client: kube::Client,
}

impl std::fmt::Debug for Cached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // kube::Client is not Debug.
        f.debug_struct("Cached")
            .field("kubeconfig", &self.kubeconfig)
            .finish_non_exhaustive()
    }
}

impl Clients {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// With `on`, a cluster whose server URL is `http://` is spoken to in HTTP/2 with prior knowledge
    /// (h2c): one connection per cluster carries its requests and all its watches, where HTTP/1.1 needs a
    /// connection per watch. The server must speak h2c (edgesim does); a plain HTTP/1.1 server fails every
    /// request. Clusters served over TLS are not affected.
    pub fn with_h2c(mut self, on: bool) -> Self {
        self.h2c = on;
        self
    }

    /// The client of `cluster`: the cached one when `kubeconfig` (YAML bytes) is unchanged since it was
    /// built, otherwise a new one, which replaces it in the cache.
    pub async fn get(&self, cluster: &ClusterRef, kubeconfig: &[u8]) -> Result<kube::Client> {
        let hash = BlobHash::of(kubeconfig);
        if let Some(cached) = self.clients.get(cluster)
            && cached.kubeconfig == hash
        {
            return Ok(cached.client.clone());
        }
        // Built without holding the map's lock; a concurrent build of the same kubeconfig wins or loses
        // the insert harmlessly.
        let client = build(cluster, kubeconfig, self.h2c).await?;
        self.built.fetch_add(1, Ordering::Relaxed);
        self.clients.insert(
            cluster.clone(),
            Cached {
                kubeconfig: hash,
                client: client.clone(),
            },
        );
        Ok(client)
    }

    /// Forgets the client of `cluster` (its kubeconfig was deleted, or the cluster was).
    pub fn invalidate(&self, cluster: &ClusterRef) {
        self.clients.remove(cluster);
    }

    /// How many clients were built so far (cache misses).
    pub fn built(&self) -> u64 {
        self.built.load(Ordering::Relaxed)
    }

    /// How many clients are cached.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// True when no client is cached.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

/// Builds a client from kubeconfig YAML: its current context, or its only context.
async fn build(cluster: &ClusterRef, kubeconfig: &[u8], h2c: bool) -> Result<kube::Client> {
    let bad = |e: &dyn std::fmt::Display| {
        ApplyError::Terminal(format!("the kubeconfig of cluster {cluster}: {e}"))
    };
    let text = std::str::from_utf8(kubeconfig).map_err(|e| bad(&e))?;
    let parsed = Kubeconfig::from_yaml(text).map_err(|e| bad(&e))?;
    let options = KubeConfigOptions {
        context: current_or_only_context(&parsed),
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(parsed, &options)
        .await
        .map_err(|e| bad(&e))?;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.read_timeout = None;
    config.write_timeout = Some(CONNECT_TIMEOUT);
    config.default_retry = false;
    if config.cluster_url.scheme_str() == Some("http") && config.proxy_url.is_none() {
        return plain_http(config, h2c).map_err(|e| bad(&e));
    }
    kube::Client::try_from(config).map_err(|e| bad(&e))
}

/// A client for a cluster served over plain HTTP (edgesim, or a local API server proxy): kube's own
/// builder gives every client a TLS configuration, and without a CA in the kubeconfig that is a verifier
/// loaded with the machine's root certificates, about 100 KB per client, which plain HTTP never uses.
/// The stack is kube's otherwise: base URI, authentication, extra headers, and the same timeouts. With
/// `h2c` it speaks HTTP/2 with prior knowledge ([`Clients::with_h2c`]).
fn plain_http(config: kube::Config, h2c: bool) -> kube::Result<kube::Client> {
    use kube::client::ConfigExt;
    use tower::ServiceBuilder;

    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.set_nodelay(true);
    let mut connector = hyper_timeout::TimeoutConnector::new(http);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let mut builder =
        hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new());
    if h2c {
        // The pool forgets a connection nobody checked out for its idle timeout (90 s by default), and an
        // HTTP/2 connection whose long watches go on is such a connection: the next request would open a
        // second one beside it. One connection per cluster is the point, so it is kept while it lives.
        builder
            .http2_only(true)
            .pool_idle_timeout(None::<std::time::Duration>);
    }
    let client = builder.build::<_, kube::client::Body>(connector);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(tower::BoxError::from)
        .service(client);
    Ok(kube::Client::new(service, config.default_namespace))
}

/// The context to use: none (kube takes `current-context`) unless the kubeconfig names no current context
/// and has exactly one, which is then the obvious choice.
fn current_or_only_context(k: &Kubeconfig) -> Option<String> {
    match (&k.current_context, k.contexts.as_slice()) {
        (None, [only]) => Some(only.name.clone()),
        _ => None,
    }
}
