use arrow::array::{Array, AsArray};
use arrow::datatypes::{Float64Type, Int64Type, TimestampMillisecondType};
use steamflow_sink_parquet::arrow_types::{DataType, Field, TimeUnit};
use steamflow_sink_parquet::{
    DIFF_COLUMN, ParquetDir, ParquetRow, ParquetWriter, RowAppender, SinkError,
};

use crate::read_back;

struct Closure {
    window_end_ms: i64,
    plant: &'static str,
    mass_pct: f64,
    note: Option<&'static str>,
}

impl ParquetRow for Closure {
    fn fields() -> Vec<Field> {
        vec![
            Field::new(
                "window_end",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                false,
            ),
            Field::new("plant", DataType::Utf8, false),
            Field::new("mass_pct", DataType::Float64, false),
            Field::new("note", DataType::Utf8, true),
        ]
    }

    fn append(&self, row: &mut RowAppender<'_>) {
        row.time_ms(self.window_end_ms)
            .str(self.plant)
            .f64(self.mass_pct)
            .opt_str(self.note);
    }
}

fn closure(i: i64) -> Closure {
    Closure {
        window_end_ms: 60_000 * i,
        plant: if i % 2 == 0 { "north" } else { "south" },
        mass_pct: 100.0 - i as f64 * 0.01,
        note: (i % 3 == 0).then_some("late data"),
    }
}

#[test]
fn a_stream_file_holds_every_row_with_its_diff() {
    let dir = tempfile::tempdir().unwrap();
    let streams = ParquetDir::create(dir.path().join("out")).unwrap();
    let mut writer = streams.stream::<Closure>("balances").unwrap();
    // More rows than one record batch, so the batch boundary is crossed.
    let n = 70_001_i64;
    for i in 0..n {
        writer
            .append(&closure(i), if i % 5 == 0 { -1 } else { 1 })
            .unwrap();
    }
    let path = writer.path().to_path_buf();
    assert_eq!(path, dir.path().join("out").join("balances.parquet"));
    assert!(!path.exists(), "the file appears only when closed");
    assert_eq!(writer.close().unwrap(), 70_001);
    let batches = read_back(&path);
    let schema = batches[0].schema();
    let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        ["window_end", "plant", "mass_pct", "note", DIFF_COLUMN]
    );
    let mut i = 0_i64;
    for batch in &batches {
        let time = batch.column(0).as_primitive::<TimestampMillisecondType>();
        let plant = batch.column(1).as_string::<i32>();
        let mass = batch.column(2).as_primitive::<Float64Type>();
        let note = batch.column(3).as_string::<i32>();
        let diff = batch.column(4).as_primitive::<Int64Type>();
        for row in 0..batch.num_rows() {
            let expected = closure(i);
            assert_eq!(time.value(row), expected.window_end_ms);
            assert_eq!(plant.value(row), expected.plant);
            assert_eq!(mass.value(row), expected.mass_pct);
            assert_eq!(note.is_null(row), expected.note.is_none());
            assert_eq!(diff.value(row), if i % 5 == 0 { -1 } else { 1 });
            i += 1;
        }
    }
    assert_eq!(i, n);
    assert!(
        std::fs::read_dir(dir.path().join("out")).unwrap().count() == 1,
        "no partial file is left"
    );
}

#[test]
fn an_empty_stream_is_a_valid_file_with_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.parquet");
    let writer = ParquetWriter::<Closure>::create(&path).unwrap();
    assert_eq!(writer.schema().fields().len(), 5);
    assert_eq!(writer.close().unwrap(), 0);
    let rows: usize = read_back(&path).iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 0);
}

#[test]
fn dropping_an_unclosed_writer_still_finishes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dropped.parquet");
    {
        let mut writer = ParquetWriter::<Closure>::create(&path).unwrap();
        writer.push(&closure(1)).unwrap();
    }
    let rows: usize = read_back(&path).iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 1);
}

struct Wrong;

impl ParquetRow for Wrong {
    fn fields() -> Vec<Field> {
        vec![
            Field::new("a", DataType::Float64, false),
            Field::new("b", DataType::Utf8, false),
        ]
    }

    fn append(&self, row: &mut RowAppender<'_>) {
        row.f64(1.0).i64(2);
    }
}

#[test]
fn a_row_that_breaks_its_schema_is_an_error_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong.parquet");
    let mut writer = ParquetWriter::<Wrong>::create(&path).unwrap();
    let error = writer.push(&Wrong).unwrap_err();
    assert!(matches!(error, SinkError::Row { .. }), "{error}");
    assert!(
        error.to_string().contains("column 1 takes str values"),
        "{error}"
    );
    assert!(matches!(writer.push(&Wrong), Err(SinkError::Failed { .. })));
    assert!(matches!(writer.close(), Err(SinkError::Failed { .. })));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

