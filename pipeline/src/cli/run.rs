//! `steamflow run CONFIG`: runs a config's sources through the dataflow
//! graph into its sinks, with a live view on the terminal, until every
//! source is exhausted — or, with network sources (modbus, mqtt, http,
//! opcua), until Ctrl-C, SIGTERM or `--duration`, after which open windows
//! are closed and the sinks flushed.
//!
//! `steamflow run --check CONFIG` tests each source instead (network
//! sources: reachable, authenticated, each tag read once; files: open and
//! header read) and prints a report per source.
//!
//! Exit codes: 0 when everything ran and was written; 1 when the config
//! has errors (printed as `steamflow validate` prints them), a source
//! cannot be opened or fails its check, or something failed during the run
//! (each failure listed); 2 when the config file cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::config::Config;
use crate::config::api::ApiConfig;
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
    /// Check the config and test every source (network sources: reachable,
    /// authenticated, each tag read once; files: open, header read), then stop.
    #[arg(long)]
    pub check: bool,
    /// Stop network sources after this long (`90`, `90s`, `15m`, `2h`), then
    /// close open windows and flush the sinks. Without it they run until
    /// Ctrl-C or SIGTERM.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Serve `/metrics`, `/health` and `/ready` on this address (overrides
    /// `[api] listen`; default `127.0.0.1:8686` when `[api]` is present).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
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
        let report = check_sources(&sources)?;
        if !report.ok() {
            // A failed check is an error: the whole report goes to standard error.
            eprint!("{report}");
            let failed = report.sources.iter().filter(|s| !s.outcome.ok).count();
            eprintln!(
                "{}: {failed} of {} source{} failed the check",
                args.config.display(),
                report.sources.len(),
                if report.sources.len() == 1 { "" } else { "s" }
            );
            return Ok(ExitCode::FAILURE);
        }
        print!("{report}");
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
        duration: args.duration,
        stop_on_signals: true,
        api: match (args.listen, &config.api) {
            (Some(listen), api) => Some(ApiConfig {
                listen,
                ..api.clone().unwrap_or_default()
            }),
            (None, api) => api.clone(),
        },
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
    if let Some(views) = &report.views {
        eprintln!("  {}", views.summary());
    }
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
    for source in status.sources() {
        // A file's rows that did not decode are in its plant's dead letters above.
        if source.live && !source.decode_errors.is_empty() {
            let reasons: Vec<String> = source
                .decode_errors
                .iter()
                .map(|(reason, n)| format!("{reason} {}", thousands(*n)))
                .collect();
            eprintln!(
                "  source {}: did not decode: {}",
                source.id,
                reasons.join(", ")
            );
        }
        for gap in &source.gaps {
            eprintln!(
                "  source {}: gap from {} to {} ({}){}",
                source.id,
                short_utc(gap.from_ms),
                short_utc(gap.to_ms),
                gap.reason,
                if gap.backfilled { ", backfilled" } else { "" }
            );
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

/// A duration as `90`, `90s`, `15m` or `2h` (a bare number is seconds).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("unknown unit `{unit}`: use ms, s, m or h")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 90s, 15m or 2h"))?;
    Duration::try_from_secs_f64(value * scale)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{text}` is not a positive duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_users_write_them() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("5 days").is_err());
        assert!(parse_duration("abc").is_err());
    }
}
