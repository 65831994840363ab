//! steamflow's reports: the daily operational summary, the weekly
//! analysis, the monthly energy audit and the annual energy review in the
//! ISO 50001 spirit, each with the seed's eight sections (executive
//! summary, performance metrics, loss analysis with breakdown, economic
//! impact, recommendations with ROI, trend analysis, compliance status,
//! action plan).
//!
//! A [`Report`] is computed from a run's settled streams ([`RunData`], read
//! from its JSON Lines folder or, with the `clickhouse` feature, from the
//! ClickHouse tables its sink filled: `input::clickhouse`) for a period,
//! then rendered as HTML with SVG charts, PDF, JSON or an Excel workbook
//! ([`Format`]).

mod html;
pub mod input;
mod kind;
pub mod model;
mod pdf;
mod svg;
pub mod time;
mod xlsx;

use std::path::{Path, PathBuf};

pub use input::{InputError, RunData};
pub use kind::ReportKind;
pub use model::{Period, Report};

/// A report's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// One self-contained HTML page with SVG charts.
    Html,
    /// A4 PDF.
    Pdf,
    /// The report's figures as JSON.
    Json,
    /// An Excel workbook, one sheet per section.
    Xlsx,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Html, Format::Pdf, Format::Json, Format::Xlsx];

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.extension() == name)
            .ok_or_else(|| format!("unknown report format `{name}`: html, pdf, json or xlsx"))
    }
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The run's output could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The workbook could not be built.
    #[error("excel workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The report could not be serialised.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The report in `format`.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        Format::Html => html::render(report).into_bytes(),
        Format::Pdf => pdf::render(report),
        Format::Json => serde_json::to_vec_pretty(report)?,
        Format::Xlsx => xlsx::render(report)?,
    })
}

/// Writes `<dir>/<kind>-report.<ext>` for each format; returns the paths.
pub fn write(report: &Report, dir: &Path, formats: &[Format]) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for format in formats {
        let path = dir.join(format!(
            "{}-report.{}",
            report.kind.name(),
            format.extension()
        ));
        let bytes = render(report, *format)?;
        std::fs::write(&path, bytes).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// The period of a `kind` report: `[from, to)` as given, or the kind's
/// length ending at the end of the data (or starting at `from`).
pub fn period(kind: ReportKind, data: &RunData, from: Option<i64>, to: Option<i64>) -> Period {
    period_ending(kind, data.last_window_end(), from, to)
}

/// The period of a `kind` report whose data ends at `data_end` (the last
/// balance or loss window's end; `None`: no data): `[from, to)` as given,
/// or the kind's length ending at `data_end` (or starting at `from`).
pub fn period_ending(
    kind: ReportKind,
    data_end: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
) -> Period {
    let data_end = data_end.unwrap_or(0);
    match (from, to) {
        (Some(from), Some(to)) => Period {
            from_ms: from,
            to_ms: to,
        },
        (Some(from), None) => Period {
            from_ms: from,
            to_ms: from.saturating_add(kind.period_ms()),
        },
        (None, Some(to)) => Period {
            from_ms: to.saturating_sub(kind.period_ms()),
            to_ms: to,
        },
        (None, None) => Period {
            from_ms: data_end.saturating_sub(kind.period_ms()),
            to_ms: data_end,
        },
    }
}
