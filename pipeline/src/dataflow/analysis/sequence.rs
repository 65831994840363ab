//! Sequential computations over a key's windows that stay exact under late
//! data: replay from the earliest window that changed.
//!
//! A leak detector (a CUSUM) or an alert state machine reads windows in
//! order and carries state from one to the next, so its result for a
//! window depends on every window before it. When a late reading changes a
//! window `w`, everything from `w` on must be recomputed.
//! [`Sequence::sequence`] keeps, per key, the windows that can still change
//! (their values, the state after each, the outputs emitted for each), and
//! on a change replays `step` from the state before the earliest changed
//! window. It emits the differences against what it emitted before:
//! retractions (`-1`) of outputs that no longer hold and assertions (`+1`)
//! of new ones, at the time of the change. The consolidated output is
//! therefore exactly what one pass of `step` over the final windows, in
//! order, would produce — a from-scratch batch computation.
//!
//! Replay stops early at a window whose input did not change and whose
//! incoming state equals the one it had before: nothing after it can change.
//!
//! # Memory
//!
//! Updates reach a window only while it is within the allowed lateness:
//! an update at time `t` touches windows ending after `t − L` (see
//! [`crate::dataflow::window`]). Once the input frontier `F` passes, a window ending
//! at or before `F − L` is final; its state is folded into the key's base
//! state and its values and outputs are forgotten. A key holds at most the
//! windows of the lateness horizon, not its whole history, and the result
//! is the same as if it held everything.

use std::collections::BTreeMap;

use differential_dataflow::collection::vec::Collection as VecCollection;
use differential_dataflow::consolidation::consolidate;
use differential_dataflow::{AsCollection, Hashable};
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;

use crate::dataflow::time::Time;

/// The windows of one key the operator still holds.
struct KeyState<S, V, O> {
    /// State after every forgotten (final) window.
    base: S,
    /// Windows that can still change, by start.
    windows: BTreeMap<u64, Held<S, V, O>>,
}

/// One window of a key.
struct Held<S, V, O> {
    /// Its values, with multiplicities (only positive ones are present).
    values: Vec<(V, isize)>,
    /// The state after it (`None` until first computed).
    after: Option<S>,
    /// What was emitted for it, sorted.
    emitted: Vec<O>,
}

impl<S, V: Ord + Clone, O> Held<S, V, O> {
    fn new() -> Self {
        Held {
            values: Vec::new(),
            after: None,
            emitted: Vec::new(),
        }
    }

    fn update(&mut self, value: V, diff: isize) {
        match self.values.iter_mut().find(|(v, _)| *v == value) {
            Some((_, count)) => *count += diff,
            None => self.values.push((value, diff)),
        }
        self.values.retain(|(_, count)| *count != 0);
    }

    /// The values present, each as often as its multiplicity, sorted.
    fn present(&self) -> Vec<V> {
        let mut out: Vec<V> = self
            .values
            .iter()
            .filter(|(_, n)| *n > 0)
            .flat_map(|(v, n)| std::iter::repeat_n(v.clone(), usize::try_from(*n).unwrap_or(0)))
            .collect();
        out.sort();
        out
    }
}

/// The differences between two sorted output lists: `-1` for each output
/// only in `old`, `+1` for each only in `new`.
fn differences<O: Ord + Clone>(old: &[O], new: &[O], out: &mut Vec<(O, isize)>) {
    let mut changed: Vec<(O, isize)> = old
        .iter()
        .map(|o| (o.clone(), -1))
        .chain(new.iter().map(|o| (o.clone(), 1)))
        .collect();
    consolidate(&mut changed);
    out.extend(changed);
}

impl<S, V, O> KeyState<S, V, O>
where
    S: Clone + PartialEq,
    V: Ord + Clone,
    O: Ord + Clone,
{
    /// Replays the windows from `first` on (see the module docs); returns
    /// the output differences.
    fn replay<K, F>(
        &mut self,
        key: &K,
        first: u64,
        last_changed: u64,
        step: &mut F,
        out: &mut Vec<(O, isize)>,
    ) where
        F: FnMut(&K, &mut S, u64, &[V]) -> Vec<O>,
    {
        let mut state = self
            .windows
            .range(..first)
            .next_back()
            .and_then(|(_, held)| held.after.clone())
            .unwrap_or_else(|| self.base.clone());
        // The state the next window received before this replay.
        let mut old_incoming: Option<S> = None;
        let mut emptied = Vec::new();
        for (start, held) in self.windows.range_mut(first..) {
            if *start > last_changed && old_incoming.as_ref() == Some(&state) {
                break;
            }
            let values = held.present();
            let mut outputs = if values.is_empty() {
                emptied.push(*start);
                Vec::new()
            } else {
                step(key, &mut state, *start, &values)
            };
            outputs.sort();
            differences(&held.emitted, &outputs, out);
            held.emitted = outputs;
            old_incoming = held.after.replace(state.clone());
        }
        for start in emptied {
            self.windows.remove(&start);
        }
    }

    /// Folds the windows that ended at or before `horizon` into the base.
    fn forget_before(&mut self, horizon: u64, window_ms: u64) {
        while let Some(entry) = self.windows.first_entry() {
            if entry.key().saturating_add(window_ms) > horizon {
                break;
            }
            let held = entry.remove();
            if let Some(after) = held.after {
                self.base = after;
            }
        }
    }
}

