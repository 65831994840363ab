//! `steamflow simulate`: runs the simulator sources of a config (or the
//! built-in demo plant, or generated plants) and writes what a historian
//! export would hold, plus the config that replays it.
//!
//! The output folder receives:
//! - `readings.csv`: `time,plant,tag,value,quality,unit`, one reading per
//!   row in delivery order (late and out-of-order readings appear where they
//!   arrived); time is RFC 3339 UTC with milliseconds; values are written in
//!   the shortest form that reads back to the same number, malformed ones
//!   as `NaN`, `inf`, `-inf`;
//! - `steamflow.toml`: the same config with the simulator sources replaced
//!   by a `file` source reading `readings.csv` (the simulator settings and
//!   fault schedule kept as comments), so that `steamflow run` replays it.
//!
//! With `--serve opcua,modbus,mqtt` it serves the plant live instead, in
//! real time, over the protocols plants speak ([`serve`]), and writes the
//! config that reads it back with `--config-out` ([`live_config`]).
//!
//! Parquet output is not written yet: it needs arrow, which arrives with
//! the Parquet sink.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use indexmap::IndexMap;
use indicatif::{ProgressBar, ProgressStyle};
use steamflow_operators::reading::{Reading, format_utc_ms};
use steamflow_simulator::synthetic::{self, PlantSize};
use steamflow_simulator::{Balance, Batch, PlantSimulator, SimulatorConfig};

use crate::config::sources::{FileFormat, FileSource};
use crate::config::{Config, DEMO_CONFIG, SourceConfig, env};

mod live_config;
pub mod serve;

/// Name of the readings file in the output folder.
pub const READINGS_FILE: &str = "readings.csv";
/// Name of the replay config in the output folder.
pub const CONFIG_FILE: &str = "steamflow.toml";
/// Id of the file source of the replay config.
pub const REPLAY_SOURCE: &str = "replay";

/// Arguments of `steamflow simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Config whose `type = "simulator"` sources to run; without it, the
    /// built-in demo plant (an hour of a small site with a few faults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Folder for readings.csv and steamflow.toml (created if needed);
    /// with `--serve`, optional: a record of what was served.
    #[arg(long, required_unless_present = "serve")]
    pub out: Option<PathBuf>,
    /// Run only these simulator sources (repeatable); default: all.
    #[arg(long = "source")]
    pub sources: Vec<String>,
    /// Seed for every simulator source, replacing the config's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulated time [s], replacing the config's; with `--serve`, the run
    /// stops after it (default: at Ctrl-C).
    #[arg(long, visible_alias = "duration")]
    pub duration_secs: Option<u64>,
    /// Time between samples [ms], replacing the config's.
    #[arg(long)]
    pub sample_interval_ms: Option<u64>,
    /// Drop every fault schedule: a healthy run.
    #[arg(long)]
    pub no_faults: bool,
    /// Simulate this many generated plants instead of a config's.
    #[arg(long, conflicts_with = "config")]
    pub plants: Option<usize>,
    /// Generated plants: headers per plant.
    #[arg(long, default_value_t = 2)]
    pub headers: usize,
    /// Generated plants: consumers per header.
    #[arg(long, default_value_t = 3)]
    pub consumers_per_header: usize,
    /// Generated plants: traps per consumer.
    #[arg(long, default_value_t = 2)]
    pub traps_per_consumer: usize,
    /// Generated plants: pipe segments per consumer.
    #[arg(long, default_value_t = 2)]
    pub segments_per_consumer: usize,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Serving the plant live.
    #[command(flatten)]
    pub live: serve::ServeArgs,
}

