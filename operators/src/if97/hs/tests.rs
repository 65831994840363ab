use super::*;
use crate::if97::test_support::{assert_rel, region3_grid};

// ---------------------------------------------------------------------------
// Verification values of SR4-04(2014).

/// SR4-04(2014) table 5: p3a(h,s) and p3b(h,s).
#[test]
fn sr4_04_table_5_p3_hs() {
    let table = [
        (1700.0, 3.8, 25.557_032_46),
        (2000.0, 4.2, 45.408_734_68),
        (2100.0, 4.3, 60.781_233_40),
        (2600.0, 5.1, 34.349_992_63),
        (2400.0, 4.7, 63.639_248_87),
        (2700.0, 5.0, 88.390_432_81),
    ];
    for (h, s, p) in table {
        assert_rel("p3(h,s)", p3_hs(h, s), p, 1e-8);
    }
}

/// SR4-04(2014) table 11: h'1(s) and h'3a(s).
#[test]
fn sr4_04_table_11_saturated_liquid() {
    for (s, h) in [
        (1.0, 308.550_964_7),
        (2.0, 700.630_447_2),
        (3.0, 1198.359754),
    ] {
        assert_rel("h'1(s)", h1_saturated_liquid(s), h, 1e-8);
    }
    for (s, h) in [(3.8, 1685.025565), (4.0, 1816.891476), (4.2, 1949.352563)] {
        assert_rel("h'3a(s)", h3a_saturated_liquid(s), h, 1e-8);
    }
}

/// SR4-04(2014) table 18: h''2ab(s) and h''2c3b(s).
#[test]
fn sr4_04_table_18_saturated_vapour() {
    for (s, h) in [(7.0, 2723.729985), (8.0, 2599.047210), (9.0, 2511.861477)] {
        assert_rel("h''2ab(s)", h2ab_saturated_vapour(s), h, 1e-8);
    }
    for (s, h) in [(5.5, 2687.693850), (5.0, 2451.623609), (4.5, 2144.360448)] {
        assert_rel("h''2c3b(s)", h2c3b_saturated_vapour(s), h, 1e-8);
    }
}

/// SR4-04(2014) check values of eq. 7, hB13(s).
#[test]
fn sr4_04_eq_7_hb13_check_values() {
    for (s, h) in [(3.7, 1632.525047), (3.6, 1593.027214), (3.5, 1566.104611)] {
        assert_rel("hB13(s)", h_b13(s), h, 1e-8);
    }
}

/// SR4-04(2014) table 26: TB23(h,s).
#[test]
fn sr4_04_table_26_tb23_hs() {
    for (h, s, t) in [
        (2600.0, 5.1, 713.525_936_4),
        (2700.0, 5.15, 768.534_553_2),
        (2800.0, 5.2, 817.620_212_0),
    ] {
        assert_rel("TB23(h,s)", t_b23_hs(h, s), t, 1e-8);
    }
}

/// SR4-04(2014) table 29: Tsat(h,s).
#[test]
fn sr4_04_table_29_tsat_hs() {
    for (h, s, t) in [
        (1800.0, 5.3, 346.847_549_8),
        (2400.0, 6.0, 425.137_330_5),
        (2500.0, 5.5, 522.557_901_3),
    ] {
        assert_rel("Tsat(h,s)", t_sat_hs(h, s), t, 1e-8);
    }
}

// ---------------------------------------------------------------------------
// Region 3 from (h, s), which needs no other region.

/// (ρ, T) states of single-phase region 3: above B23, at most 100 MPa, and
/// below Tc only well inside the liquid (ρ'(623.15 K) ≈ 575 kg/m³).
fn region3_states() -> Vec<(f64, f64)> {
    let mut states = region3_grid();
    // Vapour between B23 and the saturation line, and near the critical point.
    states.extend([
        (140.0, 635.0),
        (160.0, 642.0),
        (200.0, 646.0),
        (330.0, 648.0),
        (300.0, 650.0),
    ]);
    states
}

