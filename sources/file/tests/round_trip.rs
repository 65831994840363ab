//! Readings written in each format come back equal.

use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_file::{CsvWriter, FileFormat, ReplayOptions, write_csv_readings};

use crate::{assert_same, replay_all, replay_with};

/// Readings that exercise every field: odd values, every quality, units
/// present and absent, names that need quoting or are not ASCII, times
/// before 1970 and far ahead.
fn sample() -> Vec<Reading> {
    let values = [
        12.5,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -2.5e-310, // subnormal
        0.1 + 0.2,
        f64::MAX,
        42.0,
    ];
    let tags = [
        "b1.steam_flow",
        "hdr.10bar.pressure",
        "odd, \"quoted\" tag",
        "Kessel-Ü.temp",
    ];
    let units = [Some("t/h"), Some("barg"), None, Some("°C")];
    let qualities = [Quality::Good, Quality::Uncertain, Quality::Bad];
    let times = [
        1_735_689_600_000,
        1_735_689_600_250,
        -86_400_001,
        4_102_444_799_999,
    ];
    (0..40)
        .map(|i| Reading {
            time_ms: times[i % times.len()] + (i as i64 / 4) * 1000,
            plant: if i % 7 == 0 {
                "south".into()
            } else {
                "north".into()
            },
            tag: tags[i % tags.len()].into(),
            value: values[i % values.len()],
            quality: qualities[i % qualities.len()],
            unit: units[(i / 3) % units.len()].map(Into::into),
        })
        .collect()
}

#[test]
fn csv_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readings.csv");
    assert_eq!(write_csv_readings(&path, &sample()).unwrap(), 40);
    let (readings, dead) = replay_all(&path);
    assert!(dead.is_empty(), "{dead:?}");
    assert_same(&readings, &sample());
}

#[test]
fn jsonl_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readings.jsonl");
    assert_eq!(
        steamflow_sink_jsonl::write_readings(&path, &sample()).unwrap(),
        40
    );
    let (readings, dead) = replay_all(&path);
    assert!(dead.is_empty(), "{dead:?}");
    assert_same(&readings, &sample());
}

#[test]
fn parquet_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readings.parquet");
    assert_eq!(
        steamflow_sink_parquet::write_readings(&path, &sample()).unwrap(),
        40
    );
    let (readings, dead) = replay_all(&path);
    assert!(dead.is_empty(), "{dead:?}");
    assert_same(&readings, &sample());
}

#[test]
fn csv_layout_is_the_historian_one() {
    let mut out = Vec::new();
    let mut writer = CsvWriter::to_writer(&mut out).unwrap();
    writer.push_all(&sample()[..3]).unwrap();
    assert_eq!(writer.close().unwrap(), 3);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines[0], "time,plant,tag,value,quality,unit");
    assert_eq!(
        lines[1],
        "2025-01-01T00:00:00.000Z,south,b1.steam_flow,12.5,good,t/h"
    );
    assert_eq!(
        lines[2],
        "2025-01-01T00:00:00.250Z,north,hdr.10bar.pressure,-0.0,uncertain,t/h"
    );
    assert_eq!(
        lines[3],
        "1969-12-30T23:59:59.999Z,north,\"odd, \"\"quoted\"\" tag\",NaN,bad,t/h"
    );
}

