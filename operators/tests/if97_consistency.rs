//! Property tests of IF97's internal consistency through the public API:
//! every input pair leads back to the same state, h = u + p·v holds, and the
//! regions meet within the tolerances IF97 was fitted to.

use proptest::prelude::*;
use steamflow_operators::if97::{self, Region, Saturation};
use steamflow_operators::units::{Pressure, SpecificEnthalpy, Temperature};

use crate::support::rel;

/// (p [MPa], T [K]) drawn over the single-phase regions 1, 2, 3 and 5,
/// kept off the saturation line where (p, T) does not fix the state.
fn single_phase_pt() -> impl Strategy<Value = (f64, f64)> {
    prop_oneof![
        (0.001..100.0_f64, 273.16..1073.15_f64),
        (0.001..50.0_f64, 1073.2..2273.15_f64),
        (16.6..100.0_f64, 623.2..863.0_f64),
    ]
    .prop_filter("off the saturation line", |&(p, t)| {
        if97::saturation_pressure(Temperature::from_kelvin(t))
            .map(|ps| rel(ps.mpa(), p) > 1e-4)
            .unwrap_or(true)
    })
}

/// True when the region is the same 0.1 % away in p and 0.1 K away in T.
fn far_from_boundaries(p: f64, t: f64) -> bool {
    let region =
        |p: f64, t: f64| if97::region_pt(Pressure::from_mpa(p), Temperature::from_kelvin(t)).ok();
    let here = region(p, t);
    [(p * 1.001, t), (p * 0.999, t), (p, t + 0.1), (p, t - 0.1)]
        .iter()
        .all(|&(p, t)| region(p, t) == here)
}

fn state_at(p: f64, t: f64) -> if97::State {
    if97::state_pt(Pressure::from_mpa(p), Temperature::from_kelvin(t)).expect("in range")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// h = u + p·v in every single-phase region (p·v in kJ/kg is MPa·m³/kg·1000).
    #[test]
    fn enthalpy_is_internal_energy_plus_flow_work((p, t) in single_phase_pt()) {
        let s = state_at(p, t);
        let pv = s.p.mpa() * s.v.m3_per_kg() * 1e3;
        prop_assert!(rel(s.h.kj_per_kg(), s.u.kj_per_kg() + pv) < 1e-9 || (s.h.kj_per_kg() - s.u.kj_per_kg() - pv).abs() < 1e-9);
    }

    /// T(p, h(p, T)) = T: the (p, h) solver inverts the forward equations.
    #[test]
    fn ph_inverts_pt((p, t) in single_phase_pt()) {
        let s = state_at(p, t);
        let back = if97::state_ph(s.p, s.h).expect("(p,h) of a valid state");
        prop_assert!(rel(back.t.kelvin(), t) < 1e-9, "T {} -> {}", t, back.t.kelvin());
        prop_assert_eq!(back.region, s.region);
    }

    /// T(p, s(p, T)) = T.
    #[test]
    fn ps_inverts_pt((p, t) in single_phase_pt()) {
        let s = state_at(p, t);
        let back = if97::state_ps(s.p, s.s).expect("(p,s) of a valid state");
        prop_assert!(rel(back.t.kelvin(), t) < 1e-9, "T {} -> {}", t, back.t.kelvin());
    }

    /// (p, T) from (h(p,T), s(p,T)) in regions 1 to 3, where IF97 defines (h, s) equations.
    #[test]
    fn hs_inverts_pt((p, t) in single_phase_pt().prop_filter("not region 5", |&(_, t)| t <= 1073.15)) {
        // Right at a region boundary the neighbouring regions' equations differ
        // slightly (within IF97's consistency), so one (h, s) can belong to a
        // state of either region; the inversion is exact only away from them.
        prop_assume!(far_from_boundaries(p, t));
        let s = state_at(p, t);
        let back = if97::state_hs(s.h, s.s).expect("(h,s) of a valid state");
        prop_assert!(rel(back.p.mpa(), p) < 1e-8, "p {} -> {}", p, back.p.mpa());
        prop_assert!(rel(back.t.kelvin(), t) < 1e-9, "T {} -> {}", t, back.t.kelvin());
    }

    /// Wet steam: (p, x) and (p, h) of the same mixture agree, and x is recovered.
    #[test]
    fn wet_steam_round_trip(p in 0.000_7..22.0_f64, x in 0.0..=1.0_f64) {
        let wet = if97::state_px(Pressure::from_mpa(p), x).expect("wet steam");
        prop_assert_eq!(wet.region, Region::R4);
        let back = if97::state_ph(wet.p, wet.h).expect("(p,h) of wet steam");
        let x_back = back.x.unwrap_or(if back.region == Region::R4 { f64::NAN } else { x });
        prop_assert!((x_back - x).abs() < 1e-9, "x {} -> {}", x, x_back);
    }

    /// The saturation line is one line: Tsat(psat(T)) = T.
    #[test]
    fn saturation_round_trip(t in 273.15..647.096_f64) {
        let p = if97::saturation_pressure(Temperature::from_kelvin(t)).unwrap();
        let back = if97::saturation_temperature(p).unwrap();
        prop_assert!(rel(back.kelvin(), t) < 1e-12);
    }
}

