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
use super::sink::{Captured, LineSink, Settle};
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
    fn subscribe_lines(
        &self,
        stream: &str,
        names: Arc<KeyRegistry>,
        learned: Option<StreamVec<'scope, Time, KeyName>>,
        sink: Box<dyn LineSink>,
    );
    /// A `Captured<D>` of the record type, boxed.
    fn capture_any(&self, stream: &str) -> Box<dyn Any>;
}

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

    fn subscribe_lines(
        &self,
        stream: &str,
        names: Arc<KeyRegistry>,
        learned: Option<StreamVec<'scope, Time, KeyName>>,
        mut sink: Box<dyn LineSink>,
    ) {
        let mut line = String::new();
        let deliver = move |time, updates: &[(D, isize)]| {
            for (record, diff) in updates {
                line.clear();
                record.write_fields(&names, &mut line);
                sink.write(time, *diff, &line);
            }
            sink.flush();
        };
        match learned {
            Some(learned) => self.updates().settle_after(stream, learned, deliver),
            None => self.updates().settle(stream, deliver),
        }
    }

    fn capture_any(&self, stream: &str) -> Box<dyn Any> {
        let captured = Captured::<D>::default();
        let into = captured.clone();
        self.updates()
            .settle(stream, move |time, updates| into.extend(time, updates));
        Box::new(captured)
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

    /// Sends the stream's consolidated updates, time by time and in record
    /// order, to `sink` on worker 0.
    pub fn subscribe(&self, name: &str, sink: Box<dyn LineSink>) -> Result<(), OutputError> {
        self.get(name)?
            .subscribe_lines(name, Arc::clone(&self.names), self.learned.clone(), sink);
        Ok(())
    }

    /// Collects the stream's consolidated updates in memory (on worker 0;
    /// other workers' captures stay empty).
    pub fn capture<D: OutputRecord>(&self, name: &str) -> Result<Captured<D>, OutputError> {
        let stream = self.get(name)?;
        let actual = stream.record_type();
        stream
            .capture_any(name)
            .downcast::<Captured<D>>()
            .map(|captured| *captured)
            .map_err(|_| OutputError::WrongType {
                name: name.to_owned(),
                actual,
                asked: std::any::type_name::<D>(),
            })
    }
}
