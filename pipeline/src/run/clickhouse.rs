//! A stream's rows into its ClickHouse table, encoded by the sink for the
//! table's columns: a record type with typed columns
//! ([`OutputRecord::columns`](crate::dataflow::OutputRecord::columns))
//! pushes them straight into RowBinary; any other record's JSON fields are
//! parsed and mapped to the columns by name. Batches are cut at
//! settled times by dataflow time (see [`StreamWriter::flush`]); the sink
//! is closed — its spool drained, or left for the next run — when the
//! last of its streams closes.

use std::sync::Arc;

use steamflow_sink_clickhouse::{ClickHouseSink, StreamWriter};

use super::status::StreamOutput;
use crate::dataflow::{RecordSink, SinkRecord, Time};

/// One stream of a ClickHouse sink (see the [module docs](self)).
pub struct ClickHouseStream {
    open: Option<Open>,
    fields: String,
}

struct Open {
    sink: Arc<ClickHouseSink>,
    writer: StreamWriter,
    output: Arc<StreamOutput>,
    last_time: Time,
}

impl ClickHouseStream {
    /// Writes into `writer`, counting rows in `output`.
    pub fn new(
        sink: Arc<ClickHouseSink>,
        writer: StreamWriter,
        output: Arc<StreamOutput>,
    ) -> ClickHouseStream {
        ClickHouseStream {
            open: Some(Open {
                sink,
                writer,
                output,
                last_time: 0,
            }),
            fields: String::new(),
        }
    }

    /// Discards everything (the workers other than 0).
    pub fn closed() -> ClickHouseStream {
        ClickHouseStream {
            open: None,
            fields: String::new(),
        }
    }
}

impl RecordSink for ClickHouseStream {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        let Some(open) = &mut self.open else {
            return;
        };
        open.last_time = time;
        let written = if open.writer.is_typed() {
            open.writer
                .write_row(time, diff as i64, |row| record.append_columns(row))
        } else {
            self.fields.clear();
            record.write_fields(&mut self.fields);
            open.writer.write_fields(time, diff as i64, &self.fields)
        };
        match written {
            Ok(()) => open.output.add_rows(1),
            Err(error) => {
                open.output.fail(error);
                self.open = None;
            }
        }
    }

    fn flush(&mut self) {
        if let Some(open) = &mut self.open
            && let Err(error) = open.writer.flush(open.last_time)
        {
            open.output.fail(error);
            self.open = None;
        }
    }
}

impl Drop for ClickHouseStream {
    fn drop(&mut self) {
        let Some(Open {
            sink,
            mut writer,
            output,
            ..
        }) = self.open.take()
        else {
            return;
        };
        if let Err(error) = writer.seal() {
            output.fail(error);
        }
        drop(writer);
        // The last stream closes the sink: it drains the spool.
        if let Ok(sink) = Arc::try_unwrap(sink) {
            let stats = sink.close();
            if stats.spooled_batches > 0 {
                output.fail(format!(
                    "{} batches ({} bytes) wait in the spool for the next run: {}",
                    stats.spooled_batches,
                    stats.spooled_bytes,
                    stats.last_error.unwrap_or_default()
                ));
            } else if stats.batches_dead > 0 || stats.rows_rejected > 0 {
                output.fail(format!(
                    "{} batches and {} rows were refused (see the spool's dead/): {}",
                    stats.batches_dead,
                    stats.rows_rejected,
                    stats.last_error.unwrap_or_default()
                ));
            }
        }
    }
}