/// IF97 was fitted so that neighbouring regions agree on their common
/// boundary to 0.05 % in v, 0.2 kJ/kg in h, 0.2 J/(kg K) in s, 1 % in cp and
/// w (the consistency requirements of Wagner et al., "The IAPWS Industrial
/// Formulation 1997", J. Eng. Gas Turbines Power 122 (2000), section on the
/// consistency at region boundaries).
fn assert_consistent(a: &if97::State, b: &if97::State, where_: &str) {
    assert!(
        rel(a.v.m3_per_kg(), b.v.m3_per_kg()) < 5e-4,
        "v at {where_}: {a:?} vs {b:?}"
    );
    assert!(
        (a.h.kj_per_kg() - b.h.kj_per_kg()).abs() < 0.2,
        "h at {where_}"
    );
    assert!(
        (a.s.kj_per_kg_k() - b.s.kj_per_kg_k()).abs() < 2e-4,
        "s at {where_}"
    );
    assert!(
        rel(a.cp.unwrap().kj_per_kg_k(), b.cp.unwrap().kj_per_kg_k()) < 1e-2,
        "cp at {where_}"
    );
    assert!(
        rel(a.w.unwrap().m_per_s(), b.w.unwrap().m_per_s()) < 1e-2,
        "w at {where_}"
    );
}

/// Regions 1 and 3 along T = 623.15 K: the state just below and just above.
#[test]
fn regions_1_and_3_meet_at_623_k() {
    for i in 0..=40 {
        let p = 16.6 + (100.0 - 16.6) * f64::from(i) / 40.0;
        let below = state_at(p, 623.15);
        let above = state_at(p, 623.15 + 1e-9);
        assert_eq!(
            (below.region, above.region),
            (Region::R1, Region::R3),
            "p = {p}"
        );
        assert_consistent(&below, &above, &format!("p = {p} MPa, T = 623.15 K"));
    }
}

/// Regions 2 and 3 along the B23 line.
#[test]
fn regions_2_and_3_meet_on_b23() {
    // Strictly inside: at 623.15 K region 1 borders region 2, and at 863.15 K
    // B23 reaches 100 MPa, the top of region 3.
    for i in 1..40 {
        let t = 623.15 + (863.15 - 623.15) * f64::from(i) / 40.0;
        // Find p on B23 from the region change itself.
        let (mut lo, mut hi) = (16.5, 100.0);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            let region =
                if97::region_pt(Pressure::from_mpa(mid), Temperature::from_kelvin(t)).unwrap();
            if region == Region::R3 {
                hi = mid
            } else {
                lo = mid
            }
        }
        let (vapour, dense) = (state_at(lo, t), state_at(hi, t));
        assert_eq!(
            (vapour.region, dense.region),
            (Region::R2, Region::R3),
            "T = {t}"
        );
        assert_consistent(&vapour, &dense, &format!("T = {t} K on B23"));
    }
}

