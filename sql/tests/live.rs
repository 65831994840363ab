//! Live tables fed update by update, and views over them evaluated into
//! deltas: the current state with late corrections applied, the bounded
//! history, views reading views, and errors named by their view.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use steamflow_sql::live::{LiveError, LiveTables, ViewEngine};
use steamflow_sql::views::ViewSpec;
use steamflow_sql::{SqlError, new_session, query};

/// A window aggregate: the key (a measurement point) and its mean.
fn aggregate_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("mean", DataType::Float64, true),
    ]))
}

fn aggregates(rows: &[(&str, f64)]) -> RecordBatch {
    let keys: StringArray = rows.iter().map(|(key, _)| Some(*key)).collect();
    let means: Float64Array = rows.iter().map(|(_, mean)| Some(*mean)).collect();
    RecordBatch::try_new(aggregate_schema(), vec![Arc::new(keys), Arc::new(means)]).unwrap()
}

/// Window aggregates of 10.0 (p1) and 5.0 (p2) at 60 s; at 120 s a late
/// reading corrects p1 to 12.0: the old aggregate is retracted, the new
/// one asserted — as the dataflow emits them.
fn fed(history_windows: usize) -> LiveTables {
    let tables = LiveTables::new(history_windows);
    tables
        .declare("window_aggregates", aggregate_schema())
        .unwrap();
    tables
        .apply(
            "window_aggregates",
            60_000,
            &aggregates(&[("p1", 10.0), ("p2", 5.0)]),
            &[1, 1],
        )
        .unwrap();
    correct(&tables);
    tables
}

fn correct(tables: &LiveTables) {
    tables
        .apply(
            "window_aggregates",
            120_000,
            &aggregates(&[("p1", 10.0), ("p1", 12.0)]),
            &[-1, 1],
        )
        .unwrap();
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> &'a T {
    batch
        .column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<T>()
        .unwrap()
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<String> {
    let array = column::<StringArray>(batch, name);
    (0..array.len())
        .map(|i| array.value(i).to_owned())
        .collect()
}

fn floats(batch: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let array = column::<Float64Array>(batch, name);
    (0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i)))
        .collect()
}

async fn one_batch(ctx: &datafusion::prelude::SessionContext, sql: &str) -> RecordBatch {
    let answer = query(ctx, sql).await.unwrap();
    datafusion::arrow::compute::concat_batches(&answer.schema, &answer.batches).unwrap()
}

#[tokio::test]
async fn the_current_table_shows_the_corrected_value() {
    let tables = fed(10);
    let ctx = new_session();
    tables.register(&ctx).unwrap();
    let current = one_batch(
        &ctx,
        "SELECT time, key, mean FROM window_aggregates ORDER BY key",
    )
    .await;
    assert_eq!(strings(&current, "key"), ["p1", "p2"]);
    assert_eq!(floats(&current, "mean"), [Some(12.0), Some(5.0)]);
    // `time` is the last update that touched the record.
    let times = column::<TimestampMillisecondArray>(&current, "time");
    assert_eq!((times.value(0), times.value(1)), (120_000, 60_000));
    assert_eq!(
        current.schema().field(0).data_type(),
        &DataType::Timestamp(
            datafusion::arrow::datatypes::TimeUnit::Millisecond,
            Some("UTC".into())
        )
    );
}

