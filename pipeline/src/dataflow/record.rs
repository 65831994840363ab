//! The records that flow through the graph: keyed readings and dead letters,
//! with the reason codes that validation and ingest attach to them.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use steamflow_operators::reading::Quality;

use super::key::TagKey;

/// Why a reading was flagged or rejected.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Reason {
    /// Not flagged, not rejected.
    #[default]
    None = 0,
    /// Behind the watermark by more than the allowed lateness; detail: lateness [ms].
    Late = 1,
    /// Same plant, tag, event time and value as a reading already counted.
    Duplicate = 2,
    /// The value is NaN or infinite.
    NonFinite = 3,
    /// The event time is before 1970 or implausibly far ahead of the source's
    /// watermark; detail: the event time [ms].
    BadTime = 4,
    /// The names hash to a key another pair holds.
    KeyCollision = 5,
    /// The source graded the value bad (or uncertain, where rejected).
    Quality = 6,
    /// Outside the tag's design limits; detail: the limit crossed.
    OutOfRange = 7,
    /// Changed faster than the tag's limit; detail: the rate [unit/s].
    RateOfChange = 8,
    /// A steam temperature too far from saturation at the paired pressure;
    /// detail: the deviation [K].
    Saturation = 9,
    /// A robust outlier: far from the rolling median in MADs; detail: the robust z-score.
    Outlier = 10,
    /// The value has not moved for too long; detail: the flat run [ms].
    Flatline = 11,
    /// The first reading after the tag was silent too long; detail: the gap [ms].
    Stale = 12,
    /// The reading's unit is not a unit of its tag's measurand.
    Unit = 13,
    /// A network source could not decode the payload into a reading (bad
    /// JSON, a wrong type, a Modbus exception, …); the tag is where it came
    /// from (an MQTT topic, a Modbus `unit/register`, an OPC UA node id), the
    /// plant the source's plant (its id when the config names none), and the
    /// source's own reason code is counted on the source.
    Decode = 14,
}

impl Reason {
    /// Every reason, in code order.
    pub const ALL: [Reason; 15] = [
        Reason::None,
        Reason::Late,
        Reason::Duplicate,
        Reason::NonFinite,
        Reason::BadTime,
        Reason::KeyCollision,
        Reason::Quality,
        Reason::OutOfRange,
        Reason::RateOfChange,
        Reason::Saturation,
        Reason::Outlier,
        Reason::Flatline,
        Reason::Stale,
        Reason::Unit,
        Reason::Decode,
    ];

    /// The snake_case code written to files.
    pub fn code(self) -> &'static str {
        match self {
            Reason::None => "none",
            Reason::Late => "late",
            Reason::Duplicate => "duplicate",
            Reason::NonFinite => "non_finite",
            Reason::BadTime => "bad_time",
            Reason::KeyCollision => "key_collision",
            Reason::Quality => "quality",
            Reason::OutOfRange => "out_of_range",
            Reason::RateOfChange => "rate_of_change",
            Reason::Saturation => "saturation",
            Reason::Outlier => "outlier",
            Reason::Flatline => "flatline",
            Reason::Stale => "stale",
            Reason::Unit => "unit",
            Reason::Decode => "decode",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The set of reasons a reading was flagged for (it is kept, but suspect).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Flags(u16);

impl Flags {
    /// No flag.
    pub const NONE: Flags = Flags(0);

    /// Adds a reason.
    pub fn insert(&mut self, reason: Reason) {
        self.0 |= reason.bit();
    }

    /// True when `reason` is set.
    pub fn contains(self, reason: Reason) -> bool {
        self.0 & reason.bit() != 0
    }

    /// True when no reason is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The reasons set, in code order.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        Reason::ALL
            .into_iter()
            .filter(move |reason| *reason != Reason::None && self.contains(*reason))
    }
}

/// A reading after ingest: interned key, event time, value, quality, and
/// what the checks so far made of it.
///
/// `Ord` compares values with `f64::total_cmp`, so readings can be
/// differential data.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct KeyedReading {
    /// The (plant, tag) key.
    pub key: TagKey,
    /// The key whose worker handles this reading (see [`super::KeyEntry::route`]).
    pub route: TagKey,
    /// Event time [ms since the Unix epoch].
    pub time_ms: u64,
    /// The value as sent (finite: ingest dead-letters the rest).
    pub value: f64,
    /// The source's grade.
    pub quality: Quality,
    /// Reasons the reading was flagged for.
    pub flags: Flags,
    /// Why it was rejected ([`Reason::None`] while it is accepted).
    pub rejected: Reason,
    /// A number that explains the rejection (see [`Reason`]).
    pub detail: f64,
}

