//! Each steam function against a direct call of `steamflow_operators`, on
//! arrays that hold ordinary values, NULL, NaN, infinities and values
//! outside each function's range; and published reference values.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Float64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use steamflow_operators::analysis::flash::flash_fraction;
use steamflow_operators::analysis::heat_loss::{Insulation, PipeHeatLossInput, pipe_heat_loss};
use steamflow_operators::analysis::leak::{OrificeLeak, orifice_leak};
use steamflow_operators::economics;
use steamflow_operators::if97::{self, Saturation};
use steamflow_operators::units::{Length, Pressure, Temperature, ThermalConductivity};
use steamflow_sql::{new_session, query};

const PRESSURES_BAR: &[Option<f64>] = &[
    Some(1.01325),
    Some(10.0),
    Some(30.0),
    Some(250.0),
    None,
    Some(f64::NAN),
    Some(f64::INFINITY),
    Some(-5.0),
    Some(2000.0),
];
const TEMPERATURES_C: &[Option<f64>] = &[
    Some(20.0),
    Some(180.0),
    Some(400.0),
    Some(1500.0),
    None,
    Some(f64::NAN),
    Some(-300.0),
    Some(3000.0),
];
const FRACTIONS: &[Option<f64>] = &[
    Some(0.0),
    Some(0.5),
    Some(1.0),
    None,
    Some(f64::NAN),
    Some(1.5),
];

fn bar(p: f64) -> Pressure {
    Pressure::from_bar(p)
}

fn celsius(t: f64) -> Temperature {
    Temperature::from_celsius(t)
}

/// Every combination of the candidate values, as columns a0, a1, ….
fn cross(candidates: &[&[Option<f64>]]) -> Vec<Vec<Option<f64>>> {
    let mut rows: Vec<Vec<Option<f64>>> = vec![Vec::new()];
    for values in candidates {
        rows = rows
            .into_iter()
            .flat_map(|row| {
                values.iter().map(move |value| {
                    let mut next = row.clone();
                    next.push(*value);
                    next
                })
            })
            .collect();
    }
    rows
}

/// Runs `function(a0, a1, …)` over the rows in SQL and checks each result
/// against `expected` (None: NULL); returns how many rows were out of
/// range (non-NULL inputs, NULL result).
async fn check(
    function: &str,
    candidates: &[&[Option<f64>]],
    expected: impl Fn(&[f64]) -> Option<f64>,
) -> u64 {
    check_with_answers_that_are_null(function, candidates, expected, |_| false).await
}

