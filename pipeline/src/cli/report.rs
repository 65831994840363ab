//! `steamflow report`: a daily, weekly, monthly or annual report over a
//! finished run's output folder, as HTML (with SVG charts), PDF, JSON and
//! an Excel workbook.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use steamflow_reports::time::parse_time;
use steamflow_reports::{Format, Report, ReportKind, RunData, period, write};

/// Arguments of `steamflow report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// daily (operational summary), weekly (analysis), monthly (energy
    /// audit) or annual (ISO 50001-style energy review).
    #[arg(long, default_value = "monthly")]
    pub kind: ReportKind,
    /// Start of the period: a date (2025-01-06, midnight UTC) or an RFC 3339
    /// time. Default: the kind's length before `--to`.
    #[arg(long)]
    pub from: Option<String>,
    /// End of the period, exclusive. Default: the end of the data (or the
    /// kind's length after `--from`).
    #[arg(long)]
    pub to: Option<String>,
    /// The run's output folder (holding `jsonl/`) or its `jsonl` folder.
    #[arg(long, default_value = "steamflow-demo")]
    pub dir: PathBuf,
    /// Where the report files go (default: `<dir>/reports`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Formats, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "html,pdf,json,xlsx")]
    pub format: Vec<Format>,
}

/// Runs `steamflow report`.
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let from = args
        .from
        .as_deref()
        .map(parse_time)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let to = args
        .to
        .as_deref()
        .map(parse_time)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if let (Some(from), Some(to)) = (from, to) {
        anyhow::ensure!(from < to, "--from must be before --to");
    }
    let out = args.out.clone().unwrap_or_else(|| args.dir.join("reports"));
    let paths = write_report(args.kind, &args.dir, &out, from, to, &args.format)?;
    for path in paths {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the `kind` report over the run in `dir` and writes it to `out`
/// in each format; returns the files written.
pub fn write_report(
    kind: ReportKind,
    dir: &Path,
    out: &Path,
    from: Option<i64>,
    to: Option<i64>,
    formats: &[Format],
) -> anyhow::Result<Vec<PathBuf>> {
    let data = RunData::load(dir)?;
    let report = Report::build(kind, period(kind, &data, from, to), &data);
    Ok(write(&report, out, formats)?)
}
