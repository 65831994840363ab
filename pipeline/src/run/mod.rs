//! Running a config: sources feed the graph on timely's workers, the graph's
//! named streams go to the configured sinks, and a terminal view shows the
//! run as it goes. `steamflow run` and `steamflow demo` are thin shells
//! over [`execute`].
//!
//! ```text
//!  sources (one per SourceId, spread over workers) ──▶ Ingest ──▶ standard graph (+ stages)
//!                    │ raw readings                                 │ named streams
//!                    ▼                                              ▼
//!       <source>.jsonl / .parquet              jsonl / parquet / console sinks, collectors
//! ```
//!
//! | module | concern |
//! |---|---|
//! | [`plan`] | config → graph configuration (windows, watermarks, validation) |
//! | [`sources`] | opening and pulling sources, pacing |
//! | [`sinks`] | the configured sinks, subscribed by stream name |
//! | [`parquet`] | one stream's Parquet file |
//! | [`console`] | the terminal view |
//! | [`status`] | live counters shared by workers and the view |
//! | [`collect`] | streams kept in memory for summaries |
//! | [`stages`] | the stages built on the standard graph (analysis) |
//! | [`summary`] | the end-of-run summary for plant engineers |

pub mod alerts;
pub mod collect;
pub mod console;
pub mod parquet;
pub mod plan;
pub mod sinks;
pub mod sources;
pub mod stages;
pub mod status;
pub mod summary;

use std::collections::BTreeMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use steamflow_operators::reading::{PlantId, Reading, Tag};
use timely::dataflow::operators::Probe;
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::worker::Worker;

use crate::config::Config;
use crate::dataflow::{
    BuildGraph, DeadLetter, Ingest, KeyRegistry, SourceId, Time, WorkerOptions, names,
};
use collect::Collected;
use console::{Console, ConsoleEvent, ConsoleOptions};
use plan::Plan;
use sinks::{RawSinks, SinkSpec};
use sources::{DecodeErrors, Driver, NamedSource, Pulled};
use status::{SourceStatus, Status, lock};

/// A live subscription made on every worker: `make(worker index)` gives
/// the sink (only worker 0's receives updates). For benchmarks and tests
/// that observe a stream as it is made.
#[derive(Clone)]
pub struct Tap {
    /// The stream.
    pub stream: String,
    /// Makes the sink of one worker.
    pub make: Arc<dyn Fn(usize) -> Box<dyn crate::dataflow::RecordSink> + Send + Sync>,
}

impl std::fmt::Debug for Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tap")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Workers and processes.
    pub workers: WorkerOptions,
    /// Show the terminal view.
    pub console: bool,
    /// In the view, stream updates only (no status, no progress).
    pub quiet: bool,
    /// Streams to keep in memory for the caller ([`RunReport::collected`]).
    pub collect: Vec<String>,
    /// Live subscriptions of the caller.
    pub taps: Vec<Tap>,
}

/// What a run did.
pub struct RunReport {
    /// The counters at the end.
    pub status: Arc<Status>,
    /// The streams asked for in [`RunOptions::collect`].
    pub collected: Collected,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The plan the graph ran.
    pub plan: Plan,
}

impl RunReport {
    /// Every failure: sources that stopped early, streams that could not be written.
    pub fn errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = self
            .status
            .sources()
            .into_iter()
            .filter_map(|s| s.error.map(|e| format!("source `{}`: {e}", s.id)))
            .collect();
        errors.extend(self.status.outputs().iter().filter_map(|o| {
            o.error()
                .map(|e| format!("sink `{}`, stream `{}`: {e}", o.sink, o.stream))
        }));
        errors
    }
}

/// Opens every source of this process, so that a source that cannot run
/// is reported before anything starts (`--check` stops here).
pub fn check_sources(sources: &[NamedSource]) -> anyhow::Result<()> {
    for source in sources {
        Driver::open(source)?;
    }
    Ok(())
}

