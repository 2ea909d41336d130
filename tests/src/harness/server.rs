//! A managed server process of some [`Kind`]: started on free loopback ports in its own temporary
//! directory, checked for readiness, killable, restartable on the same ports and data, and stopped on drop.

use std::ffi::OsString;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::binary::Binary;
use super::error::{Error, Result};
use super::net::free_ports;
use super::process::Process;

/// How long a server may take to become ready, by default. Generous: two cores may be busy compiling.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(60);

/// How many times a first start is tried with fresh ports when the reserved ones were taken meanwhile.
const PORT_ATTEMPTS: usize = 3;

pub(crate) mod sealed {
    /// Only the harness defines server kinds.
    pub trait Sealed {}
}

/// A kind of server the harness can run. Implemented by [`super::etcd::Etcd`] and [`super::nats::Nats`].
pub trait Kind: sealed::Sealed + Send + 'static {
    /// Its name in messages.
    const NAME: &'static str;
    /// Its binary.
    const BINARY: Binary;
    /// How many loopback ports it listens on.
    const PORTS: usize;
    /// Its command line, given its ports and its data directory.
    fn args(ports: &[u16], data_dir: &Path) -> Vec<OsString>;
    /// True once it serves requests.
    fn is_ready(ports: &[u16]) -> bool;
}

/// Options for starting a [`Server`].
pub struct Builder<K> {
    binary: Option<PathBuf>,
    extra_args: Vec<OsString>,
    ready_timeout: Duration,
    kind: PhantomData<K>,
}

impl<K: Kind> Builder<K> {
    /// Runs this binary instead of looking one up.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Adds an argument after the harness's own.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.extra_args.push(arg.into());
        self
    }

    /// How long to wait for readiness (measured in real time, whatever tokio's clock does).
    pub fn ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }

    /// Starts the server and waits until it is ready.
    pub async fn start(self) -> Result<Server<K>> {
        blocking(move || self.start_blocking()).await
    }

    fn start_blocking(self) -> Result<Server<K>> {
        let binary = match self.binary {
            Some(path) => path,
            None => K::BINARY.locate()?,
        };
        let dir = tempfile::Builder::new()
            .prefix(&format!("canopy-{}-", K::NAME))
            .tempdir()
            .map_err(|source| Error::TempDir {
                server: K::NAME,
                source,
            })?;
        let data_dir = dir.path().join("data");
        let log_path = dir.path().join("server.log");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let ports = free_ports(K::PORTS).map_err(|source| Error::Port {
                server: K::NAME,
                source,
            })?;
            let mut args = K::args(&ports, &data_dir);
            args.extend(self.extra_args.iter().cloned());
            let mut process = Process::new(K::NAME, binary.clone(), args, log_path.clone());
            match process
                .spawn()
                .and_then(|()| wait_ready::<K>(&mut process, &ports, self.ready_timeout))
            {
                Ok(()) => {
                    return Ok(Server {
                        process: Arc::new(Mutex::new(process)),
                        ports,
                        dir,
                        ready_timeout: self.ready_timeout,
                        kind: PhantomData,
                    });
                }
                Err(Error::Exited { log, .. })
                    if attempt < PORT_ATTEMPTS && log.contains("address already in use") =>
                {
                    // Another process took a reserved port. Start over with fresh ports and clean data, since
                    // the data may already name the old ports.
                    let _ = std::fs::remove_dir_all(&data_dir);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// A running (or deliberately killed) server.
pub struct Server<K: Kind> {
    process: Arc<Mutex<Process>>,
    ports: Vec<u16>,
    dir: TempDir,
    ready_timeout: Duration,
    kind: PhantomData<K>,
}

impl<K: Kind> Server<K> {
    /// Options for starting a server.
    pub fn builder() -> Builder<K> {
        Builder {
            binary: None,
            extra_args: Vec::new(),
            ready_timeout: DEFAULT_READY_TIMEOUT,
            kind: PhantomData,
        }
    }

    /// Starts a server with the default options and waits until it is ready.
    pub async fn start() -> Result<Self> {
        Self::builder().start().await
    }

    /// Kills the server with SIGKILL, as a crash would, and reaps it. Its port and data stay.
    pub fn kill(&self) {
        self.process().kill();
    }

    /// Starts the server again on the same ports and data directory and waits until it is ready. A
    /// server that is still running is killed first.
    pub async fn restart(&self) -> Result<()> {
        let process = Arc::clone(&self.process);
        let ports = self.ports.clone();
        let timeout = self.ready_timeout;
        blocking(move || {
            let mut process = process.lock().unwrap_or_else(PoisonError::into_inner);
            process.spawn()?;
            wait_ready::<K>(&mut process, &ports, timeout)
        })
        .await
    }

    /// True while the server process runs.
    pub fn is_running(&self) -> bool {
        self.process().is_running()
    }

    /// The server's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process().pid()
    }

    /// The loopback ports it listens on, in the order its kind defines.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// Its data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The end of its log (stdout and stderr of every start).
    pub fn log(&self) -> String {
        self.process().log_tail()
    }

    fn process(&self) -> MutexGuard<'_, Process> {
        // A panic while the lock was held leaves a process that is still safe to inspect and kill.
        self.process.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn wait_ready<K: Kind>(process: &mut Process, ports: &[u16], timeout: Duration) -> Result<()> {
    let started = Instant::now();
    loop {
        if let Some(status) = process.exit_status() {
            return Err(Error::Exited {
                server: K::NAME,
                status,
                log: process.log_tail(),
            });
        }
        if K::is_ready(ports) {
            return Ok(());
        }
        if started.elapsed() > timeout {
            let log = process.log_tail();
            process.kill();
            return Err(Error::NotReady {
                server: K::NAME,
                waited: timeout,
                log,
            });
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Runs blocking harness work (process control, probes with sleeps) off the async runtime's threads, so
/// it works on a current-thread runtime and under paused time.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Err(join) => panic!("harness task did not finish: {join}"),
    }
}