#[test]
fn time_zones_and_epoch_ms_become_utc() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("zones.csv");
    std::fs::write(
        &csv,
        "Timestamp,Plant,Tag,Value\n\
         2025-01-01T01:00:00+01:00,north,a,1\n\
         2024-12-31 19:00:00.5-05:00,north,a,2\n\
         1735689600000,north,a,3\n\
         2025-01-01t00:00:00z,north,a,4\n",
    )
    .unwrap();
    let (readings, dead) = replay_all(&csv);
    assert!(dead.is_empty(), "{dead:?}");
    let times: Vec<_> = readings.iter().map(|r| r.time_ms).collect();
    assert_eq!(
        times,
        [
            1_735_689_600_000,
            1_735_689_600_500,
            1_735_689_600_000,
            1_735_689_600_000
        ]
    );
    assert!(
        readings
            .iter()
            .all(|r| r.quality == Quality::Good && r.unit.is_none())
    );

    let jsonl = dir.path().join("zones.ndjson");
    std::fs::write(
        &jsonl,
        concat!(
            r#"{"time":"2025-01-01T09:00:00+09:00","plant":"north","tag":"a","value":1}"#,
            "\n",
            r#"{"time_ms":1735689600000,"plant":"north","tag":"a","value":2,"extra":{"ignored":[1,2]}}"#,
            "\n\n",
            r#"{"time":"1735689600000","plant":"north","tag":"a","value":"3","quality":1073741824}"#,
            "\n",
        ),
    )
    .unwrap();
    let (readings, dead) = replay_all(&jsonl);
    assert!(dead.is_empty(), "{dead:?}");
    assert!(readings.iter().all(|r| r.time_ms == 1_735_689_600_000));
    assert_eq!(readings[2].value, 3.0);
    assert_eq!(readings[2].quality, Quality::Uncertain);
}

#[test]
fn a_default_plant_fills_rows_and_files_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no_plant.csv");
    std::fs::write(&path, "time,tag,value,unit\n0,a,1,kg/h\n").unwrap();
    let options = ReplayOptions {
        default_plant: Some("west".into()),
        ..ReplayOptions::default()
    };
    let (readings, _) = replay_with(&path, &options);
    assert_eq!(readings[0].plant.as_str(), "west");
    assert_eq!(readings[0].unit.as_ref().map(|u| u.as_str()), Some("kg/h"));
}

#[test]
fn the_format_can_be_named_when_the_extension_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.txt");
    write_csv_readings(&path, &sample()).unwrap();
    let options = ReplayOptions {
        format: Some(FileFormat::Csv),
        ..ReplayOptions::default()
    };
    let (readings, _) = replay_with(&path, &options);
    assert_same(&readings, &sample());
    assert_eq!("NDJSON".parse::<FileFormat>(), Ok(FileFormat::Jsonl));
    assert!("xlsx".parse::<FileFormat>().is_err());
}

#[test]
fn batches_hold_at_most_the_rows_asked_for_and_keep_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.csv");
    let readings: Vec<Reading> = (0..1000)
        .map(|i| Reading {
            time_ms: i,
            plant: "p".into(),
            tag: format!("t{}", i % 13).into(),
            value: i as f64,
            quality: Quality::Good,
            unit: None,
        })
        .collect();
    write_csv_readings(&path, &readings).unwrap();
    let options = ReplayOptions {
        batch_rows: 64,
        ..ReplayOptions::default()
    };
    let replay = steamflow_source_file::FileReplay::open(&path, &options).unwrap();
    let batches: Vec<_> = replay.collect::<Result<_, _>>().unwrap();
    assert_eq!(batches.len(), 16);
    assert!(batches.iter().all(|b| b.len() <= 64 && !b.is_empty()));
    let back: Vec<Reading> = batches.into_iter().flat_map(|b| b.readings).collect();
    assert_same(&back, &readings);
}

#[test]
fn a_progress_bar_follows_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.parquet");
    steamflow_sink_parquet::write_readings(&path, &sample()).unwrap();
    let mut replay =
        steamflow_source_file::FileReplay::open(&path, &ReplayOptions::default()).unwrap();
    let bar = indicatif::ProgressBar::hidden();
    replay.set_progress_bar(bar.clone());
    assert_eq!(bar.length(), Some(40));
    let mut batch = steamflow_source_file::Batch::new();
    while replay.next_batch(&mut batch).unwrap() {}
    assert_eq!(bar.position(), 40);
    assert!(bar.is_finished());
    // After the end, the replay stays ended.
    assert!(!replay.next_batch(&mut batch).unwrap());
}
