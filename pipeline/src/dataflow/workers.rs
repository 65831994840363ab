//! Workers and processes: timely's `-w`, `-n`, `-p` and `-h hostfile`, and
//! a driver that replays readings through the standard graph.
//!
//! ```
//! use steamflow::dataflow::WorkerOptions;
//!
//! let options = WorkerOptions { workers: 2, ..WorkerOptions::default() };
//! let indexes = options.execute(|worker| worker.index()).unwrap();
//! assert_eq!(indexes, vec![0, 1]);
//! ```

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use steamflow_operators::reading::{PlantId, Reading};
use timely::communication::Config as CommunicationConfig;
use timely::worker::Worker;

use super::graph::{BuildGraph, GraphConfig};
use super::ingest::{Ingest, SourceId};
use super::key::KeyRegistry;
use super::outputs::{OutputError, Outputs};
use super::sink::JsonlSink;

/// How many workers, in how many processes (timely's options).
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct WorkerOptions {
    /// Worker threads per process.
    #[arg(short = 'w', long = "workers", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: u16,
    /// Number of processes.
    #[arg(short = 'n', long = "processes", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub processes: u16,
    /// Index of this process, 0-based.
    #[arg(short = 'p', long = "process", default_value_t = 0)]
    pub process: u16,
    /// File with one `host:port` per process (default: localhost:2101, 2102, …).
    #[arg(short = 'h', long = "hostfile")]
    pub hostfile: Option<PathBuf>,
    /// Report connection progress between processes.
    #[arg(long = "report-connections")]
    pub report: bool,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            workers: 1,
            processes: 1,
            process: 0,
            hostfile: None,
            report: false,
        }
    }
}

/// The first port of the default addresses, as timely numbers them.
const DEFAULT_BASE_PORT: usize = 2101;

impl WorkerOptions {
    /// Total workers over all processes.
    pub fn peers(&self) -> usize {
        usize::from(self.workers) * usize::from(self.processes)
    }

    /// The timely configuration these options describe.
    pub fn timely_config(&self) -> anyhow::Result<timely::Config> {
        let (workers, processes, process) = (
            usize::from(self.workers),
            usize::from(self.processes),
            usize::from(self.process),
        );
        if process >= processes {
            bail!("process index -p {process} must be below the process count -n {processes}");
        }
        let communication = if processes > 1 {
            CommunicationConfig::Cluster {
                threads: workers,
                process,
                addresses: self.addresses()?,
                report: self.report,
                zerocopy: false,
            }
        } else if workers > 1 {
            CommunicationConfig::Process(workers)
        } else {
            CommunicationConfig::Thread
        };
        Ok(timely::Config {
            communication,
            worker: timely::WorkerConfig::default(),
        })
    }

    fn addresses(&self) -> anyhow::Result<Vec<String>> {
        let processes = usize::from(self.processes);
        let Some(path) = &self.hostfile else {
            return Ok((0..processes)
                .map(|index| format!("localhost:{}", DEFAULT_BASE_PORT + index))
                .collect());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the hostfile {}", path.display()))?;
        let addresses: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .take(processes)
            .map(str::to_owned)
            .collect();
        if addresses.len() < processes {
            bail!(
                "the hostfile {} lists {} addresses, but -n is {processes}",
                path.display(),
                addresses.len()
            );
        }
        Ok(addresses)
    }

    /// Runs `func` on every worker of this process; returns their results
    /// in worker order.
    pub fn execute<T, F>(&self, func: F) -> anyhow::Result<Vec<T>>
    where
        T: Send + 'static,
        F: Fn(&mut Worker) -> T + Send + Sync + 'static,
    {
        let guards = timely::execute(self.timely_config()?, func)
            .map_err(|e| anyhow::anyhow!("cannot start the workers: {e}"))?;
        guards
            .join()
            .into_iter()
            .map(|result| result.map_err(|e| anyhow::anyhow!("a worker failed: {e}")))
            .collect()
    }
}

/// What a [`Feed`] has for the dataflow when polled.
#[derive(Clone, Debug, PartialEq)]
pub enum Polled {
    /// A batch of readings, in the source's delivery order.
    Readings(Vec<Reading>),
    /// Nothing now; poll again later.
    Idle,
    /// Nothing now, but the source vouches that no reading before this
    /// event time [ms] will come (a heartbeat): its windows may close.
    Watermark(u64),
    /// The source has ended.
    Done,
}

/// One logical source as the driver sees it: polled for batches.
///
/// Connectors (`sources/`) adapt their events to this; the driver knows no
/// protocol.
pub trait Feed {
    /// The next thing the source has.
    fn poll(&mut self) -> Polled;
}

/// A source replaying readings from memory, `batch` at a time.
pub struct VecFeed {
    readings: std::vec::IntoIter<Reading>,
    batch: usize,
}

impl VecFeed {
    /// Replays `readings` in order, `batch` per poll.
    pub fn new(readings: Vec<Reading>, batch: usize) -> Self {
        VecFeed {
            readings: readings.into_iter(),
            batch: batch.max(1),
        }
    }
}

impl Feed for VecFeed {
    fn poll(&mut self) -> Polled {
        let batch: Vec<Reading> = self.readings.by_ref().take(self.batch).collect();
        if batch.is_empty() {
            Polled::Done
        } else {
            Polled::Readings(batch)
        }
    }
}

/// What one worker's ingest did in a [`run`].
pub type RunSummary = super::ingest::IngestCounters;

/// Runs the standard graph on the workers of `options`: the `run` entry
/// point.
///
/// - `registry` is this process's key registry, shared by its workers;
///   names and routes known from the config should be registered (the same
///   way in every process) before the call.
/// - `feeds(worker index, peers)` makes the logical sources a worker
///   drives; a source must be driven by one worker only.
/// - `sinks(&outputs, worker index)` subscribes sinks to the named
///   streams; it runs on every worker, while the graph is built.
///
/// Each worker polls its feeds round-robin, pushing what they give and
/// stepping the dataflow between rounds; when every feed is done it closes
/// its input and steps until the graph has drained. Returns each local
/// worker's ingest counters.
pub fn run<F, K>(
    options: &WorkerOptions,
    config: GraphConfig,
    registry: Arc<KeyRegistry>,
    feeds: F,
    sinks: K,
) -> anyhow::Result<Vec<RunSummary>>
where
    F: Fn(usize, usize) -> Vec<Box<dyn Feed>> + Send + Sync + 'static,
    K: for<'scope> Fn(&Outputs<'scope>, usize) -> Result<(), OutputError> + Send + Sync + 'static,
{
    config.rollup_plan()?;
    let results = options.execute(move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let mut feeds = feeds(index, peers);
        let mut config = config.clone();
        config.sources_per_worker = feeds.len();
        let registry = Arc::clone(&registry);
        let built = worker.dataflow(|scope| -> anyhow::Result<Ingest> {
            let (ingest, graph) = scope.steamflow_graph(config, registry)?;
            sinks(&graph.outputs, index)?;
            Ok(ingest)
        });
        built.map(|mut ingest| {
            drive(worker, &mut ingest, &mut feeds);
            let counters = ingest.counters();
            drop(ingest);
            // The graph is drained once every sink has seen the empty frontier.
            while worker.step_or_park(None) {}
            counters
        })
    })?;
    results.into_iter().collect()
}