/// Regions 2 and 5 along T = 1073.15 K (p ≤ 50 MPa).
#[test]
fn regions_2_and_5_meet_at_1073_k() {
    for i in 1..=40 {
        let p = 50.0 * f64::from(i) / 40.0;
        let two = state_at(p, 1073.15);
        let five = state_at(p, 1073.15 + 1e-9);
        assert_eq!((two.region, five.region), (Region::R2, Region::R5));
        assert_consistent(&two, &five, &format!("p = {p} MPa, T = 1073.15 K"));
    }
}

/// Saturated liquid from the saturation calculator equals region 1 (or 3) on
/// the line, and the latent heat vanishes at the critical point.
#[test]
fn saturation_matches_the_single_phase_regions() {
    let sat = Saturation::at_pressure(Pressure::from_mpa(1.0)).unwrap();
    // R7-97(2012) table 35/36: Tsat(1 MPa) = 0.453035632e3 K.
    assert!(rel(sat.t.kelvin(), 453.035_632) < 1e-8);
    // A hair below Tsat, region 1 gives the saturated liquid's enthalpy (cp·ΔT ≈ 4e-7 kJ/kg).
    let liquid = if97::state_pt(sat.p, Temperature::from_kelvin(sat.t.kelvin() - 1e-7)).unwrap();
    assert_eq!(liquid.region, Region::R1);
    assert!(rel(liquid.h.kj_per_kg(), sat.liquid.h.kj_per_kg()) < 1e-8);
    let critical = Saturation::at_temperature(Temperature::from_kelvin(647.096)).unwrap();
    assert!(
        critical.hfg().kj_per_kg().abs() < 1.0,
        "hfg at Tc = {}",
        critical.hfg()
    );
}

/// At psat(623.15 K), where the saturated phases pass from regions 1 and 2 to
/// region 3, and one ulp either side: a wet state located from (p, h), (p, s)
/// or (p, x) reproduces the h, s or x it was located from. The solvers and
/// the evaluation of the saturated phases must take them from the same side.
#[test]
fn wet_steam_round_trip_at_psat_623_k() {
    let p623 = if97::constants::P_SAT_623;
    for p in [p623.next_down(), p623, p623.next_up()] {
        let pressure = Pressure::from_mpa(p);
        let sat = Saturation::at_pressure(pressure).unwrap();
        for x in [0.001, 0.3, 0.7, 0.999] {
            let wet = if97::state_px(pressure, x).unwrap();
            assert!((wet.x.unwrap() - x).abs() < 1e-15);
            let same = sat.wet(x).unwrap();
            assert!(rel(same.h.kj_per_kg(), wet.h.kj_per_kg()) < 1e-15);

            let from_h = if97::state_ph(pressure, wet.h).unwrap();
            assert!(
                rel(from_h.h.kj_per_kg(), wet.h.kj_per_kg()) < 1e-13,
                "p = {p:.17}, x = {x}: h {} -> {}",
                wet.h.kj_per_kg(),
                from_h.h.kj_per_kg()
            );
            assert!(
                (from_h.x.unwrap() - x).abs() < 1e-12,
                "p = {p:.17}, x = {x}"
            );

            let from_s = if97::state_ps(pressure, wet.s).unwrap();
            assert!(
                rel(from_s.s.kj_per_kg_k(), wet.s.kj_per_kg_k()) < 1e-13,
                "p = {p:.17}, x = {x}: s {} -> {}",
                wet.s.kj_per_kg_k(),
                from_s.s.kj_per_kg_k()
            );
            assert!(
                (from_s.x.unwrap() - x).abs() < 1e-12,
                "p = {p:.17}, x = {x}"
            );
        }
        // The reported case: h = 2563.592 kJ/kg, within the dome at these pressures.
        let h = SpecificEnthalpy::from_kj_per_kg(2563.592);
        let state = if97::state_ph(pressure, h).unwrap();
        assert_eq!(state.region, Region::R4, "p = {p:.17}");
        assert!(
            rel(state.h.kj_per_kg(), 2563.592) < 1e-13,
            "p = {p:.17}: h -> {}",
            state.h.kj_per_kg()
        );
    }
}

