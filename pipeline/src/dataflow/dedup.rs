//! Exchange by key, and duplicate suppression.
//!
//! A duplicate is a reading with the same plant, tag, event time and value
//! (bit for bit, after `-0.0` became `0.0`) as one already seen: a source
//! that re-sends after a reconnect, a historian replay that overlaps. The
//! first copy is kept; the others are rejected with [`Reason::Duplicate`].
//!
//! The operator remembers what it saw only as long as a copy could still be
//! admitted: a reading enters at a tick `t ≥ F` (the input frontier) and is
//! at most the allowed lateness `L` behind its source's watermark, which is
//! at least `t`; so no reading older than `F − L` can arrive any more, and
//! older entries are dropped whenever the frontier advances. Memory is
//! bounded by the readings of `L` plus one tick.

use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::{Exchange, Pipeline};
use timely::dataflow::operators::generic::Operator;

use super::key::{KeyMap, TagKey};
use super::record::{KeyedReading, Reason};
use super::time::Time;

/// Exchanges readings so that every reading of a route meets on one worker.
pub trait ExchangeByRoute<'scope> {
    /// Sends each reading to the worker of its route (a hash of its plant
    /// and tag, or of the tag it is checked against).
    ///
    /// ```
    /// use steamflow::dataflow::{ExchangeByRoute, KeyedReading, TagKey};
    /// use steamflow_operators::reading::Quality;
    /// use timely::dataflow::operators::{ToStream, Inspect};
    ///
    /// timely::example(|scope| {
    ///     let key = TagKey::of("north", "flow");
    ///     vec![KeyedReading::new(key, key, 0, 1.0, Quality::Good)]
    ///         .to_stream(scope)
    ///         .exchange_by_route()
    ///         .inspect(move |r| assert_eq!(r.key, key));
    /// });
    /// ```
    fn exchange_by_route(self) -> StreamVec<'scope, Time, KeyedReading>;
}

impl<'scope> ExchangeByRoute<'scope> for StreamVec<'scope, Time, KeyedReading> {
    fn exchange_by_route(self) -> StreamVec<'scope, Time, KeyedReading> {
        self.unary(
            Exchange::new(|reading: &KeyedReading| reading.route.0),
            "ExchangeByRoute",
            |_capability, _info| {
                |input, output| {
                    input.for_each_stamp(|capability, data| {
                        output.session(&capability).give_containers(data);
                    });
                }
            },
        )
    }
}

/// Rejects repeated readings (see the [module docs](self)).
pub trait Deduplicate<'scope> {
    /// Marks every copy after the first of a (key, event time, value) as
    /// rejected with [`Reason::Duplicate`]. The input must be exchanged by
    /// route (or key) already: the operator does not move data.
    ///
    /// ```
    /// use steamflow::dataflow::{Deduplicate, KeyedReading, Reason, TagKey};
    /// use steamflow_operators::reading::Quality;
    /// use timely::dataflow::operators::{ToStream, Capture};
    /// use timely::dataflow::operators::capture::Extract;
    ///
    /// let key = TagKey::of("north", "flow");
    /// let reading = KeyedReading::new(key, key, 1_000, 2.5, Quality::Good);
    /// let captured = timely::example(move |scope| {
    ///     vec![reading, reading].to_stream(scope).deduplicate(300_000).capture()
    /// });
    /// let out: Vec<KeyedReading> = captured.extract().into_iter().flat_map(|(_, d)| d).collect();
    /// assert!(out[0].is_accepted());
    /// assert_eq!(out[1].rejected, Reason::Duplicate);
    /// ```
    fn deduplicate(self, allowed_lateness_ms: u64) -> StreamVec<'scope, Time, KeyedReading>;
}

/// What one tag's readings were, as (event time, value bits), sorted.
/// Readings mostly arrive in time order, so inserts mostly append.
#[derive(Default)]
struct Seen {
    readings: Vec<(u64, u64)>,
}

impl Seen {
    /// Records a reading; false when it was there already.
    #[inline]
    fn insert(&mut self, time_ms: u64, bits: u64) -> bool {
        let entry = (time_ms, bits);
        match self.readings.last() {
            Some(last) if *last < entry => {
                self.readings.push(entry);
                true
            }
            None => {
                self.readings.push(entry);
                true
            }
            Some(_) => match self.readings.binary_search(&entry) {
                Ok(_) => false,
                Err(at) => {
                    self.readings.insert(at, entry);
                    true
                }
            },
        }
    }

    /// Forgets readings before `horizon_ms`.
    fn forget_before(&mut self, horizon_ms: u64) {
        let keep_from = self
            .readings
            .partition_point(|(time, _)| *time < horizon_ms);
        self.readings.drain(..keep_from);
    }
}

impl<'scope> Deduplicate<'scope> for StreamVec<'scope, Time, KeyedReading> {
    fn deduplicate(self, allowed_lateness_ms: u64) -> StreamVec<'scope, Time, KeyedReading> {
        self.unary_frontier(Pipeline, "Deduplicate", move |_capability, _info| {
            let mut seen: KeyMap<TagKey, Seen> = KeyMap::default();
            let mut horizon = 0_u64;
            move |(input, frontier), output| {
                input.for_each_stamp(|capability, data| {
                    let mut session = output.session(&capability);
                    for batch in data {
                        for reading in batch.iter_mut() {
                            if reading.is_accepted()
                                && !seen
                                    .entry(reading.key)
                                    .or_default()
                                    .insert(reading.time_ms, reading.value.to_bits())
                            {
                                reading.reject(Reason::Duplicate, 0.0);
                            }
                        }
                        session.give_container(batch);
                    }
                });
                // Forget what no admissible reading can repeat any more.
                let low = frontier.frontier().iter().min().copied();
                match low {
                    None => seen.clear(),
                    Some(low) => {
                        let new_horizon = low.saturating_sub(allowed_lateness_ms);
                        if new_horizon > horizon {
                            horizon = new_horizon;
                            seen.retain(|_, tag| {
                                tag.forget_before(horizon);
                                !tag.readings.is_empty()
                            });
                        }
                    }
                }
            }
        })
    }
}
