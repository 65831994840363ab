//! Sinks: settled, consolidated updates delivered in time order to one
//! worker; an in-memory capture for tests and a JSON Lines file writer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use differential_dataflow::collection::vec::Collection as VecCollection;
use differential_dataflow::consolidation::consolidate;
use steamflow_sink_jsonl::{JsonlDir, RenderedWriter, SinkError, render_line};
use steamflow_sink_parquet::RowAppender;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::{Exchange, Pipeline};
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::generic::operator::empty;

use super::render::OutputRecord;
use super::time::Time;

/// Delivers a collection's updates, settled (see [`Settle::settle`]).
pub trait Settle<'scope, D> {
    /// Gathers all updates on worker 0 and, once the frontier has passed a
    /// time, calls `deliver(time, updates)` with that time's updates
    /// consolidated (equal records summed, zero sums dropped) and sorted
    /// by record. Times arrive in increasing order, each once, and only if
    /// something changed. The output is the same for any number of workers
    /// and processes.
    ///
    /// ```
    /// use steamflow::dataflow::Settle;
    /// use differential_dataflow::input::Input;
    /// use std::sync::{Arc, Mutex};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let into = Arc::clone(&seen);
    /// timely::example(move |scope| {
    ///     let (_, data) = scope.new_collection_from(vec!['b', 'a', 'b']);
    ///     data.settle("letters", move |time, updates| {
    ///         into.lock().unwrap().push((time, updates.to_vec()));
    ///     });
    /// });
    /// assert_eq!(*seen.lock().unwrap(), vec![(0, vec![('a', 1), ('b', 2)])]);
    /// ```
    fn settle<F>(self, name: &str, deliver: F)
    where
        F: FnMut(Time, &[(D, isize)]) + 'static;

    /// Like [`settle`](Self::settle), and a time is delivered only once
    /// `gate` has passed it too (the learned key names, so that every name
    /// a rendered line needs is known: see [`super::key_names`]).
    fn settle_after<G, F>(self, name: &str, gate: StreamVec<'scope, Time, G>, deliver: F)
    where
        G: 'static,
        F: FnMut(Time, &[(D, isize)]) + 'static;
}

impl<'scope, D: differential_dataflow::ExchangeData> Settle<'scope, D>
    for VecCollection<'scope, Time, D, isize>
{
    fn settle<F>(self, name: &str, deliver: F)
    where
        F: FnMut(Time, &[(D, isize)]) + 'static,
    {
        let gate = empty::<Time, Vec<()>>(self.inner.scope());
        self.settle_after(name, gate, deliver);
    }

    fn settle_after<G, F>(self, name: &str, gate: StreamVec<'scope, Time, G>, mut deliver: F)
    where
        G: 'static,
        F: FnMut(Time, &[(D, isize)]) + 'static,
    {
        let mut pending: BTreeMap<Time, Vec<(D, isize)>> = BTreeMap::new();
        self.inner
            .binary_frontier::<_, CapacityContainerBuilder<Vec<()>>, _, _, _, _>(
                gate,
                Exchange::new(|_: &(D, Time, isize)| 0),
                Pipeline,
                &format!("Settle({name})"),
                move |_capability, _info| {
                    move |(input, frontier), (gate, gate_frontier), _output| {
                        input.for_each_stamp(|_capability, data| {
                            for batch in data {
                                for (record, time, diff) in batch.drain(..) {
                                    pending.entry(time).or_default().push((record, diff));
                                }
                            }
                        });
                        gate.for_each_stamp(|_capability, data| data.for_each(Vec::clear));
                        while let Some(entry) = pending.first_entry() {
                            if frontier.less_equal(entry.key())
                                || gate_frontier.less_equal(entry.key())
                            {
                                break;
                            }
                            let (time, mut updates) = entry.remove_entry();
                            consolidate(&mut updates);
                            if !updates.is_empty() {
                                deliver(time, &updates);
                            }
                        }
                    }
                },
            );
    }
}

/// Delivers a collection's updates as they arrive (see [`Live::live`]).
pub trait Live<D> {
    /// Gathers all updates on worker 0 and calls `deliver(time, updates)`
    /// for each batch as soon as it arrives, its updates consolidated and
    /// sorted within the batch — without waiting for the frontier to pass
    /// the time. Times may repeat and arrive out of order, and a later
    /// batch may retract what an earlier one asserted; in exchange nothing
    /// waits for a watermark. For consumers that must react at once (the
    /// terminal, alert channels) to updates that are final when made, such
    /// as per-reading alerts.
    fn live<F>(self, name: &str, deliver: F)
    where
        F: FnMut(Time, &[(D, isize)]) + 'static;
}

impl<D: differential_dataflow::ExchangeData> Live<D> for VecCollection<'_, Time, D, isize> {
    fn live<F>(self, name: &str, mut deliver: F)
    where
        F: FnMut(Time, &[(D, isize)]) + 'static,
    {
        let mut updates: Vec<(D, isize)> = Vec::new();
        self.inner.sink(
            Exchange::new(|_: &(D, Time, isize)| 0),
            &format!("Live({name})"),
            move |(input, _frontier)| {
                input.for_each_stamp(|capability, data| {
                    let Some(time) = capability.least().copied() else {
                        return;
                    };
                    updates.clear();
                    for batch in data {
                        updates.extend(batch.drain(..).map(|(record, _, diff)| (record, diff)));
                    }
                    consolidate(&mut updates);
                    if !updates.is_empty() {
                        deliver(time, &updates);
                    }
                });
            },
        );
    }
}

