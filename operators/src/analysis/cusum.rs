//! A one-sided (upper) CUSUM change detector over a sequence of windows,
//! the sequential test behind leak detection.
//!
//! # Method
//!
//! Page's cumulative sum (Page 1954; Montgomery, *Introduction to
//! Statistical Quality Control*, §9.1): with the in-control mean μ, noise
//! σ, the smallest shift worth detecting δ and the allowance K = δ/2,
//!
//! S₀ = 0,  Sₜ = max(0, Sₜ₋₁ + xₜ − μ − K),  alarm when Sₜ > H = h σ.
//!
//! μ and σ are given, or learned over the first `warmup_windows` windows
//! (mean and sample standard deviation, Welford's algorithm) and then held
//! fixed: an adapting reference would slowly absorb the very shift it is
//! meant to find. Estimated parameters make a CUSUM alarm much more often
//! than its nominal rate when the warm-up happens to be quiet (Jones, Champ
//! & Rigdon, *Technometrics* 46 (2004) 156), so a learned σ is raised by
//! one standard error of itself, σ̂ (1 + 1/√(2(n − 1))), and by √(1 + 1/n)
//! when the mean is learned too (the deviations from an estimated mean
//! carry its error). σ is never taken below `min_sigma`, and δ never below
//! `min_shift_sigmas` σ, which bounds the false-alarm rate whatever the
//! noise.
//!
//! At an alarm the change is dated to the last window at which S was 0,
//! and its size estimated as the mean deviation since then,
//! μ̂₁ − μ = K + Sₜ/N (Montgomery eq. 9.6). While the alarm lasts the size
//! follows the deviations by exponential smoothing (weight
//! `estimate_smoothing`), so a growing leak is tracked. The alarm ends after
//! `clear_windows` consecutive windows whose deviation is below K; S then
//! restarts from 0.
//!
//! # False alarms and delay
//!
//! With k = K/σ and b = h + 1.166, Siegmund's approximation of the average
//! run length at a true shift of Δ σ (Montgomery eq. 9.9) is
//!
//! ARL = (e^(−2(Δ−k)b) + 2(Δ−k)b − 1) / (2(Δ−k)²)
//!
//! - k = 0.5, h = 5 (δ = 1σ): about 940 windows between false alarms,
//!   10.3 windows to detect a 1σ shift — too many false alarms for 1-minute
//!   windows (one every 16 h);
//! - k = 1, h = 5 (δ = 2σ, the leak defaults): about 113 000 windows
//!   (78 days of 1-minute windows) between false alarms; a 2σ shift is
//!   found in 5.7 windows on average, a 4σ shift in 2.0.
//!
//! Raising h or δ trades a later detection for fewer false alarms. The
//! tests measure both on seeded Gaussian noise.
//!
//! # Streaming contract
//!
//! The output depends only on the windows in time order: [`Cusum::update`]
//! refuses a window time at or before the last one (the caller feeds each
//! window once, in order; to revise a past window, replay from a clone
//! taken before it). A missing value (`None`, NaN, ±∞) advances the time
//! but changes nothing else.

use std::fmt;

use super::error::{CalcError, Result, finite, non_negative, positive};

/// Settings of a [`Cusum`], in the unit of the signal it watches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CusumSettings {
    /// Smallest shift worth detecting, δ (signal unit).
    pub min_shift: f64,
    /// δ is at least this many σ.
    pub min_shift_sigmas: f64,
    /// Decision interval h, in σ.
    pub decision_interval_sigmas: f64,
    /// Noise standard deviation; `None` learns it during the warm-up.
    pub sigma: Option<f64>,
    /// Least σ used, learned or given.
    pub min_sigma: f64,
    /// In-control mean; `None` learns it during the warm-up.
    pub baseline: Option<f64>,
    /// Windows with a value needed to learn what is not given.
    pub warmup_windows: u32,
    /// Consecutive windows below the allowance that end an alarm.
    pub clear_windows: u32,
    /// Weight of each new window in the size estimate during an alarm, (0, 1].
    pub estimate_smoothing: f64,
}

impl CusumSettings {
    /// Checks the settings: finite, δ ≥ 0, min_shift_sigmas > 0, h > 0,
    /// σ > 0 when given, min_sigma > 0, a warm-up of at least 2 windows
    /// when σ is learned and 1 when the baseline is, clear_windows ≥ 1,
    /// smoothing in (0, 1].
    pub fn check(&self) -> Result<()> {
        non_negative("min_shift", self.min_shift)?;
        positive("min_shift_sigmas", self.min_shift_sigmas)?;
        positive("decision_interval_sigmas", self.decision_interval_sigmas)?;
        if let Some(s) = self.sigma {
            positive("sigma", s)?;
        }
        positive("min_sigma", self.min_sigma)?;
        if let Some(b) = self.baseline {
            finite("baseline", b)?;
        }
        let needed = match (self.sigma, self.baseline) {
            (None, _) => 2,
            (Some(_), None) => 1,
            (Some(_), Some(_)) => 0,
        };
        if self.warmup_windows < needed {
            return Err(CalcError::Inconsistent(format!(
                "warmup_windows = {} is too few to learn {}: at least {needed}",
                self.warmup_windows,
                if self.sigma.is_none() {
                    "the noise"
                } else {
                    "the baseline"
                }
            )));
        }
        if self.clear_windows == 0 {
            return Err(CalcError::OutOfRange {
                name: "clear_windows",
                value: 0.0,
                expected: "at least 1",
            });
        }
        super::error::positive_fraction("estimate_smoothing", self.estimate_smoothing)?;
        Ok(())
    }
}