/// Runs `steamflow simulate`.
pub fn run(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let config = prepare(&args)?;
    let mut sims = start(&config, &args.sources)?;
    if !args.live.serve.is_empty() {
        return serve::run(&args, &config, sims);
    }
    let Some(out) = &args.out else {
        bail!("--out names the folder of the readings");
    };
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let csv_path = out.join(READINGS_FILE);
    let summary = write_readings(&mut sims, &csv_path, args.quiet)?;
    let replay = replay_config(&config, &sims)?;
    let config_path = out.join(CONFIG_FILE);
    fs::write(&config_path, replay)
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    println!(
        "wrote {} readings of {} tags from {} plant{} to {}",
        summary.readings,
        summary.tags,
        sims.len(),
        if sims.len() == 1 { "" } else { "s" },
        csv_path.display()
    );
    for sim in &sims {
        print_balance(sim);
    }
    println!("replay it with: steamflow run {}", config_path.display());
    Ok(ExitCode::SUCCESS)
}

/// The config to simulate, with the command line's overrides applied and
/// checked again.
fn prepare(args: &SimulateArgs) -> anyhow::Result<Config> {
    let mut config = match (&args.config, args.plants) {
        (Some(path), _) => Config::load(path)?,
        (None, Some(n)) => generated(n, args)?,
        (None, None) => Config::from_toml(DEMO_CONFIG, "built-in demo", &env::process_env)?,
    };
    for (id, source) in &mut config.sources {
        let SourceConfig::Simulator(sim) = source else {
            continue;
        };
        if !args.sources.is_empty() && !args.sources.contains(id) {
            continue;
        }
        if let Some(seed) = args.seed {
            sim.seed = seed;
        }
        if let Some(duration) = args.duration_secs {
            sim.duration_secs = duration;
            // A shortened run keeps the faults that still start within it.
            sim.faults.retain(|f| f.start_secs < duration);
        }
        if let Some(interval) = args.sample_interval_ms {
            sim.sample_interval_ms = interval;
        }
        if args.no_faults {
            sim.faults.clear();
        }
        if !args.live.serve.is_empty() {
            // Served live: from now on, until Ctrl-C unless a duration is given.
            sim.start_time = serve::start_time(sim.sample_interval_ms);
            if args.duration_secs.is_none() {
                sim.duration_secs = serve::FOREVER_SECS;
            }
        }
    }
    // The overrides must leave a config that loads: check it as it will be read back.
    let text = config
        .to_toml()
        .context("cannot write the config as TOML")?;
    let mut checked = Config::from_toml(&text, "simulated config", &env::process_env)?;
    checked.base_dir = config.base_dir;
    Ok(checked)
}

/// A config of `n` generated plants, each with its simulator source.
fn generated(n: usize, args: &SimulateArgs) -> anyhow::Result<Config> {
    if n == 0 {
        bail!("--plants must be at least 1");
    }
    let size = PlantSize {
        headers: args.headers,
        consumers_per_header: args.consumers_per_header,
        traps_per_consumer: args.traps_per_consumer,
        segments_per_consumer: args.segments_per_consumer,
    };
    let mut config = Config {
        windows: crate::config::windows::default_windows(),
        ..Config::default()
    };
    for i in 1..=n {
        let id = format!("plant{i}");
        config
            .plants
            .insert(id.clone(), synthetic::plant(&id, &size));
        let sim = SimulatorConfig {
            seed: i as u64,
            ..SimulatorConfig::new(id.clone())
        };
        config
            .sources
            .insert(format!("sim_{id}"), SourceConfig::Simulator(sim));
    }
    Ok(config)
}

/// One running simulator and the source it came from.
struct Running {
    source: String,
    settings: SimulatorConfig,
    sim: PlantSimulator,
    next: Option<Batch>,
    balance_sum: Balance,
    steps: u64,
}

