//! Rows that do not decode: where they were and why.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Where a dead row was in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A line of a text file (CSV, JSON Lines), 1 for the first line —
    /// the CSV header is line 1, so its first record is line 2.
    Line(u64),
    /// A row of a Parquet file, 1 for the first row.
    Row(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::Row(row) => write!(f, "row {row}"),
        }
    }
}

/// Why a row is not a reading. Quoted texts are cut at 120 characters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// The time is neither RFC 3339 nor epoch milliseconds.
    #[error("bad time `{0}`: expected RFC 3339 (2025-01-01T00:00:00Z) or epoch milliseconds")]
    BadTime(String),
    /// The value is not a number.
    #[error("value `{0}` is not a number")]
    NonNumericValue(String),
    /// A field the row must have is absent (a short CSV row, a JSON object
    /// without it) or empty (`tag`).
    #[error("missing {0}")]
    MissingField(&'static str),
    /// The quality is neither a name nor an OPC UA status code.
    #[error("unknown quality `{0}`: expected good, uncertain, bad or an OPC UA status code")]
    UnknownQuality(String),
    /// The row names no plant and the source has no default plant.
    #[error("no plant: the row names none and the source sets no default")]
    MissingPlant,
    /// A text field is not UTF-8.
    #[error("{0} is not valid UTF-8")]
    NotUtf8(&'static str),
    /// The row is not a record at all (invalid JSON, a JSON array, …).
    #[error("malformed record: {0}")]
    Malformed(String),
}

impl Reason {
    /// A stable code for counters and the dead-letter stream.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::BadTime(_) => "bad_time",
            Reason::NonNumericValue(_) => "non_numeric_value",
            Reason::MissingField(_) => "missing_field",
            Reason::UnknownQuality(_) => "unknown_quality",
            Reason::MissingPlant => "missing_plant",
            Reason::NotUtf8(_) => "not_utf8",
            Reason::Malformed(_) => "malformed",
        }
    }
}

/// A row that did not decode, with its place and reason.
///
/// It serializes flat, ready for a dead-letter stream (`"row"` instead of
/// `"line"` for Parquet):
///
/// ```text
/// {"line":3,"reason":"bad_time","message":"bad time `x`: …","record":"x,north,a,1"}
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DeadLetter {
    /// Where the row was.
    pub location: Location,
    /// Why it is not a reading.
    pub reason: Reason,
    /// The row as text (lossy for non-UTF-8 bytes), cut at 500 characters;
    /// empty for Parquet rows.
    pub record: String,
}

impl Serialize for DeadLetter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        match self.location {
            Location::Line(line) => map.serialize_entry("line", &line)?,
            Location::Row(row) => map.serialize_entry("row", &row)?,
        }
        map.serialize_entry("reason", self.reason.code())?;
        map.serialize_entry("message", &self.reason.to_string())?;
        map.serialize_entry("record", &self.record)?;
        map.end()
    }
}

impl fmt::Display for DeadLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

/// Characters kept of a quoted field.
const SNIPPET_CHARS: usize = 120;
/// Characters kept of a whole record.
const RECORD_CHARS: usize = 500;

/// A field quoted in a reason: lossy UTF-8, cut with `…`.
pub(crate) fn snippet(bytes: &[u8]) -> String {
    cut(&String::from_utf8_lossy(bytes), SNIPPET_CHARS)
}

/// A whole record kept with its dead letter.
pub(crate) fn record_text(bytes: &[u8]) -> String {
    cut(&String::from_utf8_lossy(bytes), RECORD_CHARS)
}

fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or(text)),
        None => text.to_owned(),
    }
}
