//! The edge of the graph: readings in, keyed and time-stamped readings and
//! dead letters out.
//!
//! An [`Ingest`] is one worker's input. It multiplexes any number of
//! logical sources ([`SourceId`]); each source keeps its own watermark, the
//! largest event time it delivered minus the configured out-of-orderness.
//! For each reading the ingest
//!
//! 1. interns `(plant, tag)` into a [`TagKey`] (no string hashing on a cache hit);
//! 2. converts a value that names its unit to its tag's unit
//!    ([`super::units`]), and dead-letters what cannot be windowed: a NaN or
//!    infinite value ([`Reason::NonFinite`]), an event time before 1970 or
//!    too far ahead ([`Reason::BadTime`]), a unit foreign to the tag
//!    ([`Reason::Unit`]), a key collision;
//! 3. compares the event time with the source's watermark: a reading behind
//!    it by more than the allowed lateness is dead-lettered
//!    ([`Reason::Late`], detail: how late in ms); any other reading enters
//!    the dataflow at the tick of `max(event time, watermark)` — its own tick
//!    when on time, the watermark's tick when late but allowed.
//!
//! The worker's input capability sits at the tick of the smallest watermark
//! of its open sources, so the dataflow frontier is the watermark of the
//! slowest source anywhere. Lateness is judged per source, on the order in
//! which that source delivered its readings, so it does not depend on how
//! sources are spread over workers.
//!
//! ```
//! use steamflow::dataflow::{IngestConfig, IngestExt, KeyRegistry, SourceId};
//! use steamflow_operators::reading::{Quality, Reading};
//! use timely::dataflow::operators::{Inspect, Probe};
//!
//! timely::execute_directly(|worker| {
//!     let registry = KeyRegistry::new();
//!     let (mut ingest, probe) = worker.dataflow(|scope| {
//!         let (ingest, streams) = scope.new_ingest(IngestConfig::default(), registry, 1);
//!         let probe = streams.readings.inspect(|r| assert_eq!(r.value, 7.5)).probe().0;
//!         (ingest, probe)
//!     });
//!     let reading = Reading {
//!         time_ms: 1_735_689_600_000,
//!         plant: "north".into(),
//!         tag: "boiler1.flow".into(),
//!         value: 7.5,
//!         quality: Quality::Good,
//!         unit: None,
//!     };
//!     ingest.push(SourceId(0), std::slice::from_ref(&reading));
//!     ingest.close();
//!     while !probe.done() {
//!         worker.step();
//!     }
//! });
//! ```

use std::sync::Arc;

use steamflow_operators::reading::Reading;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::ActivateCapability;
use timely::dataflow::operators::core::unordered_input::{UnorderedHandle, UnorderedInput};
use timely::dataflow::{Scope, StreamVec};

use super::key::{Interner, KeyName, KeyRegistry, TagKey};
use super::record::{DeadLetter, KeyedReading, Reason};
use super::time::{Ticks, Time};
use super::units::{UnitNormaliser, UnitPlan};

/// How event time becomes progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IngestConfig {
    /// Timestamp granularity (default: the one-minute base window).
    pub ticks: Ticks,
    /// How far behind its newest reading a source may still deliver on time [ms].
    pub out_of_orderness_ms: u64,
    /// How far behind the watermark a reading may be and still update its
    /// windows [ms]; later ones are dead-lettered as late.
    pub allowed_lateness_ms: u64,
    /// When set, a reading more than this far ahead of its source's
    /// watermark (plus the out-of-orderness) is dead-lettered as
    /// [`Reason::BadTime`] instead of dragging the watermark forward.
    pub max_ahead_ms: Option<u64>,
}

impl Default for IngestConfig {
    /// One-minute ticks, 5 s out-of-orderness, 5 min allowed lateness.
    fn default() -> Self {
        IngestConfig {
            ticks: Ticks::default(),
            out_of_orderness_ms: 5_000,
            allowed_lateness_ms: 300_000,
            max_ahead_ms: None,
        }
    }
}

/// A logical source on one worker (index into the worker's sources).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub usize);

