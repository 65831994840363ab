//! Historian-style JSON Lines of raw readings, the form the file source replays.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use steamflow_operators::reading::{Reading, format_utc_ms};

use crate::SinkError;
use crate::writer::LineSink;

/// How one reading is written:
/// `{"time":"2025-01-01T00:00:00.000Z","plant":"north","tag":"b1.flow","value":12.5,"quality":"good","unit":"t/h"}`.
///
/// Time is RFC 3339 UTC with milliseconds, value a number or
/// `"NaN"`/`"inf"`/`"-inf"`, `unit` left out when the reading has none.
pub struct ReadingJson<'a>(pub &'a Reading);

impl Serialize for ReadingJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let reading = self.0;
        let fields = if reading.unit.is_some() { 6 } else { 5 };
        let mut map = serializer.serialize_map(Some(fields))?;
        map.serialize_entry("time", &format_utc_ms(reading.time_ms))?;
        map.serialize_entry("plant", reading.plant.as_str())?;
        map.serialize_entry("tag", reading.tag.as_str())?;
        match crate::float::non_finite_text(reading.value) {
            Some(text) => map.serialize_entry("value", text)?,
            None => map.serialize_entry("value", &reading.value)?,
        }
        map.serialize_entry("quality", reading.quality.as_str())?;
        if let Some(unit) = &reading.unit {
            map.serialize_entry("unit", unit.as_str())?;
        }
        map.end()
    }
}

/// Writes readings as historian JSON Lines (no `diff`: a file of raw data).
pub struct ReadingsWriter<W: Write = File> {
    sink: LineSink<W>,
}

impl ReadingsWriter {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, SinkError> {
        Ok(Self {
            sink: LineSink::create(path.into())?,
        })
    }
}

impl<W: Write> ReadingsWriter<W> {
    /// Writes to any byte sink; `name` stands for it in error messages.
    pub fn to_writer(name: impl Into<PathBuf>, out: W) -> Self {
        Self {
            sink: LineSink::new(name.into(), out),
        }
    }

    /// Appends one reading.
    pub fn push(&mut self, reading: &Reading) -> Result<(), SinkError> {
        self.sink.write(&ReadingJson(reading))
    }

    /// Appends readings in order.
    pub fn push_all<'r>(
        &mut self,
        readings: impl IntoIterator<Item = &'r Reading>,
    ) -> Result<(), SinkError> {
        readings.into_iter().try_for_each(|r| self.push(r))
    }

    /// Flushes and returns the number of readings written.
    pub fn close(self) -> Result<u64, SinkError> {
        self.sink.close()
    }
}

/// Writes `readings` to a new historian JSON Lines file at `path`; returns
/// how many were written.
pub fn write_readings<'r>(
    path: impl Into<PathBuf>,
    readings: impl IntoIterator<Item = &'r Reading>,
) -> Result<u64, SinkError> {
    let mut writer = ReadingsWriter::create(path)?;
    writer.push_all(readings)?;
    writer.close()
}
