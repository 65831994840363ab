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
use super::ingest::SourceId;
use super::key::KeyRegistry;
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

/// Readings replayed per source between two steps of the worker.
const REPLAY_BATCH: usize = 1024;

/// What a replay did on one worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Readings this worker pushed.
    pub pushed: u64,
    /// Lines of the input that were not readings (skipped).
    pub malformed_lines: u64,
}

/// Replays a JSON Lines file of readings through the standard graph and
/// writes every named stream to `out_dir/<stream>.jsonl`.
///
/// Each plant is one logical source, owned by worker `plant index % peers`
/// (plants sorted by name), and replays its readings in file order; every
/// process reads the whole file and registers every name, so key names
/// resolve in every process. Lines that do not parse are skipped and counted.
pub fn replay_jsonl(
    options: &WorkerOptions,
    config: GraphConfig,
    input: &Path,
    out_dir: &Path,
) -> anyhow::Result<Vec<ReplaySummary>> {
    config.rollup_plan()?;
    let (readings, malformed_lines) = read_readings(input)?;
    let readings = Arc::new(readings);
    let out_dir = out_dir.to_path_buf();
    options.execute(move |worker| {
        let mut summary = replay_on_worker(worker, &config, &readings, &out_dir);
        summary.malformed_lines = malformed_lines;
        summary
    })
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

fn replay_on_worker(
    worker: &mut Worker,
    config: &GraphConfig,
    readings: &[Reading],
    out_dir: &Path,
) -> ReplaySummary {
    let (index, peers) = (worker.index(), worker.peers());
    let registry = KeyRegistry::new();
    let mut plants: Vec<PlantId> = readings.iter().map(|r| r.plant.clone()).collect();
    plants.sort();
    plants.dedup();
    for reading in readings {
        // Registering up front makes names resolvable in every process.
        let _ = registry.intern(&reading.plant, &reading.tag);
    }
    let mine: Vec<&PlantId> = plants
        .iter()
        .enumerate()
        .filter(|(plant_index, _)| plant_index % peers == index)
        .map(|(_, plant)| plant)
        .collect();
    let mut config = config.clone();
    config.sources_per_worker = mine.len();
    let graph_registry = Arc::clone(&registry);
    let built = worker.dataflow(|scope| {
        let (ingest, graph) = scope.steamflow_graph(config, graph_registry).ok()?;
        let names: Vec<String> = graph.outputs.names().map(str::to_owned).collect();
        for name in &names {
            let sink = JsonlSink::new(out_dir, name, index == 0);
            graph.outputs.subscribe(name, Box::new(sink)).ok()?;
        }
        Some(ingest)
    });
    let mut summary = ReplaySummary::default();
    // The configuration was checked before the workers started.
    let Some(mut ingest) = built else {
        return summary;
    };
    let mut per_source: Vec<Vec<Reading>> = vec![Vec::new(); mine.len()];
    for reading in readings {
        if let Some(source) = mine.iter().position(|plant| **plant == reading.plant)
            && let Some(queue) = per_source.get_mut(source)
        {
            queue.push(reading.clone());
        }
    }
    let mut cursors = vec![0_usize; per_source.len()];
    loop {
        let mut progressed = false;
        for (source, queue) in per_source.iter().enumerate() {
            let Some(cursor) = cursors.get_mut(source) else {
                continue;
            };
            let end = (*cursor + REPLAY_BATCH).min(queue.len());
            if let Some(batch) = queue.get(*cursor..end)
                && !batch.is_empty()
            {
                ingest.push(SourceId(source), batch);
                summary.pushed += batch.len() as u64;
                *cursor = end;
                progressed = true;
            }
        }
        worker.step();
        if !progressed {
            break;
        }
    }
    ingest.close();
    drop(ingest);
    // The dataflow completes once every sink has seen the empty frontier.
    while worker.step_or_park(None) {}
    summary
}
