//! `steamflow demo`: the built-in demo plant (`config/demo.toml`: two
//! boilers, two headers, mains, consumers, eight traps, a flash vessel) is
//! simulated with its faults, run through the whole graph, and summarised
//! for a plant engineer: losses by category, failed traps, leaks, balance
//! closure, alerts, and the folder where every stream was written as JSON
//! Lines and Parquet.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use steamflow_sink_clickhouse::ClickHouseConfig;

use crate::cli::report::write_report;
use crate::config::sinks::{
    Compression, ConsoleFormat, ConsoleSink, JsonlSink, ParquetSink, SinkConfig,
};
use crate::config::{Config, DEMO_CONFIG, SourceConfig, env};
use crate::dataflow::{WorkerOptions, names};
use crate::run::console::{short_utc, thousands};
use crate::run::sources::sources_of;
use crate::run::summary::{SUMMARY_STREAMS, render, render_outputs};
use crate::run::{RunOptions, execute};
use steamflow_reports::{Format, ReportKind};

/// Arguments of `steamflow demo`. `-h` is timely's hostfile, so help is `--help` only.
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct DemoArgs {
    /// Folder for the streams: `<out>/jsonl/<stream>.jsonl` and `<out>/parquet/<stream>.parquet`.
    #[arg(long, default_value = "steamflow-demo")]
    pub out: PathBuf,
    /// Simulated time [s] (default: the demo's hour); faults that would start later are dropped.
    #[arg(long)]
    pub duration_secs: Option<u64>,
    /// Seed of the simulation (default: the demo's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Pace the simulation at this multiple of real time (60: a simulated minute per second).
    #[arg(long, value_name = "FACTOR")]
    pub realtime_factor: Option<f64>,
    /// Also send every stream to this ClickHouse server (HTTP interface,
    /// e.g. `http://127.0.0.1:8123`), database `steamflow`, migrated first;
    /// its spool is `<out>/clickhouse-spool`.
    #[arg(long, value_name = "URL")]
    pub clickhouse: Option<String>,
    /// No status lines or progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub workers: WorkerOptions,
    /// Print help.
    #[arg(long, action = clap::ArgAction::HelpLong)]
    help: Option<bool>,
}

/// The streams the demo writes to files: every stream of the graph, and
/// the simulator's raw readings (as a historian would hold them).
const FILE_STREAMS: [&str; 11] = [
    names::READINGS,
    names::WINDOW_AGGREGATES,
    names::DEAD_LETTERS,
    names::STEAM_STATES,
    names::TRAP_STATUSES,
    names::BALANCES,
    names::LOSSES,
    names::LEAKS,
    names::ALERTS,
    names::RECOMMENDATIONS,
    "sim",
];

/// The demo config with the command line's changes and sinks in `out`.
pub fn demo_config(args: &DemoArgs) -> anyhow::Result<Config> {
    let mut config = Config::from_toml(DEMO_CONFIG, "built-in demo", &env::process_env)?;
    for source in config.sources.values_mut() {
        let SourceConfig::Simulator(sim) = source else {
            continue;
        };
        if let Some(seed) = args.seed {
            sim.seed = seed;
        }
        if let Some(duration) = args.duration_secs {
            anyhow::ensure!(duration > 0, "--duration-secs must be greater than 0");
            sim.duration_secs = duration;
            sim.faults.retain(|fault| fault.start_secs < duration);
        }
    }
    let inputs: Vec<String> = FILE_STREAMS.iter().map(|s| (*s).to_owned()).collect();
    config.sinks.clear();
    config.sinks.insert(
        "jsonl".to_owned(),
        SinkConfig::Jsonl(JsonlSink {
            inputs: inputs.clone(),
            dir: args.out.join("jsonl"),
        }),
    );
    config.sinks.insert(
        "parquet".to_owned(),
        SinkConfig::Parquet(ParquetSink {
            inputs,
            dir: args.out.join("parquet"),
            row_group_rows: 65_536,
            compression: Compression::Zstd,
        }),
    );
    if let Some(url) = &args.clickhouse {
        let mut settings = ClickHouseConfig::new(url.clone(), args.out.join("clickhouse-spool"));
        settings.inputs = FILE_STREAMS
            .iter()
            .filter(|s| **s != "sim")
            .map(|s| (*s).to_owned())
            .collect();
        config
            .sinks
            .insert("clickhouse".to_owned(), SinkConfig::Clickhouse(settings));
    }
    config.sinks.insert(
        "terminal".to_owned(),
        SinkConfig::Console(ConsoleSink {
            inputs: vec![names::ALERTS.to_owned()],
            format: ConsoleFormat::Text,
        }),
    );
    // Folders are the command line's, relative to the working directory.
    config.base_dir = PathBuf::new();
    Ok(config)
}

