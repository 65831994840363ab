//! Steam-trap classification: the state of every trap in every window, with
//! a confidence, the evidence in words, and the loss of a failed trap.
//!
//! # Evidence
//!
//! The seed design's ΔT = T_in − T_out and absolute dB limits have no
//! published source and leave cases unclassified; here each kind of
//! measurement answers the question it can answer:
//!
//! - **Inlet temperature vs saturation** at the inlet pressure (IF97):
//!   subcooling s = T_sat(p_in) − T_in. Condensate that backs up cools below
//!   saturation; a trap whose inlet is far below it is not discharging
//!   (**blocked**, "cold trap"). Between the subcooling a healthy trap of its
//!   type holds and the blocked limit the trap is sluggish (**degraded**).
//!   Thermostatic and bimetallic traps subcool by design, so their limits
//!   are higher ([`TrapThresholds::for_type`]).
//! - **Acoustic (ultrasound) level** above the trap's healthy level
//!   (baseline): steam passing an orifice is loud. The excess
//!   e = L_mean − L_baseline grades the trap: **degraded** ≥ 5 dB,
//!   **leaking** ≥ 10 dB, **blown open** (blow-through) ≥ 20 dB by default. A
//!   cyclic trap (thermodynamic, inverted bucket, thermostatic) that still
//!   closes between bursts — the window's quietest reading is below the
//!   leaking level — is not blown open; it is at worst leaking.
//! - **Outlet temperature vs saturation at the discharge pressure**, as
//!   supporting evidence only (a common return line carries other traps'
//!   heat): well above it, live steam reaches the outlet (throttled steam is
//!   superheated); well below it, nothing is being discharged.
//!
//! # Decision
//!
//! 1. No usable inlet temperature (with an inlet pressure) and no usable
//!    acoustic level: **unknown** (insufficient data). A line with no
//!    pressure difference across the trap is out of service: **unknown**.
//! 2. Inlet subcooling ≥ the blocked limit: **blocked**. A flooded inlet
//!    holds steam away from the seat, so a loud acoustic level contradicts
//!    it (lower confidence) rather than overruling it.
//! 3. Acoustic excess ≥ the blow-through level (and continuous): **blown
//!    open**; ≥ the leaking level: **leaking**.
//! 4. No acoustic data but the outlet well above saturation: **leaking**
//!    (steam passes, its amount unknown; the loss is estimated at the
//!    leaking level).
//! 5. Subcooling between normal and blocked, or acoustic excess between the
//!    degraded and leaking levels: **degraded**.
//! 6. Otherwise **ok**.
//!
//! # Confidence
//!
//! With ramp(x, a, b) = clamp((x − a)/(b − a), 0, 1):
//!
//! - a failed state found by a threshold: 0.5 at the threshold, rising
//!   linearly to 0.9 when the evidence is a span (10 dB or 15 K by default)
//!   beyond it — a reading exactly at a limit is a coin toss;
//! - degraded: 0.5 + 0.3 × the position inside its band (+0.1 when both
//!   temperature and sound say so);
//! - ok: 0.5 + 0.4 × the smaller of the normalised margins below the
//!   degraded limits (ok at the acoustic baseline and at zero subcooling is
//!   0.9); capped at 0.5 when one of the two primary signals is missing,
//!   since a quiet trap may be blocked and a hot one may pass steam;
//! - supporting evidence adds 0.05 per agreeing item, contradicting
//!   evidence subtracts 0.1–0.25 (each case says how much);
//! - the result is multiplied by the data weight of the primary signal(s)
//!   ([`super::signal::Usable::weight`]: samples and quality) and clamped
//!   to [0, 1]. Unknown has confidence 0.
//!
//! Confidence never decreases as the evidence for the chosen state grows
//! (more excess, more subcooling, more samples, better quality).
//!
//! # Loss
//!
//! A blown-open trap passes steam through its whole orifice; a leaking one
//! through a fraction f of it, inferred from the acoustic excess: the
//! acoustic power of a choked jet grows in proportion to its mass flow
//! (Lighthill's eighth-power law at the fixed sonic exit velocity leaves
//! W ∝ area), so each `acoustic_db_per_decade` (10 dB by default) below the
//! blow-through level is a tenfold smaller open area:
//! f = 10^((e − e_blow)/d), clamped to [0.001, 1]. It is an estimate —
//! sensor coupling and background noise vary — and is labelled as such.
//! The steam, energy and money then come from [`super::trap_loss`] (the
//! compressible orifice equation and the make-up-water energy basis).

use std::fmt;

