//! Live counters of a run, shared by the workers that update them and the
//! terminal view that shows them: readings per plant, dead letters by plant
//! and reason, the watermark, each source's progress, each stream file.
//!
//! Workers update the counters once per batch, not per reading, so a lock
//! per update costs nothing measurable.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// What is known of one plant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlantStatus {
    /// Readings pushed into the graph.
    pub readings: u64,
    /// The earliest and latest event time pushed [ms].
    pub first_ms: Option<i64>,
    /// The latest event time pushed [ms].
    pub last_ms: Option<i64>,
    /// Dead letters by reason code (from the graph and from decoding).
    pub dead_letters: BTreeMap<String, u64>,
}

/// What is known of one source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceStatus {
    /// The source id.
    pub id: String,
    /// What it is (`simulator north`, `file readings.csv`).
    pub description: String,
    /// Readings delivered.
    pub readings: u64,
    /// Rows that did not decode, by reason code.
    pub decode_errors: BTreeMap<String, u64>,
    /// Done (exhausted or failed).
    pub done: bool,
    /// Why it stopped early.
    pub error: Option<String>,
    /// A network source run by this process.
    pub live: bool,
    /// Connected now (network sources).
    pub connected: bool,
    /// Connected at least once in this run (network sources).
    pub connected_once: bool,
    /// Spans in which it delivered nothing because it was disconnected.
    pub gaps: Vec<steamflow_source_core::Gap>,
}

/// One stream written by one sink.
#[derive(Debug)]
pub struct StreamOutput {
    /// The sink id.
    pub sink: String,
    /// The stream name.
    pub stream: String,
    /// The file, for file sinks.
    pub path: Option<PathBuf>,
    /// Rows (updates) written.
    pub rows: AtomicU64,
    /// The first failure, after which the stream was not written further.
    pub error: Mutex<Option<String>>,
}

impl StreamOutput {
    /// A new, empty record of a stream output.
    pub fn new(sink: &str, stream: &str, path: Option<PathBuf>) -> Arc<StreamOutput> {
        Arc::new(StreamOutput {
            sink: sink.to_owned(),
            stream: stream.to_owned(),
            path,
            rows: AtomicU64::new(0),
            error: Mutex::new(None),
        })
    }

    /// Counts `n` rows written.
    pub fn add_rows(&self, n: u64) {
        self.rows.fetch_add(n, Ordering::Relaxed);
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Keeps the first failure.
    pub fn fail(&self, error: impl std::fmt::Display) {
        lock(&self.error).get_or_insert_with(|| error.to_string());
    }

    /// The failure, if any.
    pub fn error(&self) -> Option<String> {
        lock(&self.error).clone()
    }
}

/// The counters of a run (see the [module docs](self)).
#[derive(Debug)]
pub struct Status {
    started: Instant,
    plants: Mutex<BTreeMap<String, PlantStatus>>,
    sources: Mutex<Vec<SourceStatus>>,
    outputs: Mutex<Vec<Arc<StreamOutput>>>,
    warnings: Mutex<Vec<String>>,
    /// The dataflow frontier (the watermark tick) [ms]; 0 before any.
    frontier_ms: AtomicU64,
    /// When the first readings went into the graph.
    first_push: std::sync::OnceLock<Instant>,
}

/// Locks a mutex, taking the data of a poisoned one (a panicked worker
/// must not hide the counters from the report).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Status {
    /// Counters for a run starting now, with its sources.
    pub fn new(sources: Vec<SourceStatus>) -> Arc<Status> {
        Arc::new(Status {
            started: Instant::now(),
            plants: Mutex::new(BTreeMap::new()),
            sources: Mutex::new(sources),
            outputs: Mutex::new(Vec::new()),
            warnings: Mutex::new(Vec::new()),
            frontier_ms: AtomicU64::new(0),
            first_push: std::sync::OnceLock::new(),
        })
    }

    /// When the run started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Notes that readings are going into the graph (the first call counts).
    pub fn note_first_push(&self) {
        self.first_push.get_or_init(Instant::now);
    }

    /// When the first readings went into the graph.
    pub fn first_push(&self) -> Option<Instant> {
        self.first_push.get().copied()
    }

