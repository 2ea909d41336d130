//! How `canopy status --wait` shows progress: [`Bars`] on a terminal (a bar per app, clusters done out
//! of all, and a line counting clusters), [`Lines`] elsewhere (one plain line each time something
//! changes).

use std::io::{self, Write};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::render::by_phase;
use super::view::{Snapshot, Target};

/// Shows each status read while waiting.
pub trait Progress {
    /// Shows a status read.
    fn show(&mut self, s: &Snapshot, target: Target) -> io::Result<()>;
    /// The wait is over: leaves the display as it is.
    fn done(&mut self) -> io::Result<()>;
}

/// One line for a status: the DIG's and the AppContext's state, then per app how many clusters reached
/// the target and the count of each phase.
pub fn line(s: &Snapshot, target: Target) -> String {
    let context = s.context_state.as_deref().unwrap_or("not built");
    let mut text = format!("DIG {}, AppContext {context}", s.state);
    if s.context_state.is_some() {
        text.push_str(if s.ready { ", Ready" } else { ", NotReady" });
    }
    for app in &s.apps {
        let done = app.clusters.iter().filter(|c| c.reached(target)).count();
        text.push_str(&format!(
            "; {} {done}/{} {} [{}]",
            app.name,
            app.clusters.len(),
            target.as_str(),
            by_phase(app.clusters.iter().map(|c| c.phase()))
        ));
    }
    text
}

/// Plain lines, written when the line changes.
pub struct Lines<W: Write> {
    out: W,
    last: Option<String>,
}

impl<W: Write> Lines<W> {
    /// Lines to `out`.
    pub fn new(out: W) -> Self {
        Self { out, last: None }
    }
}

impl<W: Write> Progress for Lines<W> {
    fn show(&mut self, s: &Snapshot, target: Target) -> io::Result<()> {
        let text = line(s, target);
        if self.last.as_deref() != Some(&text) {
            writeln!(self.out, "{text}")?;
            self.out.flush()?;
            self.last = Some(text);
        }
        Ok(())
    }

    fn done(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// indicatif bars on standard output: a line with the DIG's state and cluster counts, and a bar per app.
pub struct Bars {
    multi: MultiProgress,
    summary: ProgressBar,
    apps: Vec<(String, ProgressBar)>,
}

impl Bars {
    /// Bars drawn on standard output.
    pub fn stdout() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stdout());
        let summary = multi.add(ProgressBar::new_spinner());
        summary.set_style(
            ProgressStyle::with_template("{spinner} {msg}").expect("the template is valid"),
        );
        summary.enable_steady_tick(Duration::from_millis(120));
        Self {
            multi,
            summary,
            apps: Vec::new(),
        }
    }

    fn bar(&mut self, app: &str) -> &ProgressBar {
        if let Some(i) = self.apps.iter().position(|(name, _)| name == app) {
            return &self.apps[i].1;
        }
        let bar = self.multi.add(ProgressBar::new(0));
        bar.set_style(
            ProgressStyle::with_template("  {prefix:20} [{bar:30}] {pos}/{len} {msg}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_prefix(app.to_owned());
        self.apps.push((app.to_owned(), bar));
        &self.apps.last().expect("just pushed").1
    }
}

impl Progress for Bars {
    fn show(&mut self, s: &Snapshot, target: Target) -> io::Result<()> {
        let all: Vec<_> = s.clusters().map(|(_, c)| c).collect();
        let done = all.iter().filter(|c| c.reached(target)).count();
        let failed = all.iter().filter(|c| c.failed()).count();
        let context = s.context_state.as_deref().unwrap_or("not built");
        self.summary.set_message(format!(
            "DIG {}, AppContext {context}: {done}/{} clusters {}, {failed} failed",
            s.state,
            all.len(),
            target.as_str()
        ));
        for app in &s.apps {
            let reached = app.clusters.iter().filter(|c| c.reached(target)).count();
            let bar = self.bar(&app.name);
            bar.set_length(app.clusters.len() as u64);
            bar.set_position(reached as u64);
            bar.set_message(by_phase(app.clusters.iter().map(|c| c.phase())));
        }
        Ok(())
    }

    fn done(&mut self) -> io::Result<()> {
        self.summary.finish();
        for (_, bar) in &self.apps {
            bar.finish();
        }
        Ok(())
    }
}
