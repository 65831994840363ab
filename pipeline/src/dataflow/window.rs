//! Event-time windows as differential collections.
//!
//! Two operators:
//!
//! - [`WindowPartials`] folds accepted readings into one partial
//!   [`Aggregate`] per (tag, window, tick) and emits it, once the frontier
//!   passes the tick, as a differential insertion. Readings of one window
//!   that arrive on time share a tick, so a window normally has one partial;
//!   each later tick that brings late readings adds another.
//! - [`WindowReduce`] turns a collection of partials into the collection of
//!   window aggregates: each window's value is the merge of its partials.
//!   It keeps the multiset of partials per window, so an update of any kind
//!   — a new partial from late data, or the retraction of one — recomputes
//!   the window from what remains, and min, max, first and last stay right
//!   under retraction. A changed window is retracted (`-1`) and re-asserted
//!   (`+1`) at the time of the change: differential `reduce` semantics.
//!
//! Rollups ([`Rollup`]) feed the 1-minute aggregates into `WindowReduce`
//! again, each under the coarser windows that contain it (5 min, 15 min,
//! 1 h, or hopping windows), so a late reading's correction flows on into
//! every rollup as its own retraction and assertion.
//!
//! Unlike differential's `reduce`, whose arrangement keeps every input
//! forever, `WindowReduce` forgets a window once no admissible reading can
//! reach it: readings enter at a tick at or after the frontier `F` and at
//! most the allowed lateness `L` behind it, so a window that ended at or
//! before `F − L` is final. Memory is bounded by tags × open windows.

use std::collections::BTreeMap;

use differential_dataflow::AsCollection;
use differential_dataflow::collection::vec::Collection as VecCollection;
use serde::{Deserialize, Serialize};
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::{ParallelizationContract, Pipeline};
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;

use super::aggregate::Aggregate;
use super::key::{KeyMap, TagKey};
use super::record::KeyedReading;
use super::time::{Time, WindowSpec};

/// One window of one tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WindowKey {
    /// The (plant, tag).
    pub key: TagKey,
    /// The window family.
    pub spec: WindowSpec,
    /// Window start [ms since the Unix epoch]; the window is `[start, start + size)`.
    pub start_ms: u64,
}

impl WindowKey {
    /// The end of the window (exclusive) [ms].
    pub fn end_ms(&self) -> u64 {
        self.start_ms.saturating_add(u64::from(self.spec.size_ms))
    }
}

/// A collection of window values: `((window, aggregate), time, diff)`.
pub type WindowCollection<'scope> = VecCollection<'scope, Time, (WindowKey, Aggregate), isize>;

/// Folds readings into per-tick partial aggregates (see the [module docs](self)).
pub trait WindowPartials<'scope> {
    /// The partial aggregates of accepted readings under every window of
    /// `specs` that holds them. The input must be exchanged by route (or
    /// key) already; rejected readings are skipped.
    ///
    /// ```
    /// use steamflow::dataflow::{KeyedReading, TagKey, WindowPartials, WindowSpec};
    /// use steamflow_operators::reading::Quality;
    /// use timely::dataflow::operators::{ToStream, Capture};
    /// use timely::dataflow::operators::capture::Extract;
    ///
    /// let key = TagKey::of("north", "flow");
    /// let minute = WindowSpec::tumbling(60_000).unwrap();
    /// let readings: Vec<_> = [1.0, 3.0, 2.0].iter().enumerate()
    ///     .map(|(i, v)| KeyedReading::new(key, key, 1_000 * i as u64, *v, Quality::Good))
    ///     .collect();
    /// let out = timely::example(move |scope| {
    ///     readings.to_stream(scope).window_partials(vec![minute]).inner.capture()
    /// });
    /// let out: Vec<_> = out.extract().into_iter().flat_map(|(_, d)| d).collect();
    /// let ((window, agg), _time, diff) = out[0];
    /// assert_eq!((window.start_ms, agg.count, agg.max, agg.last_value, diff), (0, 3, 3.0, 2.0, 1));
    /// ```
    fn window_partials(self, specs: Vec<WindowSpec>) -> WindowCollection<'scope>;
}

impl<'scope> WindowPartials<'scope> for StreamVec<'scope, Time, KeyedReading> {
    fn window_partials(self, specs: Vec<WindowSpec>) -> WindowCollection<'scope> {
        self.unary_frontier(Pipeline, "WindowPartials", move |_capability, _info| {
            let mut pending: BTreeMap<Time, (Capability<Time>, KeyMap<WindowKey, Aggregate>)> =
                BTreeMap::new();
            // The size of the last tick's map: the next one is sized alike.
            let mut last_size = 0;
            move |(input, frontier), output| {
                input.for_each_stamp(|capability, data| {
                    let Some(capability) = capability.retain_least(output.output_index()) else {
                        return;
                    };
                    let (_, partials) = pending.entry(*capability.time()).or_insert_with(|| {
                        let map = KeyMap::with_capacity_and_hasher(last_size, Default::default());
                        (capability, map)
                    });
                    for batch in data {
                        for reading in batch.iter().filter(|r| r.is_accepted()) {
                            fold_reading(partials, &specs, reading);
                        }
                    }
                });
                while let Some(entry) = pending.first_entry() {
                    if frontier.less_equal(entry.key()) {
                        break;
                    }
                    let (time, (capability, partials)) = entry.remove_entry();
                    last_size = partials.len();
                    let mut session = output.session(&capability);
                    session.give_iterator(
                        partials
                            .into_iter()
                            .map(|(window, agg)| ((window, agg), time, 1_isize)),
                    );
                }
            }
        })
        .as_collection()
    }
}

