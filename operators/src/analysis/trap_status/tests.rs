use proptest::prelude::*;

use super::*;
use crate::analysis::signal::SignalValue;
use crate::reading::Quality;

const P_BARG: f64 = 10.0;

fn t_sat_c(p_barg: f64) -> f64 {
    saturation_temperature(Pressure::from_barg(p_barg))
        .map(|t| t.celsius())
        .unwrap_or(f64::NAN)
}

fn temps(count: u64, c: f64) -> SignalStats<Temperature> {
    SignalStats::constant(count, Temperature::from_celsius(c))
}

fn sound(count: u64, db: f64) -> SignalStats<f64> {
    SignalStats::constant(count, db)
}

/// A trap at 10 barg discharging to atmosphere, with 30 readings of each
/// signal: inlet `subcooling` K below saturation, outlet at `outlet_c`, a
/// steady acoustic level `excess` dB above the 40 dB baseline.
fn observe(
    trap_type: TrapType,
    subcooling: Option<f64>,
    outlet_c: Option<f64>,
    excess: Option<f64>,
) -> TrapObservation {
    TrapObservation {
        inlet_pressure: Some(Pressure::from_barg(P_BARG)),
        inlet_temperature: subcooling.map(|s| temps(30, t_sat_c(P_BARG) - s)),
        outlet_temperature: outlet_c.map(|c| temps(30, c)),
        acoustic_db: excess.map(|e| sound(30, 40.0 + e)),
        ..TrapObservation::new(trap_type, Length::from_mm(6.0))
    }
}

fn classify(obs: &TrapObservation) -> TrapAssessment {
    classify_trap(obs, &TrapThresholds::for_type(obs.trap_type))
}

fn assess(obs: &TrapObservation) -> TrapAssessment {
    let pricing = LossPricing {
        steam_cost_per_tonne: 30.0,
        ..LossPricing::default()
    };
    assess_trap(obs, &TrapThresholds::for_type(obs.trap_type), &pricing)
}

const FT: TrapType = TrapType::FloatThermostatic;

#[test]
fn healthy_trap_is_ok_with_high_confidence() {
    let a = assess(&observe(FT, Some(1.0), Some(100.0), Some(0.0)));
    assert_eq!(a.state, TrapState::Ok, "{a:?}");
    assert!(a.confidence > 0.8, "{a:?}");
    assert!(a.loss.is_none());
    assert!(a.evidence.iter().any(|e| e.contains("below saturation")));
    let s = a.inlet_subcooling.map(|d| d.kelvin()).unwrap_or(f64::NAN);
    assert!((s - 1.0).abs() < 1e-9);
}

#[test]
fn blow_through_loses_the_whole_orifice() {
    let a = assess(&observe(FT, Some(0.5), Some(120.0), Some(30.0)));
    assert_eq!(a.state, TrapState::BlownOpen, "{a:?}");
    assert!(a.confidence > 0.85, "{a:?}");
    let estimate = a.loss.expect("a blown trap has a loss");
    assert_eq!(estimate.open_area_fraction, 1.0);
    let full = trap_loss(&TrapLossInput {
        steam_cost_per_tonne: 30.0,
        ..TrapLossInput::blow_through(Pressure::from_barg(P_BARG), Length::from_mm(6.0))
    })
    .expect("reference loss");
    assert_eq!(estimate.loss, full);
    // US DOE Steam Tip Sheet #1: a 1/8-in seat at 150 psig passes 75.8 lb/h;
    // scaled by area to 6 mm at 10 barg that is about 120 kg/h.
    let kg_h = a.steam_loss().kg_per_h();
    assert!((100.0..130.0).contains(&kg_h), "{kg_h}");
    assert!(estimate.loss.cost_per_year > 0.0);
}

#[test]
fn leaking_trap_loses_a_fraction_inferred_from_sound() {
    let a = assess(&observe(FT, Some(0.5), Some(101.0), Some(14.0)));
    assert_eq!(a.state, TrapState::Leaking, "{a:?}");
    let estimate = a.loss.expect("a leaking trap has a loss");
    // 14 dB is 6 dB below the 20 dB blow-through level: 10^(-0.6) of the area.
    assert!((estimate.open_area_fraction - 10_f64.powf(-0.6)).abs() < 1e-12);
    assert!(estimate.from_acoustic);
    let full = assess(&observe(FT, Some(0.5), Some(101.0), Some(30.0)));
    let ratio = a.steam_loss().kg_per_s() / full.steam_loss().kg_per_s();
    assert!(
        (ratio - estimate.open_area_fraction).abs() < 1e-9,
        "{ratio}"
    );
}

