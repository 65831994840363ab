//! The live tables' feed: on worker 0, a record sink per stream the views
//! read turns each settled time's updates into one Arrow batch and hands
//! it to the views' thread.

use std::sync::Arc;
use std::sync::mpsc::SyncSender;
use std::time::Instant;

use serde_json::{Map, Value};
use steamflow_sink_parquet::BatchBuilder;
use steamflow_sql::datafusion::arrow::array::RecordBatch;

use super::schema::{StreamColumns, append_json, undeclared};
use crate::dataflow::{RecordSink, SinkRecord, Time};
use crate::run::status::Status;

/// One stream's updates of one settled time.
pub struct Settled {
    /// The stream.
    pub stream: String,
    /// The settled time (the window that closed).
    pub time: Time,
    /// The records.
    pub rows: RecordBatch,
    /// One diff per record.
    pub diffs: Vec<i64>,
    /// When the graph settled it.
    pub at: Instant,
}

/// The record sink that feeds one stream's live table.
pub struct StreamFeed {
    stream: String,
    columns: StreamColumns,
    rows: Option<BatchBuilder>,
    diffs: Vec<i64>,
    time: Time,
    into: SyncSender<Settled>,
    status: Arc<Status>,
    object: String,
    warned_undeclared: bool,
}

impl StreamFeed {
    /// A feed of `stream` into `into`; problems go to `status`.
    pub fn new(
        stream: &str,
        columns: StreamColumns,
        into: SyncSender<Settled>,
        status: Arc<Status>,
    ) -> StreamFeed {
        let rows = match BatchBuilder::new(columns.fields()) {
            Ok(rows) => Some(rows),
            Err(error) => {
                status.warn(format!(
                    "views: stream `{stream}` cannot be a table: {error}"
                ));
                None
            }
        };
        StreamFeed {
            stream: stream.to_owned(),
            columns,
            rows,
            diffs: Vec::new(),
            time: 0,
            into,
            status,
            object: String::new(),
            warned_undeclared: false,
        }
    }

    fn fail(&mut self, error: impl std::fmt::Display) {
        self.status.warn(format!(
            "views: stream `{}` stopped feeding its table: {error}",
            self.stream
        ));
        self.rows = None;
    }
}

impl RecordSink for StreamFeed {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        let Some(rows) = &mut self.rows else {
            return;
        };
        self.time = time;
        let appended = match &self.columns {
            StreamColumns::Typed(_) => rows.append_with(|row| record.append_columns(row)),
            StreamColumns::Json(declared) => {
                self.object.clear();
                self.object.push('{');
                record.write_fields(&mut self.object);
                self.object.push('}');
                let fields: Map<String, Value> = match serde_json::from_str(&self.object) {
                    Ok(fields) => fields,
                    Err(error) => return self.fail(error),
                };
                if !self.warned_undeclared {
                    let extra = undeclared(declared, &fields);
                    if !extra.is_empty() {
                        self.warned_undeclared = true;
                        self.status.warn(format!(
                            "views: the table `{}` lacks the fields {} its records have",
                            self.stream,
                            extra.join(", ")
                        ));
                    }
                }
                rows.append_with(|row| append_json(declared, &fields, row))
            }
        };
        match appended {
            Ok(()) => self.diffs.push(diff as i64),
            Err(error) => self.fail(error),
        }
    }

    fn flush(&mut self) {
        let Some(rows) = &mut self.rows else {
            return;
        };
        if rows.is_empty() {
            return;
        }
        let batch = match rows.finish() {
            Ok(batch) => batch,
            Err(error) => return self.fail(error),
        };
        let settled = Settled {
            stream: self.stream.clone(),
            time: self.time,
            rows: batch,
            diffs: std::mem::take(&mut self.diffs),
            at: Instant::now(),
        };
        // A full channel holds the graph back until the views catch up
        // (each evaluation is bounded in time); a closed one means the
        // views' thread ended, which it reports itself.
        if self.into.send(settled).is_err() {
            self.rows = None;
        }
    }
}
