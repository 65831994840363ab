//! A run's results, read back from its JSON Lines output folder.
//!
//! Each line of `<dir>/<stream>.jsonl` is one update:
//! `{"time":…,<fields>,"diff":…}`. A late correction retracts a record
//! (`diff` −1) and asserts its replacement, so the records a report uses
//! are the consolidated collection: equal records' diffs summed, those that
//! sum to zero or less dropped.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

#[cfg(feature = "clickhouse")]
pub mod clickhouse;

/// A record's fields.
pub type Record = Map<String, Value>;

/// Why a run's output could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A stream file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A line is not a JSON object with a numeric `diff`.
    #[error("{path}:{line}: {reason}")]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The ClickHouse server could not be asked, or its answer not read.
    #[error("ClickHouse, {table}: {reason}")]
    ClickHouse {
        /// The table read (or `server`).
        table: String,
        /// What went wrong.
        reason: String,
    },
    /// The folder holds none of the streams a report reads.
    #[error(
        "{0}: no balances.jsonl, losses.jsonl or trap_statuses.jsonl — is this a run's jsonl folder?"
    )]
    NotARun(PathBuf),
}

/// The streams a report reads, consolidated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunData {
    /// Mass and energy balance per plant and window.
    pub balances: Vec<Record>,
    /// Losses per plant, window and category.
    pub losses: Vec<Record>,
    /// Trap states per plant, window and trap.
    pub trap_statuses: Vec<Record>,
    /// Leaks per plant, window and location.
    pub leaks: Vec<Record>,
    /// Alert records (firing and resolved).
    pub alerts: Vec<Record>,
    /// Recommendations, when the run produced them.
    pub recommendations: Vec<Record>,
}

impl RunData {
    /// Reads the streams of a run's JSON Lines folder (`<out>/jsonl`, or
    /// the run's output folder that holds it). Missing optional streams
    /// are empty.
    pub fn load(dir: &Path) -> Result<RunData, InputError> {
        let dir = if dir.join("jsonl").is_dir() {
            dir.join("jsonl")
        } else {
            dir.to_path_buf()
        };
        let core = ["balances", "losses", "trap_statuses"];
        if !core
            .iter()
            .any(|stream| dir.join(format!("{stream}.jsonl")).is_file())
        {
            return Err(InputError::NotARun(dir));
        }
        let read = |stream: &str| read_stream(&dir.join(format!("{stream}.jsonl")));
        Ok(RunData {
            balances: read("balances")?,
            losses: read("losses")?,
            trap_statuses: read("trap_statuses")?,
            leaks: read("leaks")?,
            alerts: read("alerts")?,
            recommendations: read("recommendations")?,
        })
    }
}

impl RunData {
    /// The end of the last balance or loss window [ms], if any.
    pub fn last_window_end(&self) -> Option<i64> {
        let last_end = self
            .balances
            .iter()
            .chain(&self.losses)
            .filter_map(|r| r.get("window_end").and_then(Value::as_f64))
            .filter(|end| end.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        last_end.is_finite().then_some(last_end as i64)
    }
}

/// The consolidated records of one stream file (empty when absent).
pub fn read_stream(path: &Path) -> Result<Vec<Record>, InputError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(InputError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    consolidate(BufReader::new(file), path)
}

/// Consolidates update lines into the records whose diffs sum above zero,
/// in the order each was first seen.
pub fn consolidate(reader: impl BufRead, path: &Path) -> Result<Vec<Record>, InputError> {
    let mut order: Vec<String> = Vec::new();
    let mut records: HashMap<String, (Record, i64)> = HashMap::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| InputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |reason: String| InputError::Line {
            path: path.to_path_buf(),
            line: index + 1,
            reason,
        };
        let mut fields: Record = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let diff = fields
            .remove("diff")
            .and_then(|diff| diff.as_i64())
            .ok_or_else(|| bad("no integer `diff`".into()))?;
        fields.remove("time");
        let key = Value::Object(fields.clone()).to_string();
        match records.get_mut(&key) {
            Some((_, count)) => *count += diff,
            None => {
                order.push(key.clone());
                records.insert(key, (fields, diff));
            }
        }
    }
    let mut out = Vec::new();
    for key in order {
        if let Some((record, count)) = records.remove(&key) {
            for _ in 0..count.max(0) {
                out.push(record.clone());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_replaces_the_retracted_record() {
        let lines = concat!(
            r#"{"time":1,"plant":"a","window_start":0,"x":1.0,"diff":1}"#,
            "\n",
            r#"{"time":2,"plant":"a","window_start":0,"x":1.0,"diff":-1}"#,
            "\n",
            r#"{"time":2,"plant":"a","window_start":0,"x":1.5,"diff":1}"#,
            "\n"
        );
        let records = consolidate(lines.as_bytes(), Path::new("t.jsonl")).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0]["x"], 1.5);
    }

    #[test]
    fn a_bad_line_names_its_file_and_line() {
        let lines = "{\"diff\":1}\nnot json\n";
        let error = consolidate(lines.as_bytes(), Path::new("t.jsonl")).unwrap_err();
        assert!(error.to_string().starts_with("t.jsonl:2:"), "{error}");
    }
}
