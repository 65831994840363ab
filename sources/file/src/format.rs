//! The three file formats and how a path names one.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A historian file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
}

impl FileFormat {
    /// The format a file's extension implies: `.csv`, `.jsonl`/`.ndjson`,
    /// `.parquet` (any case); `None` for anything else.
    pub fn from_path(path: &Path) -> Option<Self> {
        path.extension()?.to_str()?.parse().ok()
    }

    /// The lower-case name, as in configs.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Jsonl => "jsonl",
            FileFormat::Parquet => "parquet",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FileFormat {
    type Err = String;

    /// A format name or extension: `csv`, `jsonl`, `ndjson`, `parquet`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Ok(FileFormat::Csv),
            "jsonl" | "ndjson" => Ok(FileFormat::Jsonl),
            "parquet" => Ok(FileFormat::Parquet),
            _ => Err(format!(
                "`{text}` is not a file format: expected csv, jsonl or parquet"
            )),
        }
    }
}
