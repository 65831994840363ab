//! Every UDF library, loaded and called through the Arrow C data interface,
//! against `steamflow-operators` called directly.
//!
//! Each check sends one batch with the function's own valid and
//! out-of-range rows, plus, for every argument in turn, NULL, NaN, +∞ and
//! −∞ in an otherwise valid row. A NULL argument must give NULL (Arroyo
//! skips the call); every other row must give exactly what the operators
//! crate gives, NULL where it reports an error. The same batch is sent
//! again sliced (a non-zero Arrow offset), as an upstream operator may.

use std::collections::BTreeSet;

use arroyo_udf_plugin::arrow::array::{Array, Float64Array, Int64Array};
use steamflow_arroyo_udf::UDFS;
use steamflow_operators::analysis::leak::{self, OrificeLeak};
use steamflow_operators::analysis::{flash, heat_loss};
use steamflow_operators::economics;
use steamflow_operators::if97::{self, Saturation};
use steamflow_operators::units::{Length, Pressure, Temperature, ThermalConductivity};

use crate::plugin::{libraries, CallError, Plugin};

fn bar(p: f64) -> Pressure {
    Pressure::from_bar(p)
}

fn celsius(t: f64) -> Temperature {
    Temperature::from_celsius(t)
}

/// A row of arguments and whether it must give a value.
type Row<const N: usize> = ([f64; N], bool);

/// Runs the UDF `name` on `rows` plus NULL/NaN/±∞ variants of `rows[0]`
/// (which must be valid) and compares every row with `reference`.
fn check<const N: usize>(name: &str, rows: &[Row<N>], reference: impl Fn([f64; N]) -> Option<f64>) {
    let mut table: Vec<([Option<f64>; N], Option<bool>)> = rows
        .iter()
        .map(|(args, valid)| (args.map(Some), Some(*valid)))
        .collect();
    let (base, base_valid) = rows[0];
    assert!(base_valid, "{name}: the first row must be valid");
    for k in 0..N {
        let mut null = base.map(Some);
        null[k] = None;
        table.push((null, None));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut row = base;
            row[k] = bad;
            table.push((row.map(Some), Some(false)));
        }
    }

    let columns: Vec<Float64Array> = (0..N)
        .map(|k| table.iter().map(|(args, _)| args[k]).collect())
        .collect();
    let plugin = Plugin::load(name);
    let args: Vec<&dyn Array> = columns.iter().map(|c| c as &dyn Array).collect();
    let result = plugin
        .call(&args)
        .unwrap_or_else(|e| panic!("{name}: the call failed: {e:?}"));
    assert_eq!(result.len(), table.len(), "{name}: one result per row");

    for (i, (args, valid)) in table.iter().enumerate() {
        let got = result.is_valid(i).then(|| result.value(i));
        let expected = match args.iter().copied().collect::<Option<Vec<f64>>>() {
            None => None,
            Some(values) => {
                let values: [f64; N] = values.try_into().expect("N arguments");
                reference(values)
            }
        };
        if let Some(valid) = valid {
            // The row table itself is checked, so that a reference that
            // refuses everything cannot make the comparison vacuous.
            assert_eq!(
                expected.is_some(),
                *valid,
                "{name}{args:?}: steamflow-operators gives {expected:?}"
            );
        }
        match (got, expected) {
            (None, None) => {}
            (Some(got), Some(expected)) => assert!(
                (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                "{name}{args:?} = {got}, steamflow-operators gives {expected}"
            ),
            _ => panic!("{name}{args:?} = {got:?}, steamflow-operators gives {expected:?}"),
        }
    }

    // The same rows from offset 1: the library must honour the offset.
    let sliced: Vec<_> = columns.iter().map(|c| c.slice(1, c.len() - 1)).collect();
    let args: Vec<&dyn Array> = sliced.iter().map(|c| c as &dyn Array).collect();
    let tail = plugin
        .call(&args)
        .unwrap_or_else(|e| panic!("{name}: the sliced call failed: {e:?}"));
    let expected_tail = result.slice(1, result.len() - 1);
    assert_eq!(tail.len(), expected_tail.len(), "{name}: sliced length");
    for i in 0..tail.len() {
        assert_eq!(
            tail.is_valid(i),
            expected_tail.is_valid(i),
            "{name}: sliced row {i}"
        );
        if tail.is_valid(i) {
            assert_eq!(
                tail.value(i).to_bits(),
                expected_tail.value(i).to_bits(),
                "{name}: sliced row {i}"
            );
        }
    }
}

