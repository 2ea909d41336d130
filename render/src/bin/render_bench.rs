//! Prints how long rendering takes: the traefik chart with its default values, and EMCO's gms composite app
//! (11 charts, each with the gms profile's values). A program, not a timed test: run it with
//! `cargo run --release -p canopy-render --bin render_bench [ROUNDS]` on a quiet machine.

use std::path::Path;
use std::time::{Duration, Instant};

use canopy_render::chart::Chart;
use canopy_render::helm::default_funcs;
use canopy_render::helm::render::{Options, render};

fn time(rounds: usize, mut work: impl FnMut()) -> (Duration, Duration) {
    work(); // warm up
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[times.len() / 2])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(50);
    let shared = std::env::var_os("CANOPY_SHARED_DIR")
        .map(Into::into)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let options = Options {
        funcs: default_funcs(),
        ..Options::default()
    };

    let traefik = Chart::from_dir(&shared.join("charts/public/traefik"))?;
    let resources = render(&traefik, &options)?.resources.len();
    let (min, median) = time(rounds, || {
        render(&traefik, &options).expect("traefik renders");
    });
    println!(
        "traefik (default values): {resources} resources; min {min:.2?}, median {median:.2?} over {rounds} renders (target < 20 ms)"
    );

    let gms = shared.join("charts/emco/gms");
    let profile = std::fs::read_to_string(gms.join("profile/override_values.yaml"))?;
    let profile = canopy_render::values::from_yaml(&profile, "gms profile")?;
    let mut charts = Vec::new();
    for entry in std::fs::read_dir(gms.join("helm"))? {
        charts.push(Chart::from_dir(&entry?.path())?);
    }
    charts.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let with_profile = Options {
        values: vec![profile],
        ..options.clone()
    };
    let count: usize = charts
        .iter()
        .map(|c| render(c, &with_profile).map(|o| o.resources.len()))
        .sum::<Result<_, _>>()?;
    let (min, median) = time(rounds, || {
        for c in &charts {
            render(c, &with_profile).expect("gms chart renders");
        }
    });
    println!(
        "gms composite ({} charts, profile values): {count} resources; min {min:.2?}, median {median:.2?} over {rounds} renders",
        charts.len()
    );
    Ok(())
}