/// Like [`check`], where `null_answer(row)` says that a NULL result is the
/// answer for that row (a payback that never comes), not an error.
async fn check_with_answers_that_are_null(
    function: &str,
    candidates: &[&[Option<f64>]],
    expected: impl Fn(&[f64]) -> Option<f64>,
    null_answer: impl Fn(&[f64]) -> bool,
) -> u64 {
    let rows = cross(candidates);
    let arity = candidates.len();
    let fields: Vec<Field> = (0..arity)
        .map(|i| Field::new(format!("a{i}"), DataType::Float64, true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let columns: Vec<Arc<dyn Array>> = (0..arity)
        .map(|i| {
            Arc::new(Float64Array::from(
                rows.iter().map(|row| row[i]).collect::<Vec<_>>(),
            )) as Arc<dyn Array>
        })
        .collect();
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).unwrap();
    let ctx = new_session();
    ctx.register_table(
        "inputs",
        Arc::new(MemTable::try_new(schema, vec![vec![batch]]).unwrap()),
    )
    .unwrap();
    let args: Vec<String> = (0..arity).map(|i| format!("a{i}")).collect();
    let before = errors(&ctx, function).await;
    let answer = query(
        &ctx,
        &format!("SELECT {function}({}) AS r FROM inputs", args.join(", ")),
    )
    .await
    .unwrap();
    let results: Vec<Option<f64>> = answer
        .batches
        .iter()
        .flat_map(|batch| {
            let column = batch
                .column(0)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap();
            (0..column.len())
                .map(|i| column.is_valid(i).then(|| column.value(i)))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(results.len(), rows.len(), "{function}: one result per row");
    let mut out_of_range = 0;
    for (row, got) in rows.iter().zip(&results) {
        let want = if row.iter().any(Option::is_none) {
            None
        } else {
            let values: Vec<f64> = row.iter().map(|v| v.unwrap()).collect();
            let want = expected(&values);
            if want.is_none() && !null_answer(&values) {
                out_of_range += 1;
            }
            want
        };
        assert_eq!(
            got.map(f64::to_bits),
            want.map(f64::to_bits),
            "{function}{row:?}: got {got:?}, operators say {want:?}"
        );
    }
    assert!(
        out_of_range > 0,
        "{function}: the inputs must include out-of-range rows"
    );
    assert!(
        results.iter().any(Option::is_some),
        "{function}: some rows must compute"
    );
    let after = errors(&ctx, function).await;
    assert_eq!(
        after - before,
        out_of_range,
        "{function}: every out-of-range row is counted"
    );
    out_of_range
}

async fn errors(ctx: &datafusion::prelude::SessionContext, function: &str) -> u64 {
    let answer = query(ctx, &format!("SELECT udf_errors('{function}')"))
        .await
        .unwrap();
    let column = answer.batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<datafusion::arrow::array::UInt64Array>()
        .unwrap();
    column.value(0)
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

#[tokio::test]
async fn pt_properties_match_operators() {
    let pt: &[&[Option<f64>]] = &[PRESSURES_BAR, TEMPERATURES_C];
    check("steam_h_pt", pt, |a| {
        finite(if97::h_pt(bar(a[0]), celsius(a[1])).ok()?.kj_per_kg())
    })
    .await;
    let state = |a: &[f64]| if97::state_pt(bar(a[0]), celsius(a[1])).ok();
    check("steam_s_pt", pt, |a| finite(state(a)?.s.kj_per_kg_k())).await;
    check("steam_v_pt", pt, |a| finite(state(a)?.v.m3_per_kg())).await;
    check("steam_rho_pt", pt, |a| finite(state(a)?.rho.kg_per_m3())).await;
    check("steam_superheat_pt", pt, |a| {
        let tsat = if97::saturation_temperature(bar(a[0])).ok()?;
        finite(a[1]).map(|t| t - tsat.celsius())
    })
    .await;
}

#[tokio::test]
async fn px_properties_match_operators() {
    let px: &[&[Option<f64>]] = &[PRESSURES_BAR, FRACTIONS];
    let state = |a: &[f64]| if97::state_px(bar(a[0]), a[1]).ok();
    check("steam_h_px", px, |a| finite(state(a)?.h.kj_per_kg())).await;
    check("steam_s_px", px, |a| finite(state(a)?.s.kj_per_kg_k())).await;
    check("steam_v_px", px, |a| finite(state(a)?.v.m3_per_kg())).await;
    check("steam_rho_px", px, |a| finite(state(a)?.rho.kg_per_m3())).await;
}

#[tokio::test]
async fn saturation_functions_match_operators() {
    check("steam_tsat_p", &[PRESSURES_BAR], |a| {
        finite(if97::saturation_temperature(bar(a[0])).ok()?.celsius())
    })
    .await;
    check("steam_psat_t", &[TEMPERATURES_C], |a| {
        finite(if97::saturation_pressure(celsius(a[0])).ok()?.bar())
    })
    .await;
    check("steam_latent_heat_p", &[PRESSURES_BAR], |a| {
        finite(Saturation::at_pressure(bar(a[0])).ok()?.hfg().kj_per_kg())
    })
    .await;
}

#[tokio::test]
async fn calculators_match_operators() {
    let low: &[Option<f64>] = &[Some(1.01325), Some(3.0), None, Some(f64::NAN), Some(-1.0)];
    check("flash_fraction", &[PRESSURES_BAR, low], |a| {
        finite(flash_fraction(bar(a[0]), bar(a[1]), None).ok()?.fraction)
    })
    .await;
    let diameters: &[Option<f64>] = &[
        Some(3.0),
        Some(6.35),
        None,
        Some(f64::NAN),
        Some(-2.0),
        Some(0.0),
    ];
    check("steam_leak_kg_h", &[PRESSURES_BAR, diameters], |a| {
        let leak = OrificeLeak::saturated_to_atmosphere(bar(a[0]), Length::from_mm(a[1]));
        finite(orifice_leak(&leak).ok()?.mass_flow.kg_per_h())
    })
    .await;
    let fluid: &[Option<f64>] = &[Some(180.0), Some(f64::NAN), None];
    let air: &[Option<f64>] = &[Some(20.0), Some(-400.0)];
    let od: &[Option<f64>] = &[Some(114.3), Some(-1.0)];
    let thickness: &[Option<f64>] = &[Some(0.0), Some(50.0)];
    let k: &[Option<f64>] = &[Some(0.04), Some(-0.04)];
    check(
        "pipe_heat_loss_w_per_m",
        &[fluid, air, od, thickness, k],
        |a| {
            let mut input = PipeHeatLossInput::bare(
                celsius(a[0]),
                celsius(a[1]),
                Length::from_mm(a[2]),
                Length::from_m(1.0),
            );
            if a[3] != 0.0 {
                input.insulation = Some(Insulation {
                    thickness: Length::from_mm(a[3]),
                    conductivity: ThermalConductivity::from_w_per_m_k(a[4]),
                });
            }
            finite(pipe_heat_loss(&input).ok()?.per_length.w_per_m())
        },
    )
    .await;
}

#[tokio::test]
async fn economics_match_operators() {
    let rates: &[Option<f64>] = &[Some(0.08), Some(-2.0), None, Some(f64::NAN)];
    let investments: &[Option<f64>] = &[Some(5000.0), Some(-1.0)];
    let savings: &[Option<f64>] = &[Some(2000.0), Some(-100.0), Some(0.0)];
    let years: &[Option<f64>] = &[Some(5.0), Some(2.5), Some(0.0)];
    let annuity = |a: &[f64]| {
        let mut cashflows = vec![-a[1]];
        cashflows.extend(std::iter::repeat_n(a[2], a[3] as usize));
        cashflows
    };
    let whole = |n: f64| n.fract() == 0.0 && (1.0..=100.0).contains(&n);
    check("npv_annuity", &[rates, investments, savings, years], |a| {
        if !whole(a[3]) {
            return None;
        }
        finite(economics::npv(a[0], &annuity(a)).ok()?)
    })
    .await;
    check_with_answers_that_are_null(
        "discounted_payback_years",
        &[rates, investments, savings, years],
        |a| {
            if !whole(a[3]) {
                return None;
            }
            finite(economics::payback(&annuity(a), Some(a[0])).ok()??)
        },
        |a| whole(a[3]) && economics::payback(&annuity(a), Some(a[0])) == Ok(None),
    )
    .await;
    // A payback that never comes is NULL too, but not an error: count the
    // errors separately from the NULLs here.
    let ctx = new_session();
    let answer = query(
        &ctx,
        "SELECT simple_payback_years(5000, 2000) AS a, simple_payback_years(5000, 0) AS never, \
         simple_payback_years(-1, 2000) AS bad, udf_errors('simple_payback_years') AS errors",
    )
    .await
    .unwrap();
    let text = answer.pretty().unwrap();
    assert!(text.contains("| 2.5 |"), "{text}");
    let batch = &answer.batches[0];
    assert!(
        batch.column(1).is_null(0) && batch.column(2).is_null(0),
        "{text}"
    );
}

/// IAPWS R7-97(2012) verification values, through SQL: table 5 (region 1),
/// table 15 (region 2), tables 35 and 36 (saturation).
#[tokio::test]
async fn reference_values_from_the_release() {
    let ctx = new_session();
    let answer = query(
        &ctx,
        "SELECT steam_h_pt(30, 26.85) AS h1, \
                steam_h_pt(0.035, 26.85) AS h2, \
                steam_v_pt(300, 426.85) AS v2, \
                steam_tsat_p(1) + 273.15 AS tsat_k, \
                steam_psat_t(26.85) AS psat_bar",
    )
    .await
    .unwrap();
    let batch = &answer.batches[0];
    let value = |i: usize| {
        batch
            .column(i)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .value(0)
    };
    let close = |got: f64, want: f64, name: &str| {
        assert!(
            ((got - want) / want).abs() < 1e-8,
            "{name}: {got} vs {want}"
        );
    };
    close(value(0), 115.331_273, "h(3 MPa, 300 K), table 5");
    close(value(1), 2_549.911_45, "h(0.0035 MPa, 300 K), table 15");
    close(value(2), 0.005_429_466_19, "v(30 MPa, 700 K), table 15");
    close(value(3), 372.755_919, "Tsat(0.1 MPa), table 35");
    close(
        value(4),
        0.035_365_894_1,
        "psat(300 K) = 0.00353658941 MPa, table 35",
    );
}

/// Integer and decimal columns are coerced to Float64; scalar arguments
/// broadcast over a column.
#[tokio::test]
async fn integer_arguments_and_scalars_broadcast() {
    let ctx = new_session();
    let answer = query(
        &ctx,
        "SELECT steam_tsat_p(p) AS t FROM (VALUES (1), (10), (NULL)) AS v(p) ORDER BY p NULLS LAST",
    )
    .await
    .unwrap();
    let column = answer.batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert_eq!(column.len(), 3);
    assert!(
        (column.value(0) - 99.606).abs() < 1e-3,
        "{}",
        column.value(0)
    );
    assert!(
        (column.value(1) - 179.88).abs() < 1e-2,
        "{}",
        column.value(1)
    );
    assert!(column.is_null(2));
}