#[test]
fn every_catalogued_udf_is_built_as_its_own_library() {
    let built: BTreeSet<_> = libraries().keys().map(String::as_str).collect();
    let catalogued: BTreeSet<_> = UDFS.iter().map(|u| u.name).collect();
    assert_eq!(built, catalogued);
    for udf in UDFS {
        Plugin::load(udf.name);
    }
}

#[test]
fn steam_h_pt() {
    check(
        "steam_h_pt",
        &[
            ([10.0, 250.0], true),
            // IAPWS R7-97 table 5 points: regions 1, 2 and 5.
            ([30.0, 26.85], true),
            ([0.035, 426.85], true),
            ([5.0, 1226.85], true),
            ([250.0, 400.0], true),   // region 3
            ([1001.0, 100.0], false), // above 100 MPa
            ([600.0, 1200.0], false), // region 5 stops at 50 MPa
            ([10.0, -10.0], false),
            ([10.0, 2001.0], false),
            ([0.0, 100.0], false),
            ([-5.0, 100.0], false),
        ],
        |[p, t]| if97::h_pt(bar(p), celsius(t)).ok().map(|h| h.kj_per_kg()),
    );
    // R7-97 table 5: h(3 MPa, 300 K) = 115.331273 kJ/kg.
    let plugin = Plugin::load("steam_h_pt");
    let h = plugin
        .call(&[
            &Float64Array::from(vec![30.0]),
            &Float64Array::from(vec![26.85]),
        ])
        .expect("a result");
    assert!((h.value(0) - 115.331_273).abs() < 1e-6, "{}", h.value(0));
}

fn pt_rows() -> Vec<Row<2>> {
    vec![
        ([10.0, 250.0], true),
        ([30.0, 26.85], true),
        ([0.035, 426.85], true),
        ([250.0, 400.0], true),
        ([5.0, 1226.85], true),
        ([1001.0, 100.0], false),
        ([10.0, -10.0], false),
        ([0.0, 100.0], false),
    ]
}

#[test]
fn steam_s_pt() {
    check("steam_s_pt", &pt_rows(), |[p, t]| {
        if97::state_pt(bar(p), celsius(t))
            .ok()
            .map(|s| s.s.kj_per_kg_k())
    });
}

#[test]
fn steam_v_pt() {
    check("steam_v_pt", &pt_rows(), |[p, t]| {
        if97::state_pt(bar(p), celsius(t))
            .ok()
            .map(|s| s.v.m3_per_kg())
    });
}

#[test]
fn steam_rho_pt() {
    check("steam_rho_pt", &pt_rows(), |[p, t]| {
        if97::state_pt(bar(p), celsius(t))
            .ok()
            .map(|s| s.rho.kg_per_m3())
    });
}

#[test]
fn steam_h_px() {
    check(
        "steam_h_px",
        &[
            ([10.0, 0.9], true),
            ([10.0, 0.0], true),
            ([10.0, 1.0], true),
            ([200.0, 0.5], true), // saturated phases from region 3
            ([10.0, 1.01], false),
            ([10.0, -0.01], false),
            ([230.0, 0.5], false), // above the critical pressure
            ([0.006, 0.5], false), // below the triple point
        ],
        |[p, x]| if97::state_px(bar(p), x).ok().map(|s| s.h.kj_per_kg()),
    );
}

fn px_rows() -> Vec<Row<2>> {
    vec![
        ([10.0, 0.9], true),
        ([10.0, 0.0], true),
        ([200.0, 0.5], true),
        ([10.0, 1.01], false),
        ([230.0, 0.5], false),
    ]
}

#[test]
fn steam_s_px() {
    check("steam_s_px", &px_rows(), |[p, x]| {
        if97::state_px(bar(p), x).ok().map(|s| s.s.kj_per_kg_k())
    });
}

#[test]
fn steam_v_px() {
    check("steam_v_px", &px_rows(), |[p, x]| {
        if97::state_px(bar(p), x).ok().map(|s| s.v.m3_per_kg())
    });
}

#[test]
fn steam_rho_px() {
    check("steam_rho_px", &px_rows(), |[p, x]| {
        if97::state_px(bar(p), x).ok().map(|s| s.rho.kg_per_m3())
    });
}

