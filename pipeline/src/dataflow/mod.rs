//! The streaming dataflow: readings in, validated readings, window
//! aggregates and dead letters out, on timely-dataflow and
//! differential-dataflow.
//!
//! # Time
//!
//! Timely time is event time in ms, quantised to a tick (the base window,
//! one minute): see [`time`] for why, and for how late data is stamped.
//! Watermarks come from the sources: each logical source's watermark is its
//! newest event time minus the configured out-of-orderness, and the
//! dataflow frontier is the smallest watermark of all sources ([`ingest`]).
//!
//! # Layout
//!
//! | module | concern |
//! |---|---|
//! | [`key`] | `(plant, tag)` → [`TagKey`], the shared append-only [`KeyRegistry`] |
//! | [`key_names`] | key names announced across processes |
//! | [`record`] | [`KeyedReading`], [`DeadLetter`], [`Reason`] codes, [`Flags`] |
//! | [`ingest`] | the edge: watermarks, lateness, malformed values ([`Ingest`]) |
//! | [`units`] | unit normalisation to each tag's measurand unit |
//! | [`dedup`] | exchange by route, duplicate suppression |
//! | [`validate`] | per-reading checks with reason codes |
//! | [`plant_rules`] | validation rules from the plant model |
//! | [`aggregate`] | the window [`Aggregate`] monoid |
//! | [`window`] | partials per tick, window reduce, rollups — differential collections |
//! | [`outputs`] | named streams that sinks subscribe to |
//! | [`render`] | records as JSON fields |
//! | [`sink`] | settled delivery, in-memory capture, JSON Lines files |
//! | [`graph`] | the standard graph wired from the above |
//! | [`workers`] | `-w/-n/-p/-h`: timely's threads and processes, and a driver |
//! | [`analysis`] | per plant and window: features, traps, balances, leaks, alerts |
//!
//! Operators are extension traits on timely streams and differential
//! collections, in the style of timely's own: each is usable on its own.

pub mod aggregate;
pub mod analysis;
pub mod dedup;
pub mod graph;
pub mod ingest;
pub mod key;
pub mod key_names;
pub mod outputs;
pub mod plant_rules;
pub mod record;
pub mod render;
pub mod sink;
pub mod time;
pub mod units;
pub mod validate;
pub mod window;
pub mod workers;

pub use aggregate::Aggregate;
pub use dedup::{Deduplicate, ExchangeByRoute};
pub use graph::{BuildGraph, Graph, GraphConfig, GraphError};
pub use ingest::{Ingest, IngestConfig, IngestCounters, IngestExt, Ingested, SourceId};
pub use key::{Interner, KeyCollision, KeyEntry, KeyName, KeyRegistry, TagKey};
pub use key_names::LearnNames;
pub use outputs::{OutputError, Outputs, names};
pub use record::{DeadLetter, Flags, KeyedReading, Reason};
pub use render::OutputRecord;
pub use sink::{Captured, JsonlSink, LineSink, Live, MemoryLines, RecordSink, Settle, SinkRecord};
pub use time::{Ticks, Time, WindowSpec, WindowSpecError};
pub use units::{UnitNormaliser, UnitPlan};
pub use validate::{
    FlatlineRule, If97SaturationBargCelsius, OutlierRule, SaturationCurve, SaturationRule,
    TagRules, Validate, ValidationConfig,
};
pub use window::{Rollup, WindowCollection, WindowKey, WindowPartials, WindowReduce};
pub use workers::WorkerOptions;
