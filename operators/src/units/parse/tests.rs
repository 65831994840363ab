use super::*;
use proptest::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

fn pa(text: &str) -> f64 {
    text.parse::<Pressure>().unwrap().pa()
}

#[test]
fn pressure_units_and_gauge() {
    assert!(close(pa("3 MPa"), 3e6));
    assert!(close(pa("3MPa"), 3e6));
    assert!(close(pa("3 mpa"), 3e6));
    assert!(close(pa("3 MPA"), 3e6));
    assert!(close(pa("250 kPa"), 2.5e5));
    assert!(close(pa("250 kpa"), 2.5e5));
    assert!(close(pa("10 bar"), 1e6));
    assert!(close(pa("10 bara"), 1e6));
    assert!(close(pa("10 bar(a)"), 1e6));
    assert!(close(pa("10 barg"), 1e6 + 101_325.0));
    assert!(close(pa("10 BARG"), 1e6 + 101_325.0));
    assert!(close(pa("10 bar(g)"), 1e6 + 101_325.0));
    assert!(close(pa("0 psig"), 101_325.0));
    assert!(close(pa("14.7 psi"), 14.7 * PSI_PA));
    assert!(close(pa("14.7 psia"), 14.7 * PSI_PA));
    assert!(close(pa("150 psig"), 150.0 * PSI_PA + 101_325.0));
    assert!(close(pa("1 kPag"), 102_325.0));
    assert!(close(pa("1 MPag"), 1_101_325.0));
    assert!(close(pa("500 mbar"), 5e4));
    assert!(close(pa("1 atm"), 101_325.0));
    assert!(close(pa("101325 Pa"), 101_325.0));
    assert!(
        close(pa("-0.5 barg"), 101_325.0 - 5e4),
        "vacuum gauge is fine"
    );
    assert!(close(pa("1.5e1 bar"), 1.5e6));
    assert!(close(pa("  +2.5E-1 MPa  "), 2.5e5));
}

#[test]
fn millipascal_is_not_megapascal() {
    let err = "3 mPa".parse::<Pressure>().unwrap_err();
    assert!(
        matches!(err, UnitError::AmbiguousPrefix { meant: "MPa", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("MPa"));
}

#[test]
fn negative_absolute_pressure_is_refused() {
    let err = "-2 barg".parse::<Pressure>().unwrap_err();
    assert!(matches!(err, UnitError::Unphysical { .. }), "{err}");
    assert!("-1 bar".parse::<Pressure>().is_err());
}

#[test]
fn unknown_unit_lists_the_accepted_ones() {
    let err = "3 atmg".parse::<Pressure>().unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, UnitError::UnknownUnit { .. }));
    for unit in ["Pa", "kPa", "MPa", "bar", "barg", "psi", "psig", "mbar"] {
        assert!(text.contains(unit), "{text} lacks {unit}");
    }
}

#[test]
fn missing_unit_lists_the_accepted_ones() {
    let err = "3".parse::<Temperature>().unwrap_err();
    assert!(matches!(err, UnitError::MissingUnit { .. }));
    assert!(err.to_string().contains("°C"));
}

#[test]
fn empty_and_malformed_numbers() {
    assert!(matches!(
        "".parse::<Pressure>(),
        Err(UnitError::Empty { .. })
    ));
    assert!(matches!(
        "   ".parse::<Pressure>(),
        Err(UnitError::Empty { .. })
    ));
    assert!(matches!(
        "bar".parse::<Pressure>(),
        Err(UnitError::BadNumber { .. })
    ));
    assert!(matches!(
        "+ bar".parse::<Pressure>(),
        Err(UnitError::BadNumber { .. })
    ));
    assert!(matches!(
        ". bar".parse::<Pressure>(),
        Err(UnitError::BadNumber { .. })
    ));
    // A decimal comma is not silently read as something else.
    assert!("1,5 bar".parse::<Pressure>().is_err());
}