use super::error::{CalcError, Result};
use super::leak::SteamCondition;
use super::loss_pricing::LossPricing;
use super::signal::{SignalStats, Unusable, Usable, ramp, usable};
use super::trap_loss::{TrapFailure, TrapLoss, TrapLossInput, trap_loss};
use crate::if97::saturation_temperature;
use crate::plant::TrapType;
use crate::units::{
    Length, MassFlow, Pressure, STANDARD_ATMOSPHERE_PA, Temperature, TemperatureDifference,
};

/// Smallest open-area fraction a leak estimate reports.
pub const MIN_OPEN_AREA_FRACTION: f64 = 1e-3;

macro_rules! thresholds {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),* $(,)?) => {
        /// The limits that classify one type of trap (see the module docs).
        ///
        /// Temperatures are of the fluid: a surface (clamp-on) sensor reads
        /// a few kelvin low, so add its offset to the subcooling limits.
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
        pub struct TrapThresholds {
            $( $(#[$doc])* pub $field: $ty, )*
        }

        /// Some of the [`TrapThresholds`] changed from their defaults (a
        /// config table that names only what it changes).
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
        pub struct TrapThresholdOverrides {
            $(
                $(#[$doc])*
                #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
                pub $field: Option<$ty>,
            )*
        }

        impl TrapThresholdOverrides {
            /// `base` with the fields set here replaced.
            pub fn apply(&self, base: TrapThresholds) -> TrapThresholds {
                TrapThresholds {
                    $( $field: self.$field.unwrap_or(base.$field), )*
                }
            }
        }
    };
}

thresholds! {
    /// Inlet subcooling a healthy trap of this type holds \[K\].
    normal_subcooling_k: f64,
    /// Inlet subcooling from which the trap is blocked (cold) \[K\].
    blocked_subcooling_k: f64,
    /// Subcooling beyond a limit that gives full confidence \[K\].
    subcooling_span_k: f64,
    /// Healthy acoustic level when the trap has no baseline of its own \[dB\].
    acoustic_baseline_db: f64,
    /// Acoustic excess over the baseline from which the trap is degraded \[dB\].
    degraded_excess_db: f64,
    /// Acoustic excess from which the trap is leaking steam \[dB\].
    leaking_excess_db: f64,
    /// Acoustic excess from which the trap is blown open (blow-through) \[dB\].
    blow_through_excess_db: f64,
    /// Excess beyond a limit that gives full confidence \[dB\].
    acoustic_span_db: f64,
    /// Level change for a tenfold change of the steam passing \[dB\].
    acoustic_db_per_decade: f64,
    /// Outlet above saturation at the discharge pressure that shows live steam \[K\].
    outlet_live_steam_k: f64,
    /// Outlet below saturation at the discharge pressure that shows no discharge \[K\].
    outlet_cold_k: f64,
    /// Least pressure difference across the trap for the line to count as in service \[bar\].
    min_differential_bar: f64,
    /// Readings a signal needs in a window to count.
    min_samples: u64,
    /// Readings from which a signal has full weight.
    full_confidence_samples: u64,
}

impl TrapThresholds {
    /// Defaults for a type of trap.
    ///
    /// The subcooling a healthy trap holds follows its principle
    /// (Spirax Sarco, *The Steam and Condensate Loop*, Block 11): float &
    /// thermostatic traps discharge at saturation (5 K allowed for sensor
    /// and load swings); inverted bucket and thermodynamic traps within a
    /// few kelvin (6 K); a fixed orifice backs up a little at high load
    /// (8 K); balanced-pressure thermostatic traps open about 12–13 K below
    /// saturation (16 K); bimetallic traps hold condensate back until it is
    /// 20–30 K subcooled (30 K). The blocked limits sit 20–30 K beyond
    /// those. The acoustic levels are the same for every type; the
    /// baseline (40 dB) is a placeholder for the sensor's healthy reading,
    /// which should be set per trap. These are starting points to tune per
    /// site, not published constants.
    pub fn for_type(trap_type: TrapType) -> Self {
        let (normal, blocked) = match trap_type {
            TrapType::FloatThermostatic => (5.0, 25.0),
            TrapType::InvertedBucket | TrapType::Thermodynamic => (6.0, 25.0),
            TrapType::FixedOrifice => (8.0, 30.0),
            TrapType::Thermostatic => (16.0, 45.0),
            TrapType::Bimetallic => (30.0, 60.0),
        };
        TrapThresholds {
            normal_subcooling_k: normal,
            blocked_subcooling_k: blocked,
            subcooling_span_k: 15.0,
            acoustic_baseline_db: 40.0,
            degraded_excess_db: 5.0,
            leaking_excess_db: 10.0,
            blow_through_excess_db: 20.0,
            acoustic_span_db: 10.0,
            acoustic_db_per_decade: 10.0,
            outlet_live_steam_k: 5.0,
            outlet_cold_k: 30.0,
            min_differential_bar: 0.3,
            min_samples: 3,
            full_confidence_samples: 30,
        }
    }

    /// Checks that the limits are finite and ordered: 0 ≤ normal < blocked
    /// subcooling, 0 < degraded < leaking < blow-through excess, positive
    /// spans, slope and outlet margins, min_differential ≥ 0,
    /// 1 ≤ min_samples ≤ full_confidence_samples.
    pub fn check(&self) -> Result<()> {
        use super::error::{finite, non_negative, positive};
        let normal = non_negative("normal_subcooling_k", self.normal_subcooling_k)?;
        let blocked = positive("blocked_subcooling_k", self.blocked_subcooling_k)?;
        if blocked <= normal {
            return Err(CalcError::Inconsistent(format!(
                "blocked_subcooling_k ({blocked}) must exceed normal_subcooling_k ({normal})"
            )));
        }
        finite("acoustic_baseline_db", self.acoustic_baseline_db)?;
        let degraded = positive("degraded_excess_db", self.degraded_excess_db)?;
        let leaking = positive("leaking_excess_db", self.leaking_excess_db)?;
        let blow = positive("blow_through_excess_db", self.blow_through_excess_db)?;
        if !(degraded < leaking && leaking < blow) {
            return Err(CalcError::Inconsistent(format!(
                "acoustic limits must rise: degraded_excess_db ({degraded}) < \
                 leaking_excess_db ({leaking}) < blow_through_excess_db ({blow})"
            )));
        }
        positive("subcooling_span_k", self.subcooling_span_k)?;
        positive("acoustic_span_db", self.acoustic_span_db)?;
        positive("acoustic_db_per_decade", self.acoustic_db_per_decade)?;
        positive("outlet_live_steam_k", self.outlet_live_steam_k)?;
        positive("outlet_cold_k", self.outlet_cold_k)?;
        non_negative("min_differential_bar", self.min_differential_bar)?;
        if self.min_samples == 0 || self.full_confidence_samples < self.min_samples {
            return Err(CalcError::Inconsistent(format!(
                "need 1 ≤ min_samples ({}) ≤ full_confidence_samples ({})",
                self.min_samples, self.full_confidence_samples
            )));
        }
        Ok(())
    }
}

/// Trap classification settings of a config: overrides for every type
/// (`all`), then per type.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct TrapClassifierConfig {
    /// Applied to every type first.
    #[cfg_attr(feature = "serde", serde(default))]
    pub all: TrapThresholdOverrides,
    /// Thermodynamic (disc) traps.
    #[cfg_attr(feature = "serde", serde(default))]
    pub thermodynamic: TrapThresholdOverrides,
    /// Float & thermostatic traps.
    #[cfg_attr(feature = "serde", serde(default))]
    pub float_thermostatic: TrapThresholdOverrides,
    /// Inverted bucket traps.
    #[cfg_attr(feature = "serde", serde(default))]
    pub inverted_bucket: TrapThresholdOverrides,
    /// Balanced-pressure thermostatic traps.
    #[cfg_attr(feature = "serde", serde(default))]
    pub thermostatic: TrapThresholdOverrides,
    /// Bimetallic traps.
    #[cfg_attr(feature = "serde", serde(default))]
    pub bimetallic: TrapThresholdOverrides,
    /// Fixed orifice / venturi traps.
    #[cfg_attr(feature = "serde", serde(default))]
    pub fixed_orifice: TrapThresholdOverrides,
}

impl TrapClassifierConfig {
    /// The overrides of one type.
    pub fn overrides(&self, trap_type: TrapType) -> &TrapThresholdOverrides {
        match trap_type {
            TrapType::Thermodynamic => &self.thermodynamic,
            TrapType::FloatThermostatic => &self.float_thermostatic,
            TrapType::InvertedBucket => &self.inverted_bucket,
            TrapType::Thermostatic => &self.thermostatic,
            TrapType::Bimetallic => &self.bimetallic,
            TrapType::FixedOrifice => &self.fixed_orifice,
        }
    }

    /// The thresholds in force for a type: its defaults, then `all`, then its own.
    pub fn thresholds(&self, trap_type: TrapType) -> TrapThresholds {
        let base = self.all.apply(TrapThresholds::for_type(trap_type));
        self.overrides(trap_type).apply(base)
    }

    /// Every type whose thresholds do not pass [`TrapThresholds::check`], with the error.
    pub fn check(&self) -> Vec<(TrapType, CalcError)> {
        TrapType::ALL
            .iter()
            .filter_map(|&t| self.thresholds(t).check().err().map(|e| (t, e)))
            .collect()
    }
}

/// What one trap showed in one window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrapObservation {
    /// The trap's working principle.
    pub trap_type: TrapType,
    /// Its orifice (seat) diameter.
    pub orifice: Length,
    /// Absolute steam pressure at the inlet: measured, or the pressure of
    /// the header or segment it drains.
    pub inlet_pressure: Option<Pressure>,
    /// Absolute pressure it discharges to (its condensate return's receiver
    /// or flash vessel); `None` is the atmosphere.
    pub discharge_pressure: Option<Pressure>,
    /// Inlet pipe temperature over the window.
    pub inlet_temperature: Option<SignalStats<Temperature>>,
    /// Outlet pipe temperature over the window.
    pub outlet_temperature: Option<SignalStats<Temperature>>,
    /// Ultrasonic level over the window \[dB\].
    pub acoustic_db: Option<SignalStats<f64>>,
    /// This trap's healthy acoustic level \[dB\], when known (a survey, or
    /// learned while healthy); else the thresholds' baseline.
    pub acoustic_baseline_db: Option<f64>,
}