fn start(config: &Config, only: &[String]) -> anyhow::Result<Vec<Running>> {
    for id in only {
        match config.sources.get(id) {
            Some(SourceConfig::Simulator(_)) => {}
            Some(_) => bail!("source `{id}` is not a simulator"),
            None => bail!("the config has no source `{id}`"),
        }
    }
    let mut out = Vec::new();
    for (id, source) in &config.sources {
        let SourceConfig::Simulator(settings) = source else {
            continue;
        };
        if !only.is_empty() && !only.contains(id) {
            continue;
        }
        let plant = config
            .plants
            .get(&settings.plant)
            .with_context(|| format!("source `{id}`: no plant `{}`", settings.plant))?;
        let mut sim = PlantSimulator::new(&settings.plant, plant, settings)
            .with_context(|| format!("source `{id}`"))?;
        let next = sim.next_batch();
        out.push(Running {
            source: id.clone(),
            settings: settings.clone(),
            sim,
            next,
            balance_sum: Balance::default(),
            steps: 0,
        });
    }
    if out.is_empty() {
        bail!("the config has no simulator source to run");
    }
    Ok(out)
}

struct Written {
    readings: u64,
    tags: usize,
}

/// Merges the simulators' batches in time order into the CSV.
fn write_readings(sims: &mut [Running], path: &Path, quiet: bool) -> anyhow::Result<Written> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    writeln!(out, "time,plant,tag,value,quality,unit")?;
    let total: u64 = sims.iter().map(|s| s.sim.total_steps()).sum();
    let progress = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} simulating [{bar:40}] {pos}/{len} samples {msg} ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let mut written = 0_u64;
    let mut line = String::with_capacity(128);
    while let Some(running) = sims
        .iter_mut()
        .filter(|s| s.next.is_some())
        .min_by_key(|s| s.next.as_ref().map(|b| b.time_ms))
    {
        let Some(batch) = running.next.take() else {
            break;
        };
        for reading in &batch.readings {
            line.clear();
            csv_row(reading, &mut line);
            out.write_all(line.as_bytes())?;
        }
        written += batch.readings.len() as u64;
        let before = running.sim.steps_done();
        running.next = running.sim.next_batch();
        if running.sim.steps_done() > before {
            if let Some(snapshot) = running.sim.snapshot() {
                accumulate(&mut running.balance_sum, &snapshot.balance);
                running.steps += 1;
            }
            progress.inc(1);
            if written % 50_000 < batch.readings.len() as u64 {
                progress.set_message(format!("{written} readings"));
            }
        }
    }
    out.flush()?;
    progress.finish_and_clear();
    let tags = sims.iter().map(|s| s.sim.tags().len()).sum();
    Ok(Written {
        readings: written,
        tags,
    })
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(text: &str, out: &mut String) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// One CSV row with its line break.
fn csv_row(r: &Reading, out: &mut String) {
    out.push_str(&format_utc_ms(r.time_ms));
    out.push(',');
    csv_field(r.plant.as_str(), out);
    out.push(',');
    csv_field(r.tag.as_str(), out);
    out.push(',');
    out.push_str(&format!("{}", r.value));
    out.push(',');
    out.push_str(r.quality.as_str());
    out.push(',');
    if let Some(unit) = &r.unit {
        csv_field(unit.as_str(), out);
    }
    out.push('\n');
}

fn accumulate(sum: &mut Balance, b: &Balance) {
    sum.generation_kg_h += b.generation_kg_h;
    sum.process_kg_h += b.process_kg_h;
    sum.trap_steam_kg_h += b.trap_steam_kg_h;
    sum.pipe_condensate_kg_h += b.pipe_condensate_kg_h;
    sum.leak_kg_h += b.leak_kg_h;
    sum.flash_recovered_kg_h += b.flash_recovered_kg_h;
    sum.condensate_returned_kg_h += b.condensate_returned_kg_h;
    sum.pipe_heat_loss_kw += b.pipe_heat_loss_kw;
}