    /// Counts readings of `plant` with event times from `first_ms` to `last_ms`.
    pub fn add_readings(&self, plant: &str, count: u64, first_ms: i64, last_ms: i64) {
        let mut plants = lock(&self.plants);
        let status = match plants.get_mut(plant) {
            Some(status) => status,
            None => plants.entry(plant.to_owned()).or_default(),
        };
        status.readings += count;
        status.first_ms = Some(status.first_ms.map_or(first_ms, |t| t.min(first_ms)));
        status.last_ms = Some(status.last_ms.map_or(last_ms, |t| t.max(last_ms)));
    }

    /// Counts dead letters of `plant` for `reason`.
    pub fn add_dead_letters(&self, plant: &str, reason: &str, count: u64) {
        let mut plants = lock(&self.plants);
        let status = plants.entry(plant.to_owned()).or_default();
        *status.dead_letters.entry(reason.to_owned()).or_default() += count;
    }

    /// Ready: every network source of this process connected at least once.
    pub fn ready(&self) -> bool {
        lock(&self.sources)
            .iter()
            .all(|s| !s.live || s.connected_once)
    }

    /// Updates source `index` with `update`.
    pub fn update_source(&self, index: usize, update: impl FnOnce(&mut SourceStatus)) {
        if let Some(source) = lock(&self.sources).get_mut(index) {
            update(source);
        }
    }

    /// Records a stream output.
    pub fn add_output(&self, output: Arc<StreamOutput>) {
        lock(&self.outputs).push(output);
    }

    /// Records something the user should know that does not stop the run.
    pub fn warn(&self, warning: impl Into<String>) {
        let warning = warning.into();
        let mut warnings = lock(&self.warnings);
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }

    /// Raises the frontier the view shows.
    pub fn set_frontier(&self, frontier_ms: u64) {
        self.frontier_ms.fetch_max(frontier_ms, Ordering::Relaxed);
    }

    /// The frontier [ms], `None` before any.
    pub fn frontier_ms(&self) -> Option<u64> {
        Some(self.frontier_ms.load(Ordering::Relaxed)).filter(|f| *f > 0)
    }

    /// The plants, by name.
    pub fn plants(&self) -> BTreeMap<String, PlantStatus> {
        lock(&self.plants).clone()
    }

    /// The sources, in config order.
    pub fn sources(&self) -> Vec<SourceStatus> {
        lock(&self.sources).clone()
    }

    /// Every stream output, in the order they were opened.
    pub fn outputs(&self) -> Vec<Arc<StreamOutput>> {
        lock(&self.outputs).clone()
    }

    /// The warnings, in order.
    pub fn warnings(&self) -> Vec<String> {
        lock(&self.warnings).clone()
    }

    /// Readings of every plant.
    pub fn total_readings(&self) -> u64 {
        lock(&self.plants).values().map(|p| p.readings).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_add_up_per_plant_and_reason() {
        let status = Status::new(vec![SourceStatus {
            id: "sim".into(),
            ..SourceStatus::default()
        }]);
        status.add_readings("north", 10, 2_000, 5_000);
        status.add_readings("north", 5, 1_000, 3_000);
        status.add_dead_letters("north", "late", 2);
        status.add_dead_letters("north", "late", 1);
        status.update_source(0, |s| s.readings += 15);
        status.update_source(7, |s| s.readings += 1);
        let north = &status.plants()["north"];
        assert_eq!(north.readings, 15);
        assert_eq!((north.first_ms, north.last_ms), (Some(1_000), Some(5_000)));
        assert_eq!(north.dead_letters["late"], 3);
        assert_eq!(status.sources()[0].readings, 15);
        status.set_frontier(60_000);
        status.set_frontier(0);
        assert_eq!(status.frontier_ms(), Some(60_000));
        let output = StreamOutput::new("files", "alerts", None);
        output.fail("disk full");
        output.fail("later");
        assert_eq!(output.error().as_deref(), Some("disk full"));
        status.warn("x");
        status.warn("x");
        assert_eq!(status.warnings().len(), 1);
    }
}
