//! Drives the standard graph over readings in arrival order, and the batch
//! model the incremental results must equal.

use std::collections::BTreeMap;

use steamflow::dataflow::{
    Aggregate, BuildGraph, DeadLetter, GraphConfig, KeyRegistry, Reason, SourceId, TagKey, Time,
    WindowKey, WindowSpec, WorkerOptions, names,
};
use steamflow_operators::reading::{Quality, Reading};

/// What a run of the graph delivered (worker 0's settled captures).
pub struct Run {
    pub windows: Vec<((WindowKey, Aggregate), Time, isize)>,
    pub window_contents: Vec<((WindowKey, Aggregate), isize)>,
    pub dead_letters: Vec<(DeadLetter, isize)>,
}

pub fn reading(plant: &str, tag: &str, time_ms: i64, value: f64) -> Reading {
    Reading {
        time_ms,
        plant: plant.into(),
        tag: tag.into(),
        value,
        quality: Quality::Good,
        unit: None,
    }
}

/// Runs `feed` (source index, reading) through the graph on `workers`
/// threads; source `s` belongs to worker `s % workers`, and each source
/// replays its readings in feed order, `batch` at a time.
pub fn run_graph(
    config: GraphConfig,
    workers: u16,
    batch: usize,
    feed: Vec<(usize, Reading)>,
) -> Run {
    let options = WorkerOptions {
        workers,
        ..WorkerOptions::default()
    };
    let registry = KeyRegistry::new();
    let results = options
        .execute(move |worker| {
            let (index, peers) = (worker.index(), worker.peers());
            let sources: Vec<usize> = {
                let mut all: Vec<usize> = feed.iter().map(|(s, _)| *s).collect();
                all.sort_unstable();
                all.dedup();
                all.into_iter().filter(|s| s % peers == index).collect()
            };
            let mut config = config.clone();
            config.sources_per_worker = sources.len();
            let registry = registry.clone();
            let (mut ingest, windows, dead) = worker.dataflow(|scope| {
                let (ingest, graph) = scope.steamflow_graph(config, registry).unwrap();
                let windows = graph
                    .outputs
                    .capture::<(WindowKey, Aggregate)>(names::WINDOW_AGGREGATES)
                    .unwrap();
                let dead = graph
                    .outputs
                    .capture::<DeadLetter>(names::DEAD_LETTERS)
                    .unwrap();
                (ingest, windows, dead)
            });
            let mine: Vec<(usize, Reading)> = feed
                .iter()
                .filter(|(s, _)| s % peers == index)
                .cloned()
                .collect();
            for chunk in mine.chunks(batch.max(1)) {
                for (source, reading) in chunk {
                    let local = sources.iter().position(|s| s == source).unwrap();
                    ingest.push(SourceId(local), std::slice::from_ref(reading));
                }
                worker.step();
            }
            ingest.close();
            drop(ingest);
            while worker.step_or_park(None) {}
            Run {
                windows: windows.updates(),
                window_contents: windows.contents(),
                dead_letters: dead.contents(),
            }
        })
        .unwrap();
    results.into_iter().next().unwrap()
}

/// The batch model's verdict on the feed.
pub struct Model {
    /// Window aggregates of the readings accepted, per family.
    pub windows: BTreeMap<WindowKey, Aggregate>,
    /// (key, event time, lateness) of every reading dead-lettered as late.
    pub late: Vec<(TagKey, u64, u64)>,
    /// Readings dead-lettered as duplicates.
    pub duplicates: usize,
    /// Readings dead-lettered as non-finite.
    pub non_finite: usize,
}

/// Judges each source's readings in order (watermark, lateness), drops
/// exact duplicates, and aggregates what is left from scratch.
pub fn model(config: &GraphConfig, feed: &[(usize, Reading)]) -> Model {
    let (ooo, lateness) = (
        config.ingest.out_of_orderness_ms,
        config.ingest.allowed_lateness_ms,
    );
    let mut watermarks: BTreeMap<usize, u64> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut accepted = Vec::new();
    let mut out = Model {
        windows: BTreeMap::new(),
        late: Vec::new(),
        duplicates: 0,
        non_finite: 0,
    };
    for (source, reading) in feed {
        let time = u64::try_from(reading.time_ms).unwrap();
        let key = TagKey::of(reading.plant.as_str(), reading.tag.as_str());
        let watermark = watermarks.entry(*source).or_insert(0);
        *watermark = (*watermark).max(time.saturating_sub(ooo));
        if !reading.value.is_finite() {
            out.non_finite += 1;
            continue;
        }
        let behind = watermark.saturating_sub(time);
        if behind > lateness {
            out.late.push((key, time, behind));
            continue;
        }
        let value = if reading.value == 0.0 {
            0.0
        } else {
            reading.value
        };
        if !seen.insert((key, time, value.to_bits())) {
            out.duplicates += 1;
            continue;
        }
        accepted.push((key, time, value));
    }
    let mut families = vec![config.base_window];
    families.extend(config.rollups.iter().copied());
    for (key, time, value) in accepted {
        for spec in &families {
            for start_ms in spec.starts_containing(time) {
                let window = WindowKey {
                    key,
                    spec: *spec,
                    start_ms,
                };
                out.windows
                    .entry(window)
                    .and_modify(|agg| agg.add(time, value))
                    .or_insert_with(|| Aggregate::of(time, value));
            }
        }
    }
    out
}

/// The late dead letters of a run as (key, event time, lateness).
pub fn late_letters(run: &Run) -> Vec<(TagKey, u64, u64)> {
    let mut late: Vec<(TagKey, u64, u64)> = run
        .dead_letters
        .iter()
        .filter(|(letter, _)| letter.reason == Reason::Late)
        .flat_map(|(letter, count)| {
            std::iter::repeat_n(
                (letter.key, letter.time_ms, letter.detail as u64),
                usize::try_from(*count).unwrap(),
            )
        })
        .collect();
    late.sort_unstable();
    late
}

/// Number of dead letters with `reason`.
pub fn count_reason(run: &Run, reason: Reason) -> usize {
    run.dead_letters
        .iter()
        .filter(|(letter, _)| letter.reason == reason)
        .map(|(_, count)| usize::try_from(*count).unwrap())
        .sum()
}

/// Tumbling windows of `minutes`.
pub fn minutes(minutes: u64) -> WindowSpec {
    WindowSpec::tumbling(minutes * 60_000).unwrap()
}
