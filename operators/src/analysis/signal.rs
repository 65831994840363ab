//! One signal summarised over one window, and whether it can be used.
//!
//! The streaming graph folds the readings of a tag in a window into a count,
//! mean, min and max; the classifiers here take those summaries
//! ([`SignalStats`]) rather than raw readings, so they run once per asset and
//! window. A summary is only evidence when it is usable
//! ([`SignalStats::usable`]): enough samples, a quality that is not bad, and
//! finite, physically plausible values. How much a usable summary is trusted
//! is its [`data weight`](Usable::weight): fewer samples and uncertain
//! quality weigh less.

use std::fmt;

use crate::reading::Quality;
use crate::units::{Pressure, Temperature};

/// A value a signal summary can hold: a typed quantity, or a plain number
/// in a stated unit (a sound level in dB).
pub trait SignalValue: Copy + fmt::Debug {
    /// The value as a plain number (SI for quantities, dB for levels).
    fn raw(self) -> f64;
    /// The range a real measurement of this kind can have, in [`raw`](Self::raw) units.
    fn plausible(self) -> bool;
}

impl SignalValue for Temperature {
    fn raw(self) -> f64 {
        self.kelvin()
    }
    /// −100 °C to 1000 °C: any pipe or trap surface of a steam system.
    fn plausible(self) -> bool {
        (173.15..=1273.15).contains(&self.kelvin())
    }
}

impl SignalValue for Pressure {
    fn raw(self) -> f64 {
        self.pa()
    }
    /// Above 0 and up to 100 MPa (IF97's limit).
    fn plausible(self) -> bool {
        self.pa() > 0.0 && self.pa() <= 100e6
    }
}

/// A sound level \[dB\]; plausible from −50 dB to 200 dB (any sensor scale).
impl SignalValue for f64 {
    fn raw(self) -> f64 {
        self
    }
    fn plausible(self) -> bool {
        (-50.0..=200.0).contains(&self)
    }
}

/// Count, mean, min and max of one signal over one window, and the worst
/// quality among the readings folded in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SignalStats<T> {
    /// Number of readings in the window.
    pub count: u64,
    /// Their mean.
    pub mean: T,
    /// The smallest.
    pub min: T,
    /// The largest.
    pub max: T,
    /// The worst quality among them.
    pub quality: Quality,
}

impl<T: SignalValue> SignalStats<T> {
    /// A summary of `count` good readings that were all equal to `value`.
    pub fn constant(count: u64, value: T) -> Self {
        SignalStats {
            count,
            mean: value,
            min: value,
            max: value,
            quality: Quality::Good,
        }
    }

    /// The summary as evidence, or why it cannot be.
    ///
    /// `min_samples` readings are needed; `full_samples` or more give full
    /// weight (see [`Usable::weight`]).
    pub fn usable(&self, min_samples: u64, full_samples: u64) -> Result<Usable<T>, Unusable> {
        if self.count < min_samples.max(1) {
            return Err(Unusable::TooFewSamples {
                count: self.count,
                needed: min_samples.max(1),
            });
        }
        let quality_weight = match self.quality {
            Quality::Good => 1.0,
            Quality::Uncertain => UNCERTAIN_WEIGHT,
            Quality::Bad => return Err(Unusable::BadQuality),
        };
        let values = [self.mean, self.min, self.max];
        if values.iter().any(|v| !v.raw().is_finite()) {
            return Err(Unusable::NotFinite);
        }
        if values.iter().any(|v| !v.plausible()) {
            return Err(Unusable::Implausible);
        }
        if self.min.raw() > self.mean.raw() || self.mean.raw() > self.max.raw() {
            return Err(Unusable::Inconsistent);
        }
        let samples_weight = MIN_SAMPLES_WEIGHT
            + (1.0 - MIN_SAMPLES_WEIGHT)
                * ramp(self.count as f64, min_samples as f64, full_samples as f64);
        Ok(Usable {
            mean: self.mean,
            min: self.min,
            max: self.max,
            count: self.count,
            weight: quality_weight * samples_weight,
        })
    }
}

/// Weight of a summary whose quality is uncertain.
pub const UNCERTAIN_WEIGHT: f64 = 0.8;
/// Weight of a summary with just the minimum number of samples; it rises
/// linearly to 1 at the full number.
pub const MIN_SAMPLES_WEIGHT: f64 = 0.8;