#[test]
fn cold_trap_is_blocked() {
    let a = assess(&observe(FT, Some(60.0), Some(40.0), Some(-2.0)));
    assert_eq!(a.state, TrapState::Blocked, "{a:?}");
    assert!(a.confidence > 0.9, "{a:?}");
    assert!(a.loss.is_none());
    // Temperature alone is enough.
    assert_eq!(
        classify(&observe(FT, Some(60.0), None, None)).state,
        TrapState::Blocked
    );
}

#[test]
fn sluggish_or_slightly_noisy_trap_is_degraded() {
    let backing = classify(&observe(FT, Some(12.0), Some(100.0), Some(0.0)));
    assert_eq!(backing.state, TrapState::Degraded, "{backing:?}");
    let noisy = classify(&observe(FT, Some(1.0), Some(100.0), Some(7.0)));
    assert_eq!(noisy.state, TrapState::Degraded, "{noisy:?}");
    let both = classify(&observe(FT, Some(12.0), Some(100.0), Some(7.0)));
    assert!(both.confidence > backing.confidence.max(noisy.confidence));
}

#[test]
fn thermostatic_traps_subcool_by_design() {
    // 14 K below saturation: sluggish for a float trap, normal for a thermostatic one.
    let float = classify(&observe(FT, Some(14.0), Some(100.0), Some(0.0)));
    assert_eq!(float.state, TrapState::Degraded);
    let thermostatic = classify(&observe(
        TrapType::Thermostatic,
        Some(14.0),
        Some(100.0),
        Some(0.0),
    ));
    assert_eq!(thermostatic.state, TrapState::Ok, "{thermostatic:?}");
    let bimetallic = classify(&observe(
        TrapType::Bimetallic,
        Some(28.0),
        Some(100.0),
        Some(0.0),
    ));
    assert_eq!(bimetallic.state, TrapState::Ok, "{bimetallic:?}");
    // ... and a float trap 28 K below saturation is blocked.
    assert_eq!(
        classify(&observe(FT, Some(28.0), None, Some(0.0))).state,
        TrapState::Blocked
    );
}

#[test]
fn cyclic_trap_that_still_closes_is_leaking_not_blown() {
    let mut obs = observe(TrapType::Thermodynamic, Some(1.0), Some(100.0), Some(25.0));
    obs.acoustic_db = Some(SignalStats {
        min: 40.0,
        ..sound(30, 65.0)
    });
    let a = classify(&obs);
    assert_eq!(a.state, TrapState::Leaking, "{a:?}");
    assert!(
        a.evidence
            .iter()
            .any(|e| e.contains("closes between bursts"))
    );
    // A continuous-discharge type with the same readings is blown open.
    obs.trap_type = FT;
    assert_eq!(classify(&obs).state, TrapState::BlownOpen);
}

#[test]
fn hot_outlet_without_acoustics_is_leaking() {
    let a = assess(&observe(FT, Some(0.5), Some(130.0), None));
    assert_eq!(a.state, TrapState::Leaking, "{a:?}");
    let estimate = a.loss.expect("loss at the leaking level");
    assert!(!estimate.from_acoustic);
    assert!((estimate.open_area_fraction - 0.1).abs() < 1e-12);
}

#[test]
fn one_primary_signal_caps_ok_confidence() {
    let no_sound = classify(&observe(FT, Some(0.0), Some(100.0), None));
    assert_eq!(no_sound.state, TrapState::Ok);
    assert!(no_sound.confidence <= 0.5);
    let no_temp = classify(&observe(FT, None, None, Some(0.0)));
    assert_eq!(no_temp.state, TrapState::Ok);
    assert!(no_temp.confidence <= 0.5);
}

#[test]
fn contradictions_lower_confidence() {
    let clean = classify(&observe(FT, Some(60.0), None, Some(0.0)));
    let loud = classify(&observe(FT, Some(60.0), None, Some(30.0)));
    assert_eq!(loud.state, TrapState::Blocked);
    assert!(loud.confidence < clean.confidence - 0.2);
    let blown = classify(&observe(FT, Some(0.5), None, Some(30.0)));
    let cold_outlet = classify(&observe(FT, Some(0.5), Some(40.0), Some(30.0)));
    assert_eq!(cold_outlet.state, TrapState::BlownOpen);
    assert!(cold_outlet.confidence < blown.confidence);
}