/// The in-control reference of a [`Cusum`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reference {
    /// In-control mean μ.
    pub mean: f64,
    /// Noise σ (at least the floor).
    pub sigma: f64,
    /// Shift δ the detector is tuned to (at least `min_shift_sigmas` σ).
    pub shift: f64,
    /// Alarm level H = h σ.
    pub decision_interval: f64,
}

impl Reference {
    /// The allowance K = δ/2.
    pub fn allowance(&self) -> f64 {
        0.5 * self.shift
    }
}

/// Where a [`Cusum`] stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CusumPhase {
    /// Still learning its reference.
    WarmingUp {
        /// Windows with a value so far.
        windows: u32,
        /// Windows needed.
        needed: u32,
    },
    /// Watching for a change.
    Watching,
    /// A change has been detected and lasts.
    Alarm,
}

/// What one window did to a [`Cusum`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CusumOutput {
    /// The phase after this window.
    pub phase: CusumPhase,
    /// True in the window that raised the alarm.
    pub raised: bool,
    /// True in the window that ended it.
    pub ended: bool,
    /// S / H: the alarm is raised above 1.
    pub statistic: f64,
    /// The reference, once known.
    pub reference: Option<Reference>,
    /// Estimated shift above the mean during an alarm (signal unit).
    pub shift: Option<f64>,
    /// Window time the change is dated to, during an alarm.
    pub since_ms: Option<i64>,
    /// Windows with a value since the change, during an alarm.
    pub windows_since_change: u32,
}

impl CusumOutput {
    /// The shift in units of the standard error of its estimate,
    /// shift / (σ/√n): how far it stands out of the noise.
    pub fn standard_score(&self) -> Option<f64> {
        let (shift, r) = (self.shift?, self.reference?);
        let n = f64::from(self.windows_since_change.max(1));
        Some(shift / (r.sigma / n.sqrt()))
    }
}

/// A window time at or before the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "window at {time_ms} ms is not after the last one ({last_ms} ms): windows must come once each, in time order"
)]
pub struct OutOfOrder {
    /// The last window time accepted.
    pub last_ms: i64,
    /// The time refused.
    pub time_ms: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Welford {
    n: u32,
    mean: f64,
    m2: f64,
}

impl Welford {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / f64::from(self.n);
        self.m2 += delta * (x - self.mean);
    }

    fn sample_sigma(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / f64::from(self.n - 1)).sqrt()
        }
    }

    /// The sample σ raised by one standard error of itself, σ̂/√(2(n − 1)),
    /// and, when the mean is estimated too, by √(1 + 1/n) for the error of
    /// that mean (see the module docs).
    fn conservative_sigma(&self, mean_estimated: bool) -> f64 {
        let n = f64::from(self.n.max(2));
        let se_factor = 1.0 + 1.0 / (2.0 * (n - 1.0)).sqrt();
        let mean_factor = if mean_estimated {
            (1.0 + 1.0 / n).sqrt()
        } else {
            1.0
        };
        self.sample_sigma() * se_factor * mean_factor
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Alarm {
    since_ms: i64,
    estimate: f64,
    windows: u32,
    clear_run: u32,
}

/// The detector's state (see the module docs). Clone it to snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Cusum {
    settings: CusumSettings,
    last_ms: Option<i64>,
    warm: Welford,
    reference: Option<Reference>,
    s: f64,
    run_n: u32,
    run_sum: f64,
    run_start_ms: Option<i64>,
    alarm: Option<Alarm>,
}

impl Cusum {
    /// A detector with checked settings.
    pub fn new(settings: CusumSettings) -> Result<Self> {
        settings.check()?;
        let mut cusum = Cusum {
            settings,
            last_ms: None,
            warm: Welford::default(),
            reference: None,
            s: 0.0,
            run_n: 0,
            run_sum: 0.0,
            run_start_ms: None,
            alarm: None,
        };
        if let (Some(mean), Some(sigma)) = (settings.baseline, settings.sigma) {
            cusum.reference = Some(cusum.reference_for(mean, sigma));
        }
        Ok(cusum)
    }

    /// The settings.
    pub fn settings(&self) -> &CusumSettings {
        &self.settings
    }

    /// The reference, once known.
    pub fn reference(&self) -> Option<Reference> {
        self.reference
    }