#[inline]
fn fold_reading(
    partials: &mut KeyMap<WindowKey, Aggregate>,
    specs: &[WindowSpec],
    reading: &KeyedReading,
) {
    for spec in specs {
        for start_ms in spec.starts_containing(reading.time_ms) {
            let window = WindowKey {
                key: reading.key,
                spec: *spec,
                start_ms,
            };
            partials
                .entry(window)
                .and_modify(|agg| agg.add(reading.time_ms, reading.value))
                .or_insert_with(|| Aggregate::of(reading.time_ms, reading.value));
        }
    }
}

/// Reduces partials to window aggregates (see the [module docs](self)).
pub trait WindowReduce<'scope> {
    /// The aggregate of each window: the merge of its partials, updated as
    /// partials come and go. `pact` says how updates reach the worker
    /// that holds a window (`Pipeline` when the input is already exchanged
    /// by route); `allowed_lateness_ms` is the ingest's, and bounds how long
    /// a window is kept.
    ///
    /// ```
    /// use steamflow::dataflow::{Aggregate, TagKey, WindowKey, WindowReduce, WindowSpec};
    /// use differential_dataflow::input::Input;
    /// use timely::dataflow::channels::pact::Pipeline;
    ///
    /// let window = WindowKey {
    ///     key: TagKey::of("north", "flow"),
    ///     spec: WindowSpec::tumbling(60_000).unwrap(),
    ///     start_ms: 0,
    /// };
    /// timely::example(move |scope| {
    ///     let partials = vec![(window, Aggregate::of(1, 5.0)), (window, Aggregate::of(2, 7.0))];
    ///     let mut both = Aggregate::of(1, 5.0);
    ///     both.merge(&Aggregate::of(2, 7.0));
    ///     let expected = scope.new_collection_from(vec![(window, both)]).1;
    ///     scope.new_collection_from(partials).1
    ///         .window_reduce(Pipeline, 300_000)
    ///         .assert_eq(expected);
    /// });
    /// ```
    fn window_reduce<P>(self, pact: P, allowed_lateness_ms: u64) -> WindowCollection<'scope>
    where
        P: ParallelizationContract<Time, Vec<((WindowKey, Aggregate), Time, isize)>>;
}

/// One window's partials (a multiset) and the value last emitted.
#[derive(Debug, Default)]
struct WindowState {
    parts: Vec<(Aggregate, isize)>,
    emitted: Option<Aggregate>,
}

impl WindowState {
    fn update(&mut self, part: Aggregate, diff: isize) {
        match self.parts.iter_mut().find(|(p, _)| *p == part) {
            Some((_, count)) => *count += diff,
            None => self.parts.push((part, diff)),
        }
        self.parts.retain(|(_, count)| *count != 0);
    }

    /// The merge of the partials present (positive multiplicity); a
    /// multiplicity of `n` merges the partial `n` times.
    fn value(&self) -> Option<Aggregate> {
        let mut merged: Option<Aggregate> = None;
        let mut parts: Vec<&(Aggregate, isize)> =
            self.parts.iter().filter(|(_, n)| *n > 0).collect();
        // Merge in a fixed order: float sums then do not depend on arrival.
        parts.sort_by_key(|part| part.0);
        for (part, count) in parts {
            for _ in 0..*count {
                match &mut merged {
                    Some(agg) => agg.merge(part),
                    None => merged = Some(*part),
                }
            }
        }
        merged
    }
}

type Pending = BTreeMap<Time, (Capability<Time>, Vec<(WindowKey, Aggregate, isize)>)>;