impl TrapObservation {
    /// A trap with nothing observed yet.
    pub fn new(trap_type: TrapType, orifice: Length) -> Self {
        TrapObservation {
            trap_type,
            orifice,
            inlet_pressure: None,
            discharge_pressure: None,
            inlet_temperature: None,
            outlet_temperature: None,
            acoustic_db: None,
            acoustic_baseline_db: None,
        }
    }
}

/// The state of a trap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TrapState {
    /// Working.
    Ok,
    /// Failed open: live steam blows through the whole orifice.
    BlownOpen,
    /// Passing some live steam.
    Leaking,
    /// Not discharging: condensate backs up (a cold trap).
    Blocked,
    /// Working, but sluggish or slightly passing.
    Degraded,
    /// Not enough data to say.
    Unknown,
}

impl TrapState {
    /// The snake_case name (`"blown_open"`).
    pub fn as_str(self) -> &'static str {
        match self {
            TrapState::Ok => "ok",
            TrapState::BlownOpen => "blown_open",
            TrapState::Leaking => "leaking",
            TrapState::Blocked => "blocked",
            TrapState::Degraded => "degraded",
            TrapState::Unknown => "unknown",
        }
    }

    /// True for the states that lose live steam.
    pub fn loses_steam(self) -> bool {
        matches!(self, TrapState::BlownOpen | TrapState::Leaking)
    }
}