/// A source taken by the worker that runs it.
struct Owned {
    /// Index in the run's source list (and in the status).
    index: usize,
    /// The plant its readings belong to, when one.
    plant: Option<String>,
    driver: Driver,
    raw: RawSinks,
    done: bool,
}

/// What the workers share.
struct Shared {
    plan: Plan,
    registry: Arc<KeyRegistry>,
    sinks: Vec<SinkSpec>,
    source_ids: Vec<String>,
    /// Per source: the global worker that runs it, and (in this process) the opened driver.
    owned: Mutex<Vec<(usize, Option<Owned>)>>,
    status: Arc<Status>,
    console: Option<Sender<ConsoleEvent>>,
    collect: Vec<String>,
    collected: Collected,
    taps: Vec<Tap>,
}

impl Shared {
    /// True when a sink, collector or tap reads the stream `name`.
    fn reads(&self, name: &str) -> bool {
        let candidates = [name.to_owned()];
        self.sinks
            .iter()
            .any(|sink| !sinks::resolve(&sink.inputs, &candidates, &[]).0.is_empty())
            || self.collect.iter().any(|s| s == name)
            || self.taps.iter().any(|tap| tap.stream == name)
    }
}

/// Runs `sources` through the graph of `config` to completion (every
/// source exhausted), writing the configured sinks.
///
/// Fatal errors — a config the dataflow cannot run, a source that cannot be
/// opened, workers that cannot start — are returned before anything runs.
/// Failures during the run (a file that turns out corrupt, a disk that
/// fills) stop the source or stream concerned and are listed by
/// [`RunReport::errors`]; readings never stop the run.
pub fn execute(
    config: &Config,
    sources: Vec<NamedSource>,
    options: &RunOptions,
) -> anyhow::Result<RunReport> {
    let registry = KeyRegistry::new();
    let plan = Plan::new(config, &registry)?;
    let peers = options.workers.peers();
    let local = usize::from(options.workers.process) * usize::from(options.workers.workers);
    let local = local..local + usize::from(options.workers.workers);
    let status = Status::new(
        sources
            .iter()
            .map(|s| SourceStatus {
                id: s.id.clone(),
                description: s.description(),
                ..SourceStatus::default()
            })
            .collect(),
    );
    let console = options.console.then(|| {
        Console::start(
            Arc::clone(&status),
            ConsoleOptions::detect(options.quiet, u64::from(plan.graph.base_window.size_ms)),
        )
    });
    let console_tx = console.as_ref().map(Console::sender);
    let sinks = sinks::sinks_of(config);
    let alert_routers = alerts::routers(&sinks);
    let source_ids: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();
    let mut owned = Vec::with_capacity(sources.len());
    for (index, source) in sources.iter().enumerate() {
        let worker = index % peers.max(1);
        if !local.contains(&worker) {
            owned.push((worker, None));
            continue;
        }
        let mut driver = match Driver::open(source) {
            Ok(driver) => driver,
            Err(error) => {
                if let Some(console) = console {
                    console.finish();
                }
                return Err(error);
            }
        };
        if let Some(console) = &console
            && matches!(source.spec, sources::SourceSpec::File { .. })
        {
            driver.set_progress_bar(console.progress_bar());
        }
        let raw = RawSinks::open(
            &sinks,
            &source.id,
            &source_ids,
            &status,
            console_tx.as_ref(),
        );
        owned.push((
            worker,
            Some(Owned {
                index,
                plant: source.plant().map(str::to_owned),
                driver,
                raw,
                done: false,
            }),
        ));
    }
    for (plant_id, plant) in &config.plants {
        // Every process knows every bound tag's name, wherever it is read.
        let plant_id = PlantId::from(plant_id.as_str());
        for binding in plant.tag_bindings() {
            let _ = registry.intern(&plant_id, &Tag::from(binding.tag));
        }
    }
    let collected = Collected::default();
    let shared = Arc::new(Shared {
        plan: plan.clone(),
        registry,
        sinks,
        source_ids,
        owned: Mutex::new(owned),
        status: Arc::clone(&status),
        console: console_tx,
        collect: options.collect.clone(),
        collected: collected.clone(),
        taps: options.taps.clone(),
    });
    let started = Instant::now();
    let outcome = options
        .workers
        .execute(move |worker| run_worker(worker, &shared));
    // What the group windows hold still goes out; retries get a grace period.
    for router in alert_routers {
        router.close(alerts::CLOSE_GRACE);
    }
    if let Some(console) = console {
        console.finish();
    }
    let results = outcome?;
    if let Some(error) = results.into_iter().find_map(Result::err) {
        return Err(anyhow::anyhow!(error));
    }
    Ok(RunReport {
        status,
        collected,
        elapsed: started.elapsed(),
        plan,
    })
}