impl<'scope> WindowReduce<'scope> for WindowCollection<'scope> {
    fn window_reduce<P>(self, pact: P, allowed_lateness_ms: u64) -> WindowCollection<'scope>
    where
        P: ParallelizationContract<Time, Vec<((WindowKey, Aggregate), Time, isize)>>,
    {
        self.inner
            .unary_frontier(pact, "WindowReduce", move |_capability, _info| {
                let mut windows: KeyMap<WindowKey, WindowState> = KeyMap::default();
                let mut pending = Pending::new();
                let mut horizon = 0_u64;
                let mut touched: Vec<WindowKey> = Vec::new();
                move |(input, frontier), output| {
                    input.for_each_stamp(|capability, data| {
                        for batch in data {
                            for ((window, part), time, diff) in batch.drain(..) {
                                let (_, updates) = pending.entry(time).or_insert_with(|| {
                                    (capability.delayed(&time, output.output_index()), Vec::new())
                                });
                                updates.push((window, part, diff));
                            }
                        }
                    });
                    while let Some(entry) = pending.first_entry() {
                        if frontier.less_equal(entry.key()) {
                            break;
                        }
                        let (time, (capability, updates)) = entry.remove_entry();
                        touched.clear();
                        for (window, part, diff) in updates {
                            windows.entry(window).or_default().update(part, diff);
                            touched.push(window);
                        }
                        touched.sort_unstable();
                        touched.dedup();
                        let mut session = output.session(&capability);
                        for window in &touched {
                            let Some(state) = windows.get_mut(window) else {
                                continue;
                            };
                            let value = state.value();
                            if value == state.emitted {
                                continue;
                            }
                            if let Some(old) = state.emitted.take() {
                                session.give(((*window, old), time, -1_isize));
                            }
                            if let Some(new) = value {
                                session.give(((*window, new), time, 1_isize));
                            }
                            state.emitted = value;
                            if state.parts.is_empty() {
                                windows.remove(window);
                            }
                        }
                    }
                    // Forget windows no admissible reading can reach.
                    match frontier.frontier().iter().min() {
                        None => windows.clear(),
                        Some(low) => {
                            let new_horizon = low.saturating_sub(allowed_lateness_ms);
                            if new_horizon > horizon {
                                horizon = new_horizon;
                                windows.retain(|window, _| window.end_ms() > horizon);
                            }
                        }
                    }
                }
            })
            .as_collection()
    }
}

/// Rolls window aggregates up into coarser windows.
pub trait Rollup<'scope> {
    /// The aggregates of `to` windows, built from the `from` windows of this
    /// collection (`to` must tile from `from`: see
    /// [`WindowSpec::tiles_from`]). Keeps the partitioning of the input, so
    /// it attaches after [`WindowReduce`] without moving data.
    ///
    /// ```
    /// use steamflow::dataflow::{Aggregate, Rollup, TagKey, WindowKey, WindowSpec};
    /// use differential_dataflow::input::Input;
    ///
    /// let key = TagKey::of("north", "flow");
    /// let minute = WindowSpec::tumbling(60_000).unwrap();
    /// let five = WindowSpec::tumbling(300_000).unwrap();
    /// let at = move |start_ms| WindowKey { key, spec: minute, start_ms };
    /// timely::example(move |scope| {
    ///     let minutes = vec![(at(0), Aggregate::of(0, 1.0)), (at(60_000), Aggregate::of(60_000, 2.0))];
    ///     let mut whole = Aggregate::of(0, 1.0);
    ///     whole.merge(&Aggregate::of(60_000, 2.0));
    ///     let expected = WindowKey { key, spec: five, start_ms: 0 };
    ///     let expected = scope.new_collection_from(vec![(expected, whole)]).1;
    ///     scope.new_collection_from(minutes).1
    ///         .rollup(minute, five, 300_000)
    ///         .assert_eq(expected);
    /// });
    /// ```
    fn rollup(
        self,
        from: WindowSpec,
        to: WindowSpec,
        allowed_lateness_ms: u64,
    ) -> WindowCollection<'scope>;
}

impl<'scope> Rollup<'scope> for WindowCollection<'scope> {
    fn rollup(
        self,
        from: WindowSpec,
        to: WindowSpec,
        allowed_lateness_ms: u64,
    ) -> WindowCollection<'scope> {
        self.flat_map(move |(window, agg)| {
            let starts = (window.spec == from)
                .then(|| to.starts_covering(from, window.start_ms))
                .into_iter()
                .flatten();
            starts.map(move |start_ms| {
                let coarse = WindowKey {
                    key: window.key,
                    spec: to,
                    start_ms,
                };
                (coarse, agg)
            })
        })
        .window_reduce(Pipeline, allowed_lateness_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_state_survives_retraction_of_the_extreme() {
        let mut state = WindowState::default();
        state.update(Aggregate::of(1, 5.0), 1);
        state.update(Aggregate::of(2, 9.0), 1);
        assert_eq!(state.value().map(|a| a.max), Some(9.0));
        state.update(Aggregate::of(2, 9.0), -1);
        let value = state.value().unwrap();
        assert_eq!((value.count, value.max, value.last_value), (1, 5.0, 5.0));
        state.update(Aggregate::of(1, 5.0), -1);
        assert!(state.value().is_none());
        assert!(state.parts.is_empty());
    }

    #[test]
    fn window_value_ignores_arrival_order() {
        let parts = [
            Aggregate::of(3, 0.1),
            Aggregate::of(1, 0.2),
            Aggregate::of(2, 0.3),
        ];
        let mut forward = WindowState::default();
        let mut backward = WindowState::default();
        for part in parts {
            forward.update(part, 1);
        }
        for part in parts.iter().rev() {
            backward.update(*part, 1);
        }
        assert_eq!(forward.value(), backward.value());
    }
}