/// p3(h,s) agrees with the forward equation within the release's
/// tolerance, |Δp/p| ≤ 0.01 % (SR4-04(2014) section 3); a mistyped
/// coefficient anywhere shows up here.
#[test]
fn p3_hs_is_consistent_with_the_forward_equation() {
    for (rho, t) in region3_states() {
        let props = region3::props(rho, t);
        let p = p3_hs(props.h, props.s);
        assert!(
            ((p - props.p) / props.p).abs() <= 1e-4,
            "p3(h,s) at rho = {rho}, T = {t}: {p} vs {}",
            props.p
        );
    }
}

/// (ρ, T) → (h, s) → (ρ, T) through the backward equations and the Newton
/// refinement, to 1e-9.
#[test]
fn region3_hs_round_trip() {
    for (rho, t) in region3_states() {
        let props = region3::props(rho, t);
        let (r, tt) =
            rho_t_hs(props.h, props.s).unwrap_or_else(|e| panic!("rho = {rho}, T = {t}: {e}"));
        assert_rel(&format!("rho at rho = {rho}, T = {t}"), r, rho, 1e-9);
        assert_rel(&format!("T at rho = {rho}, T = {t}"), tt, t, 1e-9);
    }
}

/// The boundary equations in (h, s) agree with each other where they meet.
#[test]
fn boundary_equations_meet() {
    // h'1 and h'3a at s'(623.15 K), hB13 and h'1 there too.
    let (a, b) = (
        h1_saturated_liquid(S_LIQUID_623),
        h3a_saturated_liquid(S_LIQUID_623),
    );
    assert!((a - b).abs() < 0.1, "h'1 {a} vs h'3a {b}");
    let c = h_b13(S_LIQUID_623);
    assert!((a - c).abs() < 0.1, "h'1 {a} vs hB13 {c}");
    // h'3a and h''2c3b at the critical point.
    let (a, b) = (h3a_saturated_liquid(S_C), h2c3b_saturated_vapour(S_C));
    assert!((a - b).abs() < 0.1, "h'3a {a} vs h''2c3b {b}");
    // h''2c3b and h''2ab at s = 5.85.
    let (a, b) = (h2c3b_saturated_vapour(S_2BC), h2ab_saturated_vapour(S_2BC));
    assert!((a - b).abs() < 0.1, "h''2c3b {a} vs h''2ab {b}");
}

// ---------------------------------------------------------------------------
// solve_hs over every region. These need regions 1, 2, 4 and 5, the B23
// boundary and the saturated densities of region 3.

fn round_trip_pt(region: Region, p: f64, t: f64) {
    let props = match region {
        Region::R1 => region1::props(p, t),
        Region::R2 => region2::props(p, t),
        _ => region5::props(p, t),
    };
    let at = format!("{region:?} at p = {p} MPa, T = {t} K");
    match solve_hs(props.h, props.s) {
        Ok(Point::PT {
            region: found,
            p: pp,
            t: tt,
        }) => {
            assert_eq!(found, region, "{at}");
            assert_rel(&format!("T, {at}"), tt, t, 1e-9);
            assert_rel(&format!("p, {at}"), pp, p, 1e-8);
        }
        other => panic!("{at}: {other:?}"),
    }
}

#[test]
fn solve_hs_region1_round_trips() {
    for p in [0.001, 0.1, 1.0, 3.0, 10.0, 16.0, 30.0, 60.0, 100.0] {
        for t in [
            273.16, 280.0, 300.0, 350.0, 400.0, 450.0, 500.0, 550.0, 600.0, 623.0,
        ] {
            if p > region4::psat(t) * 1.0001 {
                round_trip_pt(Region::R1, p, t);
            }
        }
    }
}

#[test]
fn solve_hs_region2_round_trips() {
    for p in [
        0.000_1, 0.001, 0.01, 0.1, 1.0, 5.0, 10.0, 16.0, 20.0, 40.0, 70.0, 100.0,
    ] {
        for t in [
            273.16, 300.0, 400.0, 500.0, 600.0, 650.0, 700.0, 800.0, 900.0, 1000.0, 1073.0,
        ] {
            let below_b23 = if t <= T_13 {
                p < region4::psat(t) * 0.9999
            } else {
                t > T_B23_MAX || p < boundaries::b23_p(t) * 0.9999
            };
            if below_b23 {
                round_trip_pt(Region::R2, p, t);
            }
        }
    }
}