#[test]
fn missing_or_poor_data_is_unknown() {
    let nothing = classify(&observe(FT, None, Some(100.0), None));
    assert_eq!(nothing.state, TrapState::Unknown);
    assert_eq!(nothing.confidence, 0.0);
    assert!(
        nothing
            .evidence
            .iter()
            .any(|e| e.contains("insufficient data"))
    );

    let mut few = observe(FT, Some(1.0), None, Some(0.0));
    few.inlet_temperature = Some(temps(2, 150.0));
    few.acoustic_db = Some(sound(1, 40.0));
    let a = classify(&few);
    assert_eq!(a.state, TrapState::Unknown, "{a:?}");
    assert!(a.evidence.iter().any(|e| e.contains("2 samples, 3 needed")));

    let mut bad = observe(FT, Some(60.0), None, Some(30.0));
    if let Some(s) = &mut bad.inlet_temperature {
        s.quality = Quality::Bad;
    }
    if let Some(s) = &mut bad.acoustic_db {
        s.quality = Quality::Bad;
    }
    assert_eq!(classify(&bad).state, TrapState::Unknown);

    // A temperature without a pressure has no saturation to compare with.
    let mut no_pressure = observe(FT, Some(60.0), None, None);
    no_pressure.inlet_pressure = None;
    let a = classify(&no_pressure);
    assert_eq!(a.state, TrapState::Unknown);
    assert!(a.evidence.iter().any(|e| e.contains("no inlet pressure")));
}

#[test]
fn line_out_of_service_is_unknown_not_blocked() {
    let mut obs = observe(FT, None, Some(20.0), Some(0.0));
    obs.inlet_pressure = Some(Pressure::from_barg(0.1));
    obs.inlet_temperature = Some(temps(30, 20.0));
    let a = classify(&obs);
    assert_eq!(a.state, TrapState::Unknown, "{a:?}");
    assert!(a.evidence.iter().any(|e| e.contains("not under steam")));
}

#[test]
fn boundaries_fall_on_the_documented_side() {
    let th = TrapThresholds::for_type(FT);
    let at = |excess: f64| classify(&observe(FT, Some(0.0), None, Some(excess)));
    assert_eq!(at(th.blow_through_excess_db).state, TrapState::BlownOpen);
    assert_eq!(
        at(th.blow_through_excess_db - 1e-9).state,
        TrapState::Leaking
    );
    assert_eq!(at(th.leaking_excess_db).state, TrapState::Leaking);
    assert_eq!(at(th.leaking_excess_db - 1e-9).state, TrapState::Degraded);
    assert_eq!(at(th.degraded_excess_db).state, TrapState::Degraded);
    assert_eq!(at(th.degraded_excess_db - 1e-9).state, TrapState::Ok);
    // At a threshold the confidence is 0.5 plus the agreeing inlet (+0.05).
    assert!((at(th.blow_through_excess_db).confidence - 0.55).abs() < 1e-9);
    let sub = |s: f64| classify(&observe(FT, Some(s), None, Some(0.0)));
    assert_eq!(sub(th.blocked_subcooling_k).state, TrapState::Blocked);
    assert_eq!(
        sub(th.blocked_subcooling_k - 1e-6).state,
        TrapState::Degraded
    );
    assert_eq!(sub(th.normal_subcooling_k).state, TrapState::Ok);
    assert_eq!(
        sub(th.normal_subcooling_k + 1e-6).state,
        TrapState::Degraded
    );
}

#[test]
fn confidence_is_monotone_in_the_evidence() {
    let mut last = 0.0;
    for i in 0..=80 {
        let excess = 20.0 + 0.25 * f64::from(i);
        let a = classify(&observe(FT, Some(0.0), None, Some(excess)));
        assert_eq!(a.state, TrapState::BlownOpen);
        assert!(a.confidence >= last, "{excess}: {} < {last}", a.confidence);
        last = a.confidence;
    }
    let mut last = 0.0;
    for i in 0..=80 {
        let s = 25.0 + 0.5 * f64::from(i);
        let a = classify(&observe(FT, Some(s), None, Some(0.0)));
        assert_eq!(a.state, TrapState::Blocked);
        assert!(a.confidence >= last);
        last = a.confidence;
    }
    let mut last = 0.0;
    for i in 0..=40 {
        let excess = 4.9 - 0.25 * f64::from(i);
        let a = classify(&observe(FT, Some(0.0), None, Some(excess)));
        assert_eq!(a.state, TrapState::Ok);
        assert!(a.confidence >= last);
        last = a.confidence;
    }
    let mut last = 0.0;
    for count in 3..=60 {
        let mut obs = observe(FT, Some(0.0), None, Some(30.0));
        obs.acoustic_db = Some(sound(count, 70.0));
        let a = classify(&obs);
        assert!(a.confidence >= last);
        last = a.confidence;
    }
    let good = classify(&observe(FT, Some(0.0), None, Some(30.0)));
    let mut uncertain = observe(FT, Some(0.0), None, Some(30.0));
    if let Some(s) = &mut uncertain.acoustic_db {
        s.quality = Quality::Uncertain;
    }
    assert!(classify(&uncertain).confidence < good.confidence);
}

#[test]
fn per_trap_baseline_wins() {
    let mut obs = observe(FT, Some(0.0), None, Some(12.0));
    assert_eq!(classify(&obs).state, TrapState::Leaking);
    obs.acoustic_baseline_db = Some(50.0);
    assert_eq!(classify(&obs).state, TrapState::Ok);
}

