//! Leak detection and quantification: from the mass-balance residual over
//! time, from ultrasound along the pipe segments, and both fused.
//!
//! # Methods
//!
//! - **Mass balance** ([`BalanceLeakDetector`], one per plant): the
//!   residual of each window — steam generated (and flash recovered) minus
//!   steam used and the losses already explained (pipe condensation,
//!   failed traps), [`super::plant_balance::PlantBalance::residual_before_leaks`] —
//!   is watched by a one-sided CUSUM ([`super::cusum`]). A leak is a lasting
//!   rise of the residual above its own in-control level (meters are
//!   never perfectly matched, so the level is learned, not assumed 0). Its
//!   size is the estimated rise, in kg/h. The balance sees a leak
//!   anywhere but cannot say where.
//! - **Acoustic** ([`AcousticLeakDetector`], one per segment with an
//!   ultrasonic sensor): the same CUSUM on the segment's mean level in dB.
//!   A lasting rise above the segment's healthy level locates a leak. Its
//!   size is rough: an equivalent orifice whose area grows tenfold per
//!   `db_per_decade` above a calibration point (a `calibration_diameter_mm`
//!   hole reads `calibration_excess_db`; the jet's acoustic power is
//!   proportional to its mass flow, as in [`super::trap_status`]), through
//!   the compressible orifice equation ([`super::leak`]) at the segment's
//!   pressure.
//! - **Fusion** ([`fuse_leaks`], per plant and window):
//!   - both: each segment that hears a leak is a located leak; the balance
//!     size is shared among them in proportion to their acoustic sizes;
//!     confidence 1 − (1 − c_balance)(1 − c_acoustic) (independent methods);
//!   - balance only: one leak at plant level, "unlocated";
//!   - acoustic only: located, sized from the sound; if the balance is
//!     watching and would have seen a leak twice its detectable shift but
//!     does not, the confidence is multiplied by 0.7 (the sensor may hear
//!     something else: a passing valve, a neighbour's trap).
//!
//! # Quantities
//!
//! Energy = m (h_steam − h_makeup) and money = tonnes × steam cost, the
//! convention of [`super::loss_pricing`] (the leaked steam must be raised
//! again from make-up water); h_steam is saturated vapour at the segment's
//! pressure, or at the plant's reference (main header) pressure for an
//! unlocated leak.
//!
//! Confidence of one method during an alarm: with the standard score
//! z = shift / (σ/√n) of the estimated shift over the n windows since the
//! change, c = 0.5 + 0.45 ramp(z, 3, 10) (0.5 at three standard errors,
//! 0.95 at ten and beyond); 0 outside an alarm.
//!
//! # Repair priority
//!
//! A score from 0 to 100:
//!
//! priority = 100 × confidence × (w_cost C + w_size M + w_safety S)
//!
//! with C = cost/(cost + cost_ref) (money per year), M = m/(m + m_ref)
//! (kg/h), S = min(1, p/p_ref) for a located leak at gauge pressure p (a
//! high-pressure jet is the hazard to people nearby) and 0.5 for an
//! unlocated one (someone must search for it), and weights 0.5, 0.2, 0.3
//! by default (they are normalised to sum to 1). Each term saturates, so
//! one huge leak does not flatten the ranking of the rest.

use super::cusum::{Cusum, CusumOutput, CusumPhase, CusumSettings, OutOfOrder};
use super::error::{CalcError, Result, finite, positive};
use super::leak::{OrificeLeak, orifice_leak};
use super::loss_pricing::LossPricing;
use super::signal::{SignalStats, ramp, usable};
use crate::if97::Saturation;
use crate::units::{Length, MassFlow, Power, Pressure};

/// Settings of the mass-balance detector (kg/h).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct BalanceLeakConfig {
    /// Smallest leak worth detecting \[kg/h\].
    pub min_leak_kg_h: f64,
    /// The detectable shift is at least this many σ of the residual.
    pub min_shift_sigmas: f64,
    /// CUSUM decision interval h, in σ.
    pub decision_interval_sigmas: f64,
    /// Noise σ of the residual \[kg/h\]; absent: learned in the warm-up.
    pub sigma_kg_h: Option<f64>,
    /// Least σ used \[kg/h\].
    pub min_sigma_kg_h: f64,
    /// In-control residual \[kg/h\]; absent: learned in the warm-up.
    pub baseline_kg_h: Option<f64>,
    /// Windows to learn what is not given.
    pub warmup_windows: u32,
    /// Consecutive windows back near the baseline that end a detection.
    pub clear_windows: u32,
    /// Weight of each window in the size estimate while detected, (0, 1].
    pub estimate_smoothing: f64,
}

