//! Named output streams: the registry sinks and views subscribe to.
//!
//! Every result of the graph is published under a name ([`names`]):
//! `readings`, `window_aggregates`, `dead_letters` by the standard graph,
//! and `steam_states`, `balances`, `trap_statuses`, `leaks`, `losses`,
//! `alerts` by the analysis stage ([`super::analysis::AnalysisStage`]). A stream is a differential collection of records that
//! implement [`OutputRecord`]; append-only streams (readings, dead letters)
//! are published as plain timely streams and read as insertions.
//!
//! Producers publish typed collections; consumers subscribe by name
//! without knowing the record type:
//!
//! - [`Outputs::subscribe`] hands consolidated updates, rendered as JSON
//!   fields, to any [`LineSink`] (the JSON Lines sink; later ClickHouse,
//!   views);
//! - [`Outputs::subscribe_records`] hands them to a [`RecordSink`], which
//!   may render them or put them in typed columns ([`Outputs::columns`]:
//!   the Parquet sink);
//! - [`Outputs::subscribe_live`] hands updates over as they arrive,
//!   before the watermark settles them (the terminal's alerts);
//! - [`Outputs::settle`] calls back with typed updates, for consumers that
//!   know the record type (the terminal view, summaries);
//! - [`Outputs::capture`] collects the typed updates in memory (tests).
//!
//! Analysis operators that need a stream as dataflow input take the typed
//! collection from [`super::Graph`] and publish what they compute here.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use differential_dataflow::AsCollection;
use differential_dataflow::collection::vec::Collection as VecCollection;
use timely::dataflow::StreamVec;

use super::key::{KeyName, KeyRegistry};
use super::render::OutputRecord;
use steamflow_sink_parquet::RowAppender;
use steamflow_sink_parquet::arrow_types::Field;

use super::sink::{Captured, LineSink, Live, RecordSink, Settle, SinkRecord};
use super::time::Time;

/// The names of the graph's streams.
pub mod names {
    /// Accepted (and flagged) readings.
    pub const READINGS: &str = "readings";
    /// Window aggregates of every window family (base and rollups).
    pub const WINDOW_AGGREGATES: &str = "window_aggregates";
    /// Rejected readings with their reason.
    pub const DEAD_LETTERS: &str = "dead_letters";
    /// Steam states per asset and window (features; the analysis stage).
    pub const STEAM_STATES: &str = "steam_states";
    /// Mass and energy balances per plant and window (the analysis stage).
    pub const BALANCES: &str = "balances";
    /// Trap states per trap and window (the analysis stage).
    pub const TRAP_STATUSES: &str = "trap_statuses";
    /// Leak detections per plant and window (the analysis stage).
    pub const LEAKS: &str = "leaks";
    /// Losses by plant, window and category (the analysis stage).
    pub const LOSSES: &str = "losses";
    /// Alerts, firing and resolved (the analysis stage).
    pub const ALERTS: &str = "alerts";
    /// Ranked recommendations per plant and window (the analysis stage).
    pub const RECOMMENDATIONS: &str = "recommendations";
}

/// Why a subscription or publication failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// No stream of that name is published.
    #[error("no output stream `{name}`; the graph publishes: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names published, comma separated.
        known: String,
    },
    /// A stream of that name is published already.
    #[error("output stream `{0}` is published twice")]
    Duplicate(String),
    /// The stream holds another record type.
    #[error("output stream `{name}` holds {actual}, not {asked}")]
    WrongType {
        /// The stream.
        name: String,
        /// Its record type.
        actual: &'static str,
        /// The type asked for.
        asked: &'static str,
    },
}

/// A published stream, with its record type erased.
trait Published<'scope> {
    fn record_type(&self) -> &'static str;
    fn columns(&self) -> Option<Vec<Field>>;
    fn subscribe_records(
        &self,
        stream: &str,
        names: Arc<KeyRegistry>,
        learned: Option<StreamVec<'scope, Time, KeyName>>,
        sink: Box<dyn RecordSink>,
    );
    fn subscribe_live(&self, stream: &str, names: Arc<KeyRegistry>, sink: Box<dyn RecordSink>);
    /// Hands the settled updates to `deliver`, a boxed
    /// `Box<dyn FnMut(Time, &[(D, isize)])>` of the record type; gives it
    /// back when the type is another.
    fn settle_any(
        &self,
        stream: &str,
        learned: Option<StreamVec<'scope, Time, KeyName>>,
        deliver: Box<dyn Any>,
    ) -> Result<(), Box<dyn Any>>;
}

/// A typed delivery callback, as [`Published::settle_any`] takes it.
type Deliver<D> = Box<dyn FnMut(Time, &[(D, isize)])>;