#[tokio::test]
async fn the_updates_table_keeps_the_last_times_only() {
    let all = fed(10);
    let ctx = new_session();
    all.register(&ctx).unwrap();
    let updates = one_batch(
        &ctx,
        "SELECT key, mean, diff FROM window_aggregates_updates ORDER BY time, diff",
    )
    .await;
    assert_eq!(strings(&updates, "key"), ["p1", "p2", "p1", "p1"]);
    let diffs = column::<Int64Array>(&updates, "diff");
    assert_eq!(diffs.values().to_vec(), [1, 1, -1, 1]);

    let last = fed(1);
    let ctx = new_session();
    last.register(&ctx).unwrap();
    let updates = one_batch(&ctx, "SELECT time, diff FROM window_aggregates_updates").await;
    let times = column::<TimestampMillisecondArray>(&updates, "time");
    assert_eq!(times.values().to_vec(), [120_000, 120_000]);
    // The current state does not depend on the history kept.
    let current = one_batch(&ctx, "SELECT mean FROM window_aggregates ORDER BY key").await;
    assert_eq!(floats(&current, "mean"), [Some(12.0), Some(5.0)]);
}

#[tokio::test]
async fn a_query_keeps_its_snapshot_while_updates_arrive() {
    let tables = LiveTables::new(4);
    tables
        .declare("window_aggregates", aggregate_schema())
        .unwrap();
    tables
        .apply(
            "window_aggregates",
            60_000,
            &aggregates(&[("p1", 10.0)]),
            &[1],
        )
        .unwrap();
    let ctx = new_session();
    tables.register(&ctx).unwrap();
    let frame = ctx.sql("SELECT mean FROM window_aggregates").await.unwrap();
    let plan = frame.create_physical_plan().await.unwrap();
    correct(&tables);
    let before = datafusion::physical_plan::collect(plan, ctx.task_ctx())
        .await
        .unwrap();
    assert_eq!(floats(&before[0], "mean"), [Some(10.0)]);
    let after = one_batch(&ctx, "SELECT mean FROM window_aggregates").await;
    assert_eq!(floats(&after, "mean"), [Some(12.0)]);
}

#[test]
fn bad_declarations_and_updates_are_errors_that_change_nothing() {
    let tables = LiveTables::new(4);
    assert!(matches!(
        tables.declare("Bad-Name", aggregate_schema()),
        Err(LiveError::Name { .. })
    ));
    let with_time = Arc::new(Schema::new(vec![Field::new(
        "time",
        DataType::Int64,
        false,
    )]));
    assert!(matches!(
        tables.declare("s", with_time),
        Err(LiveError::ReservedColumn { .. })
    ));
    tables
        .declare("window_aggregates", aggregate_schema())
        .unwrap();
    // Same columns again: fine; other columns: refused.
    tables
        .declare("window_aggregates", aggregate_schema())
        .unwrap();
    let other = Arc::new(Schema::new(vec![Field::new("key", DataType::Utf8, false)]));
    assert!(matches!(
        tables.declare("window_aggregates", other),
        Err(LiveError::Redeclared { .. })
    ));
    let batch = aggregates(&[("p1", 1.0)]);
    assert!(matches!(
        tables.apply("nope", 0, &batch, &[1]),
        Err(LiveError::Undeclared { .. })
    ));
    assert!(matches!(
        tables.apply("window_aggregates", 0, &batch, &[1, 1]),
        Err(LiveError::DiffCount { .. })
    ));
    let ints = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("mean", DataType::Int64, false),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["p1"])),
            Arc::new(Int64Array::from(vec![1])),
        ],
    )
    .unwrap();
    let error = tables
        .apply("window_aggregates", 0, &ints, &[1])
        .unwrap_err();
    assert!(error.to_string().contains("window_aggregates"), "{error}");
    assert_eq!(tables.current("window_aggregates").unwrap().num_rows(), 0);
    assert!(tables.updates("window_aggregates").unwrap().is_empty());
}

fn view(name: &str, sql: &str) -> ViewSpec {
    ViewSpec {
        name: name.to_owned(),
        sql: sql.to_owned(),
    }
}