#[test]
fn steam_tsat_p() {
    check(
        "steam_tsat_p",
        &[
            ([10.0], true),
            ([1.013_25], true),
            ([220.64], true),
            ([220.7], false),
            ([0.006], false),
            ([0.0], false),
            ([-1.0], false),
        ],
        |[p]| {
            if97::saturation_temperature(bar(p))
                .ok()
                .map(|t| t.celsius())
        },
    );
}

#[test]
fn steam_psat_t() {
    check(
        "steam_psat_t",
        &[
            ([100.0], true),
            ([0.0], true),
            ([373.9], true),
            ([374.0], false),
            ([-0.5], false),
        ],
        |[t]| if97::saturation_pressure(celsius(t)).ok().map(|p| p.bar()),
    );
}

#[test]
fn steam_latent_heat_p() {
    check(
        "steam_latent_heat_p",
        &[
            ([10.0], true),
            ([0.01], true),
            ([200.0], true),
            ([230.0], false),
            ([0.0], false),
        ],
        |[p]| {
            Saturation::at_pressure(bar(p))
                .ok()
                .map(|s| s.hfg().kj_per_kg())
        },
    );
}

#[test]
fn steam_superheat_pt() {
    check(
        "steam_superheat_pt",
        &[
            ([10.0, 250.0], true),
            ([10.0, 150.0], true), // subcooled: negative
            ([100.0, 600.0], true),
            ([230.0, 500.0], false), // supercritical: no saturation temperature
            ([0.006, 20.0], false),  // below the triple point
        ],
        |[p, t]| {
            if !t.is_finite() {
                return None;
            }
            let tsat = if97::saturation_temperature(bar(p)).ok()?;
            Some(t - tsat.celsius())
        },
    );
}

#[test]
fn flash_fraction() {
    check(
        "flash_fraction",
        &[
            ([11.013_25, 1.013_25], true),
            ([40.0, 5.0], true),
            ([5.0, 10.0], true), // up, not down: 0
            ([230.0, 1.0], false),
            ([10.0, 0.0], false),
            ([10.0, -1.0], false),
        ],
        |[from, to]| {
            flash::flash_fraction(bar(from), bar(to), None)
                .ok()
                .map(|f| f.fraction)
        },
    );
}

#[test]
fn steam_leak_kg_h() {
    check(
        "steam_leak_kg_h",
        &[
            ([11.0, 3.0], true),
            ([1.2, 10.0], true),   // subsonic: above 0.577 of the upstream
            ([1.0, 3.0], true),    // below the atmosphere: 0
            ([230.0, 3.0], false), // supercritical upstream
            ([11.0, 0.0], false),
            ([11.0, -3.0], false),
            ([0.0, 3.0], false),
        ],
        |[p, d]| {
            let leak = OrificeLeak::saturated_to_atmosphere(bar(p), Length::from_mm(d));
            leak::orifice_leak(&leak)
                .ok()
                .map(|rate| rate.mass_flow.kg_per_h())
        },
    );
}

#[test]
fn pipe_heat_loss_w_per_m() {
    check(
        "pipe_heat_loss_w_per_m",
        &[
            // Insulated first: then a NaN conductivity must give NULL too.
            ([180.0, 20.0, 114.3, 50.0, 0.04], true),
            ([180.0, 20.0, 114.3, 0.0, 0.04], true), // bare
            ([180.0, 20.0, 114.3, 0.0, f64::NAN], true), // bare: k unused
            ([10.0, 20.0, 60.3, 0.0, 0.0], true),    // colder than the air: a gain
            ([180.0, 20.0, 114.3, -1.0, 0.04], false),
            ([180.0, 20.0, 114.3, 50.0, 0.0], false),
            ([180.0, 20.0, 0.0, 0.0, 0.0], false),
            ([180.0, -300.0, 114.3, 0.0, 0.0], false),
        ],
        |[fluid, air, od, thickness, k]| {
            let mut input = heat_loss::PipeHeatLossInput::bare(
                celsius(fluid),
                celsius(air),
                Length::from_mm(od),
                Length::from_m(1.0),
            );
            if thickness != 0.0 {
                input.insulation = Some(heat_loss::Insulation {
                    thickness: Length::from_mm(thickness),
                    conductivity: ThermalConductivity::from_w_per_m_k(k),
                });
            }
            heat_loss::pipe_heat_loss(&input)
                .ok()
                .map(|loss| loss.per_length.w_per_m())
        },
    );
}

