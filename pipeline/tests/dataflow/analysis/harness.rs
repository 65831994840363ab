//! Drives the standard graph with the analysis stage attached, and makes
//! simulated plant readings.

use std::sync::Arc;

use steamflow::config::{Config, DEMO_CONFIG, SourceConfig};
use steamflow::dataflow::analysis::{
    AlertRecord, AnalysisModel, AnalysisStage, BalanceRecord, LeakRecord, LossRecord, SteamState,
    TrapStatus,
};
use steamflow::dataflow::plant_rules::PlantRuleOptions;
use steamflow::dataflow::{
    BuildGraph, GraphConfig, KeyRegistry, OutputRecord, SourceId, Time, WorkerOptions, names,
};
use steamflow_operators::plant::Plant;
use steamflow_operators::reading::{PlantId, Reading};
use steamflow_simulator::{Fault, PlantSimulator, SimulatorConfig, Variation};

/// 2025-01-06T06:00:00Z, the demo's start.
pub const T0: i64 = 1_736_143_200_000;

/// A stream's settled updates and its contents at the end.
pub struct Stream<D> {
    pub updates: Vec<(D, Time, isize)>,
    pub contents: Vec<(D, isize)>,
}

/// What a run of the graph and the analysis delivered (worker 0's captures).
pub struct Run {
    pub steam_states: Stream<SteamState>,
    pub trap_statuses: Stream<TrapStatus>,
    pub balances: Stream<BalanceRecord>,
    pub losses: Stream<LossRecord>,
    pub leaks: Stream<LeakRecord>,
    pub alerts: Stream<AlertRecord>,
}

impl<D: Clone> Stream<D> {
    /// The records present at the end (each once: the analysis emits sets).
    pub fn records(&self) -> Vec<D> {
        self.contents.iter().map(|(d, _)| d.clone()).collect()
    }
}

/// The demo config, parsed.
pub fn demo_config() -> Config {
    Config::from_toml(DEMO_CONFIG, "demo.toml", &|_: &str| None).unwrap_or_else(|e| panic!("{e}"))
}

/// The demo plant.
pub fn demo_plant(config: &Config) -> Plant {
    config.plants["north"].clone()
}

/// The demo's simulator settings with `faults` instead of the demo's,
/// `minutes` long at one sample per `interval_ms`.
pub fn simulator(
    config: &Config,
    minutes: u64,
    interval_ms: u64,
    faults: Vec<Fault>,
) -> SimulatorConfig {
    let SourceConfig::Simulator(sim) = &config.sources["sim"] else {
        panic!("the demo's source is a simulator");
    };
    SimulatorConfig {
        duration_secs: minutes * 60,
        sample_interval_ms: interval_ms,
        faults,
        ..sim.clone()
    }
}

/// Every reading the simulator delivers, in delivery order.
pub fn simulate(plant: &Plant, sim: &SimulatorConfig) -> Vec<Reading> {
    let mut simulator =
        PlantSimulator::new("north", plant, sim).unwrap_or_else(|e| panic!("simulator: {e}"));
    let mut readings = Vec::new();
    while let Some(batch) = simulator.next_batch() {
        readings.extend(batch.readings);
    }
    readings
}

/// No demand swings and no sensor noise.
pub fn quiet() -> Variation {
    Variation::none()
}

/// A graph config with the given out-of-orderness and lateness [s].
pub fn graph_config(out_of_orderness_secs: u64, lateness_secs: u64) -> GraphConfig {
    let mut config = GraphConfig::default();
    config.ingest.out_of_orderness_ms = out_of_orderness_secs * 1000;
    config.ingest.allowed_lateness_ms = lateness_secs * 1000;
    // The analysis reads the base windows; rollups only cost time here.
    config.rollups = Vec::new();
    config
}

fn stream<D: OutputRecord>(captured: &steamflow::dataflow::Captured<D>) -> Stream<D> {
    Stream {
        updates: captured.updates(),
        contents: captured.contents(),
    }
}

/// Runs `feed` (source, reading) through the graph and the analysis on
/// `workers` threads; source `s` belongs to worker `s % workers` and
/// replays its readings in feed order, `batch` at a time.
pub fn run(
    config: GraphConfig,
    model: Arc<AnalysisModel>,
    workers: u16,
    batch: usize,
    feed: Vec<(usize, Reading)>,
) -> Run {
    run_with(config, model, workers, batch, feed, false)
}

/// [`run`] with the validation a driver configures from the plant model:
/// design limits (absurd values are dead letters) and saturation checks.
pub fn run_validated(
    config: GraphConfig,
    model: Arc<AnalysisModel>,
    workers: u16,
    batch: usize,
    feed: Vec<(usize, Reading)>,
) -> Run {
    run_with(config, model, workers, batch, feed, true)
}

fn run_with(
    mut config: GraphConfig,
    model: Arc<AnalysisModel>,
    workers: u16,
    batch: usize,
    feed: Vec<(usize, Reading)>,
    validate: bool,
) -> Run {
    let options = WorkerOptions {
        workers,
        ..WorkerOptions::default()
    };
    let registry = KeyRegistry::new();
    if validate {
        for plant in model.plants() {
            config.validation.add_plant(
                &registry,
                &PlantId::from(plant.id.as_str()),
                &plant.plant,
                &PlantRuleOptions::default(),
            );
        }
    }
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
            let model = Arc::clone(&model);
            let (mut ingest, captures) = worker.dataflow(|scope| {
                let (ingest, mut graph) = scope.steamflow_graph(config.clone(), registry).unwrap();
                graph.attach_analysis(model, &config).unwrap();
                let outputs = &graph.outputs;
                let captures = (
                    outputs.capture::<SteamState>(names::STEAM_STATES).unwrap(),
                    outputs.capture::<TrapStatus>(names::TRAP_STATUSES).unwrap(),
                    outputs.capture::<BalanceRecord>(names::BALANCES).unwrap(),
                    outputs.capture::<LossRecord>(names::LOSSES).unwrap(),
                    outputs.capture::<LeakRecord>(names::LEAKS).unwrap(),
                    outputs.capture::<AlertRecord>(names::ALERTS).unwrap(),
                );
                (ingest, captures)
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
            let (s, t, b, l, k, a) = captures;
            Run {
                steam_states: stream(&s),
                trap_statuses: stream(&t),
                balances: stream(&b),
                losses: stream(&l),
                leaks: stream(&k),
                alerts: stream(&a),
            }
        })
        .unwrap();
    results.into_iter().next().unwrap()
}

/// The window start [ms] `minutes` after T0.
pub fn minute(minutes: i64) -> u64 {
    u64::try_from(T0 + minutes * 60_000).unwrap()
}