enum Typed<'scope, D: OutputRecord> {
    Updates(VecCollection<'scope, Time, D, isize>),
    Inserts(StreamVec<'scope, Time, D>),
}

impl<'scope, D: OutputRecord> Typed<'scope, D> {
    fn updates(&self) -> VecCollection<'scope, Time, D, isize> {
        match self {
            Typed::Updates(collection) => collection.clone(),
            Typed::Inserts(stream) => {
                // The stamp of an append-only stream is the record's time.
                let stamped = stream.clone().map_in_place_time();
                stamped.as_collection()
            }
        }
    }
}

/// Stamps append-only records with the time of the container carrying them.
trait StampTime<'scope, D> {
    fn map_in_place_time(self) -> StreamVec<'scope, Time, (D, Time, isize)>;
}

impl<'scope, D: OutputRecord> StampTime<'scope, D> for StreamVec<'scope, Time, D> {
    fn map_in_place_time(self) -> StreamVec<'scope, Time, (D, Time, isize)> {
        use timely::dataflow::channels::pact::Pipeline;
        use timely::dataflow::operators::generic::Operator;
        self.unary(Pipeline, "StampTime", |_capability, _info| {
            |input, output| {
                input.for_each_stamp(|capability, data| {
                    let Some(time) = capability.least().copied() else {
                        return;
                    };
                    let mut session = output.session(&capability);
                    for batch in data {
                        session.give_iterator(batch.drain(..).map(|record| (record, time, 1)));
                    }
                });
            }
        })
    }
}

impl<'scope, D: OutputRecord> Published<'scope> for Typed<'scope, D> {
    fn record_type(&self) -> &'static str {
        std::any::type_name::<D>()
    }

    fn columns(&self) -> Option<Vec<Field>> {
        D::columns()
    }

    fn subscribe_records(
        &self,
        stream: &str,
        names: Arc<KeyRegistry>,
        learned: Option<StreamVec<'scope, Time, KeyName>>,
        mut sink: Box<dyn RecordSink>,
    ) {
        let deliver = move |time, updates: &[(D, isize)]| {
            for (record, diff) in updates {
                sink.write(
                    time,
                    *diff,
                    &Named {
                        record,
                        names: &names,
                    },
                );
            }
            sink.flush();
        };
        match learned {
            Some(learned) => self.updates().settle_after(stream, learned, deliver),
            None => self.updates().settle(stream, deliver),
        }
    }

    fn subscribe_live(&self, stream: &str, names: Arc<KeyRegistry>, mut sink: Box<dyn RecordSink>) {
        self.updates().live(stream, move |time, updates| {
            for (record, diff) in updates {
                sink.write(
                    time,
                    *diff,
                    &Named {
                        record,
                        names: &names,
                    },
                );
            }
            sink.flush();
        });
    }

    fn settle_any(
        &self,
        stream: &str,
        learned: Option<StreamVec<'scope, Time, KeyName>>,
        deliver: Box<dyn Any>,
    ) -> Result<(), Box<dyn Any>> {
        let mut deliver = *deliver.downcast::<Deliver<D>>()?;
        let deliver = move |time, updates: &[(D, isize)]| deliver(time, updates);
        match learned {
            Some(learned) => self.updates().settle_after(stream, learned, deliver),
            None => self.updates().settle(stream, deliver),
        }
        Ok(())
    }
}

/// A record with the registry that names its keys, as sinks see it.
struct Named<'a, D> {
    record: &'a D,
    names: &'a KeyRegistry,
}

impl<D: OutputRecord> SinkRecord for Named<'_, D> {
    fn write_fields(&self, out: &mut String) {
        self.record.write_fields(self.names, out);
    }

    fn append_columns(&self, row: &mut RowAppender<'_>) {
        self.record.append_columns(self.names, row);
    }
}

/// Renders records for a [`LineSink`].
struct Lines {
    sink: Box<dyn LineSink>,
    line: String,
}

impl RecordSink for Lines {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        self.line.clear();
        record.write_fields(&mut self.line);
        self.sink.write(time, diff, &self.line);
    }

    fn flush(&mut self) {
        self.sink.flush();
    }
}

/// The registry of a dataflow's named streams (see the [module docs](self)).
pub struct Outputs<'scope> {
    streams: BTreeMap<String, Box<dyn Published<'scope> + 'scope>>,
    names: Arc<KeyRegistry>,
    learned: Option<StreamVec<'scope, Time, KeyName>>,
}

