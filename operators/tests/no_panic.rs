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

mod calculators {
    //! The same for every public calculator of `analysis`, `economics` and
    //! `transport`: each input is wild in turn and together.

    use proptest::prelude::*;
    use steamflow_operators::analysis::balance::{
        ConsumerFlow, KnownLosses, energy_balance, mass_balance,
    };
    use steamflow_operators::analysis::condensate::{CondensateRecoveryInput, condensate_recovery};
    use steamflow_operators::analysis::flash::flash_fraction;
    use steamflow_operators::analysis::heat_loss::*;
    use steamflow_operators::analysis::leak::*;
    use steamflow_operators::analysis::pressure_drop::*;
    use steamflow_operators::analysis::trap_loss::{TrapFailure, TrapLossInput, trap_loss};
    use steamflow_operators::economics::{
        SteamCostInput, irr, npv, payback, simple_payback, steam_cost,
    };
    use steamflow_operators::if97;
    use steamflow_operators::transport::{
        air_properties, mcadams_viscosity, steam_viscosity, viscosity_pt, water_viscosity,
    };
    use steamflow_operators::units::*;

    use crate::support::wild_f64;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn steam_calculators_never_panic(v in proptest::collection::vec(wild_f64(), 8)) {
            let p = |i: usize| Pressure::from_pa(v[i]);
            let t = |i: usize| Temperature::from_kelvin(v[i]);
            let len = |i: usize| Length::from_m(v[i]);
            let m = |i: usize| MassFlow::from_kg_per_s(v[i]);
            let _ = flash_fraction(p(0), p(1), Some(t(2)));
            let _ = flash_fraction(p(0), p(1), None);
            let condition = [
                SteamCondition::DrySaturated,
                SteamCondition::Wet(v[3]),
                SteamCondition::Superheated(t(3)),
            ];
            let exponent = [IsentropicExponent::Auto, IsentropicExponent::Fixed(v[5])];
            for c in condition {
                for e in exponent {
                    let _ = orifice_leak(&OrificeLeak {
                        upstream_pressure: p(0),
                        condition: c,
                        downstream_pressure: p(1),
                        diameter: len(2),
                        discharge_coefficient: v[4],
                        exponent: e,
                    });
                }
                let mut trap = TrapLossInput::blow_through(p(0), len(2));
                trap.condition = c;
                trap.failure = TrapFailure::Leaking { open_area_fraction: v[6] };
                trap.steam_cost_per_tonne = v[7];
                let _ = trap_loss(&trap);
            }
            let _ = critical_pressure_ratio(v[0]);
            let _ = isentropic_mass_flux(p(0), Density::from_kg_per_m3(v[1]), v[2], v[3]);
            let _ = napier_flow(Area::from_m2(v[0]), p(1));
            let mut pipe = PipeHeatLossInput::bare(t(0), t(1), len(2), len(3));
            let _ = pipe_heat_loss(&pipe);
            pipe.insulation = Some(Insulation {
                thickness: len(4),
                conductivity: ThermalConductivity::from_w_per_m_k(v[5]),
            });
            pipe.emissivity = v[6];
            pipe.wind_speed = Velocity::from_m_per_s(v[7]);
            let _ = pipe_heat_loss(&pipe);
            let _ = condensation_rate_at_pressure(Power::from_w(v[0]), p(1));
            for nusselt in [
                churchill_chu_horizontal_cylinder(v[0], v[1]),
                churchill_bernstein(v[0], v[1]),
                mixed_convection(v[0], v[1]),
            ] {
                prop_assert!(nusselt.map_or(true, f64::is_finite));
            }
            let _ = friction_factor(v[0], v[1]);
            let _ = colebrook(v[0], v[1]);
            let _ = flow_regime(v[0]);
            let _ = reynolds(m(0), len(1), DynamicViscosity::from_pa_s(v[2]));
            let _ = pressure_drop(&PipeFlow {
                mass_flow: m(0),
                inner_diameter: len(1),
                length: len(2),
                roughness: len(3),
                density: Density::from_kg_per_m3(v[4]),
                viscosity: DynamicViscosity::from_pa_s(v[5]),
                fittings_k: v[6],
                elevation_change: len(7),
                inlet_pressure: Some(p(0)),
            });
            let _ = check_velocity(Velocity::from_m_per_s(v[0]), VelocityLimits::SATURATED_STEAM);
            if let Ok(state) = if97::state_pt(p(0), t(1)) {
                let _ = PipeFlow::steam(&state, m(2), len(3), len(4));
                let _ = steam_viscosity(&state);
            }
        }

        #[test]
        fn balances_economics_and_transport_never_panic(v in proptest::collection::vec(wild_f64(), 10)) {
            let m = |i: usize| MassFlow::from_kg_per_s(v[i]);
            let h = |i: usize| SpecificEnthalpy::from_j_per_kg(v[i]);
            let losses = KnownLosses { pipe: m(1), trap: m(2), leak: m(3), flash: m(4) };
            let _ = mass_balance(m(0), &[m(5), m(6)], &losses);
            let consumer = ConsumerFlow { mass_flow: m(5), steam_enthalpy: h(6), condensate_enthalpy: h(7) };
            let _ = energy_balance(m(0), h(1), h(2), &[consumer]);
            let _ = condensate_recovery(&CondensateRecoveryInput {
                condensate_produced: m(0),
                condensate_returned: m(1),
                return_temperature: Temperature::from_kelvin(v[2]),
                makeup_temperature: Temperature::from_kelvin(v[3]),
                boiler_efficiency: v[4],
                fuel_price_per_gj: v[5],
                water_price_per_tonne: v[6],
                treatment_price_per_tonne: v[7],
                operating_time_per_year: Duration::from_h(v[8]),
            });
            let mut cost = SteamCostInput::fuel_only(v[0], v[1], h(2), h(3));
            cost.makeup_fraction = v[4];
            cost.co2_kg_per_gj_fuel = v[5];
            let _ = steam_cost(&cost);
            let _ = npv(v[0], &v[1..]);
            let _ = irr(&v);
            let _ = payback(&v, Some(v[0]));
            let _ = payback(&v, None);
            let _ = simple_payback(v[0], v[1]);
            let _ = water_viscosity(Density::from_kg_per_m3(v[0]), Temperature::from_kelvin(v[1]));
            let _ = viscosity_pt(Pressure::from_pa(v[0]), Temperature::from_kelvin(v[1]));
            let _ = air_properties(Temperature::from_kelvin(v[0]), Pressure::from_pa(v[1]));
            let _ = mcadams_viscosity(DynamicViscosity::from_pa_s(v[0]), DynamicViscosity::from_pa_s(v[1]), v[2]);
        }
    }
}
