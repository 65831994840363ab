//! The typed, buffered JSON Lines writer of one stream.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::SinkError;

/// Bytes buffered before a write reaches the operating system.
const BUFFER_BYTES: usize = 256 * 1024;

/// One line: the row's own fields, then `diff`.
#[derive(Serialize)]
struct Line<'a, R: ?Sized> {
    #[serde(flatten)]
    row: &'a R,
    diff: i64,
}

/// Frames rendered members as one line: `{<members>,"diff":<diff>}\n` —
/// the same layout [`JsonlWriter`] gives a serialized row.
pub(crate) fn frame_members(line: &mut Vec<u8>, members: &str, diff: i64) {
    line.push(b'{');
    line.extend_from_slice(members.as_bytes());
    if !members.is_empty() {
        line.push(b',');
    }
    // Writing to a Vec cannot fail.
    let _ = writeln!(line, "\"diff\":{diff}}}");
}

/// Lines of JSON written through a buffer: the part every writer of this
/// crate shares. A row is encoded into a scratch buffer first, so a row that
/// fails to encode leaves no half line in the file.
pub(crate) struct LineSink<W: Write> {
    path: PathBuf,
    out: BufWriter<W>,
    line: Vec<u8>,
    rows: u64,
}

impl LineSink<File> {
    pub(crate) fn create(path: PathBuf) -> Result<Self, SinkError> {
        match File::create(&path) {
            Ok(file) => Ok(Self::new(path, file)),
            Err(source) => Err(SinkError::Create { path, source }),
        }
    }
}

impl<W: Write> LineSink<W> {
    pub(crate) fn new(path: PathBuf, out: W) -> Self {
        Self {
            path,
            out: BufWriter::with_capacity(BUFFER_BYTES, out),
            line: Vec::with_capacity(256),
            rows: 0,
        }
    }

    pub(crate) fn write<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SinkError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value).map_err(|source| SinkError::Encode {
            path: self.path.clone(),
            source,
        })?;
        if self.line.first() != Some(&b'{') {
            return Err(SinkError::Encode {
                path: self.path.clone(),
                source: serde::ser::Error::custom("the row is not a struct or map"),
            });
        }
        self.line.push(b'\n');
        self.write_buffered_line()
    }

    /// Writes one row already rendered as JSON object members (no braces),
    /// framed as `{<members>,"diff":<diff>}`.
    pub(crate) fn write_members(&mut self, members: &str, diff: i64) -> Result<(), SinkError> {
        self.line.clear();
        frame_members(&mut self.line, members, diff);
        self.write_buffered_line()
    }

    fn write_buffered_line(&mut self) -> Result<(), SinkError> {
        self.out
            .write_all(&self.line)
            .map_err(|e| self.write_error(e))?;
        self.rows += 1;
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> Result<(), SinkError> {
        self.out.flush().map_err(|e| self.write_error(e))
    }

    pub(crate) fn close(mut self) -> Result<u64, SinkError> {
        self.flush()?;
        Ok(self.rows)
    }

    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn write_error(&self, source: io::Error) -> SinkError {
        SinkError::Write {
            path: self.path.clone(),
            source,
        }
    }
}

/// Writes rows of type `R` of one stream, one JSON object per line with a
/// `diff` field: `{"plant":"north",...,"diff":1}`.
///
/// `R` must serialize as a struct or map, and should not have a field named
/// `diff` itself. Lines are buffered; [`flush`](Self::flush) pushes them to
/// the file (a live view can `tail -f` it) and [`close`](Self::close) flushes
/// and reports the row count. Dropping the writer flushes too, but loses any
/// error: call `close`.
pub struct JsonlWriter<R: ?Sized, W: Write = File> {
    sink: LineSink<W>,
    row: PhantomData<fn(&R)>,
}

impl<R: Serialize + ?Sized> JsonlWriter<R> {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, SinkError> {
        Ok(Self {
            sink: LineSink::create(path.into())?,
            row: PhantomData,
        })
    }
}

impl<R: Serialize + ?Sized, W: Write> JsonlWriter<R, W> {
    /// Writes to any byte sink (standard output, a socket, a buffer);
    /// `name` stands for it in error messages.
    pub fn to_writer(name: impl Into<PathBuf>, out: W) -> Self {
        Self {
            sink: LineSink::new(name.into(), out),
            row: PhantomData,
        }
    }

    /// Appends `row` with its `diff` (+1 assert, −1 retract; any count).
    pub fn append(&mut self, row: &R, diff: i64) -> Result<(), SinkError> {
        self.sink.write(&Line { row, diff })
    }

    /// Appends rows with their diffs; stops at the first failure.
    pub fn append_all<'r, I>(&mut self, rows: I) -> Result<(), SinkError>
    where
        R: 'r,
        I: IntoIterator<Item = (&'r R, i64)>,
    {
        rows.into_iter()
            .try_for_each(|(row, diff)| self.append(row, diff))
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

    /// The file written (or the name given to [`to_writer`](Self::to_writer)).
    pub fn path(&self) -> &Path {
        self.sink.path()
    }
}