impl Default for BalanceLeakConfig {
    /// 20 kg/h and 2σ, h = 5 (see [`super::cusum`] for the false-alarm
    /// rate), σ and baseline learned over 60 windows, σ ≥ 5 kg/h, 5 windows
    /// to clear.
    fn default() -> Self {
        BalanceLeakConfig {
            min_leak_kg_h: 20.0,
            min_shift_sigmas: 2.0,
            decision_interval_sigmas: 5.0,
            sigma_kg_h: None,
            min_sigma_kg_h: 5.0,
            baseline_kg_h: None,
            warmup_windows: 60,
            clear_windows: 5,
            estimate_smoothing: 0.2,
        }
    }
}

impl BalanceLeakConfig {
    fn settings(&self) -> CusumSettings {
        CusumSettings {
            min_shift: self.min_leak_kg_h,
            min_shift_sigmas: self.min_shift_sigmas,
            decision_interval_sigmas: self.decision_interval_sigmas,
            sigma: self.sigma_kg_h,
            min_sigma: self.min_sigma_kg_h,
            baseline: self.baseline_kg_h,
            warmup_windows: self.warmup_windows,
            clear_windows: self.clear_windows,
            estimate_smoothing: self.estimate_smoothing,
        }
    }

    /// Checks the settings (see [`CusumSettings::check`]).
    pub fn check(&self) -> Result<()> {
        self.settings().check()
    }
}

/// Settings of the acoustic detectors and of acoustic sizing (dB).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct AcousticLeakConfig {
    /// Smallest rise of the level worth detecting \[dB\].
    pub min_excess_db: f64,
    /// The detectable rise is at least this many σ of the level.
    pub min_shift_sigmas: f64,
    /// CUSUM decision interval h, in σ.
    pub decision_interval_sigmas: f64,
    /// Noise σ of the window mean level \[dB\]; absent: learned.
    pub sigma_db: Option<f64>,
    /// Least σ used \[dB\].
    pub min_sigma_db: f64,
    /// The segment's healthy level \[dB\]; absent: learned.
    pub baseline_db: Option<f64>,
    /// Windows to learn what is not given.
    pub warmup_windows: u32,
    /// Consecutive quiet windows that end a detection.
    pub clear_windows: u32,
    /// Weight of each window in the excess estimate while detected, (0, 1].
    pub estimate_smoothing: f64,
    /// Readings a window needs for its mean to count.
    pub min_samples: u64,
    /// Excess a hole of the calibration diameter produces \[dB\].
    pub calibration_excess_db: f64,
    /// Diameter of that hole \[mm\].
    pub calibration_diameter_mm: f64,
    /// Level change for a tenfold change of the leak's area (and flow) \[dB\].
    pub db_per_decade: f64,
}

impl Default for AcousticLeakConfig {
    /// 6 dB and 2σ, h = 5, σ ≥ 1 dB, baseline and σ learned over 60
    /// windows, 5 windows to clear, 3 readings a window; a 3 mm hole reads
    /// 20 dB above the healthy level, 10 dB per decade. The calibration is
    /// a placeholder: survey one known leak per sensor type to set it.
    fn default() -> Self {
        AcousticLeakConfig {
            min_excess_db: 6.0,
            min_shift_sigmas: 2.0,
            decision_interval_sigmas: 5.0,
            sigma_db: None,
            min_sigma_db: 1.0,
            baseline_db: None,
            warmup_windows: 60,
            clear_windows: 5,
            estimate_smoothing: 0.2,
            min_samples: 3,
            calibration_excess_db: 20.0,
            calibration_diameter_mm: 3.0,
            db_per_decade: 10.0,
        }
    }
}

