//! What can go wrong when writing JSON Lines.

use std::io;
use std::path::PathBuf;

/// A failure of a JSON Lines writer. Nothing here panics: each failure
/// comes back to the caller, which decides whether to retry or stop.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The file (or its folder) could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// Writing or flushing failed (disk full, closed pipe, …).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file (or `-` for a stream that is not a file).
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A row could not be encoded: its `Serialize` impl failed, or it is not
    /// a struct or map (a row must be a JSON object so that `diff` can join it).
    #[error("a row of {} cannot be written as a JSON object: {source}", path.display())]
    Encode {
        /// The file.
        path: PathBuf,
        /// serde_json's reason.
        source: serde_json::Error,
    },
    /// A stream name that cannot be a file name.
    #[error(
        "`{0}` is not a stream name: use 1 to 200 letters, digits, `_`, `-` or `.`, not starting with `.`"
    )]
    StreamName(String),
}