/// Keyed sequential computations over windows (see the [module docs](self)).
pub trait Sequence<'scope, K, V> {
    /// Runs `step` over each key's windows in order, exactly under late
    /// updates. The input holds `(key, (window start, value))`; a window's
    /// values (a multiset, usually one value) are passed sorted. `init`
    /// gives a key's state before its first window. Windows are
    /// `window_ms` long and change for `allowed_lateness_ms` after the
    /// frontier passes them. Data is exchanged by key.
    ///
    /// ```
    /// use steamflow::dataflow::analysis::Sequence;
    /// use differential_dataflow::consolidation::consolidate;
    /// use differential_dataflow::input::Input;
    /// use timely::dataflow::operators::{Capture, capture::Extract};
    ///
    /// // A running sum per key: each window's output is the sum so far.
    /// let captured = timely::example(|scope| {
    ///     let (mut input, windows) = scope.new_collection::<(u32, (u64, i64)), isize>();
    ///     input.insert((7, (0, 5)));
    ///     input.insert((7, (120_000, 1)));
    ///     input.advance_to(60_000);
    ///     // Late: a window between the two; the later sum is corrected.
    ///     input.insert((7, (60_000, 10)));
    ///     windows
    ///         .sequence(
    ///             "RunningSum",
    ///             60_000,
    ///             300_000,
    ///             |_key: &u32| 0_i64,
    ///             |_key, sum, start, values: &[i64]| {
    ///                 *sum += values.iter().sum::<i64>();
    ///                 vec![(start, *sum)]
    ///             },
    ///         )
    ///         .inner
    ///         .capture()
    /// });
    /// let updates: Vec<((u64, i64), u64, isize)> =
    ///     captured.extract().into_iter().flat_map(|(_, d)| d).collect();
    /// // At the late time, window 120 000's sum of 6 is retracted for 16.
    /// assert!(updates.contains(&((120_000, 6), 60_000, -1)));
    /// let mut end: Vec<_> = updates.into_iter().map(|(o, _, r)| (o, r)).collect();
    /// consolidate(&mut end);
    /// assert_eq!(end, vec![((0, 5), 1), ((60_000, 15), 1), ((120_000, 16), 1)]);
    /// ```
    fn sequence<S, O, I, F>(
        self,
        name: &str,
        window_ms: u64,
        allowed_lateness_ms: u64,
        init: I,
        step: F,
    ) -> VecCollection<'scope, Time, O, isize>
    where
        S: Clone + PartialEq + 'static,
        O: Ord + Clone + 'static,
        I: Fn(&K) -> S + 'static,
        F: FnMut(&K, &mut S, u64, &[V]) -> Vec<O> + 'static;
}

type Pending<K, V> = BTreeMap<Time, (Capability<Time>, Vec<(K, u64, V, isize)>)>;