/// Runs `steamflow demo`.
pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    if let Some(factor) = args.realtime_factor
        && !(factor.is_finite() && factor > 0.0)
    {
        anyhow::bail!("--realtime-factor must be a number greater than 0, found {factor}");
    }
    let config = demo_config(&args)?;
    print_intro(&config, &args.out);
    let sources = sources_of(&config, args.realtime_factor)?;
    let options = RunOptions {
        workers: args.workers.clone(),
        console: true,
        quiet: args.quiet,
        collect: SUMMARY_STREAMS.iter().map(|s| (*s).to_owned()).collect(),
        taps: Vec::new(),
        ..RunOptions::default()
    };
    let report = execute(&config, sources, &options)?;
    let total = report.status.total_readings();
    let secs = report.elapsed.as_secs_f64().max(1e-6);
    println!(
        "\nran {} readings through the graph in {secs:.1} s ({} readings/s, {} worker{})",
        thousands(total),
        thousands((total as f64 / secs) as u64),
        args.workers.peers(),
        if args.workers.peers() == 1 { "" } else { "s" }
    );
    print!("{}", render(&report, &config));
    println!("\nStreams written (JSON Lines and Parquet, one file per stream):");
    print!("{}", render_outputs(&report));
    // The files are complete on process 0 once the run has returned.
    if args.workers.process == 0 {
        let reports = args.out.join("reports");
        let written = write_report(
            ReportKind::Monthly,
            &args.out,
            &reports,
            None,
            None,
            &Format::ALL,
        )?;
        println!("\nMonthly energy audit (HTML with charts, PDF, JSON, Excel):");
        for path in written {
            println!("  {}", path.display());
        }
    }
    let errors = report.errors();
    for error in &errors {
        eprintln!("error: {error}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What is about to be simulated, and the faults waiting in it.
fn print_intro(config: &Config, out: &Path) {
    for source in config.sources.values() {
        let SourceConfig::Simulator(sim) = source else {
            continue;
        };
        let start = steamflow_operators::reading::parse_utc_ms(&sim.start_time).unwrap_or(0);
        let name = config
            .plants
            .get(&sim.plant)
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| sim.plant.clone());
        println!(
            "steamflow demo: {name}, {} of plant time from {} sampled every {} ms; streams go to {}",
            duration(sim.duration_secs),
            short_utc(start),
            sim.sample_interval_ms,
            out.display()
        );
        let planted: Vec<String> = sim
            .faults
            .iter()
            .map(|f| {
                let target = f
                    .trap
                    .clone()
                    .or_else(|| f.segment.clone())
                    .unwrap_or_else(|| f.tags.join(", "));
                let at = short_utc(start + i64::try_from(f.start_secs * 1000).unwrap_or(0));
                let at = at.split(' ').nth(1).unwrap_or(&at).to_owned();
                if target.is_empty() {
                    format!("{} from {at}", f.kind.as_str())
                } else {
                    format!("{} {target} at {at}", f.kind.as_str())
                }
            })
            .collect();
        if !planted.is_empty() {
            println!("faults planted: {}", planted.join("; "));
        }
    }
}

fn duration(secs: u64) -> String {
    if secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}
