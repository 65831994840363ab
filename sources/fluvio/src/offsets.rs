//! The local offset store: the next offset to read of each partition of a
//! topic, in a small JSON file.
//!
//! The file is replaced atomically: written to a temporary file in the same
//! folder, synced, renamed over the old one, and the folder synced. A crash
//! at any moment leaves either the old or the new file, never a torn one.
//! The consumer stores the offsets after a batch was handed on to the
//! dataflow, so a restart resumes at the first record not handed on
//! (at-least-once: a crash between the hand-over and the store replays
//! that batch).
//!
//! ```json
//! {"topic": "steam-readings", "next_offsets": {"0": 1200, "1": 877}}
//! ```

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The next offset to read, by partition.
pub type Positions = BTreeMap<u32, i64>;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OffsetFileContent {
    topic: String,
    next_offsets: Positions,
}

/// What can go wrong with the offset file.
#[derive(Debug, thiserror::Error)]
pub enum OffsetFileError {
    #[error("cannot read the offset file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "the offset file {path} is not valid ({reason}); move it away to start from the configured start"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "the offset file {path} belongs to topic `{found}`, not `{expected}`; give each source its own file"
    )]
    OtherTopic {
        path: PathBuf,
        found: String,
        expected: String,
    },
    #[error("cannot write the offset file {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// A local offset file of one topic.
#[derive(Clone, Debug)]
pub struct OffsetFile {
    path: PathBuf,
    topic: String,
}

impl OffsetFile {
    pub fn new(path: impl Into<PathBuf>, topic: impl Into<String>) -> OffsetFile {
        OffsetFile {
            path: path.into(),
            topic: topic.into(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored positions; empty when the file does not exist yet.
    /// A file that cannot be read or parsed is an error, not a silent
    /// restart from the beginning.
    pub fn load(&self) -> Result<Positions, OffsetFileError> {
        let text = match fs::read(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Positions::new()),
            Err(source) => {
                return Err(OffsetFileError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let content: OffsetFileContent =
            serde_json::from_slice(&text).map_err(|error| OffsetFileError::Corrupt {
                path: self.path.clone(),
                reason: error.to_string(),
            })?;
        if content.topic != self.topic {
            return Err(OffsetFileError::OtherTopic {
                path: self.path.clone(),
                found: content.topic,
                expected: self.topic.clone(),
            });
        }
        if let Some((partition, offset)) = content.next_offsets.iter().find(|(_, o)| **o < 0) {
            return Err(OffsetFileError::Corrupt {
                path: self.path.clone(),
                reason: format!("partition {partition} has the negative offset {offset}"),
            });
        }
        Ok(content.next_offsets)
    }

    /// Replaces the file with `positions`, atomically and durably.
    pub fn store(&self, positions: &Positions) -> Result<(), OffsetFileError> {
        let write_error = |source| OffsetFileError::Write {
            path: self.path.clone(),
            source,
        };
        let content = OffsetFileContent {
            topic: self.topic.clone(),
            next_offsets: positions.clone(),
        };
        let text = serde_json::to_vec(&content)
            .map_err(|error| write_error(io::Error::other(error.to_string())))?;
        let folder = match self.path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&folder).map_err(write_error)?;
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        let temporary = folder.join(name);
        let mut file = File::create(&temporary).map_err(write_error)?;
        file.write_all(&text).map_err(write_error)?;
        file.sync_all().map_err(write_error)?;
        drop(file);
        fs::rename(&temporary, &self.path).map_err(write_error)?;
        // The rename is durable once the folder's entry is on disk.
        if let Ok(folder) = File::open(&folder) {
            let _ = folder.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_an_empty_start() {
        let dir = tempfile::tempdir().unwrap();
        let file = OffsetFile::new(dir.path().join("none.json"), "steam");
        assert_eq!(file.load().unwrap(), Positions::new());
    }

    #[test]
    fn stored_positions_load_back_and_replace_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let file = OffsetFile::new(dir.path().join("state/offsets.json"), "steam");
        file.store(&Positions::from([(0, 10), (3, 7)])).unwrap();
        assert_eq!(file.load().unwrap(), Positions::from([(0, 10), (3, 7)]));
        file.store(&Positions::from([(0, 12), (3, 7)])).unwrap();
        assert_eq!(file.load().unwrap(), Positions::from([(0, 12), (3, 7)]));
        let names: Vec<_> = fs::read_dir(dir.path().join("state"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["offsets.json"], "no temporary file is left behind");
    }

    /// A crash while writing leaves the temporary file half written; the
    /// stored file is untouched and the next store replaces both.
    #[test]
    fn a_torn_temporary_file_does_not_change_the_stored_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offsets.json");
        let file = OffsetFile::new(&path, "steam");
        file.store(&Positions::from([(0, 5)])).unwrap();
        fs::write(dir.path().join("offsets.json.tmp"), b"{\"topic\": \"ste").unwrap();
        assert_eq!(file.load().unwrap(), Positions::from([(0, 5)]));
        file.store(&Positions::from([(0, 6)])).unwrap();
        assert_eq!(file.load().unwrap(), Positions::from([(0, 6)]));
    }

    #[test]
    fn a_corrupt_or_foreign_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offsets.json");
        fs::write(&path, b"{\"topic\": \"steam\", \"next_offsets\": {\"0\": ").unwrap();
        let error = OffsetFile::new(&path, "steam").load().unwrap_err();
        assert!(error.to_string().contains("is not valid"), "{error}");
        fs::write(&path, br#"{"topic": "steam", "next_offsets": {"0": -3}}"#).unwrap();
        let error = OffsetFile::new(&path, "steam").load().unwrap_err();
        assert!(error.to_string().contains("negative offset -3"), "{error}");
        OffsetFile::new(&path, "other")
            .store(&Positions::from([(0, 1)]))
            .unwrap();
        let error = OffsetFile::new(&path, "steam").load().unwrap_err();
        assert!(error.to_string().contains("topic `other`"), "{error}");
    }
}
