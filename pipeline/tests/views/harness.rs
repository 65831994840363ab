//! Runs of the demo plant with views, and what they left.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use steamflow::config::{Config, DEMO_CONFIG, SourceConfig, env};
use steamflow::run::sources::sources_of;
use steamflow::run::{RunOptions, RunReport, execute};

pub type Record = Map<String, Value>;

/// The repository's root (read at run time: CI shares target folders).
pub fn repository() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    Path::new(&manifest)
        .parent()
        .expect("the pipeline crate is in the workspace")
        .to_path_buf()
}

/// A fresh folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("steamflow-views-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The demo config plus `extra` (views, sinks), without the demo's own
/// sinks, its simulator run for `duration_secs` sampled every 5 s; paths
/// relative to the repository.
pub fn demo(extra: &str, duration_secs: u64) -> Config {
    let text = format!("{DEMO_CONFIG}\n{extra}");
    let mut config =
        Config::from_toml(&text, "views.toml", &env::process_env).unwrap_or_else(|e| panic!("{e}"));
    config.sinks.shift_remove("files");
    config.sinks.shift_remove("terminal");
    for source in config.sources.values_mut() {
        if let SourceConfig::Simulator(sim) = source {
            sim.duration_secs = duration_secs;
            sim.sample_interval_ms = 5000;
        }
    }
    config.base_dir = repository();
    config
}

/// Runs `config`, collecting `streams`.
pub fn run(config: &Config, streams: &[&str]) -> RunReport {
    let sources = sources_of(config, None).expect("the sources open");
    let options = RunOptions {
        collect: streams.iter().map(|s| (*s).to_owned()).collect(),
        ..RunOptions::default()
    };
    let report = execute(config, sources, &options).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(report.errors().is_empty(), "{:?}", report.errors());
    let warnings = report.status.warnings();
    assert!(!warnings.iter().any(|w| w.contains("view")), "{warnings:?}");
    report
}

/// The records of `stream` at the end of the run (each once per count).
pub fn records(report: &RunReport, stream: &str) -> Vec<Record> {
    report
        .collected
        .contents(stream)
        .into_iter()
        .flat_map(|(record, count, _)| {
            std::iter::repeat_n(record, usize::try_from(count).unwrap_or(0))
        })
        .collect()
}

pub fn num(record: &Record, key: &str) -> f64 {
    record.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

pub fn int(record: &Record, key: &str) -> i64 {
    record.get(key).and_then(Value::as_i64).unwrap_or(i64::MIN)
}

/// `a` and `b` agree to `tolerance`, relative.
pub fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0)
}