/// The run's mean balance, so the user sees what the readings should reveal.
fn print_balance(running: &Running) {
    let n = running.steps.max(1) as f64;
    let b = &running.balance_sum;
    println!(
        "  {} (plant {}): mean generation {:.0} kg/h = process {:.0} + trap steam {:.1} + pipe condensate {:.1} + leaks {:.1} − flash recovered {:.1}; condensate returned {:.0} kg/h; pipe heat loss {:.1} kW",
        running.source,
        running.settings.plant,
        b.generation_kg_h / n,
        b.process_kg_h / n,
        b.trap_steam_kg_h / n,
        b.pipe_condensate_kg_h / n,
        b.leak_kg_h / n,
        b.flash_recovered_kg_h / n,
        b.condensate_returned_kg_h / n,
        b.pipe_heat_loss_kw / n,
    );
}

/// The config with the simulated sources replaced by the file source of
/// the CSV, headed by comments recording how it was simulated.
fn replay_config(config: &Config, sims: &[Running]) -> anyhow::Result<String> {
    let simulated: Vec<&str> = sims.iter().map(|s| s.source.as_str()).collect();
    let mut replay = config.clone();
    let mut sources = IndexMap::new();
    sources.insert(
        REPLAY_SOURCE.to_owned(),
        SourceConfig::File(FileSource {
            path: PathBuf::from(READINGS_FILE),
            format: Some(FileFormat::Csv),
            realtime_factor: None,
            plant: None,
        }),
    );
    for (id, source) in &config.sources {
        if !simulated.contains(&id.as_str()) && id != REPLAY_SOURCE {
            sources.insert(id.clone(), source.clone());
        }
    }
    replay.sources = sources;
    for sink in replay.sinks.values_mut() {
        let inputs = sink.inputs_mut();
        for input in inputs
            .iter_mut()
            .filter(|i| simulated.contains(&i.as_str()))
        {
            *input = REPLAY_SOURCE.to_owned();
        }
        inputs.dedup();
    }
    let mut text = String::from(
        "# Written by `steamflow simulate`: replays readings.csv.\n#\n# How the readings were simulated:\n",
    );
    for running in sims {
        let mut table = toml::Table::new();
        table.insert(
            running.source.clone(),
            toml::Value::try_from(&running.settings)?,
        );
        let mut wrapper = toml::Table::new();
        wrapper.insert("sources".to_owned(), toml::Value::Table(table));
        for line in toml::to_string_pretty(&wrapper)?.lines() {
            text.push_str(if line.is_empty() { "#" } else { "# " });
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push('\n');
    text.push_str(&replay.to_toml()?);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A fresh folder under the system temp dir for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("steamflow-simulate-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn args(out: &Path) -> SimulateArgs {
        SimulateArgs {
            config: None,
            out: Some(out.to_owned()),
            sources: Vec::new(),
            seed: None,
            duration_secs: Some(600),
            sample_interval_ms: None,
            no_faults: false,
            plants: None,
            headers: 2,
            consumers_per_header: 3,
            traps_per_consumer: 2,
            segments_per_consumer: 2,
            quiet: true,
            live: serve::ServeArgs::default(),
        }
    }

    /// (time, tag, value) of every row.
    fn rows(path: &Path) -> Vec<(String, String, f64)> {
        let text = fs::read_to_string(path).unwrap_or_default();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("time,plant,tag,value,quality,unit"));
        lines
            .map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                assert_eq!(fields.len(), 6, "{line}");
                let value = fields
                    .get(3)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN);
                (fields[0].to_owned(), fields[2].to_owned(), value)
            })
            .collect()
    }

    #[test]
    fn demo_run_writes_readings_and_a_replay_config() {
        let out = scratch("demo");
        assert_eq!(run(args(&out)).ok(), Some(ExitCode::SUCCESS));
        let readings = rows(&out.join(READINGS_FILE));
        // 50 tags × 600 samples, give or take the faults' duplicates and dropouts.
        assert!(
            (29_000..31_000).contains(&readings.len()),
            "{}",
            readings.len()
        );
        let config = Config::load(&out.join(CONFIG_FILE)).unwrap_or_else(|e| panic!("{e}"));
        let Some(SourceConfig::File(file)) = config.sources.get(REPLAY_SOURCE) else {
            panic!("no replay source")
        };
        assert_eq!(config.resolve(&file.path), out.join(READINGS_FILE));
        assert!(
            !config
                .sources
                .values()
                .any(|s| matches!(s, SourceConfig::Simulator(_)))
        );
        let text = fs::read_to_string(out.join(CONFIG_FILE)).unwrap_or_default();
        assert!(
            text.contains("# kind = \"duplicate\""),
            "the fault schedule is recorded"
        );
        let _ = fs::remove_dir_all(&out);
    }

    #[test]
    fn same_seed_same_files() {
        let (a, b) = (scratch("seed-a"), scratch("seed-b"));
        for out in [&a, &b] {
            assert!(
                run(SimulateArgs {
                    duration_secs: Some(120),
                    ..args(out)
                })
                .is_ok()
            );
        }
        let read = |dir: &Path| fs::read(dir.join(READINGS_FILE)).unwrap_or_default();
        assert!(!read(&a).is_empty());
        assert_eq!(read(&a), read(&b));
        let _ = (fs::remove_dir_all(&a), fs::remove_dir_all(&b));
    }

    #[test]
    fn healthy_demo_balance_closes_within_5_percent_per_minute() {
        let out = scratch("healthy");
        assert!(
            run(SimulateArgs {
                no_faults: true,
                ..args(&out)
            })
            .is_ok()
        );
        // Per minute: generation + flash steam recovered = consumption + losses.
        let mut windows: BTreeMap<String, BTreeMap<String, (f64, f64)>> = BTreeMap::new();
        for (time, tag, value) in rows(&out.join(READINGS_FILE)) {
            let minute = time.get(..16).unwrap_or_default().to_owned();
            let entry = windows
                .entry(minute)
                .or_default()
                .entry(tag)
                .or_insert((0.0, 0.0));
            *entry = (entry.0 + value, entry.1 + 1.0);
        }
        let config = Config::from_toml(DEMO_CONFIG, "demo", &env::process_env)
            .unwrap_or_else(|e| panic!("{e}"));
        let plant = &config.plants["north"];
        for (minute, tags) in &windows {
            let mean = |tag: &str| tags.get(tag).map_or(0.0, |(sum, n)| sum / n);
            let supply = plant.boilers.iter().map(|b| mean(&b.flow_tag)).sum::<f64>()
                + mean("north.fv1.flash_flow");
            let used: f64 = plant
                .consumers
                .iter()
                .filter_map(|c| c.flow_tag.as_deref())
                .map(mean)
                .sum();
            let closure = (supply - used) / supply;
            assert!(
                (0.0..0.05).contains(&closure),
                "{minute}: supply {supply} used {used}"
            );
        }
        let _ = fs::remove_dir_all(&out);
    }

    #[test]
    fn generated_plants_run_side_by_side() {
        let out = scratch("generated");
        let generated = SimulateArgs {
            plants: Some(3),
            duration_secs: Some(30),
            headers: 1,
            ..args(&out)
        };
        assert!(run(generated).is_ok());
        let readings = rows(&out.join(READINGS_FILE));
        let per_plant = PlantSize {
            headers: 1,
            ..PlantSize::default()
        }
        .tag_count();
        assert_eq!(readings.len(), 3 * per_plant * 30);
        // Merged in time order across the plants.
        assert!(readings.windows(2).all(|w| w[0].0 <= w[1].0));
        let config = Config::load(&out.join(CONFIG_FILE)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.plants.len(), 3);
        let _ = fs::remove_dir_all(&out);
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        let mut out = String::new();
        csv_field("a,b \"c\"", &mut out);
        assert_eq!(out, "\"a,b \"\"c\"\"\"");
    }
}