impl fmt::Display for TrapState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The loss of a trap that passes steam.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrapLossEstimate {
    /// Fraction of the orifice area taken to pass steam (1 blown open).
    pub open_area_fraction: f64,
    /// True when the fraction was inferred from the acoustic level; false
    /// when it is the full orifice or the leaking-level default.
    pub from_acoustic: bool,
    /// Steam, energy and money lost.
    pub loss: TrapLoss,
}

/// The verdict on one trap in one window.
#[derive(Clone, Debug, PartialEq)]
pub struct TrapAssessment {
    /// Its state.
    pub state: TrapState,
    /// Confidence in the state, 0 to 1 (0 for unknown).
    pub confidence: f64,
    /// The evidence, one sentence each.
    pub evidence: Vec<String>,
    /// Saturation temperature at the inlet pressure minus the inlet temperature.
    pub inlet_subcooling: Option<TemperatureDifference>,
    /// Outlet temperature minus the saturation temperature at the discharge pressure.
    pub outlet_superheat: Option<TemperatureDifference>,
    /// Mean acoustic level minus the baseline \[dB\].
    pub acoustic_excess_db: Option<f64>,
    /// The steam lost, for a trap that loses steam (`None` otherwise, or
    /// when the pressures are unknown).
    pub loss: Option<TrapLossEstimate>,
}

impl TrapAssessment {
    /// Steam lost through the trap (zero when it loses none or the loss is unknown).
    pub fn steam_loss(&self) -> MassFlow {
        self.loss.map_or(MassFlow::default(), |l| l.loss.steam_loss)
    }

    fn unknown(evidence: Vec<String>) -> Self {
        TrapAssessment {
            state: TrapState::Unknown,
            confidence: 0.0,
            evidence,
            inlet_subcooling: None,
            outlet_superheat: None,
            acoustic_excess_db: None,
            loss: None,
        }
    }
}

/// Classifies a trap and, if it loses steam, prices the loss (see the
/// module docs). Never fails: insufficient or invalid data give
/// [`TrapState::Unknown`] with the reason in the evidence, and a loss that
/// cannot be computed is left out with the reason.
pub fn assess_trap(
    observation: &TrapObservation,
    thresholds: &TrapThresholds,
    pricing: &LossPricing,
) -> TrapAssessment {
    let mut assessment = classify_trap(observation, thresholds);
    if assessment.state.loses_steam() {
        match estimate_loss(observation, thresholds, &assessment, pricing) {
            Ok(loss) => assessment.loss = Some(loss),
            Err(e) => assessment
                .evidence
                .push(format!("steam loss not estimated: {e}")),
        }
    }
    assessment
}

