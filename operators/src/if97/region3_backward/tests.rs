use super::*;
use crate::if97::test_support::{assert_rel, region3_grid};

/// SR3-03(2014) table 5: T3a(p,h) and T3b(p,h).
#[test]
fn sr3_03_table_5_t_ph() {
    let table = [
        (20.0, 1700.0, 629.308_389_2),
        (50.0, 2000.0, 690.571_833_8),
        (100.0, 2100.0, 733.616_301_4),
        (20.0, 2500.0, 641.841_805_3),
        (50.0, 2400.0, 735.184_861_8),
        (100.0, 2700.0, 842.046_087_6),
    ];
    for (p, h, t) in table {
        assert_rel("T3(p,h)", t3_ph(p, h), t, 1e-8);
    }
    // The first three are 3a, the last three 3b.
    for (p, h, t) in &table[..3] {
        assert!(*h <= h3ab(*p));
        assert_rel("T3a(p,h)", t3a_ph(*p, *h), *t, 1e-8);
    }
    for (p, h, t) in &table[3..] {
        assert!(*h > h3ab(*p));
        assert_rel("T3b(p,h)", t3b_ph(*p, *h), *t, 1e-8);
    }
}

/// SR3-03(2014) table 8: v3a(p,h) and v3b(p,h).
#[test]
fn sr3_03_table_8_v_ph() {
    let table = [
        (20.0, 1700.0, 1.749_903_962e-3),
        (50.0, 2000.0, 1.908_139_035e-3),
        (100.0, 2100.0, 1.676_229_776e-3),
        (20.0, 2500.0, 6.670_547_043e-3),
        (50.0, 2400.0, 2.801_244_590e-3),
        (100.0, 2700.0, 2.404_234_998e-3),
    ];
    for (p, h, v) in table {
        assert_rel("v3(p,h)", v3_ph(p, h), v, 1e-8);
    }
}

/// SR3-03(2014) table 12: T3a(p,s) and T3b(p,s).
#[test]
fn sr3_03_table_12_t_ps() {
    let table = [
        (20.0, 3.8, 628.295_986_9),
        (50.0, 3.6, 629.715_872_6),
        (100.0, 4.0, 705.688_023_7),
        (20.0, 5.0, 640.117_644_3),
        (50.0, 4.5, 716.368_751_7),
        (100.0, 5.0, 847.433_282_5),
    ];
    for (p, s, t) in table {
        assert_rel("T3(p,s)", t3_ps(p, s), t, 1e-8);
    }
}

/// SR3-03(2014) table 15: v3a(p,s) and v3b(p,s).
#[test]
fn sr3_03_table_15_v_ps() {
    let table = [
        (20.0, 3.8, 1.733_791_463e-3),
        (50.0, 3.6, 1.469_680_170e-3),
        (100.0, 4.0, 1.555_893_131e-3),
        (20.0, 5.0, 6.262_101_987e-3),
        (50.0, 4.5, 2.332_634_294e-3),
        (100.0, 5.0, 2.449_610_757e-3),
    ];
    for (p, s, v) in table {
        assert_rel("v3(p,s)", v3_ps(p, s), v, 1e-8);
    }
}

/// SR3-03(2014) eq. 1 check value: h3ab(25 MPa) = 2095.936454 kJ/kg.
#[test]
fn sr3_03_h3ab_check_value() {
    assert_rel("h3ab", h3ab(25.0), 2095.936454, 1e-8);
}

/// SR3-03(2014) table 18: p3sat(h).
#[test]
fn sr3_03_table_18_p3sat_h() {
    for (h, p) in [
        (1700.0, 17.241_757_18),
        (2000.0, 21.934_429_57),
        (2400.0, 20.180_908_39),
    ] {
        assert_rel("p3sat(h)", p3sat_h(h), p, 1e-8);
    }
}

/// SR3-03(2014) table 20: p3sat(s).
#[test]
fn sr3_03_table_20_p3sat_s() {
    for (s, p) in [
        (3.8, 16.877_550_57),
        (4.2, 21.644_517_89),
        (5.2, 16.689_684_82),
    ] {
        assert_rel("p3sat(s)", p3sat_s(s), p, 1e-8);
    }
}