struct Short;

impl ParquetRow for Short {
    fn fields() -> Vec<Field> {
        Wrong::fields()
    }

    fn append(&self, row: &mut RowAppender<'_>) {
        row.f64(1.0);
    }
}

#[test]
fn a_row_with_too_few_values_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = ParquetWriter::<Short>::create(dir.path().join("s.parquet")).unwrap();
    let error = writer.push(&Short).unwrap_err();
    assert!(
        error.to_string().contains("pushed 1 values for 2 columns"),
        "{error}"
    );
}

struct NullInRequired;

impl ParquetRow for NullInRequired {
    fn fields() -> Vec<Field> {
        vec![Field::new("a", DataType::Float64, false)]
    }

    fn append(&self, row: &mut RowAppender<'_>) {
        row.opt_f64(None);
    }
}

#[test]
fn a_null_in_a_required_column_fails_at_close_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.parquet");
    let mut writer = ParquetWriter::<NullInRequired>::create(&path).unwrap();
    writer.push(&NullInRequired).unwrap();
    let error = writer.close().unwrap_err();
    assert!(matches!(error, SinkError::Arrow { .. }), "{error}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

struct Nested;

impl ParquetRow for Nested {
    fn fields() -> Vec<Field> {
        vec![Field::new("d", DataType::Date32, false)]
    }

    fn append(&self, _row: &mut RowAppender<'_>) {}
}

#[test]
fn unsupported_column_types_are_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let error = ParquetWriter::<Nested>::create(dir.path().join("x.parquet"))
        .err()
        .unwrap();
    assert!(
        matches!(error, SinkError::UnsupportedType { .. }),
        "{error}"
    );
}

#[test]
fn a_file_without_diff_refuses_retractions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.parquet");
    let mut writer = ParquetWriter::<Closure>::create_without_diff(&path).unwrap();
    writer.push(&closure(0)).unwrap();
    let error = writer.append(&closure(0), -1).unwrap_err();
    assert!(
        matches!(error, SinkError::NoDiffColumn { diff: -1, .. }),
        "{error}"
    );
    assert_eq!(writer.close().unwrap(), 1);
    let batches = read_back(&path);
    assert_eq!(batches[0].num_columns(), 4);
    assert_eq!(
        batches[0].column(3).as_string::<i32>().value(0),
        "late data"
    );
}

#[test]
fn unusable_paths_and_names_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let streams = ParquetDir::create(dir.path()).unwrap();
    assert!(matches!(
        streams.stream::<Closure>("../x"),
        Err(SinkError::StreamName(_))
    ));
    let error = ParquetWriter::<Closure>::create(dir.path().join("missing").join("x.parquet"))
        .err()
        .unwrap();
    assert!(matches!(error, SinkError::Create { .. }), "{error}");
    assert!(ParquetWriter::<Closure>::create("/").is_err());
}

#[test]
fn columns_known_at_run_time_take_rows_pushed_by_a_closure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dynamic.parquet");
    let fields = vec![
        Field::new("plant", DataType::Utf8, true),
        Field::new("loss_kg_h", DataType::Float64, true),
    ];
    let mut writer = ParquetWriter::create_with_fields(&path, fields).unwrap();
    writer
        .append_with(1, |row| {
            row.str("north").f64(12.5);
        })
        .unwrap();
    writer
        .append_with(-1, |row| {
            row.null().null();
        })
        .unwrap();
    assert_eq!(writer.close().unwrap(), 2);
    let batches = read_back(&path);
    let batch = &batches[0];
    assert_eq!(batch.num_columns(), 3);
    assert_eq!(batch.schema().field(2).name(), DIFF_COLUMN);
    let losses = batch.column(1).as_primitive::<Float64Type>();
    assert_eq!(losses.value(0), 12.5);
    assert!(losses.is_null(1));
    let diffs = batch.column(2).as_primitive::<Int64Type>();
    assert_eq!((diffs.value(0), diffs.value(1)), (1, -1));

    // A row that pushes a value too few fails the file and leaves none behind.
    let broken = dir.path().join("broken.parquet");
    let mut writer =
        ParquetWriter::create_with_fields(&broken, vec![Field::new("a", DataType::Float64, true)])
            .unwrap();
    assert!(matches!(
        writer.append_with(1, |_| {}),
        Err(SinkError::Row { .. })
    ));
    drop(writer);
    assert!(!broken.exists());
}