impl AcousticLeakConfig {
    fn settings(&self) -> CusumSettings {
        CusumSettings {
            min_shift: self.min_excess_db,
            min_shift_sigmas: self.min_shift_sigmas,
            decision_interval_sigmas: self.decision_interval_sigmas,
            sigma: self.sigma_db,
            min_sigma: self.min_sigma_db,
            baseline: self.baseline_db,
            warmup_windows: self.warmup_windows,
            clear_windows: self.clear_windows,
            estimate_smoothing: self.estimate_smoothing,
        }
    }

    /// Checks the detector settings and the calibration.
    pub fn check(&self) -> Result<()> {
        self.settings().check()?;
        finite("calibration_excess_db", self.calibration_excess_db)?;
        positive("calibration_diameter_mm", self.calibration_diameter_mm)?;
        positive("db_per_decade", self.db_per_decade)?;
        Ok(())
    }

    /// Diameter of the hole that would sound `excess_db` above the healthy
    /// level: d = d_cal × 10^((e − e_cal)/(2 d_decade)), area ∝ flow ∝
    /// 10^(e/d_decade). Kept between 1/100 and 100 times the calibration
    /// hole.
    pub fn equivalent_diameter(&self, excess_db: f64) -> Length {
        let exponent = (excess_db - self.calibration_excess_db) / (2.0 * self.db_per_decade);
        let factor = 10_f64.powf(exponent);
        let factor = if factor.is_nan() {
            0.01
        } else {
            factor.clamp(0.01, 100.0)
        };
        Length::from_mm(self.calibration_diameter_mm * factor)
    }
}

/// How the repair priority weighs a leak (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct PriorityConfig {
    /// Weight of the cost term.
    pub cost_weight: f64,
    /// Weight of the size term.
    pub size_weight: f64,
    /// Weight of the safety term.
    pub safety_weight: f64,
    /// Cost a year at which the cost term is one half (plant currency).
    pub cost_reference_per_year: f64,
    /// Size at which the size term is one half \[kg/h\].
    pub size_reference_kg_h: f64,
    /// Gauge pressure from which the safety term is 1 \[barg\].
    pub safety_reference_barg: f64,
    /// Safety term of a leak not located.
    pub unlocated_safety: f64,
}

impl Default for PriorityConfig {
    /// Weights 0.5 / 0.2 / 0.3; half-points 10 000 a year and 50 kg/h;
    /// full safety term from 10 barg; 0.5 for an unlocated leak.
    fn default() -> Self {
        PriorityConfig {
            cost_weight: 0.5,
            size_weight: 0.2,
            safety_weight: 0.3,
            cost_reference_per_year: 10_000.0,
            size_reference_kg_h: 50.0,
            safety_reference_barg: 10.0,
            unlocated_safety: 0.5,
        }
    }
}

impl PriorityConfig {
    /// Checks: finite non-negative weights with a positive sum, positive
    /// references, unlocated safety in [0, 1].
    pub fn check(&self) -> Result<()> {
        use super::error::{fraction, non_negative};
        let sum = non_negative("cost_weight", self.cost_weight)?
            + non_negative("size_weight", self.size_weight)?
            + non_negative("safety_weight", self.safety_weight)?;
        positive("sum of the priority weights", sum)?;
        positive("cost_reference_per_year", self.cost_reference_per_year)?;
        positive("size_reference_kg_h", self.size_reference_kg_h)?;
        positive("safety_reference_barg", self.safety_reference_barg)?;
        fraction("unlocated_safety", self.unlocated_safety)?;
        Ok(())
    }
}

/// Leak detection settings of a config.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct LeakDetectionConfig {
    /// The mass-balance detector.
    pub balance: BalanceLeakConfig,
    /// The acoustic detectors.
    pub acoustic: AcousticLeakConfig,
    /// The repair priority.
    pub priority: PriorityConfig,
}

impl LeakDetectionConfig {
    /// Checks every part; the error names the part.
    pub fn check(&self) -> std::result::Result<(), (&'static str, CalcError)> {
        self.balance.check().map_err(|e| ("balance", e))?;
        self.acoustic.check().map_err(|e| ("acoustic", e))?;
        self.priority.check().map_err(|e| ("priority", e))?;
        Ok(())
    }
}

/// Confidence of one method from its CUSUM output (see the module docs).
fn method_confidence(out: &CusumOutput) -> f64 {
    match (out.phase, out.standard_score()) {
        (CusumPhase::Alarm, Some(z)) => 0.5 + 0.45 * ramp(z, 3.0, 10.0),
        _ => 0.0,
    }
}