/// The streams an [`Ingest`] feeds.
pub struct Ingested<'scope> {
    /// Keyed readings, stamped with their tick (or the watermark's tick when late).
    pub readings: StreamVec<'scope, Time, KeyedReading>,
    /// Readings refused at the edge, stamped with the watermark's tick.
    pub dead_letters: StreamVec<'scope, Time, DeadLetter>,
    /// Keys this process saw first, with their names, stamped no later
    /// than the first reading of the key (see [`super::key_names`]).
    pub key_names: StreamVec<'scope, Time, KeyName>,
}

/// Counts of what an [`Ingest`] did, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IngestCounters {
    /// Readings pushed.
    pub received: u64,
    /// Readings sent on into the dataflow.
    pub accepted: u64,
    /// Readings accepted although behind the watermark.
    pub late_accepted: u64,
    /// Readings dead-lettered at the edge.
    pub dead_lettered: u64,
}

#[derive(Clone, Copy, Debug)]
struct SourceState {
    /// Largest event time delivered minus the out-of-orderness [ms].
    watermark: u64,
    /// Whether any reading set the watermark yet.
    started: bool,
    open: bool,
}

type Handle<D> = UnorderedHandle<Time, CapacityContainerBuilder<Vec<D>>>;

/// The input capabilities of readings, dead letters and key names.
struct Capabilities {
    readings: ActivateCapability<Time>,
    dead_letters: ActivateCapability<Time>,
    key_names: ActivateCapability<Time>,
}

/// One worker's input of readings (see the [module docs](self)).
pub struct Ingest {
    config: IngestConfig,
    interner: Interner,
    units: UnitNormaliser,
    readings: Handle<KeyedReading>,
    dead_letters: Handle<DeadLetter>,
    key_names: Handle<KeyName>,
    capabilities: Option<Capabilities>,
    sources: Vec<SourceState>,
    staged: Vec<(Time, Vec<KeyedReading>)>,
    dead: Vec<(Time, Vec<DeadLetter>)>,
    counters: IngestCounters,
}

/// Adds an [`Ingest`] to a scope, timely's `Input` style.
pub trait IngestExt<'scope> {
    /// A new input for `sources` logical sources, and the streams it feeds.
    fn new_ingest(
        &self,
        config: IngestConfig,
        registry: Arc<KeyRegistry>,
        sources: usize,
    ) -> (Ingest, Ingested<'scope>);
}

impl<'scope> IngestExt<'scope> for Scope<'scope, Time> {
    fn new_ingest(
        &self,
        config: IngestConfig,
        registry: Arc<KeyRegistry>,
        sources: usize,
    ) -> (Ingest, Ingested<'scope>) {
        let ((readings, readings_cap), reading_stream) = self.new_unordered_input();
        let ((dead_letters, dead_cap), dead_stream) = self.new_unordered_input();
        let ((key_names, names_cap), names_stream) = self.new_unordered_input();
        // The capabilities stay as they are until the dataflow is built:
        // timely counts every worker's initial input capability on every
        // worker, so releasing one before then would never be heard of.
        let ingest = Ingest {
            config,
            interner: Interner::new(registry),
            units: UnitNormaliser::new(Arc::new(UnitPlan::default())),
            readings,
            dead_letters,
            key_names,
            capabilities: Some(Capabilities {
                readings: readings_cap,
                dead_letters: dead_cap,
                key_names: names_cap,
            }),
            sources: vec![
                SourceState {
                    watermark: 0,
                    started: false,
                    open: true,
                };
                sources
            ],
            staged: Vec::new(),
            dead: Vec::new(),
            counters: IngestCounters::default(),
        };
        (
            ingest,
            Ingested {
                readings: reading_stream,
                dead_letters: dead_stream,
                key_names: names_stream,
            },
        )
    }
}

impl Ingest {
    /// The configuration in force.
    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// Normalises units following `plan` from now on.
    pub fn set_units(&mut self, plan: Arc<UnitPlan>) {
        self.units = UnitNormaliser::new(plan);
    }

    /// What the ingest did so far.
    pub fn counters(&self) -> IngestCounters {
        self.counters
    }

