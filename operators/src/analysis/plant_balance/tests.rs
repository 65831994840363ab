use std::collections::HashMap;

use proptest::prelude::*;

use super::*;
use crate::analysis::flash::flash_fraction;
use crate::analysis::leak_detection::{DetectionMethod, LeakLocation, SizeBasis};
use crate::plant::{
    Boiler, CondensateReturn, Consumer, FlashVessel, Header, PipeSegment, Prv, Trap, TrapType,
};

fn kg_h(v: f64) -> MassFlow {
    MassFlow::from_kg_per_h(v)
}

fn boiler() -> Boiler {
    Boiler {
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
    }
}

fn header(id: &str, operating: f64) -> Header {
    Header {
        id: id.into(),
        design_pressure_barg: operating + 2.0,
        operating_pressure_barg: operating,
        design_temperature_c: None,
        pressure_tag: Some(format!("{id}.p")),
        temperature_tag: None,
        flow_tag: None,
    }
}

fn consumer(id: &str, header: Option<&str>, condensate_to: Option<&str>) -> Consumer {
    Consumer {
        id: id.into(),
        header: header.map(Into::into),
        design_flow_kg_h: 1000.0,
        condensate_to: condensate_to.map(Into::into),
        flow_tag: Some(format!("{id}.flow")),
        pressure_tag: None,
        temperature_tag: None,
    }
}

fn receiver(flow_tag: Option<&str>) -> CondensateReturn {
    CondensateReturn {
        id: "cr".into(),
        receiver_pressure_barg: 0.0,
        design_flow_kg_h: None,
        makeup_water_temperature_c: 15.0,
        flow_tag: flow_tag.map(Into::into),
        temperature_tag: None,
    }
}

fn trap(id: &str, segment: Option<&str>, consumer: Option<&str>) -> Trap {
    Trap {
        id: id.into(),
        trap_type: TrapType::FloatThermostatic,
        segment: segment.map(Into::into),
        consumer: consumer.map(Into::into),
        orifice_mm: 6.0,
        discharge_to: Some("cr".into()),
        inlet_temperature_tag: None,
        outlet_temperature_tag: None,
        acoustic_tag: None,
    }
}

fn main_segment() -> PipeSegment {
    PipeSegment {
        id: "s1".into(),
        from: "hp".into(),
        to: Some("c1".into()),
        length_m: 200.0,
        nominal_size_dn: Some(100),
        outer_diameter_mm: None,
        inner_diameter_mm: None,
        roughness_mm: 0.045,
        insulation_thickness_mm: 50.0,
        insulation_conductivity_w_m_k: 0.04,
        surface_emissivity: 0.9,
        elevation_change_m: 0.0,
        fittings_k: 0.0,
        inlet_pressure_tag: None,
        outlet_pressure_tag: None,
        flow_tag: None,
        surface_temperature_tag: None,
        acoustic_tag: Some("s1.db".into()),
    }
}

/// Boiler → HP header (10 barg) → insulated main s1 (drip trap t1) →
/// consumer c1 (trap t2); HP → PRV → LP header (3 barg) → consumer c2
/// (no trap). All condensate to a vented receiver.
fn plant() -> Plant {
    Plant {
        boilers: vec![boiler()],
        headers: vec![header("hp", 10.0), header("lp", 3.0)],
        prvs: vec![Prv {
            id: "prv".into(),
            from: "hp".into(),
            to: "lp".into(),
            setpoint_barg: 3.0,
            capacity_kg_h: 5000.0,
            flow_tag: None,
            outlet_pressure_tag: None,
        }],
        segments: vec![main_segment()],
        consumers: vec![
            consumer("c1", None, None),
            consumer("c2", Some("lp"), Some("cr")),
        ],
        traps: vec![trap("t1", Some("s1"), None), trap("t2", None, Some("c1"))],
        condensate_returns: vec![receiver(None)],
        ..Plant::default()
    }
}

fn network(plant: &Plant) -> Network {
    assert_eq!(plant.check(), vec![]);
    Network::build(plant).unwrap_or_else(|issues| panic!("{issues:?}"))
}

fn lookup(values: &[(&str, f64)]) -> impl Fn(&str) -> Option<f64> {
    let map: HashMap<String, f64> = values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    move |tag| map.get(tag).copied()
}

