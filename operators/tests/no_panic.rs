//! No input makes a public function panic: NaN, ±∞, zero, negative, tiny,
//! huge and out-of-range values get an error (or a value), never a crash.

use proptest::prelude::*;
use steamflow_operators::if97::{self, Saturation};
use steamflow_operators::units::*;

use crate::support::wild_f64;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn if97_pairs_never_panic(a in wild_f64(), b in wild_f64()) {
        let (p, t) = (Pressure::from_mpa(a), Temperature::from_kelvin(b));
        let (h, s) = (SpecificEnthalpy::from_kj_per_kg(a), SpecificEntropy::from_kj_per_kg_k(b));
        let _ = if97::state_pt(p, t);
        let _ = if97::h_pt(p, t);
        let _ = if97::region_pt(p, t);
        let _ = if97::metastable_vapour_pt(p, t);
        let _ = if97::state_ph(p, SpecificEnthalpy::from_kj_per_kg(b));
        let _ = if97::t_ph(p, SpecificEnthalpy::from_kj_per_kg(b));
        let _ = if97::state_ps(p, SpecificEntropy::from_kj_per_kg_k(b));
        let _ = if97::state_hs(h, s);
        let _ = if97::p_hs(h, s);
        let _ = if97::state_px(p, b);
        let _ = if97::state_tx(Temperature::from_kelvin(a), b);
        let _ = if97::saturation_temperature(p);
        let _ = if97::saturation_pressure(t);
        let _ = Saturation::at_pressure(p);
        let _ = Saturation::at_temperature(t);
    }

    /// Inputs near the edges of the regions, where solvers are most likely to misstep.
    #[test]
    fn if97_near_edges_never_panic(p in 0.0..110.0_f64, t in 260.0..2300.0_f64, h in -100.0..5000.0_f64, s in -1.0..13.0_f64) {
        let pressure = Pressure::from_mpa(p);
        let _ = if97::state_pt(pressure, Temperature::from_kelvin(t));
        let _ = if97::state_ph(pressure, SpecificEnthalpy::from_kj_per_kg(h));
        let _ = if97::state_ps(pressure, SpecificEntropy::from_kj_per_kg_k(s));
        let _ = if97::state_hs(SpecificEnthalpy::from_kj_per_kg(h), SpecificEntropy::from_kj_per_kg_k(s));
    }

    /// Every returned state is finite: errors are errors, not NaN results.
    #[test]
    fn if97_results_are_finite(p in 0.0..110.0_f64, t in 260.0..2300.0_f64) {
        if let Ok(state) = if97::state_pt(Pressure::from_mpa(p), Temperature::from_kelvin(t)) {
            for value in [state.v.m3_per_kg(), state.h.kj_per_kg(), state.s.kj_per_kg_k(), state.u.kj_per_kg()] {
                prop_assert!(value.is_finite(), "{state:?}");
            }
        }
    }

    #[test]
    fn unit_parsing_never_panics(text in proptest::string::string_regex(".{0,24}").unwrap(), number in wild_f64()) {
        let _ = Pressure::parse_quantity(&text);
        let _ = Temperature::parse_quantity(&text);
        let _ = MassFlow::parse_quantity(&text);
        let _ = Length::parse_quantity(&text);
        let with_unit = format!("{number} barg");
        let _ = Pressure::parse_quantity(&with_unit);
    }
}