/// Classifies a trap without pricing its loss.
pub fn classify_trap(observation: &TrapObservation, thresholds: &TrapThresholds) -> TrapAssessment {
    if let Err(e) = thresholds.check() {
        return TrapAssessment::unknown(vec![format!("thresholds are invalid: {e}")]);
    }
    let evidence = Evidence::gather(observation, thresholds);
    if let Some(reason) = evidence.out_of_service {
        return TrapAssessment::unknown(vec![reason]);
    }
    let verdict = decide(&evidence, thresholds, observation.trap_type);
    let mut words = evidence.words;
    words.extend(verdict.notes);
    TrapAssessment {
        state: verdict.state,
        confidence: if verdict.state == TrapState::Unknown {
            0.0
        } else {
            verdict.confidence.clamp(0.0, 1.0)
        },
        evidence: words,
        inlet_subcooling: evidence
            .temperature
            .map(|t| TemperatureDifference::from_kelvin(t.subcooling_k)),
        outlet_superheat: evidence
            .outlet
            .map(|o| TemperatureDifference::from_kelvin(o.superheat_k)),
        acoustic_excess_db: evidence.acoustic.map(|a| a.excess_db),
        loss: None,
    }
}

/// The usable evidence of one observation.
struct Evidence {
    temperature: Option<InletEvidence>,
    acoustic: Option<AcousticEvidence>,
    outlet: Option<OutletEvidence>,
    /// Why the trap cannot be judged at all (line out of service).
    out_of_service: Option<String>,
    words: Vec<String>,
}

#[derive(Clone, Copy)]
struct InletEvidence {
    subcooling_k: f64,
    weight: f64,
}

#[derive(Clone, Copy)]
struct AcousticEvidence {
    excess_db: f64,
    floor_excess_db: f64,
    weight: f64,
}

#[derive(Clone, Copy)]
struct OutletEvidence {
    superheat_k: f64,
}

fn barg(p: Pressure) -> f64 {
    p.barg()
}

impl Evidence {
    fn gather(obs: &TrapObservation, th: &TrapThresholds) -> Evidence {
        let mut words = Vec::new();
        let (min, full) = (th.min_samples, th.full_confidence_samples);
        let discharge = obs
            .discharge_pressure
            .unwrap_or(Pressure::from_pa(STANDARD_ATMOSPHERE_PA));
        let inlet_sat = obs.inlet_pressure.map(|p| (p, saturation_temperature(p)));
        let mut out_of_service = None;
        if let Some((p_in, _)) = inlet_sat
            && p_in.is_finite()
            && discharge.is_finite()
            && (p_in.pa() - discharge.pa()) / 1e5 < th.min_differential_bar
        {
            out_of_service = Some(format!(
                "inlet pressure {:.2} barg is not {:.2} bar above the discharge ({:.2} barg): \
                 the line is not under steam, the trap cannot be judged",
                barg(p_in),
                th.min_differential_bar,
                barg(discharge)
            ));
        }
        let temperature = match (usable(obs.inlet_temperature.as_ref(), min, full), inlet_sat) {
            (Ok(t), Some((p, Ok(t_sat)))) => {
                let subcooling_k = t_sat.kelvin() - t.mean.kelvin();
                words.push(format!(
                    "inlet {:.1} °C is {:.1} K below saturation ({:.1} °C at {:.2} barg)",
                    t.mean.celsius(),
                    subcooling_k,
                    t_sat.celsius(),
                    barg(p)
                ));
                Some(InletEvidence {
                    subcooling_k,
                    weight: t.weight,
                })
            }
            (Ok(_), None) => {
                words.push("inlet temperature not used: no inlet pressure".to_owned());
                None
            }
            (Ok(_), Some((p, Err(e)))) => {
                words.push(format!(
                    "inlet temperature not used: no saturation at {:.3} MPa ({e})",
                    p.mpa()
                ));
                None
            }
            (Err(why), _) => {
                words.push(format!("inlet temperature not used: {why}"));
                None
            }
        };
        let baseline = obs
            .acoustic_baseline_db
            .filter(|b| b.is_finite())
            .unwrap_or(th.acoustic_baseline_db);
        let acoustic = match usable(obs.acoustic_db.as_ref(), min, full) {
            Ok(a) => Some(acoustic_evidence(&a, baseline, &mut words)),
            Err(why) => {
                words.push(format!("acoustic level not used: {why}"));
                None
            }
        };
        let outlet = outlet_evidence(obs, discharge, min, full, &mut words);
        Evidence {
            temperature,
            acoustic,
            outlet,
            out_of_service,
            words,
        }
    }
}

