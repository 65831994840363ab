//! Sources as a run drives them: opened (and so checked) before the
//! workers start, each then pulled by the worker that owns it.
//!
//! A source is one logical source of the graph's ingest: its readings go in
//! under one [`SourceId`](crate::dataflow::SourceId), so it has its own
//! watermark. Source `i` (config order) runs on worker `i mod peers`.
//!
//! - `simulator`: the plant simulator, in process, as fast as it computes
//!   or paced by event time at a real-time factor;
//! - `file`: replay of a CSV, JSON Lines or Parquet file, full speed or
//!   paced (`realtime_factor`), with a progress bar;
//! - memory: readings already in memory (benchmarks and tests), full speed
//!   or paced;
//! - `modbus`, `mqtt`, `http`, `opcua`: network connectors, run on the
//!   run's async runtime and fed to their worker through a bounded channel
//!   ([`super::live`]) until the run stops.
//!
//! Rows of a file that do not decode never reach the graph: they are
//! counted per source and reason.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::ProgressBar;
use steamflow_operators::reading::Reading;
use steamflow_simulator::{PlantSimulator, SimulatorConfig};
use steamflow_source_file::{Batch as FileBatch, FileFormat, FileReplay, ReplayOptions};

use super::connector::Connector;
use super::live::{LiveFeed, LiveNews};
use crate::config::sources::FileFormat as ConfigFormat;
use crate::config::{Config, SourceConfig};

/// Readings pulled from one source per round of a worker's loop.
pub const PULL_READINGS: usize = 4096;

/// What a source is, before it is opened.
#[derive(Clone, Debug)]
pub enum SourceSpec {
    /// A simulated plant.
    Simulator {
        /// The plant id readings carry.
        plant_id: String,
        /// The plant model.
        plant: Box<steamflow_operators::plant::Plant>,
        /// Run settings and faults.
        config: Box<SimulatorConfig>,
        /// Pace by event time at this multiple of real time; `None`: full speed.
        realtime_factor: Option<f64>,
    },
    /// A file replay.
    File {
        /// The file.
        path: PathBuf,
        /// Replay settings.
        options: ReplayOptions,
    },
    /// Batches made on demand (load generators): each call of the
    /// generator gives the next batch, `None` at the end.
    Batches(Generator),
    /// A network connector (runs until the run stops).
    Live(Connector),
    /// Readings in memory, in delivery order.
    Memory {
        /// The readings.
        readings: Arc<[Reading]>,
        /// Pace by event time at this multiple of real time; `None`: full speed.
        realtime_factor: Option<f64>,
    },
}

/// A batch generator, shared so that a source spec stays cloneable.
#[derive(Clone)]
pub struct Generator(pub Arc<std::sync::Mutex<dyn FnMut() -> Option<Vec<Reading>> + Send>>);

impl Generator {
    /// A source of the batches `next` makes.
    pub fn new(next: impl FnMut() -> Option<Vec<Reading>> + Send + 'static) -> Generator {
        Generator(Arc::new(std::sync::Mutex::new(next)))
    }
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Generator")
    }
}

/// A configured source.
#[derive(Clone, Debug)]
pub struct NamedSource {
    /// The source id.
    pub id: String,
    /// What it is.
    pub spec: SourceSpec,
}

impl NamedSource {
    /// A short description for the terminal: `simulator of north`, `file x.csv`.
    pub fn description(&self) -> String {
        match &self.spec {
            SourceSpec::Simulator { plant_id, .. } => format!("simulator of {plant_id}"),
            SourceSpec::File { path, .. } => format!("file {}", path.display()),
            SourceSpec::Memory { readings, .. } => format!("{} readings in memory", readings.len()),
            SourceSpec::Batches(_) => "generated readings".to_owned(),
            SourceSpec::Live(connector) => {
                format!("{} {}", connector.kind(), connector.endpoint())
            }
        }
    }

    /// The plant a source's readings all belong to, when it is known up front.
    pub fn plant(&self) -> Option<&str> {
        match &self.spec {
            SourceSpec::Simulator { plant_id, .. } => Some(plant_id),
            SourceSpec::File { options, .. } => options.default_plant.as_deref(),
            SourceSpec::Live(connector) => connector.plant(),
            SourceSpec::Memory { .. } | SourceSpec::Batches(_) => None,
        }
    }
}