impl KeyedReading {
    /// An accepted, unflagged reading.
    pub fn new(key: TagKey, route: TagKey, time_ms: u64, value: f64, quality: Quality) -> Self {
        KeyedReading {
            key,
            route,
            time_ms,
            value,
            quality,
            flags: Flags::NONE,
            rejected: Reason::None,
            detail: 0.0,
        }
    }

    /// Marks the reading rejected for `reason` (the first reason wins).
    pub fn reject(&mut self, reason: Reason, detail: f64) {
        if self.rejected == Reason::None {
            self.rejected = reason;
            self.detail = detail;
        }
    }

    /// True while no check rejected it.
    pub fn is_accepted(&self) -> bool {
        self.rejected == Reason::None
    }

    /// The dead letter of a rejected reading.
    pub fn to_dead_letter(&self) -> DeadLetter {
        DeadLetter {
            key: self.key,
            time_ms: self.time_ms,
            value: self.value,
            quality: self.quality,
            reason: self.rejected,
            detail: self.detail,
        }
    }

    fn sort_key(&self) -> (TagKey, u64, Quality, Flags, Reason) {
        (
            self.key,
            self.time_ms,
            self.quality,
            self.flags,
            self.rejected,
        )
    }
}

impl PartialEq for KeyedReading {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for KeyedReading {}

impl PartialOrd for KeyedReading {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyedReading {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key()
            .cmp(&other.sort_key())
            .then_with(|| self.value.total_cmp(&other.value))
            .then_with(|| self.detail.total_cmp(&other.detail))
            .then_with(|| self.route.cmp(&other.route))
    }
}

/// A reading that did not make it into the windows, and why.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The (plant, tag) key.
    pub key: TagKey,
    /// Event time [ms since the Unix epoch].
    pub time_ms: u64,
    /// The value as sent (may be NaN or infinite).
    pub value: f64,
    /// The source's grade.
    pub quality: Quality,
    /// Why it was rejected.
    pub reason: Reason,
    /// The number that explains it: lateness [ms] for [`Reason::Late`], see [`Reason`].
    pub detail: f64,
}

impl DeadLetter {
    fn sort_key(&self) -> (TagKey, u64, Reason, Quality) {
        (self.key, self.time_ms, self.reason, self.quality)
    }
}

impl PartialEq for DeadLetter {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DeadLetter {}

impl PartialOrd for DeadLetter {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DeadLetter {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key()
            .cmp(&other.sort_key())
            .then_with(|| self.value.total_cmp(&other.value))
            .then_with(|| self.detail.total_cmp(&other.detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_hold_reasons() {
        let mut flags = Flags::NONE;
        assert!(flags.is_empty());
        flags.insert(Reason::Outlier);
        flags.insert(Reason::Stale);
        assert!(flags.contains(Reason::Outlier));
        assert!(!flags.contains(Reason::Late));
        assert_eq!(
            flags.iter().collect::<Vec<_>>(),
            vec![Reason::Outlier, Reason::Stale]
        );
    }

    #[test]
    fn first_rejection_wins() {
        let mut reading = KeyedReading::new(TagKey(1), TagKey(1), 5, 1.0, Quality::Good);
        reading.reject(Reason::Duplicate, 0.0);
        reading.reject(Reason::OutOfRange, 9.0);
        let dead = reading.to_dead_letter();
        assert_eq!((dead.reason, dead.detail), (Reason::Duplicate, 0.0));
    }

    #[test]
    fn nan_values_order_totally() {
        let a = KeyedReading::new(TagKey(1), TagKey(1), 5, f64::NAN, Quality::Good);
        let b = KeyedReading::new(TagKey(1), TagKey(1), 5, 1.0, Quality::Good);
        assert_eq!(a, a);
        assert_ne!(a, b);
        assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        assert_eq!(
            Reason::ALL.iter().map(|r| *r as u8).collect::<Vec<_>>(),
            (0..15).collect::<Vec<_>>()
        );
    }
}