fn acoustic_evidence(a: &Usable<f64>, baseline: f64, words: &mut Vec<String>) -> AcousticEvidence {
    let excess_db = a.mean - baseline;
    words.push(format!(
        "acoustic {:.1} dB is {:+.1} dB from the {:.1} dB baseline (quietest {:.1} dB)",
        a.mean, excess_db, baseline, a.min
    ));
    AcousticEvidence {
        excess_db,
        floor_excess_db: a.min - baseline,
        weight: a.weight,
    }
}

fn outlet_evidence(
    obs: &TrapObservation,
    discharge: Pressure,
    min: u64,
    full: u64,
    words: &mut Vec<String>,
) -> Option<OutletEvidence> {
    let t = match usable(obs.outlet_temperature.as_ref(), min, full) {
        Ok(t) => t,
        Err(Unusable::Missing) => return None,
        Err(why) => {
            words.push(format!("outlet temperature not used: {why}"));
            return None;
        }
    };
    match saturation_temperature(discharge) {
        Ok(t_sat) => {
            let superheat_k = t.mean.kelvin() - t_sat.kelvin();
            words.push(format!(
                "outlet {:.1} °C is {:+.1} K from saturation at the discharge ({:.1} °C)",
                t.mean.celsius(),
                superheat_k,
                t_sat.celsius()
            ));
            Some(OutletEvidence { superheat_k })
        }
        Err(e) => {
            words.push(format!(
                "outlet temperature not used: discharge pressure: {e}"
            ));
            None
        }
    }
}

/// What the inlet temperature says.
#[derive(Clone, Copy, PartialEq)]
enum Inlet {
    Cold { strength: f64 },
    BackingUp { position: f64 },
    Hot { margin: f64 },
}

/// What the acoustic level says.
#[derive(Clone, Copy, PartialEq)]
enum Sound {
    BlowThrough { strength: f64 },
    Leaking { strength: f64 },
    Elevated { position: f64 },
    Quiet { margin: f64 },
}

/// What the outlet temperature says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outlet {
    LiveSteam,
    Cold,
    Neutral,
}

struct Verdict {
    state: TrapState,
    confidence: f64,
    notes: Vec<String>,
}

fn inlet_verdict(e: &InletEvidence, th: &TrapThresholds) -> Inlet {
    let s = e.subcooling_k;
    if s >= th.blocked_subcooling_k {
        Inlet::Cold {
            strength: ramp(s - th.blocked_subcooling_k, 0.0, th.subcooling_span_k),
        }
    } else if s > th.normal_subcooling_k {
        Inlet::BackingUp {
            position: ramp(s, th.normal_subcooling_k, th.blocked_subcooling_k),
        }
    } else {
        Inlet::Hot {
            margin: ramp(
                th.normal_subcooling_k - s,
                0.0,
                th.normal_subcooling_k.max(1.0),
            ),
        }
    }
}

fn sound_verdict(e: &AcousticEvidence, th: &TrapThresholds, cyclic: bool) -> (Sound, bool) {
    let x = e.excess_db;
    let continuous = !cyclic || e.floor_excess_db >= th.leaking_excess_db;
    let sound = if x >= th.blow_through_excess_db && continuous {
        Sound::BlowThrough {
            strength: ramp(x - th.blow_through_excess_db, 0.0, th.acoustic_span_db),
        }
    } else if x >= th.leaking_excess_db {
        Sound::Leaking {
            strength: ramp(x - th.leaking_excess_db, 0.0, th.acoustic_span_db),
        }
    } else if x >= th.degraded_excess_db {
        Sound::Elevated {
            position: ramp(x, th.degraded_excess_db, th.leaking_excess_db),
        }
    } else {
        Sound::Quiet {
            margin: ramp(th.degraded_excess_db - x, 0.0, th.degraded_excess_db),
        }
    };
    // True when loud enough to be blown open but still closing between bursts.
    let closes = x >= th.blow_through_excess_db && !continuous;
    (sound, closes)
}

fn outlet_verdict(e: &OutletEvidence, th: &TrapThresholds) -> Outlet {
    if e.superheat_k >= th.outlet_live_steam_k {
        Outlet::LiveSteam
    } else if e.superheat_k <= -th.outlet_cold_k {
        Outlet::Cold
    } else {
        Outlet::Neutral
    }
}

/// 0.5 at a threshold, 0.9 a span beyond it.
fn threshold_confidence(strength: f64) -> f64 {
    0.5 + 0.4 * strength
}

