//! One stream's live state: its consolidated collection (record → count)
//! and the updates of its last few settled times. No locking here: the
//! [`LiveTables`](super::LiveTables) handle serialises access.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, TimestampMillisecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::row::{RowConverter, SortField};

use super::LiveError;

/// The name of the column holding an update's (or a record's last) time.
pub const TIME_COLUMN: &str = "time";
/// The name of the column holding an update's diff.
pub const DIFF_COLUMN: &str = "diff";

/// The `time` column: Timestamp(ms, UTC), as the Parquet sink writes it.
fn time_field() -> Field {
    Field::new(
        TIME_COLUMN,
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        false,
    )
}

/// A record of the collection: its accumulated count and the time of the
/// last update that touched it.
#[derive(Clone, Copy, Debug)]
struct Tally {
    count: i64,
    time_ms: i64,
}

/// One declared stream.
#[derive(Debug)]
pub(crate) struct StreamTable {
    name: String,
    record: SchemaRef,
    current_schema: SchemaRef,
    updates_schema: SchemaRef,
    /// Encodes a record's columns as comparable bytes: the hash key.
    converter: RowConverter,
    /// Encoded record → tally; only records with a non-zero count.
    records: HashMap<Box<[u8]>, Tally>,
    /// The `<stream>` table as of the last change; `None` once stale.
    current: Option<RecordBatch>,
    /// Settled time → its updates (with `time` and `diff` columns).
    history: BTreeMap<i64, Vec<RecordBatch>>,
    history_windows: usize,
}

impl StreamTable {
    /// A stream whose records have the columns of `record`.
    pub(crate) fn new(
        stream: &str,
        record: SchemaRef,
        history_windows: usize,
    ) -> Result<StreamTable, LiveError> {
        if let Some(field) = record
            .fields()
            .iter()
            .find(|field| field.name() == TIME_COLUMN || field.name() == DIFF_COLUMN)
        {
            return Err(LiveError::ReservedColumn {
                stream: stream.to_owned(),
                column: field.name().clone(),
            });
        }
        let sort_fields: Vec<SortField> = record
            .fields()
            .iter()
            .map(|field| SortField::new(field.data_type().clone()))
            .collect();
        let converter = RowConverter::new(sort_fields).map_err(|e| LiveError::Schema {
            stream: stream.to_owned(),
            message: e.to_string(),
        })?;
        let mut current_fields = vec![Arc::new(time_field())];
        current_fields.extend(record.fields().iter().cloned());
        let mut updates_fields = current_fields.clone();
        updates_fields.push(Arc::new(Field::new(DIFF_COLUMN, DataType::Int64, false)));
        Ok(StreamTable {
            name: stream.to_owned(),
            current_schema: Arc::new(Schema::new(current_fields)),
            updates_schema: Arc::new(Schema::new(updates_fields)),
            record,
            converter,
            records: HashMap::new(),
            current: None,
            history: BTreeMap::new(),
            history_windows,
        })
    }

    /// An Arrow error about this stream's records.
    fn schema_error(&self, error: datafusion::arrow::error::ArrowError) -> LiveError {
        LiveError::Schema {
            stream: self.name.clone(),
            message: error.to_string(),
        }
    }

    /// The record's columns, as declared.
    pub(crate) fn record_schema(&self) -> &SchemaRef {
        &self.record
    }

    /// `time` then the record's columns.
    pub(crate) fn current_schema(&self) -> &SchemaRef {
        &self.current_schema
    }

    /// `time`, the record's columns, then `diff`.
    pub(crate) fn updates_schema(&self) -> &SchemaRef {
        &self.updates_schema
    }

