//! `steamflow dev-replay` (hidden): replays a JSON Lines file of readings
//! through the standard dataflow graph on timely's workers and processes,
//! writing each named stream to `<out>/<stream>.jsonl`. A development and
//! test harness until `steamflow run` takes a config.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::dataflow::workers::replay_jsonl;
use crate::dataflow::{GraphConfig, WorkerOptions};

/// Arguments of `steamflow dev-replay`. `-h` is timely's hostfile, so help is `--help` only.
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct DevReplayArgs {
    /// JSON Lines of readings: {"time_ms":…,"plant":…,"tag":…,"value":…,"quality":"good"}.
    #[arg(long)]
    input: PathBuf,
    /// Folder for one `<stream>.jsonl` per named stream.
    #[arg(long)]
    out: PathBuf,
    /// How far behind its newest reading a source may deliver on time [ms].
    #[arg(long, default_value_t = 5_000)]
    out_of_orderness_ms: u64,
    /// How far behind the watermark a reading may still update its windows [ms].
    #[arg(long, default_value_t = 300_000)]
    allowed_lateness_ms: u64,
    /// Do not register the file's names up front: processes learn them
    /// from each other as sources first see them.
    #[arg(long)]
    learn_names: bool,
    #[command(flatten)]
    workers: WorkerOptions,
    /// Print help.
    #[arg(long, action = clap::ArgAction::HelpLong)]
    help: Option<bool>,
}

/// Runs `steamflow dev-replay`.
pub fn run(args: DevReplayArgs) -> anyhow::Result<ExitCode> {
    let mut config = GraphConfig::default();
    config.ingest.out_of_orderness_ms = args.out_of_orderness_ms;
    config.ingest.allowed_lateness_ms = args.allowed_lateness_ms;
    let (summaries, malformed) = replay_jsonl(
        &args.workers,
        config,
        &args.input,
        &args.out,
        !args.learn_names,
    )?;
    let pushed: u64 = summaries.iter().map(|s| s.received).sum();
    eprintln!(
        "replayed {pushed} readings on {} worker(s) of process {} ({malformed} unreadable lines skipped); streams in {}",
        summaries.len(),
        args.workers.process,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
