//! `steamflow report`: a daily, weekly, monthly or annual report over a
//! finished run's output folder or the ClickHouse tables its sink filled,
//! as HTML (with SVG charts), PDF, JSON and an Excel workbook.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use steamflow_reports::input::clickhouse::ClickHouseInput;
use steamflow_reports::time::parse_time;
use steamflow_reports::{Format, Report, ReportKind, RunData, period, period_ending, write};

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
    #[arg(long, default_value = "steamflow-demo", conflicts_with = "clickhouse")]
    pub dir: PathBuf,
    /// Read the streams from this ClickHouse server instead (its HTTP
    /// interface, e.g. `http://127.0.0.1:8123`): the tables a clickhouse
    /// sink filled, corrections applied, only the period's rows.
    #[arg(long, value_name = "URL")]
    pub clickhouse: Option<String>,
    /// The database of the tables, with `--clickhouse`.
    #[arg(long, default_value = "steamflow", requires = "clickhouse")]
    pub database: String,
    /// ClickHouse user, with `--clickhouse`.
    #[arg(long, default_value = "default", requires = "clickhouse")]
    pub user: String,
    /// Environment variable holding the ClickHouse password, with `--clickhouse`.
    #[arg(long, requires = "clickhouse")]
    pub password_env: Option<String>,
    /// Where the report files go (default: `<dir>/reports`; with
    /// `--clickhouse`, `reports`).
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
    let paths = match &args.clickhouse {
        Some(url) => {
            let out = args.out.clone().unwrap_or_else(|| PathBuf::from("reports"));
            let mut input = ClickHouseInput::new(url.clone(), args.database.clone());
            input.user = args.user.clone();
            if let Some(var) = &args.password_env {
                let password = std::env::var(var).map_err(|_| {
                    anyhow::anyhow!("--password-env: environment variable {var} is not set")
                })?;
                input.password = Some(password);
            }
            write_report_from_clickhouse(args.kind, &input, &out, from, to, &args.format)?
        }
        None => {
            let out = args.out.clone().unwrap_or_else(|| args.dir.join("reports"));
            write_report(args.kind, &args.dir, &out, from, to, &args.format)?
        }
    };
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

/// Builds the `kind` report over the ClickHouse tables of `input` and
/// writes it to `out` in each format; returns the files written.
pub fn write_report_from_clickhouse(
    kind: ReportKind,
    input: &ClickHouseInput,
    out: &Path,
    from: Option<i64>,
    to: Option<i64>,
    formats: &[Format],
) -> anyhow::Result<Vec<PathBuf>> {
    let (period, data) = input.load_blocking(|data_end| period_ending(kind, data_end, from, to))?;
    let report = Report::build(kind, period, &data);
    Ok(write(&report, out, formats)?)
}
