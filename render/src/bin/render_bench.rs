//! Prints how long rendering takes: the traefik chart with its default values, and EMCO's gms composite app
//! (its charts, each with the gms profile's values). A program, not a timed test: run it with
//! `cargo run --release -p canopy-render --bin render_bench [ROUNDS]` on a quiet machine.
//!
//! What is timed: [`render`] of charts already loaded into memory (values merged and checked against
//! the schema, templates parsed and executed, output and CRDs parsed into resources). Reading the chart
//! from disk is not. Each case runs [`WARM_UP`] untimed renders first, then `ROUNDS` timed ones (50 by
//! default), and prints their min, median and max. Later renders of a loaded chart reuse what the first
//! parsed (its CRDs and templates), so a last line times one cold pass per case, as a one-off
//! `helm template` does it: loading from disk, then the first render.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use canopy_render::chart::Chart;
use canopy_render::helm::default_funcs;
use canopy_render::helm::render::{Options, render};

/// Untimed renders before the timed ones.
const WARM_UP: usize = 3;

/// Min, median and max of `rounds` timed runs of `work`, after [`WARM_UP`] untimed ones.
fn time(rounds: usize, mut work: impl FnMut()) -> [Duration; 3] {
    for _ in 0..WARM_UP {
        work();
    }
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    [times[0], times[times.len() / 2], times[times.len() - 1]]
}

/// Prints one case's figures.
fn report(case: &str, [min, median, max]: [Duration; 3], rounds: usize, note: &str) {
    println!(
        "{case}: min {min:.2?}, median {median:.2?}, max {max:.2?} over {rounds} renders{note}"
    );
}

/// The gms composite: its charts, in name order, and its profile's values.
fn load_gms(gms: &Path) -> Result<(Vec<Chart>, serde_json::Value), Box<dyn std::error::Error>> {
    let profile = std::fs::read_to_string(gms.join("profile/override_values.yaml"))?;
    let profile = canopy_render::values::from_yaml(&profile, "gms profile")?;
    let mut charts = Vec::new();
    for entry in std::fs::read_dir(gms.join("helm"))? {
        charts.push(Chart::from_dir(&entry?.path())?);
    }
    charts.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok((charts, profile))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(50)
        .max(1);
    let shared: PathBuf = std::env::var_os("CANOPY_SHARED_DIR")
        .map(Into::into)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let options = Options {
        funcs: default_funcs(),
        ..Options::default()
    };
    println!(
        "render of charts already in memory (loading from disk not timed); {WARM_UP} warm-up renders, then {rounds} timed"
    );

    // Cold: load from disk and render once, with nothing warmed up beforehand.
    let traefik_dir = shared.join("charts/public/traefik");
    let start = Instant::now();
    let traefik = Chart::from_dir(&traefik_dir)?;
    let traefik_load = start.elapsed();
    let start = Instant::now();
    render(&traefik, &options)?;
    let traefik_first = start.elapsed();
    let gms = shared.join("charts/emco/gms");
    let start = Instant::now();
    let (charts, profile) = load_gms(&gms)?;
    let gms_load = start.elapsed();
    let with_profile = Options {
        values: vec![profile],
        ..options.clone()
    };
    let start = Instant::now();
    for c in &charts {
        render(c, &with_profile)?;
    }
    let gms_first = start.elapsed();

    let out = render(&traefik, &options)?;
    let times = time(rounds, || {
        render(&traefik, &options).expect("traefik renders");
    });
    report(
        "traefik (default values)",
        times,
        rounds,
        &format!(
            "; {} resources, {} CRDs (target: median < 20 ms)",
            out.resources.len(),
            out.crds.len()
        ),
    );

    let count: usize = charts
        .iter()
        .map(|c| render(c, &with_profile).map(|o| o.resources.len()))
        .sum::<Result<_, _>>()?;
    let times = time(rounds, || {
        for c in &charts {
            render(c, &with_profile).expect("gms chart renders");
        }
    });
    report(
        &format!("gms composite ({} charts, profile values)", charts.len()),
        times,
        rounds,
        &format!("; {count} resources"),
    );
    println!(
        "cold, once: traefik loads from disk in {traefik_load:.2?} and first renders in {traefik_first:.2?}; \
         gms {gms_load:.2?} and {gms_first:.2?}"
    );
    Ok(())
}