#[test]
fn solve_hs_region5_round_trips() {
    for p in [0.001, 0.1, 1.0, 10.0, 30.0, 50.0] {
        for t in [1080.0, 1300.0, 1600.0, 2000.0, 2273.0] {
            round_trip_pt(Region::R5, p, t);
        }
    }
}

#[test]
fn solve_hs_region3_round_trips() {
    for (rho, t) in region3_states() {
        let props = region3::props(rho, t);
        match solve_hs(props.h, props.s) {
            Ok(Point::RhoT { rho: r, t: tt }) => {
                assert_rel("rho", r, rho, 1e-9);
                assert_rel("T", tt, t, 1e-9);
            }
            other => panic!("rho = {rho}, T = {t}: {other:?}"),
        }
    }
}

/// Wet steam: (T, x) → (h, s) → (T, x), below and above 623.15 K.
#[test]
fn solve_hs_wet_steam_round_trips() {
    for t in [
        273.16, 280.0, 300.0, 373.15, 450.0, 520.0, 600.0, 623.0, 630.0, 640.0, 646.0,
    ] {
        let p = region4::psat(t);
        let (liquid, vapour) = saturated_props(p, t).expect("saturation");
        for x in [0.0, 0.001, 0.1, 0.5, 0.9, 0.999, 1.0] {
            let (h, s) = (
                liquid.h + x * (vapour.h - liquid.h),
                liquid.s + x * (vapour.s - liquid.s),
            );
            let at = format!("T = {t} K, x = {x}");
            match solve_hs(h, s) {
                Ok(Point::TwoPhase {
                    p: pp,
                    t: tt,
                    x: xx,
                }) => {
                    assert_rel(&format!("T, {at}"), tt, t, 1e-9);
                    assert_rel(&format!("p, {at}"), pp, p, 1e-8);
                    assert!((xx - x).abs() < 1e-8, "x {xx}, {at}");
                }
                // The saturated phases themselves may come back as single-phase states.
                Ok(Point::PT { p: pp, t: tt, .. }) if x == 0.0 || x == 1.0 => {
                    assert_rel(&format!("T, {at}"), tt, t, 1e-9);
                    assert_rel(&format!("p, {at}"), pp, p, 1e-8);
                }
                Ok(Point::RhoT { t: tt, .. }) if x == 0.0 || x == 1.0 => {
                    assert_rel(&at, tt, t, 1e-9)
                }
                other => panic!("{at}: {other:?}"),
            }
        }
    }
}

/// The saturated phases at 623.15 K, where regions 1, 2, 3 and 4 meet, and
/// just either side: each (h', s') and (h'', s'') is solved to a state that
/// reproduces it, at the saturation temperature. Saturated vapour at
/// 623.15 K is first solved in region 3 just below its 623.15 K edge, then
/// handed on; a failed iteration in the zone tried next must not end the
/// search.
#[test]
fn solve_hs_saturated_phases_at_623_k() {
    // (h'', s'') at 623.15 K from regions 1 and 2, as reported.
    let mut cases = vec![(623.15, 2_563.592_003_888_412_4, 5.210_887_824_930_745)];
    for t in [
        623.15 - 1e-6,
        623.15 - 1e-9,
        623.15,
        623.15 + 1e-9,
        623.15 + 1e-6,
    ] {
        let (liquid, vapour) = saturated_props(region4::psat(t), t).expect("saturation");
        cases.push((t, liquid.h, liquid.s));
        cases.push((t, vapour.h, vapour.s));
    }
    for (t, h, s) in cases {
        let at = format!("T = {t} K, h = {h}, s = {s}");
        let point = solve_hs(h, s).unwrap_or_else(|e| panic!("{at}: {e}"));
        let state = crate::if97::state::evaluate(point).expect("evaluates");
        assert_rel(&format!("h, {at}"), state.h.kj_per_kg(), h, 1e-9);
        assert_rel(&format!("s, {at}"), state.s.kj_per_kg_k(), s, 1e-9);
        assert!((state.t.kelvin() - t).abs() < 1e-5, "T, {at}: {state:?}");
    }
}