/// What the mass-balance detector says after one window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BalanceLeakStatus {
    /// Learning, watching or detected.
    pub phase: CusumPhase,
    /// True in the window the leak was detected.
    pub raised: bool,
    /// True in the window the detection ended.
    pub ended: bool,
    /// CUSUM statistic over its decision interval (detection above 1).
    pub statistic: f64,
    /// In-control residual.
    pub baseline: Option<MassFlow>,
    /// Noise of the residual.
    pub sigma: Option<MassFlow>,
    /// Shift the detector is tuned to: about the least leak it finds.
    pub detectable: Option<MassFlow>,
    /// Estimated leak while detected.
    pub size: Option<MassFlow>,
    /// Window time the leak is dated to.
    pub since_ms: Option<i64>,
    /// Confidence, 0 outside a detection.
    pub confidence: f64,
}

/// The mass-balance leak detector of one plant (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct BalanceLeakDetector {
    cusum: Cusum,
}

impl BalanceLeakDetector {
    /// A detector with checked settings.
    pub fn new(config: &BalanceLeakConfig) -> Result<Self> {
        Ok(BalanceLeakDetector {
            cusum: Cusum::new(config.settings())?,
        })
    }

    /// Feeds one window: its end time and the residual before leaks
    /// (`None` when the balance could not be formed).
    ///
    /// Errors: a window time at or before the last one (nothing changes).
    pub fn update(
        &mut self,
        window_end_ms: i64,
        residual: Option<MassFlow>,
    ) -> std::result::Result<BalanceLeakStatus, OutOfOrder> {
        let out = self
            .cusum
            .update(window_end_ms, residual.map(MassFlow::kg_per_h))?;
        let kg_h = MassFlow::from_kg_per_h;
        Ok(BalanceLeakStatus {
            phase: out.phase,
            raised: out.raised,
            ended: out.ended,
            statistic: out.statistic,
            baseline: out.reference.map(|r| kg_h(r.mean)),
            sigma: out.reference.map(|r| kg_h(r.sigma)),
            detectable: out.reference.map(|r| kg_h(r.shift)),
            size: out.shift.map(|s| kg_h(s.max(0.0))),
            since_ms: out.since_ms,
            confidence: method_confidence(&out),
        })
    }
}

/// What a segment's acoustic detector says after one window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AcousticLeakStatus {
    /// Learning, watching or detected.
    pub phase: CusumPhase,
    /// True in the window the leak was detected.
    pub raised: bool,
    /// True in the window the detection ended.
    pub ended: bool,
    /// CUSUM statistic over its decision interval (detection above 1).
    pub statistic: f64,
    /// This window's mean level, if usable \[dB\].
    pub level_db: Option<f64>,
    /// The segment's healthy level \[dB\].
    pub baseline_db: Option<f64>,
    /// Noise of the window mean \[dB\].
    pub sigma_db: Option<f64>,
    /// Estimated rise above the healthy level while detected \[dB\].
    pub excess_db: Option<f64>,
    /// Window time the leak is dated to.
    pub since_ms: Option<i64>,
    /// Confidence, 0 outside a detection.
    pub confidence: f64,
}

/// The acoustic leak detector of one pipe segment (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct AcousticLeakDetector {
    cusum: Cusum,
    min_samples: u64,
}

impl AcousticLeakDetector {
    /// A detector with checked settings.
    pub fn new(config: &AcousticLeakConfig) -> Result<Self> {
        config.check()?;
        Ok(AcousticLeakDetector {
            cusum: Cusum::new(config.settings())?,
            min_samples: config.min_samples,
        })
    }

    /// Feeds one window: its end time and the segment's level summary
    /// (unusable summaries — too few samples, bad quality, NaN — count as
    /// missing).
    ///
    /// Errors: a window time at or before the last one (nothing changes).
    pub fn update(
        &mut self,
        window_end_ms: i64,
        level: Option<&SignalStats<f64>>,
    ) -> std::result::Result<AcousticLeakStatus, OutOfOrder> {
        let level_db = usable(level, self.min_samples, self.min_samples)
            .ok()
            .map(|u| u.mean);
        let out = self.cusum.update(window_end_ms, level_db)?;
        Ok(AcousticLeakStatus {
            phase: out.phase,
            raised: out.raised,
            ended: out.ended,
            statistic: out.statistic,
            level_db,
            baseline_db: out.reference.map(|r| r.mean),
            sigma_db: out.reference.map(|r| r.sigma),
            excess_db: out.shift,
            since_ms: out.since_ms,
            confidence: method_confidence(&out),
        })
    }
}