/// −investment now and the same saving at the end of each of `years` years.
fn annuity(investment: f64, saving: f64, years: f64) -> Option<Vec<f64>> {
    if years.fract() != 0.0 || !(1.0..=100.0).contains(&years) {
        return None;
    }
    let mut cashflows = vec![-investment];
    cashflows.extend(std::iter::repeat_n(saving, years as usize));
    Some(cashflows)
}

#[test]
fn npv_annuity() {
    check(
        "npv_annuity",
        &[
            ([0.08, 10_000.0, 2_500.0, 5.0], true),
            ([0.0, 10_000.0, 2_500.0, 5.0], true),
            ([-0.5, 1.0, 1.0, 100.0], true),
            ([0.08, 10_000.0, 2_500.0, 5.5], false), // not whole years
            ([0.08, 10_000.0, 2_500.0, 0.0], false),
            ([0.08, 10_000.0, 2_500.0, 101.0], false),
            ([-1.0, 10_000.0, 2_500.0, 5.0], false), // rate ≤ −1
        ],
        |[rate, investment, saving, years]| {
            economics::npv(rate, &annuity(investment, saving, years)?).ok()
        },
    );
}

#[test]
fn simple_payback_years() {
    check(
        "simple_payback_years",
        &[
            ([10_000.0, 4_000.0], true),
            ([0.0, 4_000.0], true),
            ([10_000.0, 0.0], false), // never pays back
            ([10_000.0, -5.0], false),
            ([-1.0, 4_000.0], false), // a negative investment
        ],
        |[investment, saving]| economics::simple_payback(investment, saving).ok()?,
    );
}

#[test]
fn discounted_payback_years() {
    check(
        "discounted_payback_years",
        &[
            ([0.1, 10_000.0, 4_000.0, 4.0], true),
            ([0.0, 10_000.0, 4_000.0, 10.0], true),
            ([0.1, 10_000.0, 4_000.0, 3.0], false), // not within 3 years
            ([0.1, 10_000.0, 4_000.0, 2.5], false),
            ([-1.5, 10_000.0, 4_000.0, 4.0], false),
        ],
        |[rate, investment, saving, years]| {
            economics::payback(&annuity(investment, saving, years)?, Some(rate)).ok()?
        },
    );
}

#[test]
fn an_empty_batch_gives_an_empty_result() {
    let empty = Float64Array::from(Vec::<f64>::new());
    let result = Plugin::load("steam_h_pt")
        .call(&[&empty, &empty])
        .expect("a result");
    assert_eq!(result.len(), 0);
}

#[test]
fn a_large_batch_matches_row_by_row() {
    // 0.1 to 300 bar and 0 to 800 °C: every region, many out of range.
    let n = 20_000;
    let p: Float64Array = (0..n).map(|i| 0.1 + (i % 200) as f64 * 1.5).collect();
    let t: Float64Array = (0..n).map(|i| (i / 200) as f64 * 8.0).collect();
    let result = Plugin::load("steam_h_pt")
        .call(&[&p, &t])
        .expect("a result");
    assert_eq!(result.len(), n);
    let mut values = 0;
    for i in 0..n {
        let expected = if97::h_pt(bar(p.value(i)), celsius(t.value(i)))
            .ok()
            .map(|h| h.kj_per_kg());
        let got = result.is_valid(i).then(|| result.value(i));
        assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "row {i}");
        values += usize::from(got.is_some());
    }
    assert!(values > n / 2, "only {values} of {n} rows had a value");
}

/// Arroyo checks types before it calls a UDF; if a host passed the wrong
/// type anyway, the library must report an error rather than crash the
/// worker — and stay usable.
#[test]
fn a_wrong_argument_type_is_an_error_not_a_crash() {
    let plugin = Plugin::load("steam_tsat_p");
    let wrong = Int64Array::from(vec![10, 20]);
    assert!(matches!(plugin.call(&[&wrong]), Err(CallError::Udf)));
    let right = Float64Array::from(vec![10.0]);
    let tsat = plugin.call(&[&right]).expect("a result after the error");
    assert!((tsat.value(0) - 179.88).abs() < 0.01, "{}", tsat.value(0));
}