/// Tsat(h,s) of SR4-04 agrees with the forward equations within the
/// release's tolerance (|ΔT| ≤ 25 mK).
#[test]
fn solve_hs_tsat_hs_is_consistent() {
    for t in [280.0, 320.0, 380.0, 450.0, 520.0, 580.0, 620.0] {
        let p = region4::psat(t);
        let (liquid, vapour) = saturated_props(p, t).expect("saturation");
        for x in [0.3, 0.6, 0.95] {
            let (h, s) = (
                liquid.h + x * (vapour.h - liquid.h),
                liquid.s + x * (vapour.s - liquid.s),
            );
            if s >= S_VAPOUR_623 {
                assert!(
                    (t_sat_hs(h, s) - t).abs() <= 25e-3,
                    "T = {t}, x = {x}: {}",
                    t_sat_hs(h, s)
                );
            }
        }
    }
}

/// Region 3 at 100 MPa and T, by bisection on the density.
fn region3_at_100_mpa(t: f64) -> Props {
    let (mut lo, mut hi) = (300.0, 900.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if region3::p(mid, t) > 100.0 {
            hi = mid
        } else {
            lo = mid
        }
    }
    region3::props(lo, t)
}

/// Points outside IF97 give a clear error, never a state or a panic.
#[test]
fn solve_hs_out_of_range() {
    let below_273 = [
        (-50.0, 0.5),    // under the 273.15 K wet line
        (2400.0, 9.5),   // vapour colder than 273.15 K
        (-10.0, -0.005), // compressed liquid colder than 273.15 K
    ];
    for (h, s) in below_273 {
        match solve_hs(h, s) {
            Err(If97Error::NoSolution(why)) => {
                assert!(why.contains("273.15 K"), "({h}, {s}): {why}")
            }
            other => panic!("({h}, {s}): {other:?}"),
        }
    }
    // Above 100 MPa in regions 1, 3 and 2: 50 kJ/kg above the isobar at
    // constant entropy, that is at a higher pressure.
    let on_isobar = [
        region1::props(100.0, 400.0),
        region3_at_100_mpa(700.0),
        region2::props(100.0, 1000.0),
    ];
    for (h, s) in on_isobar.map(|props| (props.h + 50.0, props.s)) {
        match solve_hs(h, s) {
            Err(If97Error::NoSolution(why)) => {
                assert!(why.contains("100 MPa"), "({h}, {s}): {why}")
            }
            other => panic!("({h}, {s}): {other:?}"),
        }
    }
    // Beyond region 5.
    for (h, s) in [(8000.0, 9.0), (5000.0, 6.2)] {
        match solve_hs(h, s) {
            Err(If97Error::NoSolution(why)) => {
                assert!(why.contains("region 5"), "({h}, {s}): {why}")
            }
            other => panic!("({h}, {s}): {other:?}"),
        }
    }
    assert!(matches!(
        solve_hs(100.0, -1.0),
        Err(If97Error::OutOfRange { .. })
    ));
    assert!(matches!(
        solve_hs(f64::NAN, 1.0),
        Err(If97Error::NotFinite { .. })
    ));
    assert!(matches!(
        solve_hs(100.0, f64::INFINITY),
        Err(If97Error::NotFinite { .. })
    ));
}

/// No (h, s) makes the solver panic.
#[test]
fn solve_hs_never_panics() {
    for ih in -4..=40 {
        for is in -4..=60 {
            let (h, s) = (250.0 * f64::from(ih), 0.25 * f64::from(is));
            let _ = solve_hs(h, s);
        }
    }
    for (h, s) in [
        (f64::MAX, 1.0),
        (1.0, f64::MAX),
        (f64::MIN, f64::MIN),
        (0.0, 0.0),
        (-0.0, 1e-300),
    ] {
        let _ = solve_hs(h, s);
    }
}

