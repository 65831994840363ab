//! Runs the demo plant with a fault schedule through the graph and reads
//! the named streams back as JSON records.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use steamflow::config::{Config, DEMO_CONFIG, SourceConfig, env};
use steamflow::run::sources::sources_of;
use steamflow::run::{RunOptions, RunReport, execute};
use steamflow_simulator::{Fault, FaultKind};

/// 2025-01-06T06:00:00Z, the demo's start.
pub const T0: i64 = 1_736_143_200_000;
/// One base window [ms].
pub const MINUTE: i64 = 60_000;

pub type Record = Map<String, Value>;

/// The demo config with `faults` instead of its own, no sinks, and the
/// simulator run for `duration_secs` at `interval_ms`.
pub fn demo(faults: Vec<Fault>, duration_secs: u64, interval_ms: u64) -> Config {
    let mut config = Config::from_toml(DEMO_CONFIG, "demo", &env::process_env).unwrap();
    config.sinks.clear();
    for source in config.sources.values_mut() {
        if let SourceConfig::Simulator(sim) = source {
            sim.faults = faults.clone();
            sim.duration_secs = duration_secs;
            sim.sample_interval_ms = interval_ms;
        }
    }
    config
}

/// A fault of `kind` starting `start_secs` into the run.
pub fn fault(kind: FaultKind, start_secs: u64, set: impl FnOnce(&mut Fault)) -> Fault {
    let mut fault = Fault::new(kind, start_secs);
    set(&mut fault);
    fault
}

/// What a run left in its streams.
pub struct Streams {
    pub report: RunReport,
}

impl Streams {
    /// The records of `stream` present at the end, in time order.
    pub fn records(&self, stream: &str) -> Vec<Record> {
        assert!(
            self.report.collected.streams().iter().any(|s| s == stream),
            "the graph publishes no `{stream}` stream"
        );
        self.report
            .collected
            .contents(stream)
            .into_iter()
            .flat_map(|(record, count, _)| {
                std::iter::repeat_n(record, usize::try_from(count).unwrap())
            })
            .collect()
    }

    /// Dead letters by reason.
    pub fn dead_letters(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for record in self.records("dead_letters") {
            *out.entry(text(&record, "reason").to_owned()).or_default() += 1;
        }
        out
    }

    /// Readings the simulator delivered (raw, before the graph).
    pub fn delivered(&self) -> u64 {
        self.report
            .status
            .sources()
            .iter()
            .map(|s| s.readings)
            .sum()
    }
}

/// Runs `config` on `workers` workers, collecting `streams`.
pub fn run(config: &Config, workers: u16, streams: &[&str]) -> Streams {
    let sources = sources_of(config, None).unwrap();
    let mut options = RunOptions {
        collect: streams.iter().map(|s| (*s).to_owned()).collect(),
        ..RunOptions::default()
    };
    options.workers.workers = workers;
    let report = execute(config, sources, &options).unwrap();
    assert!(report.errors().is_empty(), "{:?}", report.errors());
    Streams { report }
}

pub fn text<'a>(record: &'a Record, key: &str) -> &'a str {
    record.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn num(record: &Record, key: &str) -> f64 {
    record.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

pub fn int(record: &Record, key: &str) -> i64 {
    record.get(key).and_then(Value::as_i64).unwrap_or(i64::MIN)
}

/// Window aggregates by (tag, window family, start): count, min, max,
/// first, last and sum.
pub fn windows(streams: &Streams) -> BTreeMap<(String, String, i64), [f64; 6]> {
    streams
        .records("window_aggregates")
        .iter()
        .map(|w| {
            (
                (
                    text(w, "tag").to_owned(),
                    text(w, "window").to_owned(),
                    int(w, "window_start"),
                ),
                [
                    num(w, "count"),
                    num(w, "min"),
                    num(w, "max"),
                    num(w, "first"),
                    num(w, "last"),
                    num(w, "sum"),
                ],
            )
        })
        .collect()
}

/// Asserts two runs' windows agree: counts, extremes, first and last
/// exactly, sums to rounding (they are added in another order).
pub fn assert_same_windows(
    left: &BTreeMap<(String, String, i64), [f64; 6]>,
    right: &BTreeMap<(String, String, i64), [f64; 6]>,
) {
    assert_eq!(left.len(), right.len(), "window count");
    for ((key, a), (other, b)) in left.iter().zip(right) {
        assert_eq!(key, other);
        assert_eq!(a[..5], b[..5], "{key:?}");
        let scale = a[5].abs().max(b[5].abs()).max(1.0);
        assert!(
            (a[5] - b[5]).abs() <= 1e-9 * scale,
            "{key:?}: sum {} vs {}",
            a[5],
            b[5]
        );
    }
}
