//! A run's output folder as tables: the Parquet sink's files and JSON
//! Lines files, updates with diffs, and the current contents with late
//! corrections applied.

use std::path::Path;

use datafusion::arrow::array::{Array, Float64Array, Int64Array};
use steamflow_sink_parquet::ParquetWriter;
use steamflow_sink_parquet::arrow_types::{DataType, Field, TimeUnit};
use steamflow_sql::folder::{Format, register_folder, stream_files};
use steamflow_sql::{SqlError, new_session, query};

fn time(name: &str) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        false,
    )
}

/// A window aggregate of 10.0 at time 60 000, corrected by a late reading
/// at time 120 000 to 12.0 (retract the old, assert the new), and a second
/// key that is never corrected — as the Parquet sink writes them.
pub fn write_aggregates(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let fields = vec![
        time("time"),
        Field::new("key", DataType::Utf8, false),
        time("window_start"),
        Field::new("mean", DataType::Float64, false),
    ];
    let mut writer =
        ParquetWriter::create_with_fields(dir.join("window_aggregates.parquet"), fields).unwrap();
    for (time_ms, key, mean, diff) in [
        (60_000, "p1", 10.0, 1),
        (60_000, "p2", 5.0, 1),
        (120_000, "p1", 10.0, -1),
        (120_000, "p1", 12.0, 1),
    ] {
        writer
            .append_with(diff, |row| {
                row.time_ms(time_ms).str(key).time_ms(0).f64(mean);
            })
            .unwrap();
    }
    writer.close().unwrap();
}

fn f64s(answer: &steamflow_sql::Answer, column: usize) -> Vec<f64> {
    answer
        .batches
        .iter()
        .flat_map(|batch| {
            let array = batch
                .column(column)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap();
            (0..array.len()).map(|i| array.value(i)).collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn a_late_correction_replaces_the_old_aggregate() {
    let dir = tempfile::tempdir().unwrap();
    write_aggregates(&dir.path().join("parquet"));
    let ctx = new_session();
    let files = register_folder(&ctx, dir.path()).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].format, Format::Parquet);

    let current = query(&ctx, "SELECT key, mean FROM window_aggregates ORDER BY key")
        .await
        .unwrap();
    assert_eq!(
        f64s(&current, 1),
        vec![12.0, 5.0],
        "{}",
        current.pretty().unwrap()
    );

    let updates = query(
        &ctx,
        "SELECT mean, diff FROM window_aggregates_updates ORDER BY time, key, diff",
    )
    .await
    .unwrap();
    assert_eq!(updates.rows(), 4);
    let diffs = updates.batches[0]
        .column(1)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    assert_eq!(diffs.values().to_vec(), vec![1, 1, -1, 1]);

    // The time of a current record is its last update's.
    let when = query(
        &ctx,
        "SELECT CAST(time AS BIGINT) FROM window_aggregates WHERE key = 'p1'",
    )
    .await
    .unwrap();
    let times = when.batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    assert_eq!(times.value(0), 120_000);
}

#[tokio::test]
async fn json_lines_streams_are_tables_too_and_parquet_wins() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("jsonl");
    std::fs::create_dir_all(&jsonl).unwrap();
    std::fs::write(
        jsonl.join("balances.jsonl"),
        "{\"time\":60000,\"plant\":\"north\",\"closure_pct\":1.5,\"diff\":1}\n\
         {\"time\":120000,\"plant\":\"north\",\"closure_pct\":1.5,\"diff\":-1}\n\
         {\"time\":120000,\"plant\":\"north\",\"closure_pct\":2.5,\"diff\":1}\n",
    )
    .unwrap();
    std::fs::write(
        jsonl.join("window_aggregates.jsonl"),
        "{\"time\":1,\"diff\":1}\n",
    )
    .unwrap();
    write_aggregates(&dir.path().join("parquet"));
    let files = stream_files(dir.path()).unwrap();
    let formats: Vec<(&str, Format)> = files
        .iter()
        .map(|f| (f.stream.as_str(), f.format))
        .collect();
    assert_eq!(
        formats,
        vec![
            ("balances", Format::JsonLines),
            ("window_aggregates", Format::Parquet)
        ]
    );
    let ctx = new_session();
    register_folder(&ctx, dir.path()).await.unwrap();
    let answer = query(&ctx, "SELECT closure_pct FROM balances")
        .await
        .unwrap();
    assert_eq!(f64s(&answer, 0), vec![2.5]);
}

#[tokio::test]
async fn an_empty_folder_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let error = register_folder(&new_session(), dir.path())
        .await
        .unwrap_err();
    assert!(matches!(error, SqlError::NoStreams { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains(&dir.path().display().to_string())
    );
}