impl<'scope> Outputs<'scope> {
    /// An empty registry; `names` resolves keys to plant and tag names.
    pub fn new(names: Arc<KeyRegistry>) -> Self {
        Outputs {
            streams: BTreeMap::new(),
            names,
            learned: None,
        }
    }

    /// Makes line sinks wait for the key names learned from other
    /// processes (the output of [`LearnNames`](super::LearnNames)).
    pub fn wait_for_names(&mut self, learned: StreamVec<'scope, Time, KeyName>) {
        self.learned = Some(learned);
    }

    /// Publishes a collection of updates under `name`.
    pub fn publish<D: OutputRecord>(
        &mut self,
        name: &str,
        updates: VecCollection<'scope, Time, D, isize>,
    ) -> Result<(), OutputError> {
        self.insert(name, Box::new(Typed::Updates(updates)))
    }

    /// Publishes an append-only stream under `name`: each record is an insertion.
    pub fn publish_inserts<D: OutputRecord>(
        &mut self,
        name: &str,
        records: StreamVec<'scope, Time, D>,
    ) -> Result<(), OutputError> {
        self.insert(name, Box::new(Typed::Inserts(records)))
    }

    fn insert(
        &mut self,
        name: &str,
        stream: Box<dyn Published<'scope> + 'scope>,
    ) -> Result<(), OutputError> {
        if self.streams.contains_key(name) {
            return Err(OutputError::Duplicate(name.to_owned()));
        }
        self.streams.insert(name.to_owned(), stream);
        Ok(())
    }

    /// The published names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.streams.keys().map(String::as_str)
    }

    /// The record type of a stream (a Rust type name), for listings.
    pub fn record_type(&self, name: &str) -> Result<&'static str, OutputError> {
        Ok(self.get(name)?.record_type())
    }

    fn get(&self, name: &str) -> Result<&(dyn Published<'scope> + 'scope), OutputError> {
        self.streams
            .get(name)
            .map(|stream| &**stream)
            .ok_or_else(|| OutputError::Unknown {
                name: name.to_owned(),
                known: self.names().collect::<Vec<_>>().join(", "),
            })
    }

    /// The typed columns of a stream's records, `None` when the record
    /// type has none (see [`OutputRecord::columns`]).
    pub fn columns(&self, name: &str) -> Result<Option<Vec<Field>>, OutputError> {
        Ok(self.get(name)?.columns())
    }

    /// Sends the stream's consolidated updates, time by time and in record
    /// order, rendered as JSON fields, to `sink` on worker 0.
    pub fn subscribe(&self, name: &str, sink: Box<dyn LineSink>) -> Result<(), OutputError> {
        self.subscribe_records(
            name,
            Box::new(Lines {
                sink,
                line: String::new(),
            }),
        )
    }

    /// Sends the stream's consolidated updates, time by time and in record
    /// order, to `sink` on worker 0, as records a sink can render or put in
    /// columns.
    pub fn subscribe_records(
        &self,
        name: &str,
        sink: Box<dyn RecordSink>,
    ) -> Result<(), OutputError> {
        self.get(name)?.subscribe_records(
            name,
            Arc::clone(&self.names),
            self.learned.clone(),
            sink,
        );
        Ok(())
    }

    /// Sends the stream's updates to `sink` on worker 0 as they arrive,
    /// without waiting for the watermark (see [`Live::live`]).
    pub fn subscribe_live(&self, name: &str, sink: Box<dyn RecordSink>) -> Result<(), OutputError> {
        self.get(name)?
            .subscribe_live(name, Arc::clone(&self.names), sink);
        Ok(())
    }

    /// Calls `deliver(time, updates)` on worker 0 with the stream's
    /// consolidated updates, typed (see [`Settle::settle`]); `D` must be
    /// the stream's record type.
    pub fn settle<D: OutputRecord>(
        &self,
        name: &str,
        deliver: impl FnMut(Time, &[(D, isize)]) + 'static,
    ) -> Result<(), OutputError> {
        let stream = self.get(name)?;
        let boxed: Deliver<D> = Box::new(deliver);
        stream
            .settle_any(name, self.learned.clone(), Box::new(boxed))
            .map_err(|_| OutputError::WrongType {
                name: name.to_owned(),
                actual: stream.record_type(),
                asked: std::any::type_name::<D>(),
            })
    }

    /// Collects the stream's consolidated updates in memory (on worker 0;
    /// other workers' captures stay empty).
    pub fn capture<D: OutputRecord>(&self, name: &str) -> Result<Captured<D>, OutputError> {
        let captured = Captured::<D>::default();
        let into = captured.clone();
        self.settle(name, move |time, updates: &[(D, isize)]| {
            into.extend(time, updates)
        })?;
        Ok(captured)
    }
}