/// Where a leak is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LeakLocation {
    /// On this pipe segment (by id).
    Segment(String),
    /// Somewhere in the plant: only the balance sees it.
    Unlocated,
}

/// A method that found a leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DetectionMethod {
    /// The mass-balance residual.
    MassBalance,
    /// Ultrasound on a segment.
    Acoustic,
}

/// Where a leak's size comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SizeBasis {
    /// The rise of the mass-balance residual (a share of it when several
    /// segments hear leaks).
    MassBalance,
    /// An equivalent orifice from the acoustic excess.
    AcousticOrifice {
        /// The equivalent hole.
        diameter: Length,
    },
}

/// A leak found in one window.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakDetection {
    /// Where.
    pub location: LeakLocation,
    /// Steam leaking.
    pub size: MassFlow,
    /// Where the size comes from.
    pub size_basis: SizeBasis,
    /// Energy to replace it, m (h_steam − h_makeup); `None` without a pressure.
    pub energy: Option<Power>,
    /// Money a year; `None` without a pressure or valid prices.
    pub cost_per_year: Option<f64>,
    /// Confidence, 0 to 1.
    pub confidence: f64,
    /// Repair priority, 0 to 100.
    pub priority: f64,
    /// The methods that found it.
    pub methods: Vec<DetectionMethod>,
    /// Earliest window time its detectors date it to.
    pub since_ms: Option<i64>,
    /// The evidence, one sentence each.
    pub evidence: Vec<String>,
}

/// One pipe segment as fusion sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentLeakInput<'a> {
    /// The segment's id.
    pub segment_id: &'a str,
    /// Its acoustic detector's status this window, if it has a sensor.
    pub acoustic: Option<&'a AcousticLeakStatus>,
    /// Absolute steam pressure in it (measured, or its header's).
    pub pressure: Option<Pressure>,
}

/// What fusion needs besides the detectors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakContext {
    /// Absolute pressure used for an unlocated leak, and for a segment
    /// without one (the main header's).
    pub reference_pressure: Option<Pressure>,
    /// How losses are valued.
    pub pricing: LossPricing,
}

/// A leak found by ear, before fusion.
struct Heard<'a> {
    segment: &'a SegmentLeakInput<'a>,
    status: &'a AcousticLeakStatus,
    pressure: Option<Pressure>,
    sized: Option<(Length, MassFlow)>,
    size_error: Option<String>,
}