/// A usable summary and how much it weighs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Usable<T> {
    /// Mean.
    pub mean: T,
    /// Minimum.
    pub min: T,
    /// Maximum.
    pub max: T,
    /// Number of readings.
    pub count: u64,
    /// Data weight in (0, 1]: quality (1 good, 0.8 uncertain) × samples
    /// (0.8 at the minimum count, rising linearly to 1 at the full count).
    pub weight: f64,
}

/// Why a summary is not evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// No tag, or no reading in the window.
    Missing,
    /// Fewer readings than needed.
    TooFewSamples {
        /// Readings in the window.
        count: u64,
        /// Readings needed.
        needed: u64,
    },
    /// A reading of bad quality was folded in.
    BadQuality,
    /// NaN or infinite.
    NotFinite,
    /// Outside what a real sensor of this kind can read.
    Implausible,
    /// min ≤ mean ≤ max does not hold.
    Inconsistent,
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unusable::Missing => f.write_str("no data"),
            Unusable::TooFewSamples { count, needed } => {
                write!(f, "{count} samples, {needed} needed")
            }
            Unusable::BadQuality => f.write_str("bad quality"),
            Unusable::NotFinite => f.write_str("not a finite number"),
            Unusable::Implausible => f.write_str("physically implausible"),
            Unusable::Inconsistent => f.write_str("min, mean and max inconsistent"),
        }
    }
}

/// The summary as evidence: [`SignalStats::usable`] of an optional summary.
pub fn usable<T: SignalValue>(
    stats: Option<&SignalStats<T>>,
    min_samples: u64,
    full_samples: u64,
) -> Result<Usable<T>, Unusable> {
    stats.map_or(Err(Unusable::Missing), |s| {
        s.usable(min_samples, full_samples)
    })
}

/// 0 at `lo`, 1 at `hi`, linear between and clamped; 0 for NaN. A
/// degenerate range (hi ≤ lo) steps from 0 to 1 at `hi`.
pub(crate) fn ramp(x: f64, lo: f64, hi: f64) -> f64 {
    if x.is_nan() {
        return 0.0;
    }
    if hi > lo {
        ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else if x >= hi {
        1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(count: u64, c: f64) -> SignalStats<Temperature> {
        SignalStats::constant(count, Temperature::from_celsius(c))
    }

    #[test]
    fn usable_needs_samples_quality_and_sense() {
        assert_eq!(
            temp(2, 150.0).usable(3, 30),
            Err(Unusable::TooFewSamples {
                count: 2,
                needed: 3
            })
        );
        let bad = SignalStats {
            quality: Quality::Bad,
            ..temp(10, 150.0)
        };
        assert_eq!(bad.usable(3, 30), Err(Unusable::BadQuality));
        assert_eq!(temp(10, f64::NAN).usable(3, 30), Err(Unusable::NotFinite));
        assert_eq!(temp(10, 5000.0).usable(3, 30), Err(Unusable::Implausible));
        let upside_down = SignalStats {
            min: Temperature::from_celsius(200.0),
            ..temp(10, 150.0)
        };
        assert_eq!(upside_down.usable(3, 30), Err(Unusable::Inconsistent));
        assert_eq!(usable::<f64>(None, 3, 30), Err(Unusable::Missing));
    }

    #[test]
    fn weight_grows_with_samples_and_quality() {
        let w = |count: u64, quality: Quality| {
            SignalStats {
                quality,
                ..temp(count, 150.0)
            }
            .usable(3, 30)
            .map(|u| u.weight)
            .unwrap_or(0.0)
        };
        assert!((w(3, Quality::Good) - 0.8).abs() < 1e-12);
        assert!((w(30, Quality::Good) - 1.0).abs() < 1e-12);
        assert!((w(300, Quality::Good) - 1.0).abs() < 1e-12);
        assert!((w(30, Quality::Uncertain) - 0.8).abs() < 1e-12);
        let mut last = 0.0;
        for n in 3..40 {
            let now = w(n, Quality::Good);
            assert!(now >= last);
            last = now;
        }
    }

    #[test]
    fn ramp_edges() {
        assert_eq!(ramp(f64::NAN, 0.0, 1.0), 0.0);
        assert_eq!(ramp(-1.0, 0.0, 1.0), 0.0);
        assert_eq!(ramp(0.5, 0.0, 1.0), 0.5);
        assert_eq!(ramp(f64::INFINITY, 0.0, 1.0), 1.0);
        assert_eq!(ramp(1.0, 1.0, 1.0), 1.0);
        assert_eq!(ramp(0.9, 1.0, 1.0), 0.0);
    }
}
