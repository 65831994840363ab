//! Live tables: the streams of a running pipeline as SQL tables.
//!
//! The pipeline hands each stream's updates to a [`LiveTables`] as they
//! settle (one call of [`LiveTables::apply`] per stream and settled time:
//! the records, as an Arrow batch of the stream's declared columns, and
//! their diffs — +1 asserts a record, −1 retracts it). For a stream `s`
//! a session then has two tables, with the same columns as the tables of
//! a finished run's folder ([`crate::folder`]), so a view runs unchanged
//! on both:
//!
//! - `s` — the **current state**: the stream's consolidated collection,
//!   every record whose diffs so far sum to more than zero, once, with
//!   `time` the last update that touched it (Timestamp(ms, UTC)), then
//!   the record's columns. A late reading within the allowed lateness
//!   retracts a window's old result and asserts the corrected one, so
//!   `s` shows the corrected value only: the latest value per key.
//!   Records are hashed by value (Arrow's row format), so an update costs
//!   the size of the update, not of the collection; the table is built
//!   on the first query after a change. Its memory is that of the
//!   collection: a stream that never retracts (windowed results of every
//!   window) grows with the run.
//! - `s_updates` — a **bounded recent history**: every update of the last
//!   `history_windows` distinct settled times, as it came: `time`
//!   (Timestamp(ms, UTC)), the record's columns, `diff` (Int64). Older
//!   times are forgotten; with `history_windows` 0 the table stays empty.
//!
//! Every scan reads a snapshot: the batches of that table at the moment
//! the query is planned, never a half-applied update. Two tables of one
//! query are each read at their own moment; a query run between two
//! [`LiveTables::apply`] calls on the same thread (as views are, see
//! [`ViewEngine`]) sees one settled state of every stream.

mod engine;
mod provider;
mod stream;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::SessionContext;

pub use engine::{Evaluation, ViewDelta, ViewEngine};
pub use stream::{DIFF_COLUMN, TIME_COLUMN};

use crate::error::Result;
use provider::{LiveTable, TableKind};
use stream::StreamTable;

/// What is wrong with a declaration or an update of a live stream.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The stream was never [declared](LiveTables::declare).
    #[error("stream {stream}: not declared")]
    Undeclared {
        /// The stream.
        stream: String,
    },
    /// The stream was declared before with other columns.
    #[error("stream {stream}: already declared with other columns")]
    Redeclared {
        /// The stream.
        stream: String,
    },
    /// The stream's name is not a plain SQL table name.
    #[error(
        "stream {stream}: a table name is lower-case letters, digits and `_`, not starting with a digit"
    )]
    Name {
        /// The stream.
        stream: String,
    },
    /// A record column is named `time` or `diff`, which the tables add.
    #[error(
        "stream {stream}: its records cannot have a `{column}` column (the live tables add it)"
    )]
    ReservedColumn {
        /// The stream.
        stream: String,
        /// The column.
        column: String,
    },
    /// The records do not fit the declared columns (count, type, nulls),
    /// or a column type cannot be hashed.
    #[error("stream {stream}: {message}")]
    Schema {
        /// The stream.
        stream: String,
        /// Arrow's reason.
        message: String,
    },
    /// Not one diff per record.
    #[error("stream {stream}: {rows} records but {diffs} diffs")]
    DiffCount {
        /// The stream.
        stream: String,
        /// Records in the batch.
        rows: usize,
        /// Diffs given.
        diffs: usize,
    },
}

/// The live streams of a running pipeline, shared between the dataflow
/// (the writer) and every session that queries them (readers). Cloning
/// is cheap: clones share the same streams.
#[derive(Clone, Debug)]
pub struct LiveTables {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    history_windows: usize,
    streams: Mutex<BTreeMap<String, StreamTable>>,
}