/// The leaks of one plant in one window (see the module docs).
///
/// Segments come out in input order, an unlocated leak last.
pub fn fuse_leaks(
    balance: Option<&BalanceLeakStatus>,
    segments: &[SegmentLeakInput<'_>],
    context: &LeakContext,
    config: &LeakDetectionConfig,
) -> Vec<LeakDetection> {
    let heard: Vec<Heard<'_>> = segments
        .iter()
        .filter_map(|s| {
            let status = s.acoustic.filter(|a| a.phase == CusumPhase::Alarm)?;
            let pressure = s.pressure.or(context.reference_pressure);
            let (sized, size_error) =
                match acoustic_size(status, pressure, &config.acoustic, context) {
                    Ok(v) => (Some(v), None),
                    Err(e) => (None, Some(e.to_string())),
                };
            Some(Heard {
                segment: s,
                status,
                pressure,
                sized,
                size_error,
            })
        })
        .collect();
    let balance_alarm = balance.filter(|b| b.phase == CusumPhase::Alarm);
    let mut out = Vec::new();
    match balance_alarm {
        Some(b) if !heard.is_empty() => {
            let total = b.size.unwrap_or_default();
            let weights: Vec<f64> = heard
                .iter()
                .map(|h| h.sized.map_or(0.0, |(_, m)| m.kg_per_s()))
                .collect();
            let sum: f64 = weights.iter().sum();
            let n = heard.len() as f64;
            for (h, w) in heard.iter().zip(&weights) {
                let share = if sum > 0.0 { w / sum } else { 1.0 / n };
                out.push(fused(h, b, total * share, share, context, config));
            }
        }
        Some(b) => out.push(unlocated(b, context, config)),
        None => {
            for h in &heard {
                out.push(heard_only(h, balance, context, config));
            }
        }
    }
    out
}

fn acoustic_size(
    status: &AcousticLeakStatus,
    pressure: Option<Pressure>,
    config: &AcousticLeakConfig,
    context: &LeakContext,
) -> Result<(Length, MassFlow)> {
    let excess = status
        .excess_db
        .ok_or_else(|| CalcError::Inconsistent("no excess estimate".to_owned()))?;
    let p = pressure
        .ok_or_else(|| CalcError::Inconsistent("no steam pressure for the segment".to_owned()))?;
    let diameter = config.equivalent_diameter(excess);
    let leak = orifice_leak(&OrificeLeak {
        discharge_coefficient: context.pricing.discharge_coefficient,
        ..OrificeLeak::saturated_to_atmosphere(p, diameter)
    })?;
    Ok((diameter, leak.mass_flow))
}

/// Energy and money of a leak at `pressure` (see the module docs).
fn value(
    size: MassFlow,
    pressure: Option<Pressure>,
    pricing: &LossPricing,
    evidence: &mut Vec<String>,
) -> (Option<Power>, Option<f64>) {
    let Some(p) = pressure else {
        evidence.push("energy and cost not estimated: no steam pressure known".to_owned());
        return (None, None);
    };
    let energy = Saturation::at_pressure(p)
        .map_err(CalcError::from)
        .and_then(|sat| {
            let dh = sat.vapour.h.j_per_kg() - pricing.makeup_enthalpy()?.j_per_kg();
            Ok(Power::from_w(finite(
                "leak energy [W]",
                size.kg_per_s() * dh,
            )?))
        });
    match (energy, pricing.steam_cost_per_year(size)) {
        (Ok(e), Ok(c)) => (Some(e), Some(c)),
        (Ok(e), Err(err)) => {
            evidence.push(format!("cost not estimated: {err}"));
            (Some(e), None)
        }
        (Err(err), _) => {
            evidence.push(format!("energy and cost not estimated: {err}"));
            (None, None)
        }
    }
}

/// The repair priority (see the module docs), 0 to 100.
pub fn repair_priority(
    cost_per_year: Option<f64>,
    size: MassFlow,
    confidence: f64,
    pressure: Option<Pressure>,
    located: bool,
    config: &PriorityConfig,
) -> f64 {
    let saturating = |x: f64, half: f64| {
        let x = if x.is_nan() { 0.0 } else { x.max(0.0) };
        if half > 0.0 && x.is_finite() {
            x / (x + half)
        } else if x.is_infinite() {
            1.0
        } else {
            0.0
        }
    };
    let c = saturating(cost_per_year.unwrap_or(0.0), config.cost_reference_per_year);
    let m = saturating(size.kg_per_h(), config.size_reference_kg_h);
    let s = if located {
        pressure.map_or(config.unlocated_safety, |p| {
            ramp(p.barg(), 0.0, config.safety_reference_barg)
        })
    } else {
        config.unlocated_safety
    };
    let weights = [config.cost_weight, config.size_weight, config.safety_weight];
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if total <= 0.0 || !total.is_finite() {
        return 0.0;
    }
    let score = (config.cost_weight.max(0.0) * c
        + config.size_weight.max(0.0) * m
        + config.safety_weight.max(0.0) * s)
        / total;
    let priority = 100.0 * confidence.clamp(0.0, 1.0) * score;
    if priority.is_finite() {
        priority.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn balance_words(b: &BalanceLeakStatus) -> String {
    format!(
        "mass balance: residual {:.0} kg/h above its level of {:.0} kg/h (noise {:.0} kg/h, \
         detects {:.0} kg/h and more)",
        b.size.map_or(0.0, |m| m.kg_per_h()),
        b.baseline.map_or(0.0, |m| m.kg_per_h()),
        b.sigma.map_or(0.0, |m| m.kg_per_h()),
        b.detectable.map_or(0.0, |m| m.kg_per_h()),
    )
}

fn acoustic_words(h: &Heard<'_>) -> String {
    let s = h.status;
    format!(
        "ultrasound on segment {}: {:.1} dB above its level of {:.1} dB",
        h.segment.segment_id,
        s.excess_db.unwrap_or(0.0),
        s.baseline_db.unwrap_or(0.0)
    )
}

fn fused(
    h: &Heard<'_>,
    b: &BalanceLeakStatus,
    size: MassFlow,
    share: f64,
    context: &LeakContext,
    config: &LeakDetectionConfig,
) -> LeakDetection {
    let mut evidence = vec![balance_words(b), acoustic_words(h)];
    if share < 1.0 {
        evidence.push(format!(
            "{:.0} % of the balance's leak attributed here, by the acoustic sizes",
            share * 100.0
        ));
    }
    let confidence = 1.0 - (1.0 - b.confidence) * (1.0 - h.status.confidence);
    let (energy, cost_per_year) = value(size, h.pressure, &context.pricing, &mut evidence);
    LeakDetection {
        location: LeakLocation::Segment(h.segment.segment_id.to_owned()),
        size,
        size_basis: SizeBasis::MassBalance,
        energy,
        cost_per_year,
        confidence,
        priority: repair_priority(
            cost_per_year,
            size,
            confidence,
            h.pressure,
            true,
            &config.priority,
        ),
        methods: vec![DetectionMethod::MassBalance, DetectionMethod::Acoustic],
        since_ms: earliest(b.since_ms, h.status.since_ms),
        evidence,
    }
}

fn unlocated(
    b: &BalanceLeakStatus,
    context: &LeakContext,
    config: &LeakDetectionConfig,
) -> LeakDetection {
    let size = b.size.unwrap_or_default();
    let mut evidence = vec![
        balance_words(b),
        "no ultrasonic sensor hears it: location unknown".to_owned(),
    ];
    let pressure = context.reference_pressure;
    let (energy, cost_per_year) = value(size, pressure, &context.pricing, &mut evidence);
    LeakDetection {
        location: LeakLocation::Unlocated,
        size,
        size_basis: SizeBasis::MassBalance,
        energy,
        cost_per_year,
        confidence: b.confidence,
        priority: repair_priority(
            cost_per_year,
            size,
            b.confidence,
            pressure,
            false,
            &config.priority,
        ),
        methods: vec![DetectionMethod::MassBalance],
        since_ms: b.since_ms,
        evidence,
    }
}

fn heard_only(
    h: &Heard<'_>,
    balance: Option<&BalanceLeakStatus>,
    context: &LeakContext,
    config: &LeakDetectionConfig,
) -> LeakDetection {
    let mut evidence = vec![acoustic_words(h)];
    let mut confidence = h.status.confidence;
    let (size, basis) = match h.sized {
        Some((d, m)) => {
            evidence.push(format!(
                "sized as a {:.1} mm hole at {:.1} barg (equivalent orifice: a rough estimate)",
                d.mm(),
                h.pressure.map_or(f64::NAN, |p| p.barg())
            ));
            (m, SizeBasis::AcousticOrifice { diameter: d })
        }
        None => {
            evidence.push(format!(
                "size not estimated: {}",
                h.size_error.as_deref().unwrap_or("unknown")
            ));
            (
                MassFlow::default(),
                SizeBasis::AcousticOrifice {
                    diameter: Length::default(),
                },
            )
        }
    };
    if let Some(b) = balance
        && b.phase == CusumPhase::Watching
        && let Some(detectable) = b.detectable
        && size.kg_per_s() >= 2.0 * detectable.kg_per_s()
    {
        evidence.push(format!(
            "the mass balance, which finds leaks of {:.0} kg/h, does not confirm this one \
             (confidence lowered)",
            detectable.kg_per_h()
        ));
        confidence *= 0.7;
    }
    let (energy, cost_per_year) = value(size, h.pressure, &context.pricing, &mut evidence);
    LeakDetection {
        location: LeakLocation::Segment(h.segment.segment_id.to_owned()),
        size,
        size_basis: basis,
        energy,
        cost_per_year,
        confidence,
        priority: repair_priority(
            cost_per_year,
            size,
            confidence,
            h.pressure,
            true,
            &config.priority,
        ),
        methods: vec![DetectionMethod::Acoustic],
        since_ms: h.status.since_ms,
        evidence,
    }
}

#[cfg(test)]
mod tests;
