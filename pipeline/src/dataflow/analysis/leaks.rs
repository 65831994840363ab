//! `leaks`: leak detections from the balance residual over time and from
//! ultrasound on the pipe segments, fused, sized, valued and ranked.
//!
//! Per plant and window, in window order ([`LeakState::step`]):
//! 1. the mass-balance detector ([`BalanceLeakDetector`], a CUSUM) reads the
//!    window's residual before leaks (`None` when the balance could not be
//!    formed);
//! 2. each segment with an acoustic tag has its own detector
//!    ([`AcousticLeakDetector`]) reading the window's level summary;
//! 3. [`fuse_leaks`] turns the detectors' statuses into the window's leaks,
//!    with the segments' pressures and the main header's as the reference
//!    of an unlocated leak.
//!
//! The detectors are sequential, so the stage runs them inside
//! [`super::Sequence::sequence`]: a late reading that changes a window's
//! residual replays the detectors from that window on, and the leaks of
//! every later window are corrected (retracted and re-asserted).

use serde::{Deserialize, Serialize};
use steamflow_operators::analysis::leak_detection::{
    AcousticLeakDetector, BalanceLeakDetector, DetectionMethod, LeakContext, LeakDetection,
    LeakDetectionConfig, LeakLocation, SegmentLeakInput, SizeBasis, fuse_leaks,
};
use steamflow_operators::units::MassFlow;

use super::fields::{F64, Fields, finite};
use super::model::WindowView;
use crate::dataflow::key::KeyRegistry;
use crate::dataflow::render::OutputRecord;

/// The leak detectors of one plant.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakState {
    balance: BalanceLeakDetector,
    /// (segment index, its detector) for each segment with an acoustic tag.
    acoustic: Vec<(usize, AcousticLeakDetector)>,
}

