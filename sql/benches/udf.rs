//! Throughput of the steam UDF `steam_h_pt(p_bar_abs, t_c)` over a
//! 1,000,000-row batch, against the scalar `operators` call it wraps.
//!
//! Run: `cargo bench -p steamflow-sql --bench udf`
//!
//! Four ways to compute the same million enthalpies:
//!
//! - `operators loop`: a plain loop calling `if97::h_pt` per row (the floor:
//!   what the physics costs without Arrow or SQL);
//! - `udf invoke`: the `ScalarUDF` invoked directly on two Float64 arrays
//!   (null checks, the Arrow builder, the error count);
//! - `sql select`: `SELECT steam_h_pt(p, t) FROM t` planned and run by
//!   DataFusion over an in-memory table of the batch (planning included);
//! - each of the first two again on a batch where 1 % of the rows are NULL,
//!   1 % NaN and 1 % outside IF97 (1,500 bar; 2,500 °C).
//!
//! Rows are a steam plant's states: 1–40 bar absolute, 20–450 °C, so
//! compressed water (IF97 region 1) and superheated steam (region 2) mix.
//! Criterion reports elements/s: values computed per second.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::{Array, ArrayRef, Float64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::config::ConfigOptions;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};
use steamflow_operators::if97;
use steamflow_operators::units::{Pressure, Temperature};
use steamflow_sql::udf::steam_functions;
use steamflow_sql::{new_session, query};

const ROWS: usize = 1_000_000;

/// xorshift64*: a fixed, dependency-free sequence for a repeatable batch.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// (p [bar abs], t [°C]) columns; with `faulty`, 1 % NULL, 1 % NaN and 1 %
/// out-of-range rows in each.
fn columns(faulty: bool) -> (Float64Array, Float64Array) {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut p = Vec::with_capacity(ROWS);
    let mut t = Vec::with_capacity(ROWS);
    for _ in 0..ROWS {
        let (mut pv, mut tv) = (
            Some(1.0 + 39.0 * rng.unit()),
            Some(20.0 + 430.0 * rng.unit()),
        );
        if faulty {
            let fault = rng.unit();
            if fault < 0.01 {
                pv = None;
            } else if fault < 0.02 {
                tv = Some(f64::NAN);
            } else if fault < 0.03 {
                (pv, tv) = (Some(1_500.0), Some(2_500.0));
            }
        }
        p.push(pv);
        t.push(tv);
    }
    (Float64Array::from(p), Float64Array::from(t))
}

/// The scalar call the UDF wraps, row by row; NULL rows skipped.
fn operators_loop(p: &Float64Array, t: &Float64Array) -> (f64, usize) {
    let (mut sum, mut errors) = (0.0, 0);
    for i in 0..p.len() {
        if p.is_null(i) || t.is_null(i) {
            continue;
        }
        match if97::h_pt(
            Pressure::from_bar(p.value(i)),
            Temperature::from_celsius(t.value(i)),
        ) {
            Ok(h) if h.kj_per_kg().is_finite() => sum += h.kj_per_kg(),
            _ => errors += 1,
        }
    }
    (sum, errors)
}

fn steam_h_pt() -> ScalarUDF {
    let function = steam_functions()
        .into_iter()
        .find(|f| f.name_str() == "steam_h_pt")
        .expect("steam_h_pt is a steam function");
    ScalarUDF::new_from_impl(function)
}

fn invoke(udf: &ScalarUDF, p: &ArrayRef, t: &ArrayRef) -> ArrayRef {
    let field = |name: &str| Arc::new(Field::new(name, DataType::Float64, true));
    let args = ScalarFunctionArgs {
        args: vec![
            ColumnarValue::Array(Arc::clone(p)),
            ColumnarValue::Array(Arc::clone(t)),
        ],
        arg_fields: vec![field("p"), field("t")],
        number_rows: p.len(),
        return_field: field("h"),
        config_options: Arc::new(ConfigOptions::default()),
    };
    match udf.invoke_with_args(args).expect("steam_h_pt") {
        ColumnarValue::Array(array) => array,
        ColumnarValue::Scalar(_) => panic!("steam_h_pt answered a scalar for arrays"),
    }
}

fn udf_throughput(c: &mut Criterion) {
    let udf = steam_h_pt();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .build()
        .expect("tokio runtime");
    let mut group = c.benchmark_group("steam_h_pt/1M rows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    for (label, faulty) in [("clean", false), ("1% NULL, 1% NaN, 1% out of range", true)] {
        let (p_values, t_values) = columns(faulty);
        let (_, loop_errors) = operators_loop(&p_values, &t_values);
        // Arrow arrays share their buffers: these are the same columns.
        let (p, t): (ArrayRef, ArrayRef) = (Arc::new(p_values.clone()), Arc::new(t_values.clone()));
        let out = invoke(&udf, &p, &t);
        println!(
            "{label}: the UDF gives {} NULLs of {ROWS} rows; the scalar loop {} errors",
            out.null_count(),
            loop_errors
        );
        group.bench_function(format!("operators loop, {label}"), |b| {
            b.iter(|| operators_loop(black_box(&p_values), black_box(&t_values)))
        });
        group.bench_function(format!("udf invoke, {label}"), |b| {
            b.iter(|| invoke(&udf, black_box(&p), black_box(&t)))
        });
        if faulty {
            continue;
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new("p", DataType::Float64, true),
            Field::new("t", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(Arc::clone(&schema), vec![p, t]).expect("batch");
        let table = MemTable::try_new(schema, vec![vec![batch]]).expect("table");
        let ctx = new_session();
        ctx.register_table("t", Arc::new(table))
            .expect("register the table");
        group.bench_function(format!("sql select, {label}"), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let answer = query(&ctx, "SELECT steam_h_pt(p, t) AS h FROM t")
                        .await
                        .expect("query");
                    assert_eq!(answer.rows(), ROWS);
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, udf_throughput);
criterion_main!(benches);