fn decide(e: &Evidence, th: &TrapThresholds, trap_type: TrapType) -> Verdict {
    let inlet = e.temperature.map(|t| inlet_verdict(&t, th));
    let sound = e
        .acoustic
        .map(|a| sound_verdict(&a, th, trap_type.is_cyclic()));
    let outlet = e.outlet.map(|o| outlet_verdict(&o, th));
    let t_weight = e.temperature.map_or(1.0, |t| t.weight);
    let a_weight = e.acoustic.map_or(1.0, |a| a.weight);
    let mut notes = Vec::new();
    if let Some((_, true)) = sound {
        notes.push(format!(
            "the {} trap is loud but still closes between bursts: leaking, not blown open",
            trap_type
        ));
    }
    let sound = sound.map(|(s, _)| s);
    let verdict = |state, confidence: f64, notes| Verdict {
        state,
        confidence,
        notes,
    };
    match (inlet, sound) {
        (None, None) => {
            notes.push(
                "neither a usable inlet temperature nor a usable acoustic level: insufficient data"
                    .to_owned(),
            );
            verdict(TrapState::Unknown, 0.0, notes)
        }
        (Some(Inlet::Cold { strength }), sound) => {
            let c = blocked_confidence(strength, sound, outlet, th, &mut notes);
            verdict(TrapState::Blocked, c * t_weight, notes)
        }
        (inlet, Some(Sound::BlowThrough { strength })) => {
            notes.push(format!(
                "acoustic excess at or above the blow-through level ({:.0} dB)",
                th.blow_through_excess_db
            ));
            let c = passing_confidence(strength, inlet, outlet, &mut notes);
            verdict(TrapState::BlownOpen, c * a_weight, notes)
        }
        (inlet, Some(Sound::Leaking { strength })) => {
            notes.push(format!(
                "acoustic excess at or above the leaking level ({:.0} dB)",
                th.leaking_excess_db
            ));
            let c = passing_confidence(strength, inlet, outlet, &mut notes);
            verdict(TrapState::Leaking, c * a_weight, notes)
        }
        (Some(Inlet::Hot { .. }), None) if outlet == Some(Outlet::LiveSteam) => {
            notes.push(format!(
                "no acoustic data, but the outlet is {:.0} K or more above saturation: \
                 live steam passes (amount unknown)",
                th.outlet_live_steam_k
            ));
            let superheat = e.outlet.map_or(0.0, |o| o.superheat_k);
            let c = 0.4
                + 0.2
                    * ramp(
                        superheat - th.outlet_live_steam_k,
                        0.0,
                        th.subcooling_span_k,
                    );
            verdict(TrapState::Leaking, c * t_weight, notes)
        }
        (inlet, sound) => degraded_or_ok(inlet, sound, outlet, t_weight, a_weight, notes),
    }
}

fn blocked_confidence(
    strength: f64,
    sound: Option<Sound>,
    outlet: Option<Outlet>,
    th: &TrapThresholds,
    notes: &mut Vec<String>,
) -> f64 {
    notes.push(format!(
        "inlet subcooled by {:.0} K or more: condensate backs up, the trap is not discharging",
        th.blocked_subcooling_k
    ));
    let mut c = threshold_confidence(strength);
    match sound {
        Some(Sound::BlowThrough { .. } | Sound::Leaking { .. }) => {
            notes.push(
                "yet the acoustic level is high: a flooded inlet keeps steam from the seat, \
                 so the noise may come from elsewhere (confidence lowered)"
                    .to_owned(),
            );
            c -= 0.25;
        }
        Some(Sound::Quiet { .. }) => c += 0.05,
        _ => {}
    }
    match outlet {
        Some(Outlet::Cold) => c += 0.05,
        Some(Outlet::LiveSteam) => {
            notes.push("yet the outlet is above saturation (confidence lowered)".to_owned());
            c -= 0.2;
        }
        _ => {}
    }
    c
}

fn passing_confidence(
    strength: f64,
    inlet: Option<Inlet>,
    outlet: Option<Outlet>,
    notes: &mut Vec<String>,
) -> f64 {
    let mut c = threshold_confidence(strength);
    match inlet {
        Some(Inlet::Hot { .. }) => c += 0.05,
        Some(Inlet::BackingUp { .. }) => {
            notes.push("yet the inlet is somewhat subcooled (confidence lowered)".to_owned());
            c -= 0.1;
        }
        _ => {}
    }
    match outlet {
        Some(Outlet::LiveSteam) => c += 0.05,
        Some(Outlet::Cold) => {
            notes.push(
                "yet the outlet is well below saturation, as if nothing passed (confidence lowered)"
                    .to_owned(),
            );
            c -= 0.2;
        }
        _ => {}
    }
    c
}