impl LeakState {
    /// Fresh detectors for a plant's segments (`segments_with_sensor`: the
    /// indices of the segments that have an acoustic tag).
    pub fn new(
        segments_with_sensor: impl IntoIterator<Item = usize>,
        config: &LeakDetectionConfig,
    ) -> Result<LeakState, String> {
        let balance = BalanceLeakDetector::new(&config.balance).map_err(|e| e.to_string())?;
        let acoustic = segments_with_sensor
            .into_iter()
            .map(|s| {
                AcousticLeakDetector::new(&config.acoustic)
                    .map(|d| (s, d))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        Ok(LeakState { balance, acoustic })
    }

    /// Feeds one window (its end time and residual before leaks) to every
    /// detector and fuses their statuses into the window's leaks.
    pub fn step(
        &mut self,
        view: &WindowView<'_>,
        window_end_ms: u64,
        residual: Option<MassFlow>,
        config: &LeakDetectionConfig,
    ) -> Vec<LeakDetection> {
        let plant = view.plant();
        let end = i64::try_from(window_end_ms).unwrap_or(i64::MAX);
        // Windows come once each, in order (the sequence guarantees it), so
        // an out-of-order refusal cannot happen; were it to, the window
        // would count as missing.
        let balance = self.balance.update(end, residual).ok();
        let statuses: Vec<_> = self
            .acoustic
            .iter_mut()
            .map(|(s, detector)| {
                let tag = plant
                    .plant
                    .segments
                    .get(*s)
                    .and_then(|seg| seg.acoustic_tag.as_deref());
                let level = view.level_stats(tag);
                (*s, detector.update(end, level.as_ref()).ok())
            })
            .collect();
        let inputs: Vec<SegmentLeakInput<'_>> = statuses
            .iter()
            .filter_map(|(s, status)| {
                Some(SegmentLeakInput {
                    segment_id: plant.plant.segments.get(*s)?.id.as_str(),
                    acoustic: status.as_ref(),
                    pressure: view.segment_inlet_pressure(*s),
                })
            })
            .collect();
        let context = LeakContext {
            reference_pressure: view.reference_pressure(),
            pricing: plant.pricing,
        };
        fuse_leaks(balance.as_ref(), &inputs, &context, config)
    }
}

/// One leak of one plant in one window (the `leaks` stream).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LeakRecord {
    /// The plant.
    pub plant: String,
    /// Window start \[ms\].
    pub window_start_ms: u64,
    /// The segment it is on; `None` when only the balance sees it (unlocated).
    pub segment: Option<String>,
    /// Window end (exclusive) \[ms\].
    pub window_end_ms: u64,
    /// Steam leaking \[kg/h\].
    pub size_kg_h: F64,
    /// Where the size comes from: `mass_balance` or `acoustic_orifice`.
    pub size_basis: String,
    /// Equivalent hole of an acoustic size \[mm\].
    pub equivalent_diameter_mm: Option<F64>,
    /// Energy to replace it \[kW\].
    pub energy_kw: Option<F64>,
    /// Money a year (plant currency).
    pub cost_per_year: Option<F64>,
    /// Confidence, 0 to 1.
    pub confidence: F64,
    /// Repair priority, 0 to 100.
    pub priority: F64,
    /// The methods that found it.
    pub methods: Vec<DetectionMethod>,
    /// Window time its detectors date it to \[ms\].
    pub since_ms: Option<i64>,
    /// The evidence, one sentence each.
    pub evidence: Vec<String>,
}

impl LeakRecord {
    /// The record of a detection.
    pub fn new(
        plant: &str,
        window_start_ms: u64,
        window_end_ms: u64,
        leak: &LeakDetection,
    ) -> LeakRecord {
        let (size_basis, diameter) = match leak.size_basis {
            SizeBasis::MassBalance => ("mass_balance", None),
            SizeBasis::AcousticOrifice { diameter } => ("acoustic_orifice", finite(diameter.mm())),
        };
        LeakRecord {
            plant: plant.to_owned(),
            window_start_ms,
            segment: match &leak.location {
                LeakLocation::Segment(id) => Some(id.clone()),
                LeakLocation::Unlocated => None,
            },
            window_end_ms,
            size_kg_h: F64(leak.size.kg_per_h()),
            size_basis: size_basis.to_owned(),
            equivalent_diameter_mm: diameter,
            energy_kw: leak.energy.and_then(|e| finite(e.kw())),
            cost_per_year: leak.cost_per_year.and_then(finite),
            confidence: F64(leak.confidence),
            priority: F64(leak.priority),
            methods: leak.methods.clone(),
            since_ms: leak.since_ms,
            evidence: leak.evidence.clone(),
        }
    }

    /// `segment` id, or `unlocated`.
    pub fn location(&self) -> &str {
        self.segment.as_deref().unwrap_or("unlocated")
    }
}

fn method_name(method: DetectionMethod) -> &'static str {
    match method {
        DetectionMethod::MassBalance => "mass_balance",
        DetectionMethod::Acoustic => "acoustic",
    }
}

impl OutputRecord for LeakRecord {
    fn write_fields(&self, _names: &KeyRegistry, out: &mut String) {
        let methods: Vec<&str> = self.methods.iter().map(|m| method_name(*m)).collect();
        let mut fields = Fields::new(out);
        fields
            .str("plant", &self.plant)
            .time("window_start", self.window_start_ms)
            .time("window_end", self.window_end_ms)
            .str("location", self.location())
            .opt_str("segment", self.segment.as_deref())
            .num("size_kg_h", self.size_kg_h)
            .str("size_basis", &self.size_basis)
            .opt("equivalent_diameter_mm", self.equivalent_diameter_mm)
            .opt("energy_kw", self.energy_kw)
            .opt("cost_per_year", self.cost_per_year)
            .num("confidence", self.confidence)
            .num("priority", self.priority)
            .strs("methods", &methods);
        match self.since_ms.and_then(|t| u64::try_from(t).ok()) {
            Some(since) => fields.time("since", since),
            None => fields.null("since").null("since_utc"),
        };
        fields.strs("evidence", &self.evidence);
    }
}
