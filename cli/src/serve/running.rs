//! [`start`]: the parts of `canopy serve` started in order, and [`Running`], which stops them.
//!
//! The order matters at a restart. The stores and the bus open first; then edgesim (with `--demo`) and the
//! engine's API are bound, and the demo clusters are registered in process; then the controllers and rsync
//! start (rsync at once queues the work a previous run left) and are registered with the engine in process.
//! Only then does the engine run, which resumes unfinished sagas: by then every controller they call is
//! registered at this run's port. Last, with `--demo`, the logical cloud `demo` is made ready.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use canopy_controllers::builtin;
use canopy_controllers::serve::Serving;
use canopy_engine::server::{self, BusConfig, Server};
use canopy_engine::stack::Stores;
use canopy_rsync::kubeconfig::StoreKubeconfigs;
use canopy_rsync::queue::{EmbeddedQueue, JetStreamQueue, Queue};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::args::Config;
use super::demo::{self, Demo};
use super::error::{Error, Result};
use super::local::Local;
use super::register::{self, Registration};

/// Where the controllers and rsync serve gRPC: loopback, a free port each.
const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// How long the API may take to answer once it runs.
const SERVING_WAIT: Duration = Duration::from_secs(30);

/// How long the demo logical cloud may take to become Instantiated.
const CLOUD_WAIT: Duration = Duration::from_secs(120);

/// `canopy serve`, running. [`Running::stop`] stops it in order and waits; dropping it tells every part to
/// stop without waiting.
pub struct Running {
    api_base: String,
    demo: Option<Demo>,
    engine_stop: CancellationToken,
    parts_stop: CancellationToken,
    engine: Option<JoinHandle<Result<(), server::Error>>>,
    rsync: Option<canopy_rsync::Running>,
    controllers: Vec<Serving>,
    sim: Option<JoinHandle<()>>,
}

/// Starts everything `config` asks for; returns once the API answers and, with `--demo`, the demo
/// logical cloud is instantiated. A failed step stops what had started.
pub async fn start(config: Config) -> Result<Running> {
    let mut running = Running {
        api_base: String::new(),
        demo: None,
        engine_stop: CancellationToken::new(),
        parts_stop: CancellationToken::new(),
        engine: None,
        rsync: None,
        controllers: Vec::new(),
        sim: None,
    };
    match running.start_parts(&config).await {
        Ok(()) => Ok(running),
        Err(e) => {
            if let Err(stopping) = running.stop().await {
                tracing::warn!(error = %stopping, "stopping after a failed start");
            }
            Err(e)
        }
    }
}

impl Running {
    async fn start_parts(&mut self, config: &Config) -> Result<()> {
        let stores = server::open_stores(&config.engine)
            .await
            .map_err(Error::Engine)?;
        let bus = server::open_bus(&config.engine.bus)
            .await
            .map_err(Error::Engine)?;
        if let Some(demo_config) = &config.demo {
            let sim = demo::sim::bind(demo_config, &config.engine.data_dir).await?;
            self.demo = Some(Demo {
                sim: sim.handle(),
                clusters: demo_config.names(),
            });
            let stop = self.parts_stop.clone();
            self.sim = Some(tokio::spawn(sim.run(stop.cancelled_owned())));
        }
        let server = Server::bind_over(config.engine.clone(), stores.clone(), bus)
            .await
            .map_err(Error::Engine)?;
        self.api_base = api_base(server.local_addr());
        let local = Local::new(server.api().clone());
        if let (Some(demo), Some(demo_config)) = (&self.demo, &config.demo) {
            demo::clusters::register(&local, stores.0.as_ref(), demo, demo_config).await?;
        }
        let mut registrations = Vec::new();
        for name in builtin::NAMES {
            let serving =
                builtin::serve_builtin(name, LOOPBACK, self.parts_stop.clone().cancelled_owned())
                    .await
                    .map_err(Error::Controller)?;
            registrations.push(Registration {
                name,
                kind: register::kind_of(name),
                addr: serving.addr(),
            });
            self.controllers.push(serving);
        }
        let rsync = start_rsync(config, &stores).await?;
        registrations.push(Registration::rsync(rsync.addr()));
        self.rsync = Some(rsync);
        for registration in &registrations {
            register::register(&local, registration).await?;
        }
        let stop = self.engine_stop.clone();
        self.engine = Some(tokio::spawn(server.run(stop.cancelled_owned())));
        wait_serving(&self.api_base).await?;
        if let Some(demo_config) = &config.demo {
            demo::cloud::ensure(&local, demo_config, CLOUD_WAIT).await?;
        }
        Ok(())
    }