impl<'scope, K, V> Sequence<'scope, K, V> for VecCollection<'scope, Time, (K, (u64, V)), isize>
where
    K: timely::ExchangeData + Ord + Clone + Hashable,
    V: timely::ExchangeData + Ord + Clone,
{
    fn sequence<S, O, I, F>(
        self,
        name: &str,
        window_ms: u64,
        allowed_lateness_ms: u64,
        init: I,
        mut step: F,
    ) -> VecCollection<'scope, Time, O, isize>
    where
        S: Clone + PartialEq + 'static,
        O: Ord + Clone + 'static,
        I: Fn(&K) -> S + 'static,
        F: FnMut(&K, &mut S, u64, &[V]) -> Vec<O> + 'static,
    {
        let pact =
            Exchange::new(|((key, _), _, _): &((K, (u64, V)), Time, isize)| key.hashed().into());
        self.inner
            .unary_frontier(pact, name, move |_capability, _info| {
                let mut keys: BTreeMap<K, KeyState<S, V, O>> = BTreeMap::new();
                let mut pending: Pending<K, V> = BTreeMap::new();
                let mut horizon = 0_u64;
                let mut changes: Vec<(O, isize)> = Vec::new();
                move |(input, frontier), output| {
                    input.for_each_stamp(|capability, data| {
                        for batch in data {
                            for ((key, (start, value)), time, diff) in batch.drain(..) {
                                let (_, updates) = pending.entry(time).or_insert_with(|| {
                                    (capability.delayed(&time, output.output_index()), Vec::new())
                                });
                                updates.push((key, start, value, diff));
                            }
                        }
                    });
                    while let Some(entry) = pending.first_entry() {
                        if frontier.less_equal(entry.key()) {
                            break;
                        }
                        let (_, (capability, mut updates)) = entry.remove_entry();
                        updates.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
                        changes.clear();
                        let mut index = 0;
                        while let Some((key, _, _, _)) = updates.get(index) {
                            let key = key.clone();
                            let state = keys.entry(key.clone()).or_insert_with(|| KeyState {
                                base: init(&key),
                                windows: BTreeMap::new(),
                            });
                            let (mut first, mut last) = (u64::MAX, 0);
                            while let Some((k, start, value, diff)) = updates.get(index)
                                && *k == key
                            {
                                // A final window cannot change; upstream keeps the same horizon.
                                if start.saturating_add(window_ms) > horizon {
                                    state
                                        .windows
                                        .entry(*start)
                                        .or_insert_with(Held::new)
                                        .update(value.clone(), *diff);
                                    first = first.min(*start);
                                    last = last.max(*start);
                                }
                                index += 1;
                            }
                            if first <= last {
                                state.replay(&key, first, last, &mut step, &mut changes);
                            }
                        }
                        consolidate(&mut changes);
                        if !changes.is_empty() {
                            let time = *capability.time();
                            let mut session = output.session(&capability);
                            session
                                .give_iterator(changes.drain(..).map(|(o, diff)| (o, time, diff)));
                        }
                    }
                    match frontier.frontier().iter().min() {
                        None => keys.clear(),
                        Some(low) => {
                            let new_horizon = low.saturating_sub(allowed_lateness_ms);
                            if new_horizon > horizon {
                                horizon = new_horizon;
                                for state in keys.values_mut() {
                                    state.forget_before(horizon, window_ms);
                                }
                            }
                        }
                    }
                }
            })
            .as_collection()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Sum = KeyState<i64, i64, (u64, i64)>;

    fn running_sum(_: &u8, sum: &mut i64, start: u64, values: &[i64]) -> Vec<(u64, i64)> {
        *sum += values.iter().sum::<i64>();
        vec![(start, *sum)]
    }

    fn apply(state: &mut Sum, updates: &[(u64, i64, isize)]) -> Vec<((u64, i64), isize)> {
        let (mut first, mut last) = (u64::MAX, 0);
        for (start, value, diff) in updates {
            state
                .windows
                .entry(*start)
                .or_insert_with(Held::new)
                .update(*value, *diff);
            first = first.min(*start);
            last = last.max(*start);
        }
        let mut out = Vec::new();
        state.replay(&0, first, last, &mut running_sum, &mut out);
        consolidate(&mut out);
        out
    }

    #[test]
    fn a_late_window_corrects_every_later_one() {
        let mut state = Sum {
            base: 0,
            windows: BTreeMap::new(),
        };
        assert_eq!(
            apply(&mut state, &[(0, 1, 1), (2, 2, 1)]),
            vec![((0, 1), 1), ((2, 3), 1)]
        );
        assert_eq!(
            apply(&mut state, &[(1, 10, 1)]),
            vec![((1, 11), 1), ((2, 3), -1), ((2, 13), 1)]
        );
        // A value replaced by itself changes nothing.
        assert_eq!(apply(&mut state, &[(1, 10, -1), (1, 10, 1)]), vec![]);
        // Removing a window retracts its output and corrects the rest.
        assert_eq!(
            apply(&mut state, &[(1, 10, -1)]),
            vec![((1, 11), -1), ((2, 3), 1), ((2, 13), -1)]
        );
        assert!(!state.windows.contains_key(&1));
    }

    #[test]
    fn replay_stops_once_the_state_agrees_again() {
        let calls = std::cell::Cell::new(0);
        let mut state: KeyState<u8, i64, (u64, u8)> = KeyState {
            base: 0,
            windows: BTreeMap::new(),
        };
        // The state is the last value's sign: most changes stop at once.
        let mut sign = |_: &u8, s: &mut u8, start: u64, values: &[i64]| {
            calls.set(calls.get() + 1);
            *s = u8::from(values.iter().sum::<i64>() > 0);
            vec![(start, *s)]
        };
        let mut out = Vec::new();
        for start in 0..10 {
            state
                .windows
                .entry(start)
                .or_insert_with(Held::new)
                .update(1, 1);
        }
        state.replay(&0, 0, 9, &mut sign, &mut out);
        assert_eq!(calls.get(), 10);
        state
            .windows
            .entry(3)
            .or_insert_with(Held::new)
            .update(1, 1);
        out.clear();
        state.replay(&0, 3, 3, &mut sign, &mut out);
        // Window 3 and the check at window 4 only.
        assert_eq!(calls.get(), 11);
        assert!(out.is_empty());
    }

    #[test]
    fn final_windows_fold_into_the_base() {
        let mut state = Sum {
            base: 0,
            windows: BTreeMap::new(),
        };
        apply(&mut state, &[(0, 1, 1), (60, 2, 1), (120, 4, 1)]);
        state.forget_before(120, 60);
        assert_eq!(state.base, 3);
        assert_eq!(state.windows.keys().copied().collect::<Vec<_>>(), vec![120]);
        assert_eq!(apply(&mut state, &[(180, 1, 1)]), vec![((180, 8), 1)]);
    }
}