/// The backward equations meet the release's consistency with the forward
/// equation, |ΔT| ≤ 25 mK and |Δv/v| ≤ 1e-4 (SR3-03(2014) sections 2 and 3),
/// over the whole grid. A mistyped coefficient anywhere shows up here even
/// when the verification points do not exercise it.
#[test]
fn backward_equations_are_consistent_with_the_forward_equation() {
    for (rho, t) in region3_grid() {
        let props = region3::props(rho, t);
        let (p, h, s, v) = (props.p, props.h, props.s, props.v);
        let at = format!("rho = {rho}, T = {t}, p = {p}");
        assert!(
            (t3_ph(p, h) - t).abs() <= 25e-3,
            "T3(p,h) at {at}: {}",
            t3_ph(p, h) - t
        );
        assert!(
            (t3_ps(p, s) - t).abs() <= 25e-3,
            "T3(p,s) at {at}: {}",
            t3_ps(p, s) - t
        );
        assert!(((v3_ph(p, h) - v) / v).abs() <= 1e-4, "v3(p,h) at {at}");
        assert!(((v3_ps(p, s) - v) / v).abs() <= 1e-4, "v3(p,s) at {at}");
    }
}

/// rho_t_ph(p, h(ρ,T)) and rho_t_ps(p, s(ρ,T)) return (ρ, T) to 1e-9, and
/// the refined state reproduces its inputs to 1e-12.
#[test]
fn round_trips_through_the_forward_equation() {
    for (rho, t) in region3_grid() {
        let props = region3::props(rho, t);
        let at = format!("rho = {rho}, T = {t}");
        let (r, tt) = rho_t_ph(props.p, props.h).unwrap_or_else(|e| panic!("(p,h) at {at}: {e}"));
        assert_rel(&format!("rho from (p,h) at {at}"), r, rho, 1e-9);
        assert_rel(&format!("T from (p,h) at {at}"), tt, t, 1e-9);
        let back = region3::props(r, tt);
        assert_rel("p", back.p, props.p, 1e-12);
        assert_rel("h", back.h, props.h, 1e-12);

        let (r, tt) = rho_t_ps(props.p, props.s).unwrap_or_else(|e| panic!("(p,s) at {at}: {e}"));
        assert_rel(&format!("rho from (p,s) at {at}"), r, rho, 1e-9);
        assert_rel(&format!("T from (p,s) at {at}"), tt, t, 1e-9);
        let back = region3::props(r, tt);
        assert_rel("p", back.p, props.p, 1e-12);
        assert_rel("s", back.s, props.s, 1e-12);
    }
}

/// States on the vapour side below Tc and close to the critical point,
/// which the grid leaves out.
#[test]
fn round_trips_near_saturation_and_the_critical_point() {
    // (ρ, T): vapour between B23 and the saturation line, and the
    // supercritical neighbourhood of the critical point.
    let states = [
        (140.0, 635.0),
        (160.0, 642.0),
        (200.0, 646.0),
        (330.0, 648.0),
        (300.0, 650.0),
    ];
    for (rho, t) in states {
        let props = region3::props(rho, t);
        let (r, tt) = rho_t_ph(props.p, props.h).expect("(p,h)");
        assert_rel("rho from (p,h)", r, rho, 1e-9);
        assert_rel("T from (p,h)", tt, t, 1e-9);
        let (r, tt) = rho_t_ps(props.p, props.s).expect("(p,s)");
        assert_rel("rho from (p,s)", r, rho, 1e-9);
        assert_rel("T from (p,s)", tt, t, 1e-9);
    }
}

/// Inputs no region 3 state has give an error, never a panic.
#[test]
fn impossible_inputs_are_errors() {
    for (p, y) in [
        (f64::NAN, 2000.0),
        (20.0, f64::INFINITY),
        (-5.0, 2000.0),
        (1e6, 1e6),
        (20.0, -1e9),
    ] {
        assert!(rho_t_ph(p, y).is_err(), "(p,h) = ({p}, {y})");
        assert!(rho_t_ps(p, y).is_err(), "(p,s) = ({p}, {y})");
    }
}
