//! Parquet files written by other tools: other column types, zones, nulls.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, DictionaryArray, Float32Array, Int32Array, Int64Array, StringArray,
    TimestampNanosecondArray, TimestampSecondArray,
};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use steamflow_operators::reading::Quality;
use steamflow_source_file::{FileReplay, Location, OpenError, Reason, ReplayOptions};

use crate::replay_all;

fn write(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let mut writer = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

#[test]
fn zoned_second_timestamps_float32_values_dictionary_tags_and_status_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.parquet");
    let tags: DictionaryArray<Int32Type> = vec!["a", "b", "a"].into_iter().collect();
    write(
        &path,
        vec![
            (
                "Timestamp",
                Arc::new(
                    TimestampSecondArray::from(vec![1_735_689_600, 1_735_689_601, 0])
                        .with_timezone("+01:00"),
                ),
            ),
            ("tag", Arc::new(tags)),
            (
                "value",
                Arc::new(Float32Array::from(vec![Some(1.5), None, Some(-2.0)])),
            ),
            (
                "quality",
                Arc::new(Int32Array::from(vec![Some(0), Some(0x4000_0000), None])),
            ),
            (
                "unit",
                Arc::new(StringArray::from(vec![Some("bar"), None, Some("")])),
            ),
        ],
    );
    let options = ReplayOptions {
        default_plant: Some("north".into()),
        ..ReplayOptions::default()
    };
    let mut replay = FileReplay::open(&path, &options).unwrap();
    let batch = replay.next().unwrap().unwrap();
    assert!(batch.dead_letters.is_empty(), "{:?}", batch.dead_letters);
    let r = &batch.readings;
    // A zone labels a timestamp column; the values are UTC already.
    assert_eq!(r[0].time_ms, 1_735_689_600_000);
    assert_eq!(r[1].time_ms, 1_735_689_601_000);
    assert_eq!(r[2].time_ms, 0);
    assert_eq!(
        r.iter().map(|r| r.tag.as_str()).collect::<Vec<_>>(),
        ["a", "b", "a"]
    );
    assert_eq!(r[0].value, 1.5);
    assert!(r[1].value.is_nan(), "a null value is NaN");
    assert_eq!(r[1].quality, Quality::Uncertain);
    assert_eq!(r[2].quality, Quality::Good, "a null quality is good");
    assert_eq!(r[0].unit.as_ref().map(|u| u.as_str()), Some("bar"));
    assert_eq!((r[1].unit.clone(), r[2].unit.clone()), (None, None));
    assert!(r.iter().all(|r| r.plant.as_str() == "north"));
}

#[test]
fn nanosecond_and_epoch_ms_and_text_times_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let ns = dir.path().join("ns.parquet");
    write(
        &ns,
        vec![
            (
                "time",
                Arc::new(TimestampNanosecondArray::from(vec![
                    1_735_689_600_123_456_789,
                    -1,
                ])),
            ),
            ("plant", Arc::new(StringArray::from(vec!["p", "p"]))),
            ("tag", Arc::new(StringArray::from(vec!["a", "a"]))),
            ("value", Arc::new(Int64Array::from(vec![1, 2]))),
        ],
    );
    let (readings, _) = replay_all(&ns);
    assert_eq!(readings[0].time_ms, 1_735_689_600_123);
    assert_eq!(
        readings[1].time_ms, -1,
        "floored, not truncated toward zero"
    );
    assert_eq!(readings[1].value, 2.0);

    let text = dir.path().join("text.parquet");
    write(
        &text,
        vec![
            (
                "time_ms",
                Arc::new(StringArray::from(vec![
                    "2025-01-01T01:00:00+01:00",
                    "1735689600000",
                ])),
            ),
            ("plant", Arc::new(StringArray::from(vec!["p", "p"]))),
            ("tag", Arc::new(StringArray::from(vec!["a", "a"]))),
            ("value", Arc::new(StringArray::from(vec!["NaN", "-inf"]))),
            (
                "quality",
                Arc::new(StringArray::from(vec!["uncertain", "bad"])),
            ),
        ],
    );
    let (readings, dead) = replay_all(&text);
    assert!(dead.is_empty());
    assert!(readings.iter().all(|r| r.time_ms == 1_735_689_600_000));
    assert!(readings[0].value.is_nan());
    assert_eq!(readings[1].value, f64::NEG_INFINITY);
    assert_eq!(readings[1].quality, Quality::Bad);
}

#[test]
fn bad_parquet_rows_are_dead_letters_with_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    write(
        &path,
        vec![
            (
                "time",
                Arc::new(StringArray::from(vec![
                    Some("0"),
                    None,
                    Some("noon"),
                    Some("0"),
                    Some("0"),
                    Some("0"),
                ])),
            ),
            (
                "plant",
                Arc::new(StringArray::from(vec![
                    Some("p"),
                    Some("p"),
                    Some("p"),
                    Some("p"),
                    None,
                    Some("p"),
                ])),
            ),
            (
                "tag",
                Arc::new(StringArray::from(vec![
                    Some("a"),
                    Some("a"),
                    Some("a"),
                    None,
                    Some("a"),
                    Some("a"),
                ])),
            ),
            (
                "value",
                Arc::new(StringArray::from(vec!["1", "1", "1", "1", "1", "x"])),
            ),
            (
                "quality",
                Arc::new(Int64Array::from(vec![0, 0, 0, 0, 0, -1])),
            ),
        ],
    );
    let (readings, dead) = replay_all(&path);
    assert_eq!(readings.len(), 1);
    let got: Vec<_> = dead
        .iter()
        .map(|d| (d.location, d.reason.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Location::Row(2), Reason::MissingField("time")),
            (Location::Row(3), Reason::BadTime("noon".into())),
            (Location::Row(4), Reason::MissingField("tag")),
            (Location::Row(5), Reason::MissingPlant),
            (Location::Row(6), Reason::NonNumericValue("x".into())),
        ]
    );
    assert_eq!(
        dead[1].record,
        "time=noon, plant=p, tag=a, value=1, quality=0"
    );
}

#[test]
fn parquet_columns_of_the_wrong_type_are_open_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong.parquet");
    write(
        &path,
        vec![
            ("time", Arc::new(Int64Array::from(vec![0]))),
            ("plant", Arc::new(StringArray::from(vec!["p"]))),
            ("tag", Arc::new(Int64Array::from(vec![7]))),
            ("value", Arc::new(Int64Array::from(vec![1]))),
        ],
    );
    match FileReplay::open(&path, &ReplayOptions::default()) {
        Err(OpenError::ColumnType { column: "tag", .. }) => {}
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("opened"),
    }
    let _ = DataType::Utf8;
}