/// How long an idle worker parks before polling its feeds again.
const IDLE_PARK: std::time::Duration = std::time::Duration::from_millis(5);

fn drive(worker: &mut Worker, ingest: &mut Ingest, feeds: &mut [Box<dyn Feed>]) {
    let mut open = vec![true; feeds.len()];
    while open.contains(&true) {
        let mut busy = false;
        for (source, feed) in feeds.iter_mut().enumerate() {
            let Some(is_open) = open.get_mut(source).filter(|is_open| **is_open) else {
                continue;
            };
            match feed.poll() {
                Polled::Readings(batch) => {
                    ingest.push(SourceId(source), &batch);
                    busy = true;
                }
                Polled::Watermark(watermark_ms) => {
                    ingest.advance_watermark(SourceId(source), watermark_ms);
                }
                Polled::Idle => {}
                Polled::Done => {
                    ingest.close_source(SourceId(source));
                    *is_open = false;
                }
            }
        }
        if busy {
            worker.step();
        } else {
            worker.step_or_park(Some(IDLE_PARK));
        }
    }
    ingest.close();
}

/// Readings replayed per source between two steps of the worker.
const REPLAY_BATCH: usize = 1024;

/// Replays a JSON Lines file of readings through the standard graph and
/// writes every named stream to `out_dir/<stream>.jsonl`.
///
/// Each plant is one logical source, owned by worker `plant index % peers`
/// (plants sorted by name), and replays its readings in file order. With
/// `preregister`, every process registers every name of the file up front
/// (as it would from a config); without, names travel between processes
/// as their sources first see them. Lines that do not parse are skipped
/// and counted (the second value returned).
pub fn replay_jsonl(
    options: &WorkerOptions,
    config: GraphConfig,
    input: &Path,
    out_dir: &Path,
    preregister: bool,
) -> anyhow::Result<(Vec<RunSummary>, u64)> {
    let (readings, malformed_lines) = read_readings(input)?;
    let registry = KeyRegistry::new();
    if preregister {
        for reading in &readings {
            let _ = registry.intern(&reading.plant, &reading.tag);
        }
    }
    let mut plants: Vec<PlantId> = readings.iter().map(|r| r.plant.clone()).collect();
    plants.sort();
    plants.dedup();
    let readings = Arc::new(readings);
    let out_dir = out_dir.to_path_buf();
    let feeds = move |index: usize, peers: usize| -> Vec<Box<dyn Feed>> {
        plants
            .iter()
            .enumerate()
            .filter(|(plant_index, _)| plant_index % peers == index)
            .map(|(_, plant)| {
                let mine = readings
                    .iter()
                    .filter(|r| r.plant == *plant)
                    .cloned()
                    .collect();
                Box::new(VecFeed::new(mine, REPLAY_BATCH)) as Box<dyn Feed>
            })
            .collect()
    };
    let sinks = move |outputs: &Outputs<'_>, index: usize| -> Result<(), OutputError> {
        let names: Vec<String> = outputs.names().map(str::to_owned).collect();
        for name in &names {
            outputs.subscribe(name, Box::new(JsonlSink::new(&out_dir, name, index == 0)))?;
        }
        Ok(())
    };
    let summaries = run(options, config, registry, feeds, sinks)?;
    Ok((summaries, malformed_lines))
}

fn read_readings(input: &Path) -> anyhow::Result<(Vec<Reading>, u64)> {
    let file =
        std::fs::File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let mut readings = Vec::new();
    let mut malformed = 0;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.with_context(|| format!("cannot read {}", input.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Reading>(&line) {
            Ok(reading) => readings.push(reading),
            Err(_) => malformed += 1,
        }
    }
    Ok((readings, malformed))
}