/// One worker: builds the graph, drives its sources, then lets the
/// dataflow drain.
fn run_worker(worker: &mut Worker, shared: &Shared) -> Result<(), String> {
    let index = worker.index();
    let mut mine: Vec<Owned> = {
        let mut owned = lock(&shared.owned);
        owned
            .iter_mut()
            .filter(|(w, _)| *w == index)
            .filter_map(|(_, source)| source.take())
            .collect()
    };
    let mut graph_config = shared.plan.graph.clone();
    graph_config.sources_per_worker = mine.len();
    let registry = Arc::clone(&shared.registry);
    let built = worker.dataflow(|scope| -> Result<(Ingest, ProbeHandle<Time>), String> {
        let (ingest, mut graph) = scope
            .steamflow_graph(graph_config, Arc::clone(&registry))
            .map_err(|e| e.to_string())?;
        stages::attach(&mut graph, &shared.plan, |name| shared.reads(name))
            .map_err(|e| format!("{e:#}"))?;
        // The dead letters run at the readings' frontier and carry little
        // data: a probe there costs no copy of every reading.
        let (probe, _) = graph.dead_letters.clone().probe();
        sinks::attach(
            &shared.sinks,
            &graph.outputs,
            &shared.source_ids,
            index,
            &shared.status,
            shared.console.as_ref(),
        );
        count_dead_letters(&graph.outputs, &registry, &shared.status);
        for stream in &shared.collect {
            if graph.outputs.names().any(|name| name == stream) {
                let sink = shared.collected.sink(stream);
                graph
                    .outputs
                    .subscribe_records(stream, sink)
                    .map_err(|e| e.to_string())?;
            }
        }
        for tap in &shared.taps {
            if graph.outputs.names().any(|name| name == tap.stream) {
                graph
                    .outputs
                    .subscribe_live(&tap.stream, (tap.make)(index))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok((ingest, probe))
    });
    let (mut ingest, probe) = built?;
    drive(worker, &mut ingest, &probe, &mut mine, &shared.status);
    ingest.close();
    drop(ingest);
    while worker.step_or_park(Some(Duration::from_millis(100))) {
        note_frontier(&probe, &shared.status);
    }
    for source in mine {
        source.raw.close();
    }
    Ok(())
}

/// Counts the graph's dead letters per plant and reason (worker 0).
fn count_dead_letters(
    outputs: &crate::dataflow::Outputs<'_>,
    registry: &Arc<KeyRegistry>,
    status: &Arc<Status>,
) {
    let registry = Arc::clone(registry);
    let into = Arc::clone(status);
    let counted = outputs.settle(
        names::DEAD_LETTERS,
        move |_time, updates: &[(DeadLetter, isize)]| {
            let mut counts: BTreeMap<(String, &'static str), i64> = BTreeMap::new();
            for (letter, diff) in updates {
                let plant = registry
                    .lookup(letter.key)
                    .map_or_else(|| "?".to_owned(), |entry| entry.plant.as_str().to_owned());
                *counts.entry((plant, letter.reason.code())).or_default() += *diff as i64;
            }
            for ((plant, reason), n) in counts {
                into.add_dead_letters(&plant, reason, u64::try_from(n).unwrap_or(0));
            }
        },
    );
    if let Err(error) = counted {
        // The standard graph always publishes its dead letters.
        status.warn(error.to_string());
    }
}

fn note_frontier(probe: &ProbeHandle<Time>, status: &Status) {
    probe.with_frontier(|frontier| {
        if let Some(low) = frontier.iter().min() {
            status.set_frontier(*low);
        }
    });
}

/// Pulls every source of this worker round by round until all are done.
fn drive(
    worker: &mut Worker,
    ingest: &mut Ingest,
    probe: &ProbeHandle<Time>,
    mine: &mut [Owned],
    status: &Status,
) {
    let mut buffer: Vec<Reading> = Vec::with_capacity(sources::PULL_READINGS * 2);
    let mut dead: DecodeErrors = Vec::new();
    loop {
        let mut open = 0;
        let mut pushed = false;
        let mut next_due: Option<Duration> = None;
        for (local, source) in mine.iter_mut().enumerate() {
            if source.done {
                continue;
            }
            open += 1;
            buffer.clear();
            dead.clear();
            let pulled = source.driver.pull(&mut buffer, &mut dead);
            if !dead.is_empty() {
                record_decode_errors(source, &dead, status);
            }
            match pulled {
                Pulled::Ready | Pulled::InPlace(_) => {
                    let batch = match &pulled {
                        Pulled::InPlace(range) => source.driver.in_place(range.clone()),
                        _ => &buffer,
                    };
                    if !batch.is_empty() {
                        status.note_first_push();
                        ingest.push(SourceId(local), batch);
                        source.raw.write(batch);
                        record_readings(source.index, source.plant.is_none(), batch, status);
                        pushed = true;
                    }
                }
                Pulled::NotDue(wait) => {
                    next_due = Some(next_due.map_or(wait, |d: Duration| d.min(wait)));
                }
                Pulled::Done => {
                    source.done = true;
                    ingest.close_source(SourceId(local));
                    status.update_source(source.index, |s| s.done = true);
                }
                Pulled::Failed(error) => {
                    source.done = true;
                    ingest.close_source(SourceId(local));
                    status.update_source(source.index, |s| {
                        s.done = true;
                        s.error = Some(error);
                    });
                }
            }
        }
        if open == 0 {
            break;
        }
        if pushed {
            worker.step();
        } else {
            worker.step_or_park(next_due);
        }
        note_frontier(probe, status);
    }
}

fn record_decode_errors(source: &Owned, dead: &DecodeErrors, status: &Status) {
    let plant = source.plant.clone().unwrap_or_else(|| "?".to_owned());
    for (code, n) in dead {
        status.add_dead_letters(&plant, code, *n);
    }
    status.update_source(source.index, |s| {
        for (code, n) in dead {
            *s.decode_errors.entry((*code).to_owned()).or_default() += n;
        }
    });
}

/// Counts a batch per plant (runs of one plant counted at once; a source
/// of one known plant is counted without looking).
fn record_readings(index: usize, mixed: bool, batch: &[Reading], status: &Status) {
    status.update_source(index, |s| s.readings += batch.len() as u64);
    let span = |slice: &[Reading]| {
        slice.iter().fold((i64::MAX, i64::MIN), |(lo, hi), r| {
            (lo.min(r.time_ms), hi.max(r.time_ms))
        })
    };
    if !mixed {
        if let Some(first) = batch.first() {
            let (lo, hi) = span(batch);
            status.add_readings(first.plant.as_str(), batch.len() as u64, lo, hi);
        }
        return;
    }
    let mut start = 0;
    while let Some(first) = batch.get(start) {
        let run = batch
            .get(start..)
            .map_or(0, |rest| {
                rest.iter().take_while(|r| r.plant == first.plant).count()
            })
            .max(1);
        let (lo, hi) = span(batch.get(start..start + run).unwrap_or_default());
        status.add_readings(first.plant.as_str(), run as u64, lo, hi);
        start += run;
    }
}

/// Loads a config as `steamflow validate` reads it, with its errors
/// printed the same way.
pub fn load_config(path: &std::path::Path) -> anyhow::Result<Config> {
    Config::load(path).with_context(|| format!("{} is not a valid config", path.display()))
}