fn degraded_or_ok(
    inlet: Option<Inlet>,
    sound: Option<Sound>,
    outlet: Option<Outlet>,
    t_weight: f64,
    a_weight: f64,
    mut notes: Vec<String>,
) -> Verdict {
    let backing = match inlet {
        Some(Inlet::BackingUp { position }) => Some(position),
        _ => None,
    };
    let elevated = match sound {
        Some(Sound::Elevated { position }) => Some(position),
        _ => None,
    };
    if backing.is_some() || elevated.is_some() {
        let mut c = 0.5 + 0.3 * backing.unwrap_or(0.0).max(elevated.unwrap_or(0.0));
        let mut weight = 1.0_f64;
        if backing.is_some() {
            notes.push(
                "inlet subcooled more than a healthy trap of its type: sluggish discharge"
                    .to_owned(),
            );
            weight = weight.min(t_weight);
        }
        if elevated.is_some() {
            notes.push(
                "acoustic level somewhat above the baseline: slight passing or wear".to_owned(),
            );
            weight = weight.min(a_weight);
        }
        if backing.is_some() && elevated.is_some() {
            c += 0.1;
        }
        return Verdict {
            state: TrapState::Degraded,
            confidence: c * weight,
            notes,
        };
    }
    let inlet_margin = match inlet {
        Some(Inlet::Hot { margin }) => Some(margin),
        _ => None,
    };
    let sound_margin = match sound {
        Some(Sound::Quiet { margin }) => Some(margin),
        _ => None,
    };
    let margin = match (inlet_margin, sound_margin) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0.0,
    };
    let mut c = 0.5 + 0.4 * margin;
    let mut weight = 1.0_f64;
    if inlet_margin.is_some() {
        weight = weight.min(t_weight);
    } else {
        notes.push(
            "no inlet temperature: a quiet trap may also be blocked (confidence capped at 0.5)"
                .to_owned(),
        );
        c = c.min(0.5);
    }
    if sound_margin.is_some() {
        weight = weight.min(a_weight);
    } else {
        notes.push(
            "no acoustic level: steam passing cannot be ruled out (confidence capped at 0.5)"
                .to_owned(),
        );
        c = c.min(0.5);
    }
    if outlet == Some(Outlet::LiveSteam) {
        notes.push("yet the outlet is above saturation (confidence lowered)".to_owned());
        c -= 0.2;
    }
    Verdict {
        state: TrapState::Ok,
        confidence: c * weight,
        notes,
    }
}

/// The open-area fraction and the loss of a trap that passes steam.
fn estimate_loss(
    obs: &TrapObservation,
    th: &TrapThresholds,
    assessment: &TrapAssessment,
    pricing: &LossPricing,
) -> Result<TrapLossEstimate> {
    let upstream = obs.inlet_pressure.ok_or(CalcError::Inconsistent(
        "no inlet pressure to drive the leak".to_owned(),
    ))?;
    let (failure, fraction, from_acoustic) = match assessment.state {
        TrapState::BlownOpen => (TrapFailure::BlowThrough, 1.0, false),
        _ => {
            let (excess, from_acoustic) = match assessment.acoustic_excess_db {
                Some(e) => (e, true),
                None => (th.leaking_excess_db, false),
            };
            let f = open_area_fraction(excess, th);
            (
                TrapFailure::Leaking {
                    open_area_fraction: f,
                },
                f,
                from_acoustic,
            )
        }
    };
    let loss = trap_loss(&TrapLossInput {
        upstream_pressure: upstream,
        condition: SteamCondition::DrySaturated,
        downstream_pressure: obs
            .discharge_pressure
            .unwrap_or(Pressure::from_pa(STANDARD_ATMOSPHERE_PA)),
        orifice_diameter: obs.orifice,
        failure,
        discharge_coefficient: pricing.discharge_coefficient,
        makeup_temperature: pricing.makeup_temperature,
        steam_cost_per_tonne: pricing.steam_cost_per_tonne,
        operating_time_per_year: pricing.operating_time_per_year,
    })?;
    Ok(TrapLossEstimate {
        open_area_fraction: fraction,
        from_acoustic,
        loss,
    })
}

/// Open-area fraction of a leaking trap from its acoustic excess:
/// f = 10^((e − e_blow)/d), clamped to [0.001, 1] (see the module docs).
pub fn open_area_fraction(excess_db: f64, thresholds: &TrapThresholds) -> f64 {
    let d = thresholds.acoustic_db_per_decade;
    let f = 10_f64.powf((excess_db - thresholds.blow_through_excess_db) / d);
    if f.is_nan() {
        MIN_OPEN_AREA_FRACTION
    } else {
        f.clamp(MIN_OPEN_AREA_FRACTION, 1.0)
    }
}

#[cfg(test)]
mod tests;
