//! One server child process, with its stdout and stderr appended to a log file.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

use super::error::{Error, Result};

/// How many lines of the log an error shows.
const LOG_LINES: usize = 200;

/// A server process that can be started, killed and started again with the same command line.
pub struct Process {
    server: &'static str,
    binary: PathBuf,
    args: Vec<OsString>,
    log_path: PathBuf,
    child: Option<Child>,
    starts: u32,
}

impl Process {
    /// A process that is not running yet.
    pub fn new(
        server: &'static str,
        binary: PathBuf,
        args: Vec<OsString>,
        log_path: PathBuf,
    ) -> Self {
        Self {
            server,
            binary,
            args,
            log_path,
            child: None,
            starts: 0,
        }
    }

    /// Starts the process. Its output is appended to the log, after a line that marks the start.
    pub fn spawn(&mut self) -> Result<()> {
        self.kill();
        self.starts += 1;
        let spawn_err = |source| Error::Spawn {
            server: self.server,
            binary: self.binary.clone(),
            source,
        };
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(spawn_err)?;
        writeln!(
            log,
            "==== canopy harness: start #{} of {} ====",
            self.starts, self.server
        )
        .map_err(spawn_err)?;
        let stderr = log.try_clone().map_err(spawn_err)?;
        let child = Command::new(&self.binary)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr))
            // Its own process group, so a Ctrl-C meant for the test run does not reach it first: the
            // harness decides when it stops.
            .process_group(0)
            .spawn()
            .map_err(spawn_err)?;
        self.child = Some(child);
        Ok(())
    }

    /// How the process ended, if it has; `None` while it runs or before it was started.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        self.child.is_some() && self.exit_status().is_none()
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Sends SIGKILL and reaps the process. Does nothing if it is not running.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Fails only if the process already exited, which is the state wanted.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The last lines of the log.
    pub fn log_tail(&self) -> String {
        tail(&self.log_path, LOG_LINES)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return format!("(no log at {})", path.display());
    };
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    let mut out = String::new();
    if start > 0 {
        out.push_str(&format!(
            "... ({start} earlier lines in {})\n",
            path.display()
        ));
    }
    out.push_str(&all[start..].join("\n"));
    out
}