    /// The watermark of `source` [ms], `None` before its first reading.
    pub fn watermark(&self, source: SourceId) -> Option<u64> {
        self.sources
            .get(source.0)
            .filter(|state| state.started)
            .map(|state| state.watermark)
    }

    /// Pushes a batch of readings from `source`. An unknown or closed source
    /// drops nothing silently: its readings are dead-lettered as late.
    pub fn push<'a>(&mut self, source: SourceId, readings: impl IntoIterator<Item = &'a Reading>) {
        for reading in readings {
            self.counters.received += 1;
            self.admit(source, reading);
        }
        self.flush();
    }

    /// Dead-letters a payload `source` received but could not decode
    /// ([`Reason::Decode`]), under the key of `plant` and `origin` (where it
    /// came from: a topic, a register, a node id), at the source's watermark.
    pub fn push_undecoded(
        &mut self,
        source: SourceId,
        plant: &str,
        origin: &str,
        received_ms: i64,
    ) {
        let watermark = self
            .sources
            .get(source.0)
            .map_or(0, |state| state.watermark);
        let tick = self.config.ticks.floor(watermark);
        let plant = steamflow_operators::reading::PlantId::from(plant);
        let tag = steamflow_operators::reading::Tag::from(origin);
        let key = match self.interner.intern(&plant, &tag) {
            Ok(entry) => entry.key,
            Err(collision) => collision.key,
        };
        self.counters.received += 1;
        self.counters.dead_lettered += 1;
        let letter = DeadLetter {
            key,
            time_ms: u64::try_from(received_ms).unwrap_or(0),
            value: f64::NAN,
            quality: steamflow_operators::reading::Quality::Bad,
            reason: Reason::Decode,
            detail: 0.0,
        };
        stage(&mut self.dead, tick, letter);
        self.flush();
    }

    /// Raises the watermark of an idle `source` to `watermark_ms` (a
    /// heartbeat), so that windows close without new readings.
    pub fn advance_watermark(&mut self, source: SourceId, watermark_ms: u64) {
        if let Some(state) = self.sources.get_mut(source.0) {
            state.watermark = state.watermark.max(watermark_ms);
            state.started = true;
        }
        self.settle_capabilities();
    }

    /// Closes one source: it holds the frontier back no more.
    pub fn close_source(&mut self, source: SourceId) {
        if let Some(state) = self.sources.get_mut(source.0) {
            state.open = false;
        }
        self.settle_capabilities();
    }

    /// Closes every source and releases the input.
    pub fn close(&mut self) {
        self.flush();
        for state in &mut self.sources {
            state.open = false;
        }
        self.capabilities = None;
    }

    fn admit(&mut self, source: SourceId, reading: &Reading) {
        let config = self.config;
        let Some(state) = self.sources.get_mut(source.0).filter(|s| s.open) else {
            let key = TagKey::of(reading.plant.as_str(), reading.tag.as_str());
            let tick = self
                .capabilities
                .as_ref()
                .map_or(0, |caps| *caps.readings.time());
            return self.dead_letter(tick, reading, key, Reason::Late, f64::INFINITY);
        };
        let tick = config.ticks.floor(state.watermark);
        let entry = match self.interner.intern(&reading.plant, &reading.tag) {
            Ok(entry) => entry,
            Err(collision) => {
                return self.dead_letter(tick, reading, collision.key, Reason::KeyCollision, 0.0);
            }
        };
        let Ok(time_ms) = u64::try_from(reading.time_ms) else {
            let detail = reading.time_ms as f64;
            return self.dead_letter(tick, reading, entry.key, Reason::BadTime, detail);
        };
        if let Some(ahead) = config.max_ahead_ms
            && state.started
            && time_ms.saturating_sub(state.watermark)
                > ahead.saturating_add(config.out_of_orderness_ms)
        {
            let detail = reading.time_ms as f64;
            return self.dead_letter(tick, reading, entry.key, Reason::BadTime, detail);
        }
        // Every reading with a valid time is evidence of the source's progress.
        let candidate = time_ms.saturating_sub(config.out_of_orderness_ms);
        if !state.started || candidate > state.watermark {
            state.watermark = candidate;
            state.started = true;
        }
        let watermark = state.watermark;
        let watermark_tick = config.ticks.floor(watermark);
        if !reading.value.is_finite() {
            return self.dead_letter(watermark_tick, reading, entry.key, Reason::NonFinite, 0.0);
        }
        let Some(value) = self
            .units
            .normalise(entry.key, reading.unit.as_ref(), reading.value)
        else {
            return self.dead_letter(watermark_tick, reading, entry.key, Reason::Unit, 0.0);
        };
        if !value.is_finite() {
            // A huge value can overflow in conversion.
            return self.dead_letter(watermark_tick, reading, entry.key, Reason::NonFinite, 0.0);
        }
        let lateness = watermark.saturating_sub(time_ms);
        if lateness > config.allowed_lateness_ms {
            let detail = lateness as f64;
            return self.dead_letter(watermark_tick, reading, entry.key, Reason::Late, detail);
        }
        if lateness > 0 {
            self.counters.late_accepted += 1;
        }
        self.counters.accepted += 1;
        let tick = config.ticks.floor(time_ms.max(watermark));
        // −0.0 and 0.0 are one value: duplicates compare bits.
        let value = if value == 0.0 { 0.0 } else { value };
        let keyed = KeyedReading::new(entry.key, entry.route, time_ms, value, reading.quality);
        stage(&mut self.staged, tick, keyed);
    }

    fn dead_letter(
        &mut self,
        tick: Time,
        reading: &Reading,
        key: TagKey,
        reason: Reason,
        detail: f64,
    ) {
        self.counters.dead_lettered += 1;
        let letter = DeadLetter {
            key,
            time_ms: u64::try_from(reading.time_ms).unwrap_or(0),
            value: reading.value,
            quality: reading.quality,
            reason,
            detail,
        };
        stage(&mut self.dead, tick, letter);
    }

    /// Sends what the last pushes staged, then moves the capabilities up to
    /// the smallest watermark tick of the open sources.
    fn flush(&mut self) {
        if let Some(caps) = &self.capabilities {
            // Names go first, at the capability's time: no later than any
            // reading of the key sent now.
            let mut fresh = self.interner.take_fresh();
            if !fresh.is_empty() {
                self.key_names
                    .activate()
                    .session(&caps.key_names)
                    .give_container(&mut fresh);
            }
            let (readings_cap, dead_cap) = (&caps.readings, &caps.dead_letters);
            for (tick, mut batch) in self.staged.drain(..) {
                let capability = readings_cap.delayed(&tick.max(*readings_cap.time()));
                self.readings
                    .activate()
                    .session(&capability)
                    .give_container(&mut batch);
            }
            for (tick, mut batch) in self.dead.drain(..) {
                let capability = dead_cap.delayed(&tick.max(*dead_cap.time()));
                self.dead_letters
                    .activate()
                    .session(&capability)
                    .give_container(&mut batch);
            }
        }
        self.staged.clear();
        self.dead.clear();
        self.settle_capabilities();
    }

    fn settle_capabilities(&mut self) {
        let ticks = self.config.ticks;
        let low = self
            .sources
            .iter()
            .filter(|state| state.open)
            .map(|state| ticks.floor(state.watermark))
            .min();
        match low {
            None => self.capabilities = None,
            Some(low) => {
                if let Some(caps) = &mut self.capabilities
                    && *caps.readings.time() < low
                {
                    caps.readings.downgrade(&low);
                    caps.dead_letters.downgrade(&low);
                    caps.key_names.downgrade(&low);
                }
            }
        }
    }
}

/// Appends `item` to the batch of `tick`, most recent batches first.
#[inline]
fn stage<D>(staged: &mut Vec<(Time, Vec<D>)>, tick: Time, item: D) {
    match staged.iter_mut().rev().find(|(time, _)| *time == tick) {
        Some((_, batch)) => batch.push(item),
        None => staged.push((tick, vec![item])),
    }
}

impl Drop for Ingest {
    fn drop(&mut self) {
        self.flush();
    }
}
