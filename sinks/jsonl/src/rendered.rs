//! Rows rendered elsewhere: a producer that already holds each row as JSON
//! object members (`"plant":"north","value":1.5`, no braces) — the
//! dataflow renders its records once, with key names resolved — writes
//! them through the same file, buffer and framing as [`JsonlWriter`]
//! (`{<members>,"diff":<diff>}`), so every stream file of a run has one
//! layout whichever side rendered it.
//!
//! [`JsonlWriter`]: crate::JsonlWriter

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::SinkError;
use crate::writer::{LineSink, frame_members};

/// The line a row of `members` with `diff` becomes, without the newline:
/// `{<members>,"diff":<diff>}`. For in-memory sinks that must match the files.
///
/// ```
/// assert_eq!(steamflow_sink_jsonl::render_line("\"a\":1", -1), r#"{"a":1,"diff":-1}"#);
/// ```
pub fn render_line(members: &str, diff: i64) -> String {
    let mut line = Vec::with_capacity(members.len() + 16);
    frame_members(&mut line, members, diff);
    line.pop();
    // Framing adds ASCII only around members that are a `str`: still UTF-8.
    String::from_utf8(line).unwrap_or_default()
}

/// Writes rendered rows of one stream, one JSON object per line with a
/// `diff` field. Buffered like [`JsonlWriter`](crate::JsonlWriter):
/// [`flush`](Self::flush) pushes lines to the file, [`close`](Self::close)
/// flushes and reports the row count.
pub struct RenderedWriter<W: Write = File> {
    sink: LineSink<W>,
}

impl RenderedWriter {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, SinkError> {
        Ok(Self {
            sink: LineSink::create(path.into())?,
        })
    }
}

impl<W: Write> RenderedWriter<W> {
    /// Writes to any byte sink; `name` stands for it in error messages.
    pub fn to_writer(name: impl Into<PathBuf>, out: W) -> Self {
        Self {
            sink: LineSink::new(name.into(), out),
        }
    }

    /// Appends a row given as JSON object members (no braces; the caller
    /// vouches they are valid JSON) with its diff.
    pub fn append(&mut self, members: &str, diff: i64) -> Result<(), SinkError> {
        self.sink.write_members(members, diff)
    }

    /// Pushes buffered lines to the file.
    pub fn flush(&mut self) -> Result<(), SinkError> {
        self.sink.flush()
    }

    /// Flushes and returns the number of rows written.
    pub fn close(self) -> Result<u64, SinkError> {
        self.sink.close()
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.sink.rows()
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        self.sink.path()
    }
}