/// The sources of a config; `simulator_factor` paces every simulator.
pub fn sources_of(
    config: &Config,
    simulator_factor: Option<f64>,
) -> anyhow::Result<Vec<NamedSource>> {
    let mut sources = Vec::new();
    for (id, source) in &config.sources {
        let spec = match source {
            SourceConfig::Simulator(sim) => {
                let plant = config
                    .plants
                    .get(&sim.plant)
                    .with_context(|| format!("sources.{id}: no plant `{}`", sim.plant))?;
                SourceSpec::Simulator {
                    plant_id: sim.plant.clone(),
                    plant: Box::new(plant.clone()),
                    config: Box::new(sim.clone()),
                    realtime_factor: simulator_factor,
                }
            }
            SourceConfig::File(file) => SourceSpec::File {
                path: config.resolve(&file.path),
                options: ReplayOptions {
                    format: file.format.map(|f| match f {
                        ConfigFormat::Csv => FileFormat::Csv,
                        ConfigFormat::Jsonl => FileFormat::Jsonl,
                        ConfigFormat::Parquet => FileFormat::Parquet,
                    }),
                    realtime_factor: file.realtime_factor,
                    default_plant: file.plant.clone(),
                    batch_rows: PULL_READINGS,
                    progress: false,
                },
            },
            SourceConfig::Modbus(_)
            | SourceConfig::Mqtt(_)
            | SourceConfig::Http(_)
            | SourceConfig::Opcua(_) => match Connector::of(source) {
                Some(connector) => SourceSpec::Live(connector),
                None => anyhow::bail!("sources.{id}: not a network source"),
            },
            // The Fluvio client is a feature of its crate that this build
            // does not carry (it brings its own runtime and TLS stack).
            SourceConfig::Fluvio(_) => anyhow::bail!(
                "sources.{id}: `steamflow run` cannot run fluvio sources yet: the Fluvio \
                 client is not part of this build"
            ),
        };
        sources.push(NamedSource {
            id: id.clone(),
            spec,
        });
    }
    Ok(sources)
}

/// An opened source.
pub struct Driver {
    kind: DriverKind,
    pacer: Option<Pacer>,
    /// Readings pulled but not yet due (paced sources).
    held: Vec<Reading>,
    held_time_ms: i64,
}

enum DriverKind {
    Simulator(Box<PlantSimulator>),
    File {
        replay: Box<FileReplay>,
        batch: FileBatch,
    },
    Memory {
        readings: Arc<[Reading]>,
        next: usize,
    },
    Batches(Generator),
    Live(Box<LiveFeed>),
}

/// What one pull gave.
#[derive(Debug, PartialEq)]
pub enum Pulled {
    /// Readings were appended (possibly none, when only dead rows came).
    Ready,
    /// The readings are these of the source's own memory
    /// ([`Driver::in_place`]): nothing was copied.
    InPlace(std::ops::Range<usize>),
    /// Nothing is due before this long (a paced source).
    NotDue(Duration),
    /// The source is exhausted.
    Done,
    /// The source failed; it delivers nothing more.
    Failed(String),
}