    /// The API's base URL, such as `http://127.0.0.1:9015/v2` (loopback when it listens on every
    /// address).
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The demo clusters, with `--demo`.
    pub fn demo(&self) -> Option<&Demo> {
        self.demo.as_ref()
    }

    /// Runs until `shutdown` completes (or the engine fails), then stops.
    pub async fn serve_until(mut self, shutdown: impl Future<Output = ()>) -> Result<()> {
        let ended_early = match self.engine.as_mut() {
            Some(engine) => tokio::select! {
                () = shutdown => None,
                ended = engine => Some(ended),
            },
            None => None,
        };
        if let Some(ended) = ended_early {
            self.engine = None;
            let stopped = self.stop().await;
            return match ended {
                Ok(Err(e)) => Err(Error::Serve(e)),
                _ => stopped,
            };
        }
        self.stop().await
    }

    /// Stops the engine (requests in flight finish; sagas stop and resume at the next start), then rsync
    /// (unacknowledged tasks are redelivered at the next start), the controllers and edgesim.
    pub async fn stop(mut self) -> Result<()> {
        self.engine_stop.cancel();
        let served = match self.engine.take() {
            Some(engine) => match engine.await {
                Ok(served) => served.map_err(Error::Serve),
                Err(e) => {
                    tracing::error!(error = %e, "the engine task ended abnormally");
                    Ok(())
                }
            },
            None => Ok(()),
        };
        if let Some(rsync) = self.rsync.take() {
            rsync.stop().await;
        }
        self.parts_stop.cancel();
        for controller in self.controllers.drain(..) {
            if let Err(e) = controller.wait().await {
                tracing::warn!(error = %e, "a built-in controller did not stop cleanly");
            }
        }
        if let Some(sim) = self.sim.take() {
            let _ = sim.await;
        }
        served
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.engine_stop.cancel();
        self.parts_stop.cancel();
        if let Some(rsync) = self.rsync.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(rsync.stop());
        }
    }
}

/// rsync over the engine's context store, with JetStream tasks when the bus is NATS (as `canopy rsync
/// --nats`) and otherwise tasks kept in the context store; kubeconfigs are read from the resource store.
async fn start_rsync(config: &Config, (store, ctx): &Stores) -> Result<canopy_rsync::Running> {
    let queue: Arc<dyn Queue> = match &config.engine.bus {
        BusConfig::Nats { url, .. } => {
            let client = async_nats::connect(url.as_str())
                .await
                .map_err(|e| Error::Nats {
                    url: url.clone(),
                    message: e.to_string(),
                })?;
            Arc::new(
                JetStreamQueue::open(client, config.ack_wait)
                    .await
                    .map_err(Error::Queue)?,
            )
        }
        BusConfig::Memory => Arc::new(
            EmbeddedQueue::open(ctx.clone())
                .await
                .map_err(Error::Queue)?,
        ),
    };
    let parts = canopy_rsync::Parts {
        store: ctx.clone(),
        queue,
        kubeconfigs: Arc::new(StoreKubeconfigs(store.clone())),
        config: config.rsync.clone(),
    };
    canopy_rsync::Running::start(parts, LOOPBACK)
        .await
        .map_err(Error::Rsync)
}

/// `http://HOST:PORT/v2`, with loopback for an unspecified address.
fn api_base(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_owned(),
        IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!("http://{host}:{}/v2", addr.port())
}

/// Waits until the API answers over HTTP: the engine has settled the previous run's pending events and
/// resumed its sagas, and requests may go in.
async fn wait_serving(base: &str) -> Result<()> {
    let http = reqwest::Client::new();
    let start = Instant::now();
    loop {
        let last = match http.get(format!("{base}/controllers")).send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => format!("answered {}", r.status()),
            Err(e) => e.to_string(),
        };
        if start.elapsed() > SERVING_WAIT {
            return Err(Error::NotServing {
                base: base.to_owned(),
                seconds: SERVING_WAIT.as_secs(),
                last,
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_base_names_loopback_for_an_unspecified_address() {
        assert_eq!(
            api_base("0.0.0.0:9015".parse().unwrap()),
            "http://127.0.0.1:9015/v2"
        );
        assert_eq!(api_base("[::]:80".parse().unwrap()), "http://[::1]:80/v2");
        assert_eq!(
            api_base("10.1.2.3:9015".parse().unwrap()),
            "http://10.1.2.3:9015/v2"
        );
    }
}