impl LiveTables {
    /// No streams yet; `<stream>_updates` will keep the updates of the last
    /// `history_windows` distinct settled times of each stream.
    pub fn new(history_windows: usize) -> LiveTables {
        LiveTables {
            inner: Arc::new(Inner {
                history_windows,
                streams: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// How many settled times `<stream>_updates` keeps.
    pub fn history_windows(&self) -> usize {
        self.inner.history_windows
    }

    /// Declares `stream` with the columns of its records (no `time` and
    /// no `diff`: the tables add them). Declaring it again with the same
    /// columns does nothing; with other columns is an error.
    pub fn declare(&self, stream: &str, record: SchemaRef) -> Result<(), LiveError> {
        if !crate::folder::is_table_name(stream) {
            return Err(LiveError::Name {
                stream: stream.to_owned(),
            });
        }
        let mut streams = self.lock();
        if let Some(existing) = streams.get(stream) {
            if existing.record_schema().fields() == record.fields() {
                return Ok(());
            }
            return Err(LiveError::Redeclared {
                stream: stream.to_owned(),
            });
        }
        let table = StreamTable::new(stream, record, self.inner.history_windows)?;
        streams.insert(stream.to_owned(), table);
        Ok(())
    }

    /// Applies the updates of `stream` at one settled time `time_ms`
    /// (milliseconds since the epoch): `rows` holds the records, in the
    /// declared columns' order and types, `diffs` one diff per record.
    /// A bad batch changes nothing and is the error.
    pub fn apply(
        &self,
        stream: &str,
        time_ms: i64,
        rows: &RecordBatch,
        diffs: &[i64],
    ) -> Result<(), LiveError> {
        self.with_stream(stream, |table| table.apply(time_ms, rows, diffs))?
    }

    /// Registers `<stream>` and `<stream>_updates` of every declared stream
    /// in `ctx` (replacing tables of those names). Streams declared later
    /// need another call.
    pub fn register(&self, ctx: &SessionContext) -> Result<()> {
        let declared: Vec<(String, SchemaRef, SchemaRef)> = self
            .lock()
            .iter()
            .map(|(name, table)| {
                (
                    name.clone(),
                    Arc::clone(table.current_schema()),
                    Arc::clone(table.updates_schema()),
                )
            })
            .collect();
        for (stream, current, updates) in declared {
            for (table, kind, schema) in [
                (stream.clone(), TableKind::Current, current),
                (format!("{stream}_updates"), TableKind::Updates, updates),
            ] {
                let provider = LiveTable::new(self.clone(), stream.clone(), kind, schema);
                ctx.register_table(table.as_str(), Arc::new(provider))?;
            }
        }
        Ok(())
    }

    /// The declared streams, sorted.
    pub fn streams(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// The declared record columns of `stream`.
    pub fn record_schema(&self, stream: &str) -> Option<SchemaRef> {
        self.lock()
            .get(stream)
            .map(|table| Arc::clone(table.record_schema()))
    }

    /// A snapshot of the `<stream>` table (see the [module docs](self)).
    pub fn current(&self, stream: &str) -> Result<RecordBatch, LiveError> {
        self.with_stream(stream, StreamTable::current)?
    }

    /// A snapshot of the `<stream>_updates` table, oldest time first.
    pub fn updates(&self, stream: &str) -> Result<Vec<RecordBatch>, LiveError> {
        self.with_stream(stream, |table| table.updates())
    }

    /// Runs `f` on `stream`, holding the lock.
    fn with_stream<T>(
        &self,
        stream: &str,
        f: impl FnOnce(&mut StreamTable) -> T,
    ) -> Result<T, LiveError> {
        let mut streams = self.lock();
        let table = streams
            .get_mut(stream)
            .ok_or_else(|| LiveError::Undeclared {
                stream: stream.to_owned(),
            })?;
        Ok(f(table))
    }

    /// The streams. A poisoned lock is taken over: nothing that runs under
    /// it panics, and an update is checked whole before it changes anything.
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, StreamTable>> {
        self.inner
            .streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
