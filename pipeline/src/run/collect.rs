//! Streams kept in memory as collections, for the end-of-run summary and
//! tests: each record (as its JSON fields) with its accumulated count, so
//! that a retraction cancels the assertion it retracts.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use super::status::lock;
use crate::dataflow::{RecordSink, SinkRecord, Time};

/// One stream's records: JSON fields → (count, time of the last update).
type Records = BTreeMap<String, (isize, Time)>;

/// The collected streams of a run, shared by the collecting sinks.
#[derive(Clone, Debug, Default)]
pub struct Collected {
    streams: Arc<Mutex<BTreeMap<String, Records>>>,
}

impl Collected {
    /// A sink that collects `stream` here.
    pub fn sink(&self, stream: &str) -> Box<dyn RecordSink> {
        lock(&self.streams).entry(stream.to_owned()).or_default();
        Box::new(Collector {
            stream: stream.to_owned(),
            into: self.clone(),
            fields: String::new(),
        })
    }

    /// The records of `stream` present at the end (count > 0), with their
    /// counts and the time each was last updated, in time order.
    pub fn contents(&self, stream: &str) -> Vec<(Map<String, Value>, isize, Time)> {
        let streams = lock(&self.streams);
        let Some(records) = streams.get(stream) else {
            return Vec::new();
        };
        let mut out: Vec<(Map<String, Value>, isize, Time)> = records
            .iter()
            .filter(|(_, (count, _))| *count > 0)
            .filter_map(|(fields, (count, time))| {
                let parsed = serde_json::from_str::<Map<String, Value>>(&format!("{{{fields}}}"));
                parsed.ok().map(|record| (record, *count, *time))
            })
            .collect();
        out.sort_by_key(|(_, _, time)| *time);
        out
    }

    /// The streams collected (whether or not anything arrived).
    pub fn streams(&self) -> Vec<String> {
        lock(&self.streams).keys().cloned().collect()
    }
}

struct Collector {
    stream: String,
    into: Collected,
    fields: String,
}

impl RecordSink for Collector {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        self.fields.clear();
        record.write_fields(&mut self.fields);
        let mut streams = lock(&self.into.streams);
        let records = streams.entry(self.stream.clone()).or_default();
        let entry = records.entry(self.fields.clone()).or_insert((0, time));
        entry.0 += diff;
        entry.1 = time;
        if entry.0 == 0 {
            records.remove(&self.fields);
        }
    }

    fn flush(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fields(&'static str);

    impl SinkRecord for Fields {
        fn write_fields(&self, out: &mut String) {
            out.push_str(self.0);
        }
        fn append_columns(&self, _row: &mut steamflow_sink_parquet::RowAppender<'_>) {}
    }

    #[test]
    fn retractions_cancel_what_they_retract() {
        let collected = Collected::default();
        let mut sink = collected.sink("balances");
        sink.write(60_000, 1, &Fields(r#""closure":90"#));
        sink.write(120_000, -1, &Fields(r#""closure":90"#));
        sink.write(120_000, 1, &Fields(r#""closure":95"#));
        let contents = collected.contents("balances");
        assert_eq!(contents.len(), 1);
        assert_eq!(contents[0].0["closure"], 95);
        assert_eq!((contents[0].1, contents[0].2), (1, 120_000));
        assert_eq!(collected.streams(), vec!["balances".to_owned()]);
        assert!(collected.contents("alerts").is_empty());
    }
}
