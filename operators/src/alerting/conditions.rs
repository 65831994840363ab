//! The seed's alert triggers as observations of the analysis results:
//! whether each holds, the value behind it and a phrase for the message.
//! Feed them to an [`super::AlertTracker`] per key; an asset whose result
//! disappears (a leak no longer detected) must be fed a `holds = false`
//! observation ([`Observation::clear`]) for its alert to resolve.

use crate::analysis::leak_detection::{LeakDetection, LeakLocation};
use crate::analysis::plant_balance::{LossCategory, PlantBalance};
use crate::analysis::trap_status::{TrapAssessment, TrapState};
use crate::units::{MassFlow, Pressure};

/// Whether a condition holds, with its value and a phrase describing it.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The condition holds.
    pub holds: bool,
    /// The value behind it (its unit is in the detail).
    pub value: f64,
    /// A phrase for the people paged.
    pub detail: String,
}

impl Observation {
    /// The condition does not hold (its subject is gone or healthy).
    pub fn clear(detail: impl Into<String>) -> Self {
        Observation {
            holds: false,
            value: 0.0,
            detail: detail.into(),
        }
    }
}

/// A trap in one of `modes` with at least `min_confidence`; the value is
/// its steam loss in kg/h (0 when it loses none).
pub fn trap_failure(
    trap_id: &str,
    assessment: &TrapAssessment,
    modes: &[TrapState],
    min_confidence: f64,
) -> Observation {
    let holds = modes.contains(&assessment.state) && assessment.confidence >= min_confidence;
    let loss = assessment.steam_loss().kg_per_h();
    let mut detail = format!(
        "trap {trap_id} is {} (confidence {:.2})",
        assessment.state, assessment.confidence
    );
    if loss > 0.0 {
        detail.push_str(&format!(", losing {loss:.1} kg/h"));
        if let Some(cost) = assessment.loss.map(|l| l.loss.cost_per_year) {
            detail.push_str(&format!(" ({cost:.0} a year)"));
        }
    }
    Observation {
        holds,
        value: loss,
        detail,
    }
}

/// A leak of at least `min_loss`; the value is its size in kg/h.
pub fn leak(detection: Option<&LeakDetection>, min_loss: MassFlow) -> Observation {
    let Some(d) = detection else {
        return Observation::clear("no leak detected");
    };
    let place = match &d.location {
        LeakLocation::Segment(id) => format!("on segment {id}"),
        LeakLocation::Unlocated => "somewhere in the plant (not located)".to_owned(),
    };
    let size = d.size.kg_per_h();
    Observation {
        holds: size >= min_loss.kg_per_h(),
        value: size,
        detail: format!(
            "leak of {size:.0} kg/h {place} (confidence {:.2}, priority {:.0}/100)",
            d.confidence, d.priority
        ),
    }
}

/// The mass balance off by more than `mass_tolerance_pct` or the energy
/// balance by more than `energy_tolerance_pct`; the value is the larger
/// relative excess over its tolerance (1 = at the tolerance).
pub fn balance_closure(
    balance: &PlantBalance,
    mass_tolerance_pct: f64,
    energy_tolerance_pct: f64,
) -> Observation {
    let mass_off = balance.mass.closure_percent - 100.0;
    let energy_off = balance.energy_closure_percent - 100.0;
    let ratio = |off: f64, tol: f64| {
        if tol > 0.0 {
            off.abs() / tol
        } else {
            f64::INFINITY
        }
    };
    let value = ratio(mass_off, mass_tolerance_pct).max(ratio(energy_off, energy_tolerance_pct));
    Observation {
        holds: mass_off.abs() > mass_tolerance_pct || energy_off.abs() > energy_tolerance_pct,
        value,
        detail: format!(
            "mass balance closes at {:.1} % (±{mass_tolerance_pct} %), energy at {:.1} % (±{energy_tolerance_pct} %), \
             unaccounted {:.0} kg/h",
            balance.mass.closure_percent,
            balance.energy_closure_percent,
            balance.mass.unaccounted.kg_per_h()
        ),
    }
}

/// Condensate recovery below `below_pct`; the value is the recovery in %.
pub fn recovery_rate(balance: &PlantBalance, below_pct: f64) -> Observation {
    let pct = balance.condensate.recovery_rate * 100.0;
    Observation {
        holds: pct < below_pct,
        value: pct,
        detail: format!("condensate recovery {pct:.1} % (alert below {below_pct} %)"),
    }
}

