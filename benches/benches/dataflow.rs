//! Readings per second through ingest → exchange → deduplicate → validate →
//! 1-minute window aggregates (and, in a second figure, the 5 min / 15 min /
//! 1 h rollups), from memory, on 1 and 2 workers.
//!
//! Run: `cargo bench -p steamflow-benches --bench dataflow`
//! (`-- --tags 20000 --seconds 600 --rounds 5` to change the load).
//!
//! The load: `tags` tags spread over 8 plants (one source per plant,
//! sources split over the workers), one reading per tag and second for
//! `seconds` seconds, delivered in time order with up to 2 s of jitter.
//! Every tag has design limits and a rate-of-change limit. Readings are
//! generated before the clock starts; the clock stops when every window
//! has been settled (the graph is complete).

use std::sync::Arc;
use std::time::Instant;

use steamflow::dataflow::{Aggregate, WindowKey};
use steamflow::dataflow::{
    BuildGraph, GraphConfig, KeyRegistry, Settle, SourceId, TagRules, WorkerOptions, names,
};
use steamflow_operators::reading::{PlantId, Quality, Reading, Tag};

const PLANTS: usize = 8;
const T0: i64 = 1_735_689_600_000;
/// Readings a source pushes between two steps of its worker.
const BATCH: usize = 4096;

struct Load {
    /// Readings per plant (source), in delivery order.
    sources: Vec<Vec<Reading>>,
    total: usize,
}

fn load(tags: usize, seconds: i64) -> Load {
    let plants: Vec<PlantId> = (0..PLANTS)
        .map(|p| PlantId::from(format!("plant{p}")))
        .collect();
    let names: Vec<Tag> = (0..tags)
        .map(|t| Tag::from(format!("area{}.tag{t}.flow", t % 50)))
        .collect();
    let mut sources = vec![Vec::new(); PLANTS];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for second in 0..seconds {
        for (index, tag) in names.iter().enumerate() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let jitter = (state % 2000) as i64;
            let plant = index % PLANTS;
            sources[plant].push(Reading {
                time_ms: T0 + second * 1000 + 1000 - jitter,
                plant: plants[plant].clone(),
                tag: tag.clone(),
                value: 100.0 + (state >> 40) as f64 / 1e6,
                quality: Quality::Good,
                unit: None,
            });
        }
    }
    let total = sources.iter().map(Vec::len).sum();
    Load { sources, total }
}

fn config(rollups: bool) -> GraphConfig {
    let mut config = GraphConfig::default();
    config.validation.default_rules = TagRules {
        limits: Some((0.0, 1_000.0)),
        max_rate_per_s: Some(500.0),
        ..TagRules::default()
    };
    if !rollups {
        config.rollups.clear();
    }
    config
}

/// Runs the load; returns (seconds, windows settled).
fn run(load: &Arc<Load>, workers: u16, rollups: bool) -> (f64, usize) {
    let options = WorkerOptions {
        workers,
        ..WorkerOptions::default()
    };
    let load = Arc::clone(load);
    let start = Instant::now();
    let counts = options
        .execute(move |worker| {
            let (index, peers) = (worker.index(), worker.peers());
            let mine: Vec<&Vec<Reading>> = load
                .sources
                .iter()
                .enumerate()
                .filter(|(plant, _)| plant % peers == index)
                .map(|(_, readings)| readings)
                .collect();
            let mut config = config(rollups);
            config.sources_per_worker = mine.len();
            let windows = std::rc::Rc::new(std::cell::Cell::new(0_usize));
            let counter = std::rc::Rc::clone(&windows);
            let mut ingest = worker.dataflow(|scope| {
                let (ingest, graph) = scope
                    .steamflow_graph(config, KeyRegistry::new())
                    .expect("the default windows tile");
                graph.window_aggregates.settle(
                    names::WINDOW_AGGREGATES,
                    move |_time, updates: &[((WindowKey, Aggregate), isize)]| {
                        counter.set(counter.get() + updates.len());
                    },
                );
                ingest
            });
            let mut cursor = 0;
            loop {
                let mut pushed = false;
                for (source, readings) in mine.iter().enumerate() {
                    if let Some(batch) = readings.get(cursor..(cursor + BATCH).min(readings.len()))
                        && !batch.is_empty()
                    {
                        ingest.push(SourceId(source), batch);
                        pushed = true;
                    }
                }
                cursor += BATCH;
                worker.step();
                if !pushed {
                    break;
                }
            }
            ingest.close();
            drop(ingest);
            while worker.step_or_park(None) {}
            windows.get()
        })
        .expect("the workers run");
    (start.elapsed().as_secs_f64(), counts.into_iter().sum())
}

fn arg(name: &str, default: i64) -> i64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory of this process so far [MiB] (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let tags = arg("--tags", 10_000) as usize;
    let seconds = arg("--seconds", 300);
    let rounds = arg("--rounds", 3).max(1);
    let load = Arc::new(load(tags, seconds));
    println!(
        "dataflow: {} readings ({tags} tags × {seconds} s, {PLANTS} sources), best of {rounds}",
        load.total
    );
    for (label, rollups) in [
        ("1-min windows", false),
        ("1-min + 5m/15m/1h rollups", true),
    ] {
        for workers in [1_u16, 2] {
            let mut best = f64::INFINITY;
            let mut windows = 0;
            for _ in 0..rounds {
                let (secs, settled) = run(&load, workers, rollups);
                best = best.min(secs);
                windows = settled;
            }
            println!(
                "  {label:<27} {workers} worker(s): {:>6.2} M readings/s  ({best:.3} s, {windows} window updates, peak RSS so far {:.0} MiB)",
                load.total as f64 / best / 1e6,
                peak_rss_mib().unwrap_or(f64::NAN)
            );
        }
    }
}
