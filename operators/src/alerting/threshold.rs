//! Threshold conditions with hysteresis, per reading or per window value.
//!
//! An upper threshold fires at value ≥ `above` and, once firing, holds
//! until value ≤ `above − hysteresis`; a lower one fires at value ≤
//! `below` and holds until value ≥ `below + hysteresis`. With both, the
//! side that fired sets the band (and crossing to the other extreme keeps
//! the alert firing). The dead band keeps a signal hovering at the limit
//! from firing and resolving on every sample; `for_secs` and
//! `clear_for_secs` of the [`AlertPolicy`] add the time dimension.
//!
//! A value that is NaN or infinite says nothing: its time is taken (it
//! counts for the ordering) but the state does not change.

use super::tracker::{AlertEvent, AlertKey, AlertPolicy, AlertTracker, OutOfOrderObservation};

/// An upper and/or lower limit with a dead band.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// Fire at or above this.
    pub above: Option<f64>,
    /// Fire at or below this.
    pub below: Option<f64>,
    /// Dead band before resolving, in the value's unit (≥ 0).
    pub hysteresis: f64,
}

/// The side of a threshold that fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The upper limit.
    High,
    /// The lower limit.
    Low,
}

impl Threshold {
    /// Checks: at least one limit, finite limits, `below < above` with the
    /// two dead bands apart (2 × hysteresis < above − below, else the alert
    /// could never resolve), hysteresis finite and ≥ 0.
    pub fn check(&self) -> Result<(), String> {
        if self.above.is_none() && self.below.is_none() {
            return Err("a threshold needs `above`, `below` or both".to_owned());
        }
        if !(self.hysteresis.is_finite() && self.hysteresis >= 0.0) {
            return Err(format!(
                "hysteresis must be a number ≥ 0, found {}",
                self.hysteresis
            ));
        }
        for limit in [self.above, self.below].into_iter().flatten() {
            if !limit.is_finite() {
                return Err(format!("threshold {limit} is not a finite number"));
            }
        }
        if let (Some(a), Some(b)) = (self.above, self.below)
            && b + 2.0 * self.hysteresis >= a
        {
            return Err(format!(
                "below {b} and above {a} must be more than twice the hysteresis ({}) apart",
                self.hysteresis
            ));
        }
        Ok(())
    }

    /// The side a value trips from quiet (≥ above, or ≤ below).
    pub fn trips(&self, value: f64) -> Option<Side> {
        if self.above.is_some_and(|a| value >= a) {
            Some(Side::High)
        } else if self.below.is_some_and(|b| value <= b) {
            Some(Side::Low)
        } else {
            None
        }
    }

    /// True while a firing alert on `side` still holds at `value`
    /// (> above − hysteresis, or < below + hysteresis).
    pub fn still_holds(&self, value: f64, side: Side) -> bool {
        match side {
            Side::High => self.above.is_some_and(|a| value > a - self.hysteresis),
            Side::Low => self.below.is_some_and(|b| value < b + self.hysteresis),
        }
    }

    fn describe(&self, side: Option<Side>) -> String {
        match (side, self.above, self.below) {
            (Some(Side::High), Some(a), _) | (None, Some(a), None) => {
                format!("fires at ≥ {a}, resolves at ≤ {}", a - self.hysteresis)
            }
            (Some(Side::Low), _, Some(b)) | (None, None, Some(b)) => {
                format!("fires at ≤ {b}, resolves at ≥ {}", b + self.hysteresis)
            }
            (_, Some(a), Some(b)) => format!("fires at ≥ {a} or ≤ {b}"),
            _ => String::new(),
        }
    }
}

/// A threshold alert on one key: the [`Threshold`] decides whether the
/// condition holds, an [`AlertTracker`] decides what to notify.
#[derive(Clone, Debug, PartialEq)]
pub struct ThresholdAlert {
    tracker: AlertTracker,
    threshold: Threshold,
    side: Option<Side>,
}

impl ThresholdAlert {
    /// A quiet threshold alert.
    pub fn new(key: AlertKey, policy: AlertPolicy, threshold: Threshold) -> Self {
        ThresholdAlert {
            tracker: AlertTracker::new(key, policy),
            threshold,
            side: None,
        }
    }

    /// The state machine behind it.
    pub fn tracker(&self) -> &AlertTracker {
        &self.tracker
    }

    /// The side that fired, while open.
    pub fn side(&self) -> Option<Side> {
        self.side
    }

    /// One value of `subject` (a tag, a window result) at `time_ms`.
    ///
    /// Errors: a time older than the last observation (nothing changes).
    pub fn observe(
        &mut self,
        time_ms: i64,
        value: f64,
        subject: &str,
    ) -> Result<Option<AlertEvent>, OutOfOrderObservation> {
        if !value.is_finite() {
            self.tracker.advance(time_ms)?;
            return Ok(None);
        }
        let tripped = self.threshold.trips(value);
        let holding = match self.side {
            Some(side) if self.tracker.is_open() => self.threshold.still_holds(value, side),
            _ => false,
        };
        let holds = tripped.is_some() || holding;
        let side = tripped.or(if holding { self.side } else { None });
        let detail = format!(
            "{subject} = {value} ({})",
            self.threshold.describe(side.or(self.side))
        );
        let event = self.tracker.observe(time_ms, holds, value, &detail)?;
        if self.tracker.is_open() {
            self.side = side.or(self.side);
        } else {
            self.side = side;
        }
        Ok(event)
    }
}