#[tokio::test]
async fn a_late_correction_retracts_and_inserts_view_rows() {
    let tables = LiveTables::new(4);
    tables
        .declare("window_aggregates", aggregate_schema())
        .unwrap();
    // `total` reads `doubled`, listed after it.
    let views = vec![
        view("total", "SELECT sum(doubled) AS total FROM doubled"),
        view(
            "doubled",
            "SELECT key, mean * 2 AS doubled FROM window_aggregates;",
        ),
    ];
    let mut engine = ViewEngine::new(&tables, views).await.unwrap();
    assert_eq!(engine.views(), ["total", "doubled"]);
    let schema = engine.output_schema("doubled").unwrap();
    assert_eq!(schema.field(1).name(), "doubled");

    tables
        .apply(
            "window_aggregates",
            60_000,
            &aggregates(&[("p1", 10.0), ("p2", 5.0)]),
            &[1, 1],
        )
        .unwrap();
    let first = engine.evaluate().await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let doubled = first.deltas.iter().find(|d| d.view == "doubled").unwrap();
    assert_eq!(strings(&doubled.rows, "key"), ["p1", "p2"]);
    assert_eq!(doubled.diffs, [1, 1]);
    let total = first.deltas.iter().find(|d| d.view == "total").unwrap();
    assert_eq!(floats(&total.rows, "total"), [Some(30.0)]);

    // Nothing new: nothing changes.
    assert!(engine.evaluate().await.deltas.is_empty());

    correct(&tables);
    let second = engine.evaluate().await;
    let doubled = second.deltas.iter().find(|d| d.view == "doubled").unwrap();
    assert_eq!(strings(&doubled.rows, "key"), ["p1", "p1"]);
    assert_eq!(floats(&doubled.rows, "doubled"), [Some(20.0), Some(24.0)]);
    assert_eq!(doubled.diffs, [-1, 1]);
    let total = second.deltas.iter().find(|d| d.view == "total").unwrap();
    assert_eq!(floats(&total.rows, "total"), [Some(30.0), Some(34.0)]);
    assert_eq!(total.diffs, [-1, 1]);
}

#[tokio::test]
async fn views_that_do_not_plan_are_named() {
    let tables = LiveTables::new(4);
    tables
        .declare("window_aggregates", aggregate_schema())
        .unwrap();
    let views = vec![
        view("fine", "SELECT key FROM window_aggregates"),
        view("bad_syntax", "SELEC key FROM window_aggregates"),
        view("unknown_column", "SELECT nope FROM window_aggregates"),
        view("type_error", "SELECT sum(key) FROM window_aggregates"),
        view("unknown_table", "SELECT key FROM nowhere"),
    ];
    let Err(SqlError::Views(errors)) = ViewEngine::new(&tables, views).await else {
        panic!("the views should not plan");
    };
    let mut named: Vec<&str> = errors.0.iter().map(|e| e.name.as_str()).collect();
    named.sort_unstable();
    assert_eq!(
        named,
        [
            "bad_syntax",
            "type_error",
            "unknown_column",
            "unknown_table"
        ],
        "{errors}"
    );
    let unknown = errors
        .0
        .iter()
        .find(|e| e.name == "unknown_column")
        .unwrap();
    assert!(unknown.message.contains("nope"), "{unknown}");
    assert!(
        errors.to_string().contains("view unknown_table:"),
        "{errors}"
    );
}

