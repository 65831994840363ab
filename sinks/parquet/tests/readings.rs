use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type, TimeUnit, TimestampMillisecondType};
use steamflow_operators::reading::{Quality, Reading};
use steamflow_sink_parquet::write_readings;

use crate::read_back;

#[test]
fn readings_are_written_in_the_historian_columns() {
    let readings = vec![
        Reading {
            time_ms: 1_735_689_600_250,
            plant: "north".into(),
            tag: "b1.flow".into(),
            value: f64::NAN,
            quality: Quality::Uncertain,
            unit: Some("t/h".into()),
        },
        Reading {
            time_ms: -1,
            plant: "north".into(),
            tag: "b1.pressure".into(),
            value: f64::NEG_INFINITY,
            quality: Quality::Bad,
            unit: None,
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readings.parquet");
    assert_eq!(write_readings(&path, &readings).unwrap(), 2);
    let batches = read_back(&path);
    let batch = &batches[0];
    let schema = batch.schema();
    let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["time", "plant", "tag", "value", "quality", "unit"]);
    assert_eq!(
        schema.field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
    );
    let time = batch.column(0).as_primitive::<TimestampMillisecondType>();
    assert_eq!(time.values(), &[1_735_689_600_250, -1]);
    let value = batch.column(3).as_primitive::<Float64Type>();
    assert!(value.value(0).is_nan());
    assert_eq!(value.value(1), f64::NEG_INFINITY);
    let quality = batch.column(4).as_string::<i32>();
    assert_eq!((quality.value(0), quality.value(1)), ("uncertain", "bad"));
    let unit = batch.column(5).as_string::<i32>();
    assert_eq!(unit.value(0), "t/h");
    assert!(unit.is_null(1));
}