/// Updates captured in memory: `(record, time, diff)`, in delivery order.
#[derive(Debug)]
pub struct Captured<D> {
    updates: Arc<Mutex<Vec<(D, Time, isize)>>>,
}

impl<D> Clone for Captured<D> {
    fn clone(&self) -> Self {
        Captured {
            updates: Arc::clone(&self.updates),
        }
    }
}

impl<D> Default for Captured<D> {
    fn default() -> Self {
        Captured {
            updates: Arc::new(Mutex::new(Vec::new())),
        }
    }
}

impl<D: OutputRecord> Captured<D> {
    fn lock(&self) -> MutexGuard<'_, Vec<(D, Time, isize)>> {
        match self.updates.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub(super) fn extend(&self, time: Time, updates: &[(D, isize)]) {
        self.lock().extend(
            updates
                .iter()
                .map(|(record, diff)| (record.clone(), time, *diff)),
        );
    }

    /// Every update so far, in delivery order (times ascending).
    pub fn updates(&self) -> Vec<(D, Time, isize)> {
        self.lock().clone()
    }

    /// The collection as of now: each record with its accumulated count
    /// (zero counts dropped), sorted.
    pub fn contents(&self) -> Vec<(D, isize)> {
        let mut contents: Vec<(D, isize)> = self
            .lock()
            .iter()
            .map(|(record, _, diff)| (record.clone(), *diff))
            .collect();
        consolidate(&mut contents);
        contents
    }
}

/// A record of any stream, as a sink sees it: with its key names bound.
pub trait SinkRecord {
    /// Its JSON fields (see [`OutputRecord::write_fields`]).
    fn write_fields(&self, out: &mut String);
    /// Its typed columns (see [`OutputRecord::append_columns`]).
    fn append_columns(&self, row: &mut RowAppender<'_>);
}

/// Receives a stream's settled updates as records.
pub trait RecordSink: 'static {
    /// One update: its time, diff and record.
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord);
    /// The updates of one time are complete.
    fn flush(&mut self);
}

/// Receives a stream's settled updates, rendered as JSON fields.
pub trait LineSink: 'static {
    /// One update: its time, diff and the record's JSON fields (no braces).
    fn write(&mut self, time: Time, diff: isize, fields: &str);
    /// The updates of one time are complete.
    fn flush(&mut self);
}

/// Writes one JSON object per update and line, `{"time":…,<fields>,"diff":…}`,
/// to `<dir>/<stream>.jsonl` through the JSON Lines sink's
/// [`RenderedWriter`], so that every stream file has one layout.
///
/// Created on every worker but opened only on worker 0, where the updates
/// arrive. An I/O error stops the writer (and is kept for
/// [`JsonlSink::error`]); it never stops the graph.
pub struct JsonlSink {
    path: PathBuf,
    writer: Option<RenderedWriter>,
    error: Arc<Mutex<Option<String>>>,
    members: String,
}

impl JsonlSink {
    /// A writer to `dir/<stream>.jsonl`, opened (truncated) now when
    /// `open` (pass `worker.index() == 0`).
    pub fn new(dir: &Path, stream: &str, open: bool) -> Self {
        let path = dir.join(format!("{stream}.jsonl"));
        let error = Arc::new(Mutex::new(None));
        let writer = if open {
            match JsonlDir::create(dir).and_then(|dir| dir.rendered(stream)) {
                Ok(writer) => Some(writer),
                Err(e) => {
                    set_error(&error, &e);
                    None
                }
            }
        } else {
            None
        };
        JsonlSink {
            path,
            writer,
            error,
            members: String::new(),
        }
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A handle on the first I/O error, readable after the sink moved into the graph.
    pub fn error(&self) -> Arc<Mutex<Option<String>>> {
        Arc::clone(&self.error)
    }
}

fn set_error(slot: &Mutex<Option<String>>, error: &SinkError) {
    if let Ok(mut slot) = slot.lock() {
        slot.get_or_insert_with(|| error.to_string());
    }
}

/// The members of an update's line: its time, then the record's fields.
fn time_and_fields(members: &mut String, time: Time, fields: &str) {
    use std::fmt::Write as _;
    members.clear();
    let _ = write!(members, "\"time\":{time}");
    if !fields.is_empty() {
        members.push(',');
        members.push_str(fields);
    }
}

impl LineSink for JsonlSink {
    fn write(&mut self, time: Time, diff: isize, fields: &str) {
        let Some(writer) = &mut self.writer else {
            return;
        };
        time_and_fields(&mut self.members, time, fields);
        if let Err(e) = writer.append(&self.members, diff as i64) {
            set_error(&self.error, &e);
            self.writer = None;
        }
    }

    fn flush(&mut self) {
        if let Some(writer) = &mut self.writer
            && let Err(e) = writer.flush()
        {
            set_error(&self.error, &e);
            self.writer = None;
        }
    }
}

/// Rendered lines kept in memory, for tests of the line path.
#[derive(Clone, Default)]
pub struct MemoryLines {
    lines: Arc<Mutex<Vec<String>>>,
}

impl MemoryLines {
    /// The lines written so far, as the JSON Lines sink would write them.
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .map(|lines| lines.clone())
            .unwrap_or_default()
    }
}

impl LineSink for MemoryLines {
    fn write(&mut self, time: Time, diff: isize, fields: &str) {
        if let Ok(mut lines) = self.lines.lock() {
            let mut members = String::new();
            time_and_fields(&mut members, time, fields);
            lines.push(render_line(&members, diff as i64));
        }
    }

    fn flush(&mut self) {}
}