#[test]
fn non_finite_numbers_are_refused() {
    for text in [
        "NaN bar",
        "nan bar",
        "inf bar",
        "-inf K",
        "+Infinity bar",
        "1e999 bar",
    ] {
        let err = text
            .parse::<Pressure>()
            .map_err(|_| text.parse::<Temperature>().unwrap_err());
        match err {
            Err(UnitError::NotFinite { .. }) => {}
            other => panic!("{text}: {other:?}"),
        }
    }
    // Finite in the unit but not in SI.
    assert!(matches!(
        "1e300 GWh".parse::<Energy>(),
        Err(UnitError::NotFinite { .. })
    ));
}

#[test]
fn temperature_units() {
    let k = |s: &str| s.parse::<Temperature>().unwrap().kelvin();
    assert!(close(k("300 K"), 300.0));
    assert!(close(k("180 °C"), 453.15));
    assert!(close(k("180°C"), 453.15));
    assert!(close(k("180 C"), 453.15));
    assert!(close(k("180 degC"), 453.15));
    assert!(close(k("180 ℃"), 453.15));
    assert!(close(k("212 °F"), 373.15));
    assert!(close(k("212 F"), 373.15));
    assert!(close(k("212 degF"), 373.15));
    assert!(close(k("-40 °C"), 233.15));
    assert!(matches!(
        "-300 °C".parse::<Temperature>(),
        Err(UnitError::Unphysical { .. })
    ));
}

#[test]
fn temperature_difference_units() {
    let k = |s: &str| s.parse::<TemperatureDifference>().unwrap().kelvin();
    assert!(close(k("10 K"), 10.0));
    assert!(close(k("10 °C"), 10.0));
    assert!(close(k("10 C"), 10.0));
    assert!(close(k("10 delta°C"), 10.0));
    assert!(close(k("10 ΔK"), 10.0));
    assert!(close(k("18 °F"), 10.0));
    assert!(close(k("18 deltaF"), 10.0));
    assert!(close(k("-5 K"), -5.0), "a difference may be negative");
}

#[test]
fn mass_flow_units() {
    let kg_s = |s: &str| s.parse::<MassFlow>().unwrap().kg_per_s();
    assert!(close(kg_s("2 kg/s"), 2.0));
    assert!(close(kg_s("3600 kg/h"), 1.0));
    assert!(close(kg_s("3600 kg/hr"), 1.0));
    assert!(close(kg_s("3.6 t/h"), 1.0));
    assert!(close(kg_s("1000 lb/h"), 453.592_37 / 3600.0));
    assert!(close(kg_s("1 klb/h"), 453.592_37 / 3600.0));
    assert!("1 m3/h".parse::<MassFlow>().is_err());
}

#[test]
fn length_and_area_units() {
    let m = |s: &str| s.parse::<Length>().unwrap().m();
    assert!(close(m("2 m"), 2.0));
    assert!(close(m("50 mm"), 0.05));
    assert!(close(m("5 cm"), 0.05));
    assert!(close(m("2 in"), 0.0508));
    assert!(close(m("2\""), 0.0508));
    assert!(close(m("10 ft"), 3.048));
    assert!(matches!(
        "3 Mm".parse::<Length>(),
        Err(UnitError::AmbiguousPrefix { .. })
    ));
    let m2 = |s: &str| s.parse::<Area>().unwrap().m2();
    assert!(close(m2("1 in2"), 0.0254 * 0.0254));
    assert!(close(m2("1 in²"), 0.0254 * 0.0254));
    assert!(close(m2("100 mm2"), 1e-4));
    assert!(close(m2("2 m^2"), 2.0));
}