fn pricing() -> LossPricing {
    LossPricing {
        steam_cost_per_tonne: 30.0,
        water_cost_per_tonne: 2.0,
        ..LossPricing::default()
    }
}

/// The condensation of main s1 in still air at 20 °C, from the heat-loss
/// model directly.
fn s1_condensation() -> MassFlow {
    let p = Pressure::from_barg(10.0);
    let seg = main_segment();
    let loss = pipe_heat_loss(&PipeHeatLossInput {
        insulation: Some(Insulation {
            thickness: seg.insulation_thickness(),
            conductivity: seg.insulation_conductivity(),
        }),
        ..PipeHeatLossInput::bare(
            crate::if97::saturation_temperature(p).unwrap_or_default(),
            Temperature::from_celsius(20.0),
            seg.outer_diameter().unwrap_or_default(),
            seg.length(),
        )
    })
    .unwrap_or_else(|e| panic!("{e}"));
    condensation_rate_at_pressure(loss.total, p).unwrap_or_default()
}

fn balance(plant: &Plant, values: &[(&str, f64)], trap_steam: &[MassFlow]) -> PlantBalance {
    let window = PlantWindow::from_lookup(plant, lookup(values));
    plant_balance(
        plant,
        &network(plant),
        &window,
        trap_steam,
        &pricing(),
        &BalanceConfig::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

/// A plant whose generation is exactly consumption plus the main's
/// condensation closes to rounding, by mass and by energy.
#[test]
fn a_consistent_plant_closes() {
    let plant = plant();
    let generation = 5000.0 + 3000.0 + s1_condensation().kg_per_h();
    let b = balance(
        &plant,
        &[
            ("b1.flow", generation),
            ("hp.p", 10.0),
            ("lp.p", 3.0),
            ("c1.flow", 5000.0),
            ("c2.flow", 3000.0),
        ],
        &[],
    );
    assert!(b.mass.unaccounted.kg_per_h().abs() < 1e-6, "{:?}", b.mass);
    assert!((b.mass.closure_percent - 100.0).abs() < 1e-9);
    assert!(b.mass_closes && b.energy_closes);
    assert!(
        (b.energy_closure_percent - 100.0).abs() < 0.01,
        "{}",
        b.energy_closure_percent
    );
    assert!(
        b.energy_unaccounted.kw().abs() < 1.0,
        "{:?}",
        b.energy_unaccounted
    );
    assert!(b.residual_before_leaks.kg_per_h().abs() < 1e-6);
    // The main loses some hundreds of watts per metre and condenses a little.
    let pipe = b.losses.pipe;
    assert!(close(
        pipe.mass.kg_per_h(),
        s1_condensation().kg_per_h(),
        1e-9
    ));
    assert!((5.0..100.0).contains(&pipe.mass.kg_per_h()), "{pipe:?}");
    assert!(b.assumptions.is_empty(), "{:?}", b.assumptions);
    // Everything condenses and reaches the vented receiver: all condensate is produced.
    assert!(close(b.condensate.produced.kg_per_h(), generation, 1e-9));
    assert_eq!(
        b.losses.trap,
        LossTerm {
            cost_per_year: 0.0,
            ..LossTerm::default()
        }
    );
    assert_eq!(b.segments.len(), 1);
}

/// One boiler at 10 barg, one consumer on the header using all 10 t/h,
/// condensate flashing to a vented receiver. Steam-table values for
/// 11.013 bar a: h_g 2781.7, h_f 781.4 kJ/kg; at 1 atm h_f 419.1, h_g
/// 2675.6, h_fg 2256.5; feedwater at 105 °C 440.9; make-up at 15 °C 63.0.
#[test]
fn energy_terms_by_hand() {
    let plant = Plant {
        boilers: vec![boiler()],
        headers: vec![header("hp", 10.0)],
        consumers: vec![consumer("c1", Some("hp"), Some("cr"))],
        condensate_returns: vec![receiver(None)],
        ..Plant::default()
    };
    let b = balance(
        &plant,
        &[("b1.flow", 10_000.0), ("hp.p", 10.0), ("c1.flow", 10_000.0)],
        &[],
    );
    let m = 10_000.0 / 3600.0;
    // E_in = m (2781.7 − 440.9) = 6502 kW; useful = m (2781.7 − 781.4) = 5556 kW.
    assert!(
        close(b.energy.input.kw(), m * (2781.7 - 440.9), 0.002),
        "{:?}",
        b.energy
    );
    assert!(close(
        b.energy.useful_output.kw(),
        m * (2781.7 - 781.4),
        0.002
    ));
    assert!(close(b.efficiency(), 2000.3 / 2340.8, 0.002));
    // Flash at the receiver: (781.4 − 419.1)/2256.5 = 16.06 % of 10 t/h.
    let x = (781.4 - 419.1) / 2256.5;
    assert!(
        close(b.losses.flash.mass.kg_per_h(), 10_000.0 * x, 0.002),
        "{:?}",
        b.losses.flash
    );
    assert!(close(
        b.losses.flash.energy.kw(),
        m * x * (2675.6 - 63.0),
        0.002
    ));
    assert!(close(
        b.condensate.returned.kg_per_h(),
        10_000.0 * (1.0 - x),
        0.002
    ));
    assert!(close(b.condensate.recovery_rate, 1.0 - x, 0.002));
    // F = make-up (440.9 − 63.0) + returned (440.9 − 419.1).
    let f = m * x * (440.9 - 63.0) + m * (1.0 - x) * (440.9 - 419.1);
    assert!(
        close(b.feedwater_heating.kw(), f, 0.01),
        "{} vs {f}",
        b.feedwater_heating.kw()
    );
    assert!((b.energy_closure_percent - 100.0).abs() < 0.01);
    // Money: the vented flash at the steam's energy price plus its water.
    let tonnes = 10.0 * x * 8760.0;
    let heat = (2675.6 - 63.0) / (2781.7 - 63.0);
    let expected = tonnes * 30.0 * heat + tonnes * 2.0;
    assert!(
        close(b.losses.flash.cost_per_year, expected, 0.002),
        "{}",
        b.losses.flash.cost_per_year
    );
}

/// 300 kg/h generated that no consumer or known loss explains shows up as
/// unaccounted, and moves to the leak term once a leak of that size is found.
#[test]
fn an_injected_loss_is_unaccounted_until_explained() {
    let plant = plant();
    let generation = 5000.0 + 3000.0 + s1_condensation().kg_per_h() + 300.0;
    let b = balance(
        &plant,
        &[
            ("b1.flow", generation),
            ("hp.p", 10.0),
            ("lp.p", 3.0),
            ("c1.flow", 5000.0),
            ("c2.flow", 3000.0),
        ],
        &[],
    );
    assert!(
        close(b.mass.unaccounted.kg_per_h(), 300.0, 1e-9),
        "{:?}",
        b.mass
    );
    assert!(close(b.residual_before_leaks.kg_per_h(), 300.0, 1e-9));
    assert!(close(b.losses.unaccounted.mass.kg_per_h(), 300.0, 1e-9));
    assert!(close(
        b.losses.unaccounted.cost_per_year,
        0.3 * 8760.0 * 30.0,
        1e-9
    ));
    assert!(
        b.energy_unaccounted.kw() > 200.0,
        "{:?}",
        b.energy_unaccounted
    );
    let leak = LeakDetection {
        location: LeakLocation::Segment("s1".into()),
        size: kg_h(300.0),
        size_basis: SizeBasis::MassBalance,
        energy: None,
        cost_per_year: None,
        confidence: 0.9,
        priority: 50.0,
        methods: vec![DetectionMethod::MassBalance],
        since_ms: None,
        evidence: vec![],
    };
    let with = b.with_leaks(&[leak]).unwrap_or_else(|e| panic!("{e}"));
    assert!(with.mass.unaccounted.kg_per_h().abs() < 1e-6);
    assert!(close(with.losses.leak.mass.kg_per_h(), 300.0, 1e-12));
    assert!((with.mass.closure_percent - 100.0).abs() < 1e-9);
    assert!(
        with.energy_unaccounted.kw().abs() < 3.0,
        "{:?}",
        with.energy_unaccounted
    );
    assert_eq!(with.residual_before_leaks, b.residual_before_leaks);
}

#[test]
fn a_large_imbalance_does_not_close() {
    let plant = plant();
    let b = balance(
        &plant,
        &[
            ("b1.flow", 10_000.0),
            ("hp.p", 10.0),
            ("lp.p", 3.0),
            ("c1.flow", 5000.0),
            ("c2.flow", 3000.0),
        ],
        &[],
    );
    assert!(!b.mass_closes, "{:?}", b.mass);
    assert!(b.mass.closure_percent < 95.0);
}

#[test]
fn trap_steam_is_taken_from_its_consumer_and_counted_as_trap_loss() {
    let plant = plant();
    let generation = 5000.0 + 3000.0 + s1_condensation().kg_per_h();
    let values = [
        ("b1.flow", generation),
        ("hp.p", 10.0),
        ("lp.p", 3.0),
        ("c1.flow", 5000.0),
        ("c2.flow", 3000.0),
    ];
    // t2 (on c1) passes 100 kg/h: c1's meter already includes it.
    let b = balance(&plant, &values, &[MassFlow::default(), kg_h(100.0)]);
    assert!(close(b.consumption.kg_per_h(), 7900.0, 1e-12));
    assert!(close(b.losses.trap.mass.kg_per_h(), 100.0, 1e-12));
    assert!(b.mass.unaccounted.kg_per_h().abs() < 1e-6);
    // Its energy is m (h_g(10 barg) − h_makeup) ≈ 100/3600 × (2781.7 − 63.0) kW.
    assert!(close(
        b.losses.trap.energy.kw(),
        100.0 / 3600.0 * (2781.7 - 63.0),
        0.002
    ));
    assert!(close(
        b.losses.trap.cost_per_year,
        0.1 * 8760.0 * 30.0,
        1e-9
    ));
    // t1 (drip trap on the main) passes 50 kg/h: not metered anywhere, so
    // the same generation leaves 50 kg/h unexplained unless counted.
    let b = balance(&plant, &values, &[kg_h(50.0)]);
    assert!(close(b.losses.trap.mass.kg_per_h(), 50.0, 1e-12));
    assert!(close(b.mass.unaccounted.kg_per_h(), -50.0, 1e-9));
    assert!((b.energy_closure_percent - 100.0).abs() < 1.0);
}

#[test]
fn missing_tags_fall_back_and_say_so() {
    let plant = plant();
    let b = balance(&plant, &[("b1.flow", 9000.0), ("c1.flow", 5000.0)], &[]);
    let notes = b.assumptions.join("\n");
    assert!(
        notes.contains("consumer c2: no flow reading, design flow 1000 kg/h used"),
        "{notes}"
    );
    assert!(notes.contains("header hp: no pressure reading"), "{notes}");
    assert!(close(b.consumption.kg_per_h(), 6000.0, 1e-12));
    // No boiler flow: no balance.
    let window = PlantWindow::from_lookup(&plant, lookup(&[("c1.flow", 5000.0)]));
    let err = plant_balance(
        &plant,
        &network(&plant),
        &window,
        &[],
        &pricing(),
        &BalanceConfig::default(),
    );
    assert!(matches!(err, Err(CalcError::Inconsistent(m)) if m.contains("boiler b1")));
}

#[test]
fn a_metered_return_below_the_model_loses_condensate() {
    let mut plant = plant();
    plant.condensate_returns = vec![receiver(Some("cr.flow"))];
    let generation = 5000.0 + 3000.0 + s1_condensation().kg_per_h();
    let mut values = vec![
        ("b1.flow", generation),
        ("hp.p", 10.0),
        ("lp.p", 3.0),
        ("c1.flow", 5000.0),
        ("c2.flow", 3000.0),
    ];
    let modelled = balance(&plant, &values, &[]).condensate.returned.kg_per_h();
    values.push(("cr.flow", modelled - 1000.0));
    let b = balance(&plant, &values, &[]);
    assert!(b.condensate.returned_measured);
    assert!(close(
        b.condensate.returned.kg_per_h(),
        modelled - 1000.0,
        1e-9
    ));
    assert!(
        close(b.losses.condensate.mass.kg_per_h(), 1000.0, 1e-9),
        "{:?}",
        b.losses.condensate
    );
    // The lost liquid (about 100 °C) costs its heat above make-up water.
    assert!(close(
        b.losses.condensate.energy.kw(),
        1000.0 / 3600.0 * (419.1 - 63.0),
        0.003
    ));
    assert!(
        (b.energy_closure_percent - 100.0).abs() < 0.05,
        "{}",
        b.energy_closure_percent
    );
}

#[test]
fn a_flash_vessel_recovers_steam_into_its_header() {
    let plant = Plant {
        boilers: vec![boiler()],
        headers: vec![header("hp", 10.0), header("lp", 1.0)],
        prvs: vec![Prv {
            id: "prv".into(),
            from: "hp".into(),
            to: "lp".into(),
            setpoint_barg: 1.0,
            capacity_kg_h: 5000.0,
            flow_tag: None,
            outlet_pressure_tag: None,
        }],
        consumers: vec![
            consumer("c1", Some("hp"), Some("fv")),
            consumer("c2", Some("lp"), Some("cr")),
        ],
        condensate_returns: vec![receiver(None)],
        flash_vessels: vec![FlashVessel {
            id: "fv".into(),
            pressure_barg: 1.0,
            design_pressure_barg: 3.0,
            to_header: Some("lp".into()),
            condensate_to: Some("cr".into()),
            pressure_tag: None,
            flash_flow_tag: None,
        }],
        ..Plant::default()
    };
    let x = flash_fraction(Pressure::from_barg(10.0), Pressure::from_barg(1.0), None)
        .map(|f| f.fraction)
        .unwrap_or(f64::NAN);
    // c2 uses the recovered flash plus steam through the PRV; generation
    // is what the consumers use less the recovered flash.
    let recovered = 8000.0 * x;
    let generation = 8000.0 + 2000.0 - recovered;
    let b = balance(
        &plant,
        &[
            ("b1.flow", generation),
            ("hp.p", 10.0),
            ("lp.p", 1.0),
            ("c1.flow", 8000.0),
            ("c2.flow", 2000.0),
        ],
        &[],
    );
    assert!(
        close(b.flash_recovered.kg_per_h(), recovered, 1e-9),
        "{} vs {recovered}",
        b.flash_recovered.kg_per_h()
    );
    assert!(b.mass.unaccounted.kg_per_h().abs() < 1e-6, "{:?}", b.mass);
    assert!(
        (b.energy_closure_percent - 100.0).abs() < 0.5,
        "{}",
        b.energy_closure_percent
    );
}

#[test]
fn window_from_lookup_converts_units() {
    let mut plant = plant();
    plant.ambient.temperature_tag = Some("air".into());
    let w = PlantWindow::from_lookup(
        &plant,
        lookup(&[
            ("b1.flow", 3600.0),
            ("hp.p", 10.0),
            ("air", 25.0),
            ("c1.flow", f64::NAN),
        ]),
    );
    assert_eq!(w.boilers.len(), 1);
    assert!(close(
        w.boilers[0].flow.map_or(0.0, |m| m.kg_per_s()),
        1.0,
        1e-12
    ));
    assert!(close(
        w.headers[0].pressure.map_or(0.0, |p| p.pa()),
        1_101_325.0,
        1e-12
    ));
    assert!(close(
        w.ambient_temperature.map_or(0.0, |t| t.kelvin()),
        298.15,
        1e-12
    ));
    assert_eq!(w.consumers[0].flow, None, "NaN counts as missing");
    assert_eq!(w.headers[1].pressure, None);
}

#[test]
fn categories_are_listed_in_order() {
    let b = LossBreakdown {
        leak: LossTerm {
            mass: kg_h(1.0),
            ..LossTerm::default()
        },
        ..LossBreakdown::default()
    };
    let all = b.all();
    assert_eq!(
        all.map(|(c, _)| c.as_str()),
        ["pipe", "trap", "leak", "flash", "condensate", "unaccounted"]
    );
    assert_eq!(all[2].1.mass, kg_h(1.0));
}

proptest! {
    #[test]
    fn never_panics(v in prop::collection::vec(prop_oneof![any::<f64>(), -10.0..20_000.0_f64], 9), steam in prop::collection::vec(any::<f64>(), 0..3)) {
        let plant = plant();
        let tags = ["b1.flow", "hp.p", "lp.p", "c1.flow", "c2.flow", "cr.flow", "air", "b1.fw", "s1.db"];
        let values: Vec<(&str, f64)> = tags.iter().copied().zip(v.iter().copied()).collect();
        let window = PlantWindow::from_lookup(&plant, lookup(&values));
        let trap_steam: Vec<MassFlow> = steam.into_iter().map(MassFlow::from_kg_per_h).collect();
        if let Ok(b) = plant_balance(&plant, &network(&plant), &window, &trap_steam, &pricing(), &BalanceConfig::default()) {
            prop_assert!(b.mass.closure_percent.is_finite());
            prop_assert!(b.energy_closure_percent.is_finite());
        }
    }
}
