use steamflow_operators::reading::{Quality, Reading};
use steamflow_sink_jsonl::{ReadingsWriter, write_readings};

fn reading(time_ms: i64, value: f64, quality: Quality, unit: Option<&str>) -> Reading {
    Reading {
        time_ms,
        plant: "north".into(),
        tag: "b1.steam_flow".into(),
        value,
        quality,
        unit: unit.map(Into::into),
    }
}

#[test]
fn readings_are_written_in_the_historian_layout() {
    let mut out = Vec::new();
    let mut writer = ReadingsWriter::to_writer("memory", &mut out);
    writer
        .push(&reading(
            1_735_689_600_250,
            12.5,
            Quality::Good,
            Some("t/h"),
        ))
        .unwrap();
    writer
        .push(&reading(-1, f64::INFINITY, Quality::Bad, None))
        .unwrap();
    writer
        .push(&reading(0, f64::NAN, Quality::Uncertain, None))
        .unwrap();
    assert_eq!(writer.close().unwrap(), 3);
    let text = String::from_utf8(out).unwrap();
    let expected = concat!(
        r#"{"time":"2025-01-01T00:00:00.250Z","plant":"north","tag":"b1.steam_flow","value":12.5,"quality":"good","unit":"t/h"}"#,
        "\n",
        r#"{"time":"1969-12-31T23:59:59.999Z","plant":"north","tag":"b1.steam_flow","value":"inf","quality":"bad"}"#,
        "\n",
        r#"{"time":"1970-01-01T00:00:00.000Z","plant":"north","tag":"b1.steam_flow","value":"NaN","quality":"uncertain"}"#,
        "\n",
    );
    assert_eq!(text, expected);
}

#[test]
fn write_readings_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readings.jsonl");
    let readings = vec![reading(0, 1.0, Quality::Good, None); 3];
    assert_eq!(write_readings(&path, &readings).unwrap(), 3);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
}
