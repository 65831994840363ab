//! JSON Lines: one object per line with the fields
//! `time, plant, tag, value, quality, unit`; other fields are ignored.
//!
//! `time` is a string (RFC 3339 or epoch ms digits) or an integer of epoch
//! ms (`time_ms` and `timestamp` are accepted as its name); `value` a number,
//! a string such as `"NaN"` or `"-inf"`, or `null` (NaN); `quality` a name or
//! an integer status code. Whitespace-only lines hold no record and are skipped.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use steamflow_operators::reading::Reading;

use crate::dead_letter::{DeadLetter, Location, Reason, record_text, snippet};
use crate::error::ReplayError;
use crate::fields::{Fields, parse_quality, parse_time, parse_value, quality_of_status};

const READ_BUFFER_BYTES: usize = 256 * 1024;

/// A JSON scalar as it came, strings borrowed from the line where possible.
#[derive(Debug, Default)]
enum Scalar<'a> {
    /// The field is not in the object.
    #[default]
    Absent,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number, a boolean or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
}

/// The fields of one line that a reading needs. Names are `Scalar`s too:
/// serde's own `Cow` impl would copy every string, `Scalar` borrows it from
/// the line unless it has escapes.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(default, borrow, alias = "time_ms", alias = "timestamp")]
    time: Scalar<'a>,
    #[serde(default, borrow)]
    plant: Scalar<'a>,
    #[serde(default, borrow)]
    tag: Scalar<'a>,
    #[serde(default, borrow)]
    value: Scalar<'a>,
    #[serde(default, borrow)]
    quality: Scalar<'a>,
    #[serde(default, borrow)]
    unit: Scalar<'a>,
}

/// Reads a JSON Lines file line by line into one reused buffer.
pub(crate) struct JsonlDecoder {
    path: PathBuf,
    reader: BufReader<File>,
    line: Vec<u8>,
    line_number: u64,
    position: u64,
    fields: Fields,
}

impl JsonlDecoder {
    pub(crate) fn new(path: &Path, file: File, fields: Fields) -> Self {
        Self {
            path: path.to_path_buf(),
            reader: BufReader::with_capacity(READ_BUFFER_BYTES, file),
            line: Vec::with_capacity(512),
            line_number: 0,
            position: 0,
            fields,
        }
    }

    /// The next record, `None` at the end of the file.
    pub(crate) fn next(&mut self) -> Result<Option<Result<Reading, DeadLetter>>, ReplayError> {
        loop {
            self.line.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.line)
                .map_err(|source| ReplayError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            if read == 0 {
                return Ok(None);
            }
            self.position += read as u64;
            self.line_number += 1;
            if self.line.trim_ascii().is_empty() {
                continue;
            }
            let decoded = decode(&mut self.fields, &self.line).map_err(|reason| DeadLetter {
                location: Location::Line(self.line_number),
                reason,
                record: record_text(self.line.trim_ascii()),
            });
            return Ok(Some(decoded));
        }
    }

    /// Bytes consumed so far.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }
}

fn decode(fields: &mut Fields, line: &[u8]) -> Result<Reading, Reason> {
    let line = line.trim_ascii();
    // serde would also read a struct from an array; a record is an object.
    if line.first() != Some(&b'{') {
        return Err(Reason::Malformed(
            "the line is not a JSON object".to_owned(),
        ));
    }
    let line: Line<'_> =
        serde_json::from_slice(line).map_err(|error| Reason::Malformed(error.to_string()))?;
    let time_ms = time(&line.time)?;
    let plant = fields.plant(name(&line.plant, "plant")?)?;
    let tag = fields.tag(name(&line.tag, "tag")?)?;
    let value = value(&line.value)?;
    let quality = match &line.quality {
        Scalar::Absent | Scalar::Null => Ok(Default::default()),
        Scalar::Str(text) => parse_quality(Some(text.as_bytes())),
        Scalar::Int(status) => quality_of_status(*status),
        other => Err(Reason::UnknownQuality(scalar_text(other))),
    }?;
    let unit = fields.unit(name(&line.unit, "unit")?)?;
    Ok(Reading {
        time_ms,
        plant,
        tag,
        value,
        quality,
        unit,
    })
}

/// A name field: a string, or absent/null.
fn name<'s>(scalar: &'s Scalar<'_>, field: &'static str) -> Result<Option<&'s [u8]>, Reason> {
    match scalar {
        Scalar::Absent | Scalar::Null => Ok(None),
        Scalar::Str(text) => Ok(Some(text.as_bytes())),
        other => Err(Reason::Malformed(format!(
            "{field} must be a string, found {}",
            scalar_text(other)
        ))),
    }
}

fn time(time: &Scalar<'_>) -> Result<i64, Reason> {
    match time {
        Scalar::Absent | Scalar::Null => Err(Reason::MissingField("time")),
        Scalar::Int(ms) => Ok(*ms),
        // Integral floats (1.7e12) are epoch ms too; fractions of a ms are not.
        Scalar::Float(ms) if ms.fract() == 0.0 && ms.abs() < 9.0e18 => Ok(*ms as i64),
        Scalar::Str(text) => parse_time(text.as_bytes()),
        other => Err(Reason::BadTime(scalar_text(other))),
    }
}

fn value(value: &Scalar<'_>) -> Result<f64, Reason> {
    match value {
        Scalar::Absent => Err(Reason::MissingField("value")),
        Scalar::Null => Ok(f64::NAN),
        Scalar::Int(v) => Ok(*v as f64),
        Scalar::Float(v) => Ok(*v),
        Scalar::Str(text) => parse_value(text.as_bytes()),
        Scalar::Bool(_) => Err(Reason::NonNumericValue(scalar_text(value))),
    }
}

fn scalar_text(scalar: &Scalar<'_>) -> String {
    match scalar {
        Scalar::Absent => String::new(),
        Scalar::Null => "null".to_owned(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Str(text) => snippet(text.as_bytes()),
    }
}
