//! The folder of a run's streams: one `<stream>.jsonl` per named stream.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{JsonlWriter, RenderedWriter, SinkError};

/// A folder that holds one JSON Lines file per named stream.
#[derive(Clone, Debug)]
pub struct JsonlDir {
    dir: PathBuf,
}

impl JsonlDir {
    /// Uses `dir`, creating it (and its parents) if needed.
    pub fn create(dir: impl Into<PathBuf>) -> Result<Self, SinkError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| SinkError::Create {
            path: dir.clone(),
            source,
        })?;
        Ok(Self { dir })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The file a stream is written to: `<dir>/<stream>.jsonl`.
    pub fn file_of(&self, stream: &str) -> Result<PathBuf, SinkError> {
        check_stream_name(stream)?;
        Ok(self.dir.join(format!("{stream}.jsonl")))
    }

    /// Opens (truncating) the file of `stream` for rows of type `R`.
    pub fn stream<R: Serialize + ?Sized>(&self, stream: &str) -> Result<JsonlWriter<R>, SinkError> {
        JsonlWriter::create(self.file_of(stream)?)
    }

    /// Opens (truncating) the file of `stream` for rows rendered by the caller.
    pub fn rendered(&self, stream: &str) -> Result<RenderedWriter, SinkError> {
        RenderedWriter::create(self.file_of(stream)?)
    }
}

/// Checks that a stream name is safe as a file name on every platform:
/// 1 to 200 ASCII letters, digits, `_`, `-` or `.`, not starting with `.`
/// (no separators, no `..`, no hidden files).
pub fn check_stream_name(stream: &str) -> Result<(), SinkError> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let ok = (1..=200).contains(&stream.len())
        && !stream.starts_with('.')
        && stream.bytes().all(allowed);
    if ok {
        Ok(())
    } else {
        Err(SinkError::StreamName(stream.to_owned()))
    }
}