#[test]
fn config_overrides_apply_in_order() {
    let config = TrapClassifierConfig {
        all: TrapThresholdOverrides {
            acoustic_baseline_db: Some(30.0),
            ..Default::default()
        },
        thermostatic: TrapThresholdOverrides {
            normal_subcooling_k: Some(20.0),
            acoustic_baseline_db: Some(35.0),
            ..Default::default()
        },
        ..Default::default()
    };
    let t = config.thresholds(TrapType::Thermostatic);
    assert_eq!(t.normal_subcooling_k, 20.0);
    assert_eq!(t.acoustic_baseline_db, 35.0);
    assert_eq!(t.blocked_subcooling_k, 45.0);
    assert_eq!(config.thresholds(FT).acoustic_baseline_db, 30.0);
    assert!(config.check().is_empty());
    let broken = TrapClassifierConfig {
        bimetallic: TrapThresholdOverrides {
            blocked_subcooling_k: Some(10.0),
            ..Default::default()
        },
        ..Default::default()
    };
    let errors = broken.check();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors.first().map(|e| e.0), Some(TrapType::Bimetallic));
    // Invalid thresholds classify nothing.
    let a = classify_trap(
        &observe(TrapType::Bimetallic, Some(0.0), None, Some(0.0)),
        &broken.thresholds(TrapType::Bimetallic),
    );
    assert_eq!(a.state, TrapState::Unknown);
}

#[test]
fn every_default_is_valid() {
    for t in TrapType::ALL {
        assert!(TrapThresholds::for_type(t).check().is_ok(), "{t}");
    }
}

#[test]
fn open_area_fraction_edges() {
    let th = TrapThresholds::for_type(FT);
    assert_eq!(open_area_fraction(th.blow_through_excess_db, &th), 1.0);
    assert_eq!(open_area_fraction(100.0, &th), 1.0);
    assert!((open_area_fraction(10.0, &th) - 0.1).abs() < 1e-12);
    assert_eq!(open_area_fraction(-100.0, &th), MIN_OPEN_AREA_FRACTION);
    assert_eq!(open_area_fraction(f64::NAN, &th), MIN_OPEN_AREA_FRACTION);
}

fn any_stats<T: SignalValue + std::fmt::Debug>(
    make: fn(f64) -> T,
) -> impl Strategy<Value = Option<SignalStats<T>>> {
    prop::option::of(
        (
            any::<u64>(),
            any::<f64>(),
            any::<f64>(),
            any::<f64>(),
            0u8..3,
        )
            .prop_map(move |(count, mean, min, max, q)| SignalStats {
                count: count % 100,
                mean: make(mean),
                min: make(min),
                max: make(max),
                quality: match q {
                    0 => Quality::Good,
                    1 => Quality::Uncertain,
                    _ => Quality::Bad,
                },
            }),
    )
}

fn wild() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        -50.0..400.0_f64,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(0.0)
    ]
}

proptest! {
    #[test]
    fn never_panics_and_stays_in_range(
        type_index in 0usize..6,
        orifice in wild(),
        p_in in prop::option::of(wild()),
        p_out in prop::option::of(wild()),
        inlet in any_stats(Temperature::from_celsius),
        outlet in any_stats(Temperature::from_celsius),
        acoustic in any_stats(|v| v),
        baseline in prop::option::of(wild()),
    ) {
        let obs = TrapObservation {
            trap_type: TrapType::ALL.get(type_index).copied().unwrap_or(FT),
            orifice: Length::from_mm(orifice),
            inlet_pressure: p_in.map(Pressure::from_barg),
            discharge_pressure: p_out.map(Pressure::from_barg),
            inlet_temperature: inlet,
            outlet_temperature: outlet,
            acoustic_db: acoustic,
            acoustic_baseline_db: baseline,
        };
        let a = assess(&obs);
        prop_assert!((0.0..=1.0).contains(&a.confidence), "{a:?}");
        if a.state == TrapState::Unknown {
            prop_assert_eq!(a.confidence, 0.0);
        }
        if let Some(l) = a.loss {
            prop_assert!(l.loss.steam_loss.kg_per_s() >= 0.0);
        }
    }

    #[test]
    fn realistic_readings_are_classified(
        subcooling in -5.0..80.0_f64,
        excess in -10.0..50.0_f64,
        type_index in 0usize..6,
    ) {
        let t = TrapType::ALL.get(type_index).copied().unwrap_or(FT);
        let a = assess(&observe(t, Some(subcooling), Some(100.0), Some(excess)));
        prop_assert_ne!(a.state, TrapState::Unknown);
        prop_assert!(a.confidence > 0.0);
    }
}