/// The quantity an out-of-range error names.
fn out_of_range_quantity(result: if97::Result<if97::State>) -> &'static str {
    match result {
        Err(if97::If97Error::OutOfRange { quantity, .. }) => quantity,
        other => panic!("expected an out-of-range error, got {other:?}"),
    }
}

/// The metastable-vapour equation holds from the triple-point pressure to
/// 10 MPa, between the saturated-vapour line and the 5 % equilibrium-moisture
/// line (R7-97(2012) section 6.2); outside, the error names the quantity out
/// of range.
#[test]
fn metastable_vapour_range() {
    let at = |p: f64, t: f64| {
        if97::metastable_vapour_pt(Pressure::from_mpa(p), Temperature::from_kelvin(t))
    };
    // R7-97(2012) table 18 lies inside: h = 2768.81115, 2740.15123, 2721.34539 kJ/kg.
    for (p, t, h) in [
        (1.0, 450.0, 0.276_881_115e4),
        (1.0, 440.0, 0.274_015_123e4),
        (1.5, 450.0, 0.272_134_539e4),
    ] {
        let state = at(p, t).unwrap();
        assert!(rel(state.h.kj_per_kg(), h) < 1e-8, "({p}, {t})");
    }
    // Deep in the liquid, and far below the 5 % moisture line.
    assert_eq!(out_of_range_quantity(at(10.0, 300.0)), "temperature [K]");
    assert_eq!(out_of_range_quantity(at(1.0, 400.0)), "temperature [K]");
    // Above the saturation temperature the vapour is stable, not metastable.
    assert_eq!(out_of_range_quantity(at(1.0, 460.0)), "temperature [K]");
    // Pressure above 10 MPa or below the triple point.
    assert_eq!(out_of_range_quantity(at(11.0, 580.0)), "pressure [MPa]");
    assert_eq!(out_of_range_quantity(at(0.0005, 273.15)), "pressure [MPa]");
    // The 5 % line itself: at 1 MPa the equilibrium dryness of the metastable
    // state falls through 0.95 between 420 K and 425 K.
    let sat = Saturation::at_pressure(Pressure::from_mpa(1.0)).unwrap();
    let dryness = |t: f64| {
        let h = at(1.0, t).map(|s| s.h.kj_per_kg());
        h.map(|h| (h - sat.liquid.h.kj_per_kg()) / sat.hfg().kj_per_kg())
    };
    let mut t = sat.t.kelvin();
    while let Ok(x) = dryness(t) {
        assert!(x >= 0.95, "T = {t}: x = {x}");
        t -= 0.5;
    }
    assert!(t < sat.t.kelvin() - 5.0, "the range is not empty: {t}");
    assert_eq!(out_of_range_quantity(at(1.0, t)), "temperature [K]");
}

/// At the critical point the saturated phases are one: h'' − h' = 0 and
/// v'' = v', whether it is reached by pressure (eq. 31 puts Tsat(pc)
/// 1.2e-9 K below Tc) or by temperature; and the latent heat falls steadily
/// to zero as Tc is approached.
#[test]
fn latent_heat_vanishes_at_the_critical_point() {
    let by_pressure = Saturation::at_pressure(Pressure::from_mpa(22.064)).unwrap();
    let by_temperature = Saturation::at_temperature(Temperature::from_kelvin(647.096)).unwrap();
    for sat in [by_pressure, by_temperature] {
        assert_eq!(sat.hfg().kj_per_kg(), 0.0, "{sat:?}");
        assert_eq!(sat.liquid.v, sat.vapour.v, "{sat:?}");
        assert_eq!(sat.liquid.s, sat.vapour.s, "{sat:?}");
    }
    let mut previous = f64::INFINITY;
    for k in 0..=32 {
        let t = 647.096 - 10f64.powf(-0.25 * f64::from(k));
        let sat = Saturation::at_temperature(Temperature::from_kelvin(t)).unwrap();
        let hfg = sat.hfg().kj_per_kg();
        assert!(hfg > 0.0 && hfg < previous, "T = {t} K: hfg = {hfg}");
        previous = hfg;
    }
    assert!(previous < 0.05, "hfg 1e-8 K below Tc = {previous}");
}
