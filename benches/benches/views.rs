//! View latency: from a window's close (its settled updates handed to the
//! views) to each view's result delivered, on the demo plant (an hour of
//! its 37 tags sampled every second, its faults included) with the example
//! views of `sql/views/` and a view recomputing the balance closure from
//! the window aggregates.
//!
//! Run: `cargo bench -p steamflow-benches --bench views`
//! (`-- --seconds 1800 --interval-ms 5000` for a shorter load,
//! `--realtime-factor 240` to set the paced run's speed).
//!
//! Two runs with the views: one as fast as the graph goes (an hour of
//! windows closes in a fraction of a second, so a window's views wait
//! behind the earlier windows' evaluations: latency under a replay's
//! backlog), and one paced at `--realtime-factor` times real time (a
//! one-minute window closes every quarter second at 240, still far faster
//! than a plant: latency as a live run sees it). Reports the evaluations
//! of the views, the latency percentiles of each (the same figures as the
//! run's `steamflow_view_latency_seconds` histogram), and the wall time
//! and readings/s with and without the views.

use std::time::Instant;

use steamflow::config::{Config, DEMO_CONFIG, SourceConfig, env};
use steamflow::run::sources::sources_of;
use steamflow::run::{RunOptions, RunReport, execute};

const VIEWS: &str = r#"
[views.top_losses]
file = "sql/views/top_losses_by_cost.sql"

[views.traps_by_state]
file = "sql/views/traps_by_state.sql"

[views.daily_energy_balance]
file = "sql/views/daily_energy_balance.sql"

[views.closure]
sql = """
WITH metered AS (
    SELECT plant, CAST(window_start AS BIGINT) AS window_start, sum(mean) AS generation_kg_h
    FROM window_aggregates
    WHERE "window" = '1m' AND tag IN ('north.b1.flow', 'north.b2.flow')
    GROUP BY plant, window_start
)
SELECT b.plant, b.window_start,
       (b.consumption_kg_h + b.known_losses_kg_h)
         / (m.generation_kg_h + b.flash_recovered_kg_h) * 100 AS mass_closure_pct
FROM balances AS b
JOIN metered AS m ON m.plant = b.plant AND m.window_start = b.window_start
"""
"#;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(views: bool, seconds: u64, interval_ms: u64) -> Config {
    let text = if views {
        format!("{DEMO_CONFIG}\n{VIEWS}")
    } else {
        DEMO_CONFIG.to_owned()
    };
    let mut config = match Config::from_toml(&text, "bench.toml", &env::process_env) {
        Ok(config) => config,
        Err(errors) => panic!("{errors}"),
    };
    config.sinks.clear();
    for source in config.sources.values_mut() {
        if let SourceConfig::Simulator(sim) = source {
            sim.duration_secs = seconds;
            sim.sample_interval_ms = interval_ms;
        }
    }
    // The example view files, from the workspace root.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    config.base_dir = std::path::Path::new(&manifest).join("..");
    config
}

fn run(config: &Config, realtime_factor: Option<f64>) -> (RunReport, f64) {
    let sources = match sources_of(config, realtime_factor) {
        Ok(sources) => sources,
        Err(error) => panic!("{error:#}"),
    };
    let started = Instant::now();
    let report = match execute(config, sources, &RunOptions::default()) {
        Ok(report) => report,
        Err(error) => panic!("{error:#}"),
    };
    (report, started.elapsed().as_secs_f64())
}

fn main() {
    // `cargo bench` passes `--bench`; a `cargo test` of the benches passes nothing to run.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let seconds = arg("--seconds", 3600);
    let interval_ms = arg("--interval-ms", 1000);
    let factor = arg("--realtime-factor", 240) as f64;
    let (plain, plain_s) = run(&config(false, seconds, interval_ms), None);
    let (viewed, viewed_s) = run(&config(true, seconds, interval_ms), None);
    let (paced, _) = run(&config(true, seconds, interval_ms), Some(factor));
    let readings = viewed.status.total_readings();
    let (Some(views), Some(paced_views)) = (viewed.views, paced.views) else {
        panic!("the run had no views");
    };
    println!(
        "demo plant, {seconds} s at {interval_ms} ms: {readings} readings, 4 views, {} evaluations, {} view results",
        views.evaluations(),
        views.latencies_s().len()
    );
    let latency = |label: &str, views: &steamflow::run::views::ViewStats| {
        let ms = |q: f64| views.quantile_s(q).map_or(f64::NAN, |s| s * 1e3);
        println!(
            "window close → view result, {label}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(0.5),
            ms(0.9),
            ms(0.99),
            ms(1.0)
        );
    };
    latency("as fast as the graph goes", &views);
    latency(&format!("paced at {factor}x real time"), &paced_views);
    println!(
        "run: {:.2} s with views ({:.0} readings/s), {:.2} s without ({:.0} readings/s)",
        viewed_s,
        readings as f64 / viewed_s,
        plain_s,
        plain.status.total_readings() as f64 / plain_s
    );
}