#[test]
fn enthalpy_entropy_and_heat_capacity_units() {
    let h = |s: &str| s.parse::<SpecificEnthalpy>().unwrap().j_per_kg();
    assert!(close(h("2778 kJ/kg"), 2.778e6));
    assert!(close(h("2778000 J/kg"), 2.778e6));
    assert!(
        close(h("1 Btu/lb"), 2326.0),
        "the IT Btu/lb is exactly 2.326 kJ/kg"
    );
    let s = |t: &str| t.parse::<SpecificEntropy>().unwrap().j_per_kg_k();
    for text in [
        "6.5 kJ/kgK",
        "6.5 kJ/(kg K)",
        "6.5 kJ/kg/K",
        "6.5 kJ/(kg·K)",
        "6.5 KJ/KGK",
    ] {
        assert!(close(s(text), 6500.0), "{text}");
    }
    assert!(close(s("6500 J/(kg K)"), 6500.0));
    let cp = |t: &str| t.parse::<SpecificHeatCapacity>().unwrap().j_per_kg_k();
    assert!(close(cp("4.19 kJ/kgK"), 4190.0));
    assert!(close(cp("1 Btu/(lb °F)"), 4186.8));
}

#[test]
fn velocity_units() {
    let v = |s: &str| s.parse::<Velocity>().unwrap().m_per_s();
    assert!(close(v("30 m/s"), 30.0));
    assert!(close(v("36 km/h"), 10.0));
    assert!(close(v("100 ft/s"), 30.48));
}

#[test]
fn conductivity_and_film_coefficient_units() {
    let k = |s: &str| s.parse::<ThermalConductivity>().unwrap().w_per_m_k();
    assert!(close(k("0.04 W/mK"), 0.04));
    assert!(close(k("0.04 W/(m K)"), 0.04));
    assert!(close(k("0.04 W/(m·K)"), 0.04));
    assert!(close(k("40 mW/mK"), 0.04));
    assert!((k("1 Btu/(h ft °F)") - 1.730_735).abs() < 1e-6);
    assert!((k("0.25 Btu in/(h ft2 °F)") - 0.036_057).abs() < 1e-6);
    let h = |s: &str| s.parse::<HeatTransferCoefficient>().unwrap().w_per_m2_k();
    assert!(close(h("10 W/m2K"), 10.0));
    assert!((h("1 Btu/(h ft2 °F)") - 5.678_263).abs() < 1e-6);
}

#[test]
fn power_energy_and_linear_heat_flow_units() {
    let w = |s: &str| s.parse::<Power>().unwrap().w();
    assert!(close(w("5 W"), 5.0));
    assert!(close(w("5 kW"), 5e3));
    assert!(close(w("5 MW"), 5e6));
    assert!(
        close(w("5 mw"), 5e6),
        "lower-case mw is not a proper milliwatt spelling"
    );
    assert!(matches!(
        "5 mW".parse::<Power>(),
        Err(UnitError::AmbiguousPrefix { .. })
    ));
    assert!((w("3412.14 Btu/h") - 1000.0).abs() < 1e-3);
    let j = |s: &str| s.parse::<Energy>().unwrap().j();
    assert!(close(j("1 kWh"), 3.6e6));
    assert!(close(j("1 MWh"), 3.6e9));
    assert!(close(j("1 GJ"), 1e9));
    assert!(close(j("1 MJ"), 1e6));
    assert!(close(j("1 kJ"), 1e3));
    assert!(close(j("1 MMBtu"), 1.055_055_852_62e9));
    let q = |s: &str| s.parse::<LinearHeatFlow>().unwrap().w_per_m();
    assert!(close(q("150 W/m"), 150.0));
    assert!((q("1 Btu/(h ft)") - 0.961_519).abs() < 1e-6);
}

#[test]
fn duration_units() {
    let s = |t: &str| t.parse::<Duration>().unwrap().s();
    assert!(close(s("30 s"), 30.0));
    assert!(close(s("2 h"), 7200.0));
    assert!(close(s("8760 h"), 8760.0 * 3600.0));
    assert!(close(s("1 d"), 86_400.0));
    assert!(close(s("1 years"), 8760.0 * 3600.0));
    assert!(close(s("10 yr"), 87_600.0 * 3600.0));
}