/// A deterministic xorshift sequence in [0, 1), for reproducible sampling.
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// (h, s) of states sampled over regions 1, 2, 3 and 5, many of them within
/// a hair of a region boundary or the saturation line, and of wet steam.
/// Every one is found and reproduces its h and s to 1e-11, and its (p, T)
/// to 1e-8 — except next to the boundaries between regions 1, 2, 3 and 5,
/// where IF97's regions overlap by their consistency tolerance and the
/// state found may be the neighbouring region's (checked to 1e-3).
#[test]
fn solve_hs_sampled_states() {
    let mut rnd = uniform(0x9E37_79B9_7F4A_7C15);
    // (state, tolerance on p and T)
    let mut states = Vec::new();
    for k in 0..30_000 {
        let (p, t, tolerance) = match k % 8 {
            0 => {
                let t = 273.16 + (647.0 - 273.16) * rnd();
                (region4::psat(t) * (1.0 + (rnd() - 0.5) * 1e-6), t, 1e-8)
            }
            1 => (16.53 + 83.47 * rnd(), T_13 + (rnd() - 0.5) * 1e-4, 1e-3),
            2 => {
                let t = T_13 + 240.0 * rnd();
                (boundaries::b23_p(t) * (1.0 + (rnd() - 0.5) * 1e-6), t, 1e-3)
            }
            3 => (50.0 * rnd(), T_25 + (rnd() - 0.5) * 1e-4, 1e-3),
            4 => (100.0 * (1.0 - 1e-6 * rnd()), 273.16 + 1800.0 * rnd(), 1e-3),
            5 => (10f64.powf(-3.2 + 3.0 * rnd()), 273.16 + 1e-4 * rnd(), 1e-8),
            6 => (
                10f64.powf(-4.0 + 6.0 * rnd()),
                273.16 + 2000.0 * rnd(),
                1e-3,
            ),
            _ => (100.0 * rnd(), 273.16 + 800.0 * rnd(), 1e-3),
        };
        let (p, t) = (p.min(100.0), t.min(T_MAX));
        if let Ok(point) = crate::if97::solve::point_pt(p, t) {
            states.push((
                crate::if97::state::evaluate(point).expect("state"),
                tolerance,
            ));
        }
    }
    for _ in 0..5_000 {
        let t = T_MIN + (TC - T_MIN) * rnd();
        let wet = Point::TwoPhase {
            p: region4::psat(t),
            t,
            x: rnd(),
        };
        states.push((crate::if97::state::evaluate(wet).expect("wet"), 1e-8));
    }
    for (state, tolerance) in states {
        let (h, s) = (state.h.kj_per_kg(), state.s.kj_per_kg_k());
        let at = format!(
            "{:?} at p = {}, T = {}",
            state.region,
            state.p.mpa(),
            state.t.kelvin()
        );
        let point = solve_hs(h, s).unwrap_or_else(|e| panic!("{at}: {e}"));
        let found = crate::if97::state::evaluate(point).expect("evaluates");
        assert!(
            (found.h.kj_per_kg() - h).abs() <= 1e-11 * h.abs().max(H_SCALE_MIN),
            "h, {at}: {point:?}"
        );
        assert!(
            (found.s.kj_per_kg_k() - s).abs() <= 1e-11 * s.abs().max(S_SCALE_MIN),
            "s, {at}: {point:?}"
        );
        assert_rel(
            &format!("T, {at}: {point:?}"),
            found.t.kelvin(),
            state.t.kelvin(),
            tolerance,
        );
        assert_rel(
            &format!("p, {at}: {point:?}"),
            found.p.mpa(),
            state.p.mpa(),
            tolerance,
        );
    }
}

/// What the solver assumes of the forward equations: along the 1073.15 K
/// isotherm of region 2 h falls as p rises (so its 100 MPa value bounds it
/// from below), and region 1 has its lowest entropy at (100 MPa, 273.15 K).
#[test]
fn shapes_the_solver_relies_on() {
    let mut previous = f64::INFINITY;
    for i in 0..=400 {
        let p = 10f64.powf(-6.0 + 8.0 * f64::from(i) / 400.0);
        let h = region2::props(p, T_25).h;
        assert!(h < previous, "h(1073.15 K) rises at p = {p}");
        previous = h;
    }
    let lowest = region1::props(P_MAX, T_MIN).s;
    assert!(
        (lowest - -0.008_582).abs() < 1e-5,
        "s(100 MPa, 273.15 K) = {lowest}"
    );
    for i in 0..=100 {
        let p = region4::psat(T_MIN) + (P_MAX - region4::psat(T_MIN)) * f64::from(i) / 100.0;
        assert!(region1::props(p, T_MIN).s >= lowest);
        assert!(region1::props(P_MAX, T_MIN + 3.5 * f64::from(i)).s >= lowest);
    }
}
