//! CSV: the historian layout `time,plant,tag,value,quality,unit`, read with
//! one reused `ByteRecord` (no allocation per row) and written by [`CsvWriter`].

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, Reader, ReaderBuilder, Writer, WriterBuilder};
use steamflow_operators::reading::{Reading, format_utc_ms};

use crate::dead_letter::{DeadLetter, Location, Reason, record_text};
use crate::error::{OpenError, ReplayError};
use crate::fields::{Fields, RawRow};

/// The CSV reader's buffer: a few hundred rows per read call.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// The header names each column answers to (compared trimmed, in any case).
const TIME_NAMES: &[&str] = &["time", "timestamp", "time_ms"];
const PLANT_NAMES: &[&str] = &["plant", "plant_id"];
const TAG_NAMES: &[&str] = &["tag", "point", "point_id"];
const VALUE_NAMES: &[&str] = &["value"];
const QUALITY_NAMES: &[&str] = &["quality", "status"];
const UNIT_NAMES: &[&str] = &["unit", "units"];

/// Where each column is in the header.
struct Columns {
    time: usize,
    plant: Option<usize>,
    tag: usize,
    value: usize,
    quality: Option<usize>,
    unit: Option<usize>,
}

impl Columns {
    fn find(path: &Path, header: &ByteRecord, fields: &Fields) -> Result<Self, OpenError> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                // A UTF-8 byte-order mark before the first name is not part of it.
                let name = if i == 0 {
                    name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name)
                } else {
                    name
                };
                String::from_utf8_lossy(name.trim_ascii()).to_ascii_lowercase()
            })
            .collect();
        let find = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
        let required = |column: &'static str, aliases: &[&str]| {
            find(aliases).ok_or(OpenError::MissingColumn {
                path: path.to_path_buf(),
                column,
                hint: "",
            })
        };
        let plant = find(PLANT_NAMES);
        if plant.is_none() && !fields.has_default_plant() {
            return Err(OpenError::MissingColumn {
                path: path.to_path_buf(),
                column: "plant",
                hint: ", and the source names no default plant",
            });
        }
        Ok(Self {
            time: required("time", TIME_NAMES)?,
            plant,
            tag: required("tag", TAG_NAMES)?,
            value: required("value", VALUE_NAMES)?,
            quality: find(QUALITY_NAMES),
            unit: find(UNIT_NAMES),
        })
    }
}

/// Reads a CSV file row by row.
pub(crate) struct CsvDecoder {
    path: PathBuf,
    reader: Reader<File>,
    record: ByteRecord,
    columns: Columns,
    fields: Fields,
}

impl CsvDecoder {
    pub(crate) fn open(path: &Path, file: File, fields: Fields) -> Result<Self, OpenError> {
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            // Short rows become dead letters, not reader errors.
            .flexible(true)
            .buffer_capacity(READ_BUFFER_BYTES)
            .from_reader(file);
        let header = reader.byte_headers().map_err(|source| OpenError::Csv {
            path: path.to_path_buf(),
            source,
        })?;
        let columns = Columns::find(path, header, &fields)?;
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            record: ByteRecord::new(),
            columns,
            fields,
        })
    }

    /// The next row, `None` at the end of the file.
    pub(crate) fn next(&mut self) -> Result<Option<Result<Reading, DeadLetter>>, ReplayError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|source| ReplayError::Csv {
                path: self.path.clone(),
                source,
            })?;
        if !more {
            return Ok(None);
        }
        let record = &self.record;
        let columns = &self.columns;
        let row = RawRow {
            time: record.get(columns.time),
            plant: columns.plant.and_then(|i| record.get(i)),
            tag: record.get(columns.tag),
            value: record.get(columns.value),
            quality: columns.quality.and_then(|i| record.get(i)),
            unit: columns.unit.and_then(|i| record.get(i)),
        };
        Ok(Some(self.fields.reading(&row).map_err(|reason| {
            self.dead_letter(short_row_reason(reason, record.len(), columns))
        })))
    }

    /// Bytes consumed so far.
    pub(crate) fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    fn dead_letter(&self, reason: Reason) -> DeadLetter {
        let line = self.record.position().map_or(0, csv::Position::line);
        let mut text = Vec::with_capacity(self.record.as_slice().len() + self.record.len());
        for (i, field) in self.record.iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            text.extend_from_slice(field);
        }
        DeadLetter {
            location: Location::Line(line),
            reason,
            record: record_text(&text),
        }
    }
}

/// A short row misses optional columns too; name the first column it lacks
/// rather than an effect of the absence (a missing plant, say).
fn short_row_reason(reason: Reason, len: usize, columns: &Columns) -> Reason {
    let named = [
        (Some(columns.time), "time"),
        (columns.plant, "plant"),
        (Some(columns.tag), "tag"),
        (Some(columns.value), "value"),
    ];
    named
        .into_iter()
        .filter_map(|(index, name)| index.filter(|&i| i >= len).map(|i| (i, name)))
        .min_by_key(|&(i, _)| i)
        .map_or(reason, |(_, name)| Reason::MissingField(name))
}

/// Writes readings in the historian CSV layout this crate reads:
/// `time,plant,tag,value,quality,unit` with RFC 3339 UTC times in
/// milliseconds, values in Rust's shortest round-trip form (`NaN`, `inf`,
/// `-inf` and exponents included), quality names and an empty unit for none.
pub struct CsvWriter<W: Write = File> {
    writer: Writer<W>,
    number: String,
    rows: u64,
}

impl CsvWriter {
    /// Creates (or truncates) the file at `path` and writes the header.
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        Self::to_writer(File::create(path)?)
    }
}

impl<W: Write> CsvWriter<W> {
    /// Writes to any byte sink, header first.
    pub fn to_writer(out: W) -> io::Result<Self> {
        let mut writer = WriterBuilder::new()
            .buffer_capacity(READ_BUFFER_BYTES)
            .from_writer(out);
        writer.write_record(["time", "plant", "tag", "value", "quality", "unit"])?;
        Ok(Self {
            writer,
            number: String::with_capacity(32),
            rows: 0,
        })
    }

    /// Appends one reading.
    pub fn push(&mut self, reading: &Reading) -> io::Result<()> {
        self.number.clear();
        // Debug, not Display: the shortest form that parses back to the same
        // bits, with an exponent for 1e300 instead of 301 digits.
        let _ = write!(self.number, "{:?}", reading.value);
        self.writer.write_record([
            format_utc_ms(reading.time_ms).as_str(),
            reading.plant.as_str(),
            reading.tag.as_str(),
            self.number.as_str(),
            reading.quality.as_str(),
            reading.unit.as_ref().map_or("", |unit| unit.as_str()),
        ])?;
        self.rows += 1;
        Ok(())
    }

    /// Appends readings in order.
    pub fn push_all<'r>(
        &mut self,
        readings: impl IntoIterator<Item = &'r Reading>,
    ) -> io::Result<()> {
        readings.into_iter().try_for_each(|r| self.push(r))
    }

    /// Flushes and returns the number of readings written.
    pub fn close(mut self) -> io::Result<u64> {
        self.writer.flush()?;
        Ok(self.rows)
    }
}

/// Writes `readings` to a new historian CSV file at `path`; returns how
/// many were written.
pub fn write_csv_readings<'r>(
    path: impl AsRef<Path>,
    readings: impl IntoIterator<Item = &'r Reading>,
) -> io::Result<u64> {
    let mut writer = CsvWriter::create(path)?;
    writer.push_all(readings)?;
    writer.close()
}
