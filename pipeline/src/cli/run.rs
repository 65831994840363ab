//! `steamflow run CONFIG`: runs a config's sources through the dataflow
//! graph into its sinks, with a live view on the terminal, until every
//! source is exhausted.
//!
//! Exit codes: 0 when everything ran and was written; 1 when the config
//! has errors (printed as `steamflow validate` prints them), a source
//! cannot be opened, or something failed during the run (each failure
//! listed); 2 when the config file cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use crate::dataflow::WorkerOptions;
use crate::run::console::{short_utc, thousands};
use crate::run::sources::sources_of;
use crate::run::{RunOptions, RunReport, check_sources, execute};

/// Arguments of `steamflow run`. `-h` is timely's hostfile, so help is `--help` only.
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// The config file (TOML).
    pub config: PathBuf,
    /// Check the config and that every source can be opened, then stop.
    #[arg(long)]
    pub check: bool,
    /// Pace simulator sources at this multiple of real time (default: as fast as they compute).
    #[arg(long, value_name = "FACTOR")]
    pub realtime_factor: Option<f64>,
    /// No status lines or progress bars: stream updates and the final report only.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub workers: WorkerOptions,
    /// Print help.
    #[arg(long, action = clap::ArgAction::HelpLong)]
    help: Option<bool>,
}

/// Runs `steamflow run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = match Config::load(&args.config) {
        Ok(config) => config,
        Err(error) => return Ok(super::validate::print_load_error(&args.config, &error)),
    };
    if let Some(factor) = args.realtime_factor
        && !(factor.is_finite() && factor > 0.0)
    {
        anyhow::bail!("--realtime-factor must be a number greater than 0, found {factor}");
    }
    let sources = sources_of(&config, args.realtime_factor)?;
    if args.check {
        crate::run::plan::Plan::new(&config, &crate::dataflow::KeyRegistry::new())?;
        check_sources(&sources)?;
        println!(
            "{}: ok — {}; every source opens",
            args.config.display(),
            super::validate::summary(&config)
        );
        return Ok(ExitCode::SUCCESS);
    }
    if sources.is_empty() {
        anyhow::bail!("{} has no sources: nothing to run", args.config.display());
    }
    let options = RunOptions {
        workers: args.workers.clone(),
        console: true,
        quiet: args.quiet,
        collect: Vec::new(),
        taps: Vec::new(),
    };
    let report = execute(&config, sources, &options)?;
    print_report(&report, &args.workers);
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

/// The end-of-run report on standard error: what came in, what was
/// refused, where each stream went.
pub fn print_report(report: &RunReport, workers: &WorkerOptions) {
    let status = &report.status;
    let total = status.total_readings();
    let secs = report.elapsed.as_secs_f64().max(1e-6);
    eprintln!(
        "ran {} readings from {} source{} in {:.1} s ({} readings/s) on {} worker{}{}",
        thousands(total),
        status.sources().len(),
        if status.sources().len() == 1 { "" } else { "s" },
        secs,
        thousands((total as f64 / secs) as u64),
        workers.workers,
        if workers.workers == 1 { "" } else { "s" },
        if workers.processes > 1 {
            format!(" (process {} of {})", workers.process, workers.processes)
        } else {
            String::new()
        }
    );
    for (name, plant) in status.plants() {
        let span = match (plant.first_ms, plant.last_ms) {
            (Some(first), Some(last)) => format!(", {} to {}", short_utc(first), short_utc(last)),
            _ => String::new(),
        };
        eprintln!(
            "  plant {name}: {} readings{span}",
            thousands(plant.readings)
        );
        if !plant.dead_letters.is_empty() {
            let reasons: Vec<String> = plant
                .dead_letters
                .iter()
                .map(|(reason, n)| format!("{reason} {}", thousands(*n)))
                .collect();
            eprintln!("    dead letters: {}", reasons.join(", "));
        }
    }
    let outputs = status.outputs();
    if !outputs.is_empty() {
        eprintln!("streams written:");
        for output in outputs {
            let place = output
                .path
                .as_ref()
                .map_or_else(|| "terminal".to_owned(), |p| p.display().to_string());
            eprintln!(
                "  {:<24} {:>10} rows  {place}",
                output.stream,
                thousands(output.rows())
            );
        }
    }
    for warning in status.warnings() {
        eprintln!("warning: {warning}");
    }
}