    /// Applies the updates of one settled time: `rows[i]` with `diffs[i]`.
    pub(crate) fn apply(
        &mut self,
        time_ms: i64,
        rows: &RecordBatch,
        diffs: &[i64],
    ) -> Result<(), LiveError> {
        if diffs.len() != rows.num_rows() {
            return Err(LiveError::DiffCount {
                stream: self.name.clone(),
                rows: rows.num_rows(),
                diffs: diffs.len(),
            });
        }
        // Checks the column count, each column's type and nullability
        // against the declaration, and takes the declared names.
        let rows = RecordBatch::try_new(Arc::clone(&self.record), rows.columns().to_vec())
            .map_err(|e| self.schema_error(e))?;
        if rows.num_rows() == 0 {
            return Ok(());
        }
        let encoded = self
            .converter
            .convert_columns(rows.columns())
            .map_err(|e| self.schema_error(e))?;
        let updates = self.updates_batch(time_ms, &rows, diffs)?;
        for (row, &diff) in encoded.iter().zip(diffs) {
            if diff == 0 {
                continue;
            }
            self.current = None;
            let key: &[u8] = row.as_ref();
            match self.records.get_mut(key) {
                Some(tally) => {
                    tally.count = tally.count.saturating_add(diff);
                    tally.time_ms = tally.time_ms.max(time_ms);
                    if tally.count == 0 {
                        self.records.remove(key);
                    }
                }
                None => {
                    let tally = Tally {
                        count: diff,
                        time_ms,
                    };
                    self.records.insert(Box::from(key), tally);
                }
            }
        }
        if let Some(updates) = updates {
            // The last `history_windows` distinct times.
            self.history.entry(time_ms).or_default().push(updates);
            while self.history.len() > self.history_windows {
                self.history.pop_first();
            }
        }
        Ok(())
    }

    /// The updates as a `<stream>_updates` batch, if history is kept.
    fn updates_batch(
        &self,
        time_ms: i64,
        rows: &RecordBatch,
        diffs: &[i64],
    ) -> Result<Option<RecordBatch>, LiveError> {
        if self.history_windows == 0 {
            return Ok(None);
        }
        let count = rows.num_rows();
        let time: ArrayRef =
            Arc::new(TimestampMillisecondArray::from_value(time_ms, count).with_timezone("UTC"));
        let diff: ArrayRef = Arc::new(Int64Array::from(diffs.to_vec()));
        let mut columns = Vec::with_capacity(rows.num_columns() + 2);
        columns.push(time);
        columns.extend(rows.columns().iter().cloned());
        columns.push(diff);
        RecordBatch::try_new(Arc::clone(&self.updates_schema), columns)
            .map(Some)
            .map_err(|e| self.schema_error(e))
    }

    /// The `<stream>` table: every record whose count is above zero, once,
    /// with the time of its last update; ordered by that time, then by
    /// the record. Built on the first read after a change.
    pub(crate) fn current(&mut self) -> Result<RecordBatch, LiveError> {
        if let Some(current) = &self.current {
            return Ok(current.clone());
        }
        let mut live: Vec<(&[u8], i64)> = self
            .records
            .iter()
            .filter(|(_, tally)| tally.count > 0)
            .map(|(key, tally)| (key.as_ref(), tally.time_ms))
            .collect();
        live.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
        let batch = if live.is_empty() {
            RecordBatch::new_empty(Arc::clone(&self.current_schema))
        } else {
            let parser = self.converter.parser();
            let columns = self
                .converter
                .convert_rows(live.iter().map(|(key, _)| parser.parse(key)))
                .map_err(|e| self.schema_error(e))?;
            let times: TimestampMillisecondArray =
                live.iter().map(|(_, time)| Some(*time)).collect();
            let mut all: Vec<ArrayRef> = vec![Arc::new(times.with_timezone("UTC"))];
            all.extend(columns);
            RecordBatch::try_new(Arc::clone(&self.current_schema), all)
                .map_err(|e| self.schema_error(e))?
        };
        self.current = Some(batch.clone());
        Ok(batch)
    }

    /// The `<stream>_updates` table: the kept updates, oldest time first.
    pub(crate) fn updates(&self) -> Vec<RecordBatch> {
        self.history.values().flatten().cloned().collect()
    }
}
