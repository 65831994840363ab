//! The window aggregate: count, sum, mean, min, max, first and last of a
//! tag's values over a window, as a commutative monoid.
//!
//! Partial aggregates of disjoint sets of readings [`merge`](Aggregate::merge)
//! into the aggregate of their union, so the graph folds readings into one
//! partial per window and tick, and a window is the merge of its partials.
//! `first` and `last` are the values at the earliest and latest event time;
//! equal times are broken by the value's total order, so the result does not
//! depend on arrival order.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Count, sum, min, max, first and last of a set of values.
///
/// ```
/// use steamflow::dataflow::Aggregate;
///
/// let mut a = Aggregate::of(10, 2.0);
/// a.merge(&Aggregate::of(5, 4.0));
/// assert_eq!((a.count, a.sum, a.mean()), (2, 6.0, 3.0));
/// assert_eq!((a.first_value, a.last_value), (4.0, 2.0));
/// ```
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Aggregate {
    /// Number of values.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// Event time of the earliest [ms].
    pub first_ms: u64,
    /// The earliest value.
    pub first_value: f64,
    /// Event time of the latest [ms].
    pub last_ms: u64,
    /// The latest value.
    pub last_value: f64,
}

impl Aggregate {
    /// The aggregate of one value at `time_ms`.
    #[inline]
    pub fn of(time_ms: u64, value: f64) -> Self {
        Aggregate {
            count: 1,
            sum: value,
            min: value,
            max: value,
            first_ms: time_ms,
            first_value: value,
            last_ms: time_ms,
            last_value: value,
        }
    }

    /// Folds one value in.
    #[inline]
    pub fn add(&mut self, time_ms: u64, value: f64) {
        self.merge(&Aggregate::of(time_ms, value));
    }

    /// Folds another aggregate (of other readings) in.
    #[inline]
    pub fn merge(&mut self, other: &Aggregate) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        if (other.first_ms, other.first_value).lt_total(&(self.first_ms, self.first_value)) {
            (self.first_ms, self.first_value) = (other.first_ms, other.first_value);
        }
        if (self.last_ms, self.last_value).lt_total(&(other.last_ms, other.last_value)) {
            (self.last_ms, self.last_value) = (other.last_ms, other.last_value);
        }
    }

    /// The arithmetic mean (`count` is never 0 for an aggregate of values).
    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }

    fn fields(&self) -> [f64; 5] {
        [
            self.sum,
            self.min,
            self.max,
            self.first_value,
            self.last_value,
        ]
    }
}

trait TotalLess {
    fn lt_total(&self, other: &Self) -> bool;
}

impl TotalLess for (u64, f64) {
    #[inline]
    fn lt_total(&self, other: &Self) -> bool {
        self.0
            .cmp(&other.0)
            .then_with(|| self.1.total_cmp(&other.1))
            .is_lt()
    }
}

impl PartialEq for Aggregate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Aggregate {}

impl std::hash::Hash for Aggregate {
    /// Consistent with `Eq`: `total_cmp` equality is bit equality.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.count, self.first_ms, self.last_ms).hash(state);
        for field in self.fields() {
            field.to_bits().hash(state);
        }
    }
}

impl PartialOrd for Aggregate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Aggregate {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.count, self.first_ms, self.last_ms)
            .cmp(&(other.count, other.first_ms, other.last_ms))
            .then_with(|| {
                self.fields()
                    .iter()
                    .zip(other.fields().iter())
                    .map(|(a, b)| a.total_cmp(b))
                    .find(|order| order.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(values: &[(u64, f64)]) -> Option<Aggregate> {
        let mut iter = values.iter();
        let (t, v) = iter.next()?;
        let mut agg = Aggregate::of(*t, *v);
        for (t, v) in iter {
            agg.add(*t, *v);
        }
        Some(agg)
    }

    #[test]
    fn merge_is_order_free_on_exact_values() {
        let values = [(3, 1.5), (1, -2.0), (7, 8.25), (7, 0.5), (2, 4.0)];
        let forward = fold(&values).unwrap();
        let mut reversed = values;
        reversed.reverse();
        let backward = fold(&reversed).unwrap();
        assert_eq!(forward, backward);
        assert_eq!(forward.count, 5);
        assert_eq!((forward.min, forward.max), (-2.0, 8.25));
        assert_eq!((forward.first_ms, forward.first_value), (1, -2.0));
        // Two values at t = 7: the larger is "last".
        assert_eq!((forward.last_ms, forward.last_value), (7, 8.25));
        assert_eq!(forward.mean(), 12.25 / 5.0);
    }

    #[test]
    fn partials_merge_into_the_whole() {
        let values = [(3, 1.0), (1, 2.0), (9, 3.0), (4, 4.0)];
        let mut left = fold(&values[..2]).unwrap();
        left.merge(&fold(&values[2..]).unwrap());
        assert_eq!(left, fold(&values).unwrap());
    }
}