#[test]
fn viscosity_volume_density_and_pressure_difference_units() {
    let mu = |s: &str| s.parse::<DynamicViscosity>().unwrap().pa_s();
    assert!(close(mu("1.8e-5 Pa s"), 1.8e-5));
    assert!(close(mu("1.8e-5 Pa·s"), 1.8e-5));
    assert!(
        close(mu("0.89 mPa s"), 0.89e-3),
        "here the milli prefix is meant"
    );
    assert!(close(mu("0.89 cP"), 0.89e-3));
    assert!(close(mu("15 µPa s"), 15e-6));
    assert!(matches!(
        "1 MPa s".parse::<DynamicViscosity>(),
        Err(UnitError::AmbiguousPrefix { .. })
    ));
    assert!(close(
        "0.194 m3/kg".parse::<SpecificVolume>().unwrap().m3_per_kg(),
        0.194
    ));
    assert!(close(
        "5.15 kg/m3".parse::<Density>().unwrap().kg_per_m3(),
        5.15
    ));
    assert!(close(
        "1 g/cm3".parse::<Density>().unwrap().kg_per_m3(),
        1000.0
    ));
    let dp = |s: &str| s.parse::<PressureDifference>().unwrap().pa();
    assert!(close(dp("0.5 bar"), 5e4));
    assert!(close(dp("-20 kPa"), -2e4), "a difference may be negative");
    assert!(close(dp("2 psi"), 2.0 * PSI_PA));
    assert!(
        "0.5 barg".parse::<PressureDifference>().is_err(),
        "a difference has no gauge"
    );
}

#[test]
fn the_trait_and_from_str_agree() {
    assert_eq!(
        Pressure::parse_quantity("10 barg"),
        "10 barg".parse::<Pressure>()
    );
}

/// Within one table, two units must never share a spelling once case and
/// punctuation are ignored: the case-insensitive match would pick one at random.
#[test]
fn spellings_are_unambiguous_within_each_table() {
    let tables = [
        &PRESSURE,
        &PRESSURE_DIFFERENCE,
        &TEMPERATURE,
        &TEMPERATURE_DIFFERENCE,
        &SPECIFIC_ENTHALPY,
        &SPECIFIC_ENTROPY,
        &SPECIFIC_VOLUME,
        &DENSITY,
        &VELOCITY,
        &MASS_FLOW,
        &LENGTH,
        &AREA,
        &POWER,
        &LINEAR_HEAT_FLOW,
        &ENERGY,
        &THERMAL_CONDUCTIVITY,
        &HEAT_TRANSFER_COEFFICIENT,
        &DYNAMIC_VISCOSITY,
        &DURATION,
    ];
    for table in tables {
        for (i, a) in table.units.iter().enumerate() {
            for b in table.units.iter().skip(i + 1) {
                for sa in a.spellings {
                    for sb in b.spellings {
                        assert_ne!(
                            normalise(sa),
                            normalise(sb),
                            "{}: {sa} vs {sb}",
                            table.quantity
                        );
                    }
                }
            }
        }
        // Each spelling parses as its own unit.
        for unit in table.units {
            for spelling in unit.spellings {
                let si = table.parse_si(&format!("2 {spelling}"));
                assert!(si.is_ok(), "{}: {spelling}: {si:?}", table.quantity);
            }
        }
    }
}

proptest! {
    #[test]
    fn parsing_never_panics(text in ".{0,24}") {
        let _ = text.parse::<Pressure>();
        let _ = text.parse::<Temperature>();
        let _ = text.parse::<TemperatureDifference>();
        let _ = text.parse::<MassFlow>();
        let _ = text.parse::<ThermalConductivity>();
        let _ = text.parse::<DynamicViscosity>();
    }

    #[test]
    fn any_finite_number_round_trips(value in -1e12f64..1e12, unit in prop::sample::select(vec!["kg/s", "kg/h", "t/h", "lb/h"])) {
        let text = format!("{value} {unit}");
        let parsed = text.parse::<MassFlow>().unwrap();
        prop_assert!(parsed.is_finite());
    }

    #[test]
    fn arbitrary_f64_gives_a_value_or_an_error(value: f64) {
        let text = format!("{value} bar");
        match text.parse::<Pressure>() {
            Ok(p) => prop_assert!(p.is_finite() && p.pa() >= 0.0),
            Err(e) => prop_assert!(!(value * 1e5).is_finite() || value < 0.0, "{e}"),
        }
    }
}