/// A loss category above `above_kg_h` or costing more than
/// `above_cost_per_day` (money per day of operation); the value is the
/// loss in kg/h.
pub fn loss(
    balance: &PlantBalance,
    category: LossCategory,
    above_kg_h: Option<f64>,
    above_cost_per_day: Option<f64>,
) -> Observation {
    let term = balance.losses.get(category);
    let kg_h = term.mass.kg_per_h();
    let per_day = balance.cost_per_day(category);
    let holds = above_kg_h.is_some_and(|limit| kg_h > limit)
        || above_cost_per_day.is_some_and(|limit| per_day > limit);
    Observation {
        holds,
        value: kg_h,
        detail: format!(
            "{} loss {kg_h:.0} kg/h, {:.0} kW, {per_day:.0} a day",
            category.as_str(),
            term.energy.kw()
        ),
    }
}

/// A header pressure more than `deviation_pct` away from its operating
/// pressure (gauge); the value is the deviation in %.
pub fn pressure_anomaly(
    header_id: &str,
    measured: Pressure,
    operating: Pressure,
    deviation_pct: f64,
) -> Observation {
    let reference = operating.barg();
    let difference = measured.barg() - reference;
    let deviation = if difference == 0.0 {
        0.0
    } else if reference != 0.0 {
        difference / reference.abs() * 100.0
    } else {
        f64::INFINITY.copysign(difference)
    };
    Observation {
        holds: deviation.abs() > deviation_pct,
        value: deviation,
        detail: format!(
            "header {header_id} at {:.2} barg, {deviation:+.1} % from its {reference:.2} barg (±{deviation_pct} %)",
            measured.barg()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::leak_detection::{DetectionMethod, SizeBasis};
    use crate::analysis::loss_pricing::LossPricing;
    use crate::analysis::plant_balance::{BalanceConfig, PlantWindow, plant_balance};
    use crate::analysis::signal::SignalStats;
    use crate::analysis::trap_status::{TrapObservation, TrapThresholds, assess_trap};
    use crate::plant::{Boiler, CondensateReturn, Consumer, Header, Network, Plant, TrapType};
    use crate::units::{Length, Temperature};

    fn blown_trap() -> TrapAssessment {
        let p = Pressure::from_barg(10.0);
        let t_sat = crate::if97::saturation_temperature(p).unwrap_or_default();
        let obs = TrapObservation {
            inlet_pressure: Some(p),
            inlet_temperature: Some(SignalStats::constant(30, t_sat)),
            acoustic_db: Some(SignalStats::constant(30, 75.0)),
            ..TrapObservation::new(TrapType::InvertedBucket, Length::from_mm(6.0))
        };
        let pricing = LossPricing {
            steam_cost_per_tonne: 30.0,
            ..LossPricing::default()
        };
        assess_trap(
            &obs,
            &TrapThresholds::for_type(TrapType::InvertedBucket),
            &pricing,
        )
    }

    #[test]
    fn trap_failure_needs_mode_and_confidence() {
        let a = blown_trap();
        assert_eq!(a.state, TrapState::BlownOpen);
        let o = trap_failure("t1", &a, &[TrapState::BlownOpen, TrapState::Leaking], 0.7);
        assert!(o.holds, "{o:?}");
        assert!(o.value > 50.0);
        assert!(
            o.detail.starts_with("trap t1 is blown_open (confidence"),
            "{}",
            o.detail
        );
        assert!(!trap_failure("t1", &a, &[TrapState::Blocked], 0.7).holds);
        assert!(!trap_failure("t1", &a, &[TrapState::BlownOpen], 0.99).holds);
    }

    #[test]
    fn leak_needs_a_size() {
        assert!(!leak(None, MassFlow::default()).holds);
        let d = LeakDetection {
            location: LeakLocation::Segment("s1".into()),
            size: MassFlow::from_kg_per_h(80.0),
            size_basis: SizeBasis::MassBalance,
            energy: None,
            cost_per_year: None,
            confidence: 0.8,
            priority: 40.0,
            methods: vec![DetectionMethod::MassBalance],
            since_ms: None,
            evidence: vec![],
        };
        let o = leak(Some(&d), MassFlow::from_kg_per_h(50.0));
        assert!(o.holds);
        assert_eq!(o.value, 80.0);
        assert!(o.detail.contains("on segment s1"));
        assert!(!leak(Some(&d), MassFlow::from_kg_per_h(100.0)).holds);
    }

    #[test]
    fn pressure_anomaly_in_percent_of_operating() {
        let o = pressure_anomaly(
            "hp",
            Pressure::from_barg(11.5),
            Pressure::from_barg(10.0),
            10.0,
        );
        assert!(o.holds);
        assert!((o.value - 15.0).abs() < 1e-9);
        assert!(
            !pressure_anomaly(
                "hp",
                Pressure::from_barg(10.5),
                Pressure::from_barg(10.0),
                10.0
            )
            .holds
        );
        let zero = pressure_anomaly(
            "v",
            Pressure::from_barg(0.0),
            Pressure::from_barg(0.0),
            10.0,
        );
        assert!(!zero.holds && zero.value == 0.0);
    }

    /// One boiler and one consumer on one header, condensate to a vented receiver.
    fn small_balance(generation: f64, consumer: f64) -> PlantBalance {
        let plant = Plant {
            boilers: vec![Boiler {
                id: "b1".into(),
                header: "hp".into(),
                capacity_kg_h: 20_000.0,
                design_pressure_barg: 12.0,
                steam_temperature_c: None,
                feedwater_temperature_c: 105.0,
                flow_tag: "b1.flow".into(),
                pressure_tag: None,
                temperature_tag: None,
                feedwater_temperature_tag: None,
            }],
            headers: vec![Header {
                id: "hp".into(),
                design_pressure_barg: 12.0,
                operating_pressure_barg: 10.0,
                design_temperature_c: None,
                pressure_tag: None,
                temperature_tag: None,
                flow_tag: None,
            }],
            consumers: vec![Consumer {
                id: "c1".into(),
                header: Some("hp".into()),
                design_flow_kg_h: consumer,
                condensate_to: Some("cr".into()),
                flow_tag: None,
                pressure_tag: None,
                temperature_tag: None,
            }],
            condensate_returns: vec![CondensateReturn {
                id: "cr".into(),
                receiver_pressure_barg: 0.0,
                design_flow_kg_h: None,
                makeup_water_temperature_c: 15.0,
                flow_tag: None,
                temperature_tag: None,
            }],
            ..Plant::default()
        };
        let network = Network::build(&plant).unwrap_or_else(|e| panic!("{e:?}"));
        let window = PlantWindow {
            ambient_temperature: Some(Temperature::from_celsius(20.0)),
            ..PlantWindow::from_lookup(&plant, |tag| (tag == "b1.flow").then_some(generation))
        };
        let pricing = LossPricing {
            steam_cost_per_tonne: 30.0,
            operating_time_per_year: crate::units::Duration::from_h(6000.0),
            ..LossPricing::default()
        };
        plant_balance(
            &plant,
            &network,
            &window,
            &[],
            &pricing,
            &BalanceConfig::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn balance_closure_and_recovery() {
        let good = small_balance(10_000.0, 10_000.0);
        assert!(!balance_closure(&good, 5.0, 7.0).holds);
        let bad = small_balance(12_000.0, 10_000.0);
        let o = balance_closure(&bad, 5.0, 7.0);
        assert!(o.holds, "{o:?}");
        assert!(o.value > 1.0);
        // 16 % flashes at the receiver: recovery about 84 %.
        assert!(recovery_rate(&good, 90.0).holds);
        assert!(!recovery_rate(&good, 80.0).holds);
    }

    #[test]
    fn loss_per_day_of_operation() {
        let b = small_balance(12_000.0, 10_000.0);
        // 2000 kg/h unaccounted: 48 t a day of operation at 30 = 1440 a day.
        let per_day = b.cost_per_day(LossCategory::Unaccounted);
        assert!((per_day - 1440.0).abs() < 1e-6, "{per_day}");
        assert!(loss(&b, LossCategory::Unaccounted, None, Some(1000.0)).holds);
        assert!(!loss(&b, LossCategory::Unaccounted, Some(2500.0), None).holds);
        assert!(loss(&b, LossCategory::Unaccounted, Some(1500.0), None).holds);
    }
}