#[tokio::test]
async fn a_failing_view_does_not_stop_the_others() {
    let counts = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("n", DataType::Int64, false),
    ]));
    let batch = |n: i64| {
        RecordBatch::try_new(
            Arc::clone(&counts),
            vec![
                Arc::new(StringArray::from(vec!["p1"])),
                Arc::new(Int64Array::from(vec![n])),
            ],
        )
        .unwrap()
    };
    let tables = LiveTables::new(4);
    tables.declare("counts", Arc::clone(&counts)).unwrap();
    tables
        .declare("window_aggregates", aggregate_schema())
        .unwrap();
    let views = vec![
        view("ratio", "SELECT key, 10 / n AS q FROM counts"),
        view(
            "tsat",
            "SELECT key, steam_tsat_p(mean) AS tsat_c FROM window_aggregates",
        ),
    ];
    let mut engine = ViewEngine::new(&tables, views).await.unwrap();
    tables.apply("counts", 1_000, &batch(0), &[1]).unwrap();
    tables
        .apply(
            "window_aggregates",
            1_000,
            &aggregates(&[("p1", -1.0)]),
            &[1],
        )
        .unwrap();
    let evaluation = engine.evaluate().await;
    assert_eq!(evaluation.errors.len(), 1, "{:?}", evaluation.errors);
    assert_eq!(evaluation.errors[0].name, "ratio");
    assert!(
        evaluation.errors[0].message.to_lowercase().contains("zero"),
        "{}",
        evaluation.errors[0]
    );
    // A pressure outside IF97 gives NULL, not an error.
    let tsat = &evaluation.deltas[0];
    assert_eq!(tsat.view, "tsat");
    assert_eq!(floats(&tsat.rows, "tsat_c"), [None]);

    // Corrected: the view recovers and reports its whole result.
    tables.apply("counts", 2_000, &batch(0), &[-1]).unwrap();
    tables.apply("counts", 2_000, &batch(2), &[1]).unwrap();
    let evaluation = engine.evaluate().await;
    assert!(evaluation.errors.is_empty(), "{:?}", evaluation.errors);
    let ratio = &evaluation.deltas[0];
    assert_eq!(ratio.view, "ratio");
    assert_eq!(
        column::<Int64Array>(&ratio.rows, "q").values().to_vec(),
        [5]
    );
    assert_eq!(ratio.diffs, [1]);
}

/// The same updates through live tables and through a run's Parquet
/// file give the same tables, so a view runs unchanged on both.
#[tokio::test]
async fn live_tables_read_like_a_finished_runs_folder() {
    let dir = tempfile::tempdir().unwrap();
    crate::folder::write_aggregates(&dir.path().join("parquet"));
    let folder = new_session();
    steamflow_sql::folder::register_folder(&folder, dir.path())
        .await
        .unwrap();

    let utc = Some("UTC".into());
    let millis = datafusion::arrow::datatypes::TimeUnit::Millisecond;
    let record = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("window_start", DataType::Timestamp(millis, utc), false),
        Field::new("mean", DataType::Float64, false),
    ]));
    let batch = |rows: &[(&str, f64)]| {
        let keys: StringArray = rows.iter().map(|(key, _)| Some(*key)).collect();
        let starts = TimestampMillisecondArray::from(vec![0; rows.len()]).with_timezone("UTC");
        let means: Float64Array = rows.iter().map(|(_, mean)| Some(*mean)).collect();
        RecordBatch::try_new(
            Arc::clone(&record),
            vec![Arc::new(keys), Arc::new(starts), Arc::new(means)],
        )
        .unwrap()
    };
    let tables = LiveTables::new(10);
    tables
        .declare("window_aggregates", Arc::clone(&record))
        .unwrap();
    tables
        .apply(
            "window_aggregates",
            60_000,
            &batch(&[("p1", 10.0), ("p2", 5.0)]),
            &[1, 1],
        )
        .unwrap();
    tables
        .apply(
            "window_aggregates",
            120_000,
            &batch(&[("p1", 10.0), ("p1", 12.0)]),
            &[-1, 1],
        )
        .unwrap();
    let live = new_session();
    tables.register(&live).unwrap();

    for sql in [
        "SELECT * FROM window_aggregates ORDER BY key",
        "SELECT * FROM window_aggregates_updates ORDER BY time, diff, key",
        "SELECT key, sum(mean * diff) AS net FROM window_aggregates_updates GROUP BY key ORDER BY key",
    ] {
        let from_folder = query(&folder, sql).await.unwrap().pretty().unwrap();
        let from_live = query(&live, sql).await.unwrap().pretty().unwrap();
        assert_eq!(from_live, from_folder, "{sql}");
    }
}