/// Rows of a file that did not decode, by reason code, from one pull.
pub type DecodeErrors = Vec<(&'static str, u64)>;

impl Driver {
    /// Opens a source: builds the simulator, opens the file and reads its
    /// header or schema. An error here says what is wrong with the source.
    pub fn open(source: &NamedSource) -> anyhow::Result<Driver> {
        let (kind, factor) = match &source.spec {
            SourceSpec::Simulator {
                plant_id,
                plant,
                config,
                realtime_factor,
            } => {
                let sim = PlantSimulator::new(plant_id, plant, config)
                    .with_context(|| format!("source `{}` (simulator)", source.id))?;
                (DriverKind::Simulator(Box::new(sim)), *realtime_factor)
            }
            SourceSpec::File { path, options } => {
                let replay = FileReplay::open(path, options)
                    .with_context(|| format!("source `{}` (file)", source.id))?;
                let kind = DriverKind::File {
                    replay: Box::new(replay),
                    batch: FileBatch::new(),
                };
                // The replay paces itself.
                (kind, None)
            }
            SourceSpec::Memory {
                readings,
                realtime_factor,
            } => (
                DriverKind::Memory {
                    readings: Arc::clone(readings),
                    next: 0,
                },
                *realtime_factor,
            ),
            SourceSpec::Batches(generator) => (DriverKind::Batches(generator.clone()), None),
            SourceSpec::Live(connector) => anyhow::bail!(
                "source `{}` ({}) runs on the run's async runtime: start it with Driver::live",
                source.id,
                connector.kind()
            ),
        };
        let pacer = match factor {
            Some(f) if f.is_finite() && f > 0.0 => Some(Pacer::new(f)),
            Some(f) => anyhow::bail!(
                "source `{}`: the real-time factor must be a number greater than 0, found {f}",
                source.id
            ),
            None => None,
        };
        Ok(Driver {
            kind,
            pacer,
            held: Vec::new(),
            held_time_ms: 0,
        })
    }

    /// A network source, fed by its connector.
    pub fn live(feed: LiveFeed) -> Driver {
        Driver {
            kind: DriverKind::Live(Box::new(feed)),
            pacer: None,
            held: Vec::new(),
            held_time_ms: 0,
        }
    }

    /// What a network source saw besides readings since the last call
    /// (`None` for other sources).
    pub fn take_news(&mut self) -> Option<LiveNews> {
        match &mut self.kind {
            DriverKind::Live(feed) => Some(feed.take_news()),
            _ => None,
        }
    }

    /// Shows a file replay's progress on `bar`.
    pub fn set_progress_bar(&mut self, bar: ProgressBar) {
        if let DriverKind::File { replay, .. } = &mut self.kind {
            replay.set_progress_bar(bar);
        }
    }

    /// The fraction done, where it is known.
    pub fn progress(&self) -> Option<f64> {
        match &self.kind {
            DriverKind::Simulator(sim) => {
                Some(sim.steps_done() as f64 / sim.total_steps().max(1) as f64)
            }
            DriverKind::File { replay, .. } => {
                let stats = replay.stats();
                Some(stats.position as f64 / stats.total.max(1) as f64)
            }
            DriverKind::Memory { readings, next } => {
                Some(*next as f64 / readings.len().max(1) as f64)
            }
            DriverKind::Batches(_) | DriverKind::Live(_) => None,
        }
    }

    /// Appends up to about [`PULL_READINGS`] readings that are due to
    /// `out`, and counts the rows that did not decode in `dead`.
    pub fn pull(&mut self, out: &mut Vec<Reading>, dead: &mut DecodeErrors) -> Pulled {
        if !self.held.is_empty() {
            return self.release_held(out);
        }
        let start = out.len();
        let pulled = match &mut self.kind {
            DriverKind::Simulator(sim) => pull_simulator(sim, self.pacer.is_some(), out),
            DriverKind::File { replay, batch } => pull_file(replay, batch, out, dead),
            DriverKind::Live(feed) => feed.pull(out),
            DriverKind::Memory { readings, next } if self.pacer.is_none() => {
                // Unpaced memory hands out its own readings, uncopied.
                let begin = *next;
                let end = (begin + PULL_READINGS).min(readings.len());
                *next = end;
                return if begin < end {
                    Pulled::InPlace(begin..end)
                } else {
                    Pulled::Done
                };
            }
            DriverKind::Memory { readings, next } => pull_memory(readings, next, out),
            DriverKind::Batches(generator) => {
                let mut make = generator
                    .0
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let next = make();
                match next {
                    Some(mut batch) => {
                        out.append(&mut batch);
                        Pulled::Ready
                    }
                    None => Pulled::Done,
                }
            }
        };
        let Some(pacer) = &mut self.pacer else {
            return pulled;
        };
        if out.len() == start {
            return pulled;
        }
        // Paced: hold the readings until the latest of them is due.
        let latest = out
            .get(start..)
            .into_iter()
            .flatten()
            .map(|r| r.time_ms)
            .max();
        let latest = latest.unwrap_or(i64::MIN);
        self.held.extend(out.drain(start..));
        self.held_time_ms = latest;
        match pacer.wait_for(latest) {
            Some(wait) => Pulled::NotDue(wait),
            None => self.release_held(out),
        }
    }

    /// The readings an [`Pulled::InPlace`] pull named.
    pub fn in_place(&self, range: std::ops::Range<usize>) -> &[Reading] {
        match &self.kind {
            DriverKind::Memory { readings, .. } => readings.get(range).unwrap_or_default(),
            _ => &[],
        }
    }

    fn release_held(&mut self, out: &mut Vec<Reading>) -> Pulled {
        if let Some(pacer) = &mut self.pacer
            && let Some(wait) = pacer.wait_for(self.held_time_ms)
        {
            return Pulled::NotDue(wait);
        }
        out.append(&mut self.held);
        Pulled::Ready
    }
}

fn pull_simulator(sim: &mut PlantSimulator, paced: bool, out: &mut Vec<Reading>) -> Pulled {
    let mut any = false;
    while out.len() < PULL_READINGS {
        let Some(batch) = sim.next_batch() else {
            break;
        };
        any = true;
        out.extend(batch.readings);
        // A paced simulator hands out one sample time at a time.
        if paced {
            break;
        }
    }
    if any { Pulled::Ready } else { Pulled::Done }
}

fn pull_file(
    replay: &mut FileReplay,
    batch: &mut FileBatch,
    out: &mut Vec<Reading>,
    dead: &mut DecodeErrors,
) -> Pulled {
    match replay.next_batch(batch) {
        Ok(more) => {
            for letter in &batch.dead_letters {
                let code = letter.reason.code();
                match dead.iter_mut().find(|(c, _)| *c == code) {
                    Some((_, n)) => *n += 1,
                    None => dead.push((code, 1)),
                }
            }
            out.append(&mut batch.readings);
            if more { Pulled::Ready } else { Pulled::Done }
        }
        Err(error) => Pulled::Failed(error.to_string()),
    }
}

/// A paced memory source's next readings: one event-time millisecond at a
/// time, so that pacing is fine-grained.
fn pull_memory(readings: &[Reading], next: &mut usize, out: &mut Vec<Reading>) -> Pulled {
    let Some(rest) = readings.get(*next..).filter(|rest| !rest.is_empty()) else {
        return Pulled::Done;
    };
    let first = rest.first().map_or(0, |r| r.time_ms);
    let take = rest
        .iter()
        .take(PULL_READINGS)
        .position(|r| r.time_ms != first)
        .unwrap_or(rest.len().min(PULL_READINGS));
    out.extend(rest.iter().take(take).cloned());
    *next += take;
    Pulled::Ready
}

/// Paces by event time: the first reading fixes the origin; a reading of
/// event time `t` is due `(t − t0) / factor` after it.
#[derive(Debug)]
struct Pacer {
    factor: f64,
    origin: Option<(i64, Instant)>,
}

impl Pacer {
    fn new(factor: f64) -> Pacer {
        Pacer {
            factor,
            origin: None,
        }
    }

    /// How long until event time `time_ms` is due; `None` when it is.
    fn wait_for(&mut self, time_ms: i64) -> Option<Duration> {
        let (t0, w0) = *self.origin.get_or_insert((time_ms, Instant::now()));
        let ahead_ms = time_ms.saturating_sub(t0).max(0) as f64 / self.factor;
        let due = w0 + Duration::from_secs_f64((ahead_ms / 1000.0).min(1.0e9));
        let now = Instant::now();
        (due > now).then(|| due - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steamflow_operators::reading::Quality;

    fn reading(time_ms: i64) -> Reading {
        Reading {
            time_ms,
            plant: "p".into(),
            tag: "t".into(),
            value: 1.0,
            quality: Quality::Good,
            unit: None,
        }
    }

    fn memory(readings: Vec<Reading>, realtime_factor: Option<f64>) -> Driver {
        let source = NamedSource {
            id: "m".into(),
            spec: SourceSpec::Memory {
                readings: readings.into(),
                realtime_factor,
            },
        };
        Driver::open(&source).unwrap()
    }

    #[test]
    fn memory_sources_deliver_everything_in_order_then_end() {
        let mut driver = memory((0..10_000).map(reading).collect(), None);
        let (mut out, mut dead) = (Vec::new(), Vec::new());
        while let Pulled::InPlace(range) = driver.pull(&mut Vec::new(), &mut dead) {
            out.extend_from_slice(driver.in_place(range));
        }
        assert_eq!(out.len(), 10_000);
        assert!(out.windows(2).all(|w| w[0].time_ms < w[1].time_ms));
        assert_eq!(driver.progress(), Some(1.0));
    }

    #[test]
    fn paced_sources_hold_readings_until_due() {
        // 200 ms of event time at 1×: the last reading is due 200 ms after the first.
        let mut driver = memory(vec![reading(0), reading(100), reading(200)], Some(1.0));
        let (mut out, mut dead) = (Vec::new(), Vec::new());
        let started = Instant::now();
        loop {
            match driver.pull(&mut out, &mut dead) {
                Pulled::Ready | Pulled::InPlace(_) => {}
                Pulled::NotDue(wait) => std::thread::sleep(wait),
                Pulled::Done => break,
                Pulled::Failed(e) => panic!("{e}"),
            }
        }
        assert_eq!(out.len(), 3);
        assert!(started.elapsed() >= Duration::from_millis(190));
    }

    #[test]
    fn a_missing_file_is_an_error_that_names_the_source() {
        let source = NamedSource {
            id: "historian".into(),
            spec: SourceSpec::File {
                path: PathBuf::from("/nonexistent/readings.csv"),
                options: ReplayOptions::default(),
            },
        };
        let error = Driver::open(&source).err().unwrap();
        let text = format!("{error:#}");
        assert!(
            text.contains("historian") && text.contains("readings.csv"),
            "{text}"
        );
        let mut batches = 0;
        let generated = NamedSource {
            id: "g".into(),
            spec: SourceSpec::Batches(Generator::new(move || {
                batches += 1;
                (batches <= 3).then(|| vec![reading(batches)])
            })),
        };
        let mut driver = Driver::open(&generated).unwrap();
        let (mut out, mut dead) = (Vec::new(), Vec::new());
        while driver.pull(&mut out, &mut dead) == Pulled::Ready {}
        assert_eq!(out.len(), 3);
        let bad = NamedSource {
            id: "m".into(),
            spec: SourceSpec::Memory {
                readings: Vec::new().into(),
                realtime_factor: Some(0.0),
            },
        };
        assert!(Driver::open(&bad).is_err());
    }
}
