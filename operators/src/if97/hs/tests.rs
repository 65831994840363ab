use super::*;

fn assert_rel(actual: f64, expected: f64, tol: f64, what: &str) {
    let rel = ((actual - expected) / expected).abs();
    assert!(
        rel <= tol,
        "{what}: {actual} vs {expected} (relative error {rel:e})"
    );
}

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
        assert_rel(p3_hs(h, s), p, 1e-8, "p3(h,s)");
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
        assert_rel(h1_saturated_liquid(s), h, 1e-8, "h'1(s)");
    }
    for (s, h) in [(3.8, 1685.025565), (4.0, 1816.891476), (4.2, 1949.352563)] {
        assert_rel(h3a_saturated_liquid(s), h, 1e-8, "h'3a(s)");
    }
}

/// SR4-04(2014) table 18: h''2ab(s) and h''2c3b(s).
#[test]
fn sr4_04_table_18_saturated_vapour() {
    for (s, h) in [(7.0, 2723.729985), (8.0, 2599.047210), (9.0, 2511.861477)] {
        assert_rel(h2ab_saturated_vapour(s), h, 1e-8, "h''2ab(s)");
    }
    for (s, h) in [(5.5, 2687.693850), (5.0, 2451.623609), (4.5, 2144.360448)] {
        assert_rel(h2c3b_saturated_vapour(s), h, 1e-8, "h''2c3b(s)");
    }
}

/// SR4-04(2014) check values of eq. 7, hB13(s).
#[test]
fn sr4_04_eq_7_hb13_check_values() {
    for (s, h) in [(3.7, 1632.525047), (3.6, 1593.027214), (3.5, 1566.104611)] {
        assert_rel(h_b13(s), h, 1e-8, "hB13(s)");
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
        assert_rel(t_b23_hs(h, s), t, 1e-8, "TB23(h,s)");
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
        assert_rel(t_sat_hs(h, s), t, 1e-8, "Tsat(h,s)");
    }
}

// ---------------------------------------------------------------------------
// Region 3 from (h, s), which needs no other region.

/// The B23 line, R7-97(2012) eq. 5, only to pick test points in region 3.
fn b23_p(t: f64) -> f64 {
    0.348_051_856_289_69e3 - 0.116_718_598_799_75e1 * t + 0.101_929_700_393_26e-2 * t * t
}

/// (ρ, T) states of single-phase region 3: above B23, at most 100 MPa, and
/// below Tc only well inside the liquid (ρ'(623.15 K) ≈ 575 kg/m³).
fn region3_states() -> Vec<(f64, f64)> {
    let mut states = Vec::new();
    for it in 0..=24 {
        let t = 623.15 + 10.0 * f64::from(it);
        for ir in 0..=34 {
            let rho = 100.0 + 20.0 * f64::from(ir);
            let p = region3::p(rho, t);
            if p <= 100.0 && p > b23_p(t) && (t > TC || rho >= 620.0) {
                states.push((rho, t));
            }
        }
    }
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
        assert_rel(r, rho, 1e-9, &format!("rho at rho = {rho}, T = {t}"));
        assert_rel(tt, t, 1e-9, &format!("T at rho = {rho}, T = {t}"));
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
            assert_rel(tt, t, 1e-9, &format!("T, {at}"));
            assert_rel(pp, p, 1e-8, &format!("p, {at}"));
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
                assert_rel(r, rho, 1e-9, "rho");
                assert_rel(tt, t, 1e-9, "T");
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
                    assert_rel(tt, t, 1e-9, &format!("T, {at}"));
                    assert_rel(pp, p, 1e-8, &format!("p, {at}"));
                    assert!((xx - x).abs() < 1e-8, "x {xx}, {at}");
                }
                // The saturated phases themselves may come back as single-phase states.
                Ok(Point::PT { p: pp, t: tt, .. }) if x == 0.0 || x == 1.0 => {
                    assert_rel(tt, t, 1e-9, &format!("T, {at}"));
                    assert_rel(pp, p, 1e-8, &format!("p, {at}"));
                }
                Ok(Point::RhoT { t: tt, .. }) if x == 0.0 || x == 1.0 => {
                    assert_rel(tt, t, 1e-9, &at)
                }
                other => panic!("{at}: {other:?}"),
            }
        }
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
    // Above 100 MPa in regions 1, 3 and 2.
    for (h, s) in [(600.0, 1.0), (2000.0, 4.0), (3500.0, 6.0)] {
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