    fn reference_for(&self, mean: f64, sigma: f64) -> Reference {
        let st = &self.settings;
        let sigma = sigma.max(st.min_sigma);
        Reference {
            mean,
            sigma,
            shift: st.min_shift.max(st.min_shift_sigmas * sigma),
            decision_interval: st.decision_interval_sigmas * sigma,
        }
    }

    fn phase(&self) -> CusumPhase {
        match (&self.reference, &self.alarm) {
            (None, _) => CusumPhase::WarmingUp {
                windows: self.warm.n,
                needed: self.settings.warmup_windows,
            },
            (Some(_), None) => CusumPhase::Watching,
            (Some(_), Some(_)) => CusumPhase::Alarm,
        }
    }

    fn output(&self, raised: bool, ended: bool) -> CusumOutput {
        let statistic = self.reference.map_or(0.0, |r| self.s / r.decision_interval);
        CusumOutput {
            phase: self.phase(),
            raised,
            ended,
            statistic,
            reference: self.reference,
            shift: self.alarm.map(|a| a.estimate),
            since_ms: self.alarm.map(|a| a.since_ms),
            windows_since_change: self.alarm.map_or(0, |a| a.windows),
        }
    }

    /// Feeds one window: its time (window end, ms) and value, if any.
    ///
    /// Errors: a time at or before the last one (the state is unchanged).
    pub fn update(
        &mut self,
        time_ms: i64,
        value: Option<f64>,
    ) -> std::result::Result<CusumOutput, OutOfOrder> {
        if let Some(last_ms) = self.last_ms
            && time_ms <= last_ms
        {
            return Err(OutOfOrder { last_ms, time_ms });
        }
        self.last_ms = Some(time_ms);
        let Some(x) = value.filter(|v| v.is_finite()) else {
            return Ok(self.output(false, false));
        };
        let Some(reference) = self.reference else {
            self.learn(x);
            return Ok(self.output(false, false));
        };
        Ok(self.step(time_ms, x, reference))
    }

    fn learn(&mut self, x: f64) {
        self.warm.push(x);
        if self.warm.n >= self.settings.warmup_windows {
            let mean = self.settings.baseline.unwrap_or(self.warm.mean);
            let sigma = self.settings.sigma.unwrap_or_else(|| {
                self.warm
                    .conservative_sigma(self.settings.baseline.is_none())
            });
            if mean.is_finite() && sigma.is_finite() {
                self.reference = Some(self.reference_for(mean, sigma));
            } else {
                // Values so large their moments overflow: learn again.
                self.warm = Welford::default();
            }
        }
    }

    fn step(&mut self, time_ms: i64, x: f64, r: Reference) -> CusumOutput {
        let deviation = x - r.mean;
        let k = r.allowance();
        if let Some(mut alarm) = self.alarm {
            alarm.windows = alarm.windows.saturating_add(1);
            let w = self.settings.estimate_smoothing;
            alarm.estimate += w * (deviation - alarm.estimate);
            alarm.clear_run = if deviation < k {
                alarm.clear_run + 1
            } else {
                0
            };
            if alarm.clear_run >= self.settings.clear_windows {
                self.alarm = None;
                self.reset_sum();
                return self.output(false, true);
            }
            self.alarm = Some(alarm);
            self.s = (self.s + deviation - k).max(0.0);
            return self.output(false, false);
        }
        if self.s == 0.0 {
            // A new run starts: this window is the earliest the change can date from.
            self.run_start_ms = Some(time_ms);
            self.run_n = 0;
            self.run_sum = 0.0;
        }
        self.s = (self.s + deviation - k).max(0.0);
        self.run_n += 1;
        self.run_sum += deviation;
        if self.s == 0.0 {
            self.reset_sum();
        } else if self.s > r.decision_interval {
            self.alarm = Some(Alarm {
                since_ms: self.run_start_ms.unwrap_or(time_ms),
                estimate: self.run_sum / f64::from(self.run_n.max(1)),
                windows: self.run_n,
                clear_run: 0,
            });
            return self.output(true, false);
        }
        self.output(false, false)
    }

    fn reset_sum(&mut self) {
        self.s = 0.0;
        self.run_n = 0;
        self.run_sum = 0.0;
        self.run_start_ms = None;
    }
}

impl fmt::Display for CusumPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CusumPhase::WarmingUp { windows, needed } => {
                write!(f, "learning its reference ({windows} of {needed} windows)")
            }
            CusumPhase::Watching => f.write_str("watching"),
            CusumPhase::Alarm => f.write_str("alarm"),
        }
    }
}

/// Siegmund's approximation of the average run length of a one-sided
/// CUSUM with allowance k and decision interval h (both in σ) at a true
/// shift of `delta` σ (Montgomery eq. 9.9, see the module docs).
pub fn siegmund_arl(k: f64, h: f64, delta: f64) -> f64 {
    let d = delta - k;
    let b = h + 1.166;
    if d.abs() < 1e-9 {
        return b * b;
    }
    ((-2.0 * d * b).exp() + 2.0 * d * b - 1.0) / (2.0 * d * d)
}

#[cfg(test)]
pub(crate) mod tests;
