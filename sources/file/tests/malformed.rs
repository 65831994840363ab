//! Rows that do not decode become dead letters with their place and reason;
//! the rows around them are still read.

use std::path::Path;

use steamflow_source_file::{DeadLetter, FileReplay, Location, OpenError, Reason, ReplayOptions};

use crate::replay_all;

fn reasons(dead: &[DeadLetter]) -> Vec<(Location, Reason)> {
    dead.iter()
        .map(|d| (d.location, d.reason.clone()))
        .collect()
}

#[test]
fn bad_csv_rows_are_dead_letters_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let mut text = b"time,plant,tag,value,quality,unit\n".to_vec();
    text.extend_from_slice(b"2025-01-01T00:00:00Z,north,a,1,good,bar\n"); // 2 ok
    text.extend_from_slice(b"2025-13-01T00:00:00Z,north,a,1,good,bar\n"); // 3 bad time
    text.extend_from_slice(b"2025-01-01T00:00:01Z,north,a,1;5,good,bar\n"); // 4 non-numeric
    text.extend_from_slice(b"2025-01-01T00:00:02Z,north,a\n"); // 5 short row
    text.extend_from_slice(b"2025-01-01T00:00:03Z,north,a,2,splendid,bar\n"); // 6 unknown quality
    text.extend_from_slice(b"2025-01-01T00:00:04Z,north,,2,good,bar\n"); // 7 empty tag
    text.extend_from_slice(b"2025-01-01T00:00:05Z,north,\xff\xfe,2,good,bar\n"); // 8 not UTF-8
    text.extend_from_slice(b"2025-01-01T00:00:06Z,,a,2,good,bar\n"); // 9 no plant
    text.extend_from_slice(b"\n"); // 10 blank: no record
    text.extend_from_slice(b"2025-01-01T00:00:07Z,north,\"a,b\",,good,\n"); // 11 ok: empty value is NaN
    text.extend_from_slice(b"2025-01-01T00:00:08Z,north,a,3,0x80000000,bar,extra\n"); // 12 ok
    std::fs::write(&path, &text).unwrap();

    let (readings, dead) = replay_all(&path);
    assert_eq!(
        reasons(&dead),
        [
            (
                Location::Line(3),
                Reason::BadTime("2025-13-01T00:00:00Z".into())
            ),
            (Location::Line(4), Reason::NonNumericValue("1;5".into())),
            (Location::Line(5), Reason::MissingField("value")),
            (Location::Line(6), Reason::UnknownQuality("splendid".into())),
            (Location::Line(7), Reason::MissingField("tag")),
            (Location::Line(8), Reason::NotUtf8("tag")),
            (Location::Line(9), Reason::MissingPlant),
        ]
    );
    assert_eq!(dead[2].record, "2025-01-01T00:00:02Z,north,a");
    assert_eq!(
        dead[0].to_string(),
        "line 3: bad time `2025-13-01T00:00:00Z`: expected RFC 3339 (2025-01-01T00:00:00Z) or epoch milliseconds"
    );
    assert_eq!(dead[0].reason.code(), "bad_time");
    assert_eq!(
        serde_json::to_value(&dead[6]).unwrap(),
        serde_json::json!({
            "line": 9,
            "reason": "missing_plant",
            "message": "no plant: the row names none and the source sets no default",
            "record": "2025-01-01T00:00:06Z,,a,2,good,bar",
        })
    );
    assert_eq!(readings.len(), 3);
    assert_eq!(readings[1].tag.as_str(), "a,b");
    assert!(readings[1].value.is_nan());
    assert_eq!(readings[1].unit, None);
    assert_eq!(
        readings[2].quality,
        steamflow_operators::reading::Quality::Bad
    );
}

#[test]
fn bad_json_lines_are_dead_letters_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl");
    let lines = [
        r#"{"time":0,"plant":"p","tag":"a","value":1}"#, // 1 ok
        r#"{"time":0,"plant":"p","tag":"a","value":1"#,  // 2 truncated
        r#"[0,"p","a",1]"#,                              // 3 not an object
        r#"{"plant":"p","tag":"a","value":1}"#,          // 4 no time
        r#"{"time":"noon","plant":"p","tag":"a","value":1}"#, // 5 bad time
        r#"{"time":0,"plant":"p","tag":"a","value":"abc"}"#, // 6 non-numeric
        r#"{"time":0,"plant":"p","tag":"a","value":true}"#, // 7 non-numeric
        r#"{"time":0,"plant":"p","tag":"a"}"#,           // 8 no value
        r#"{"time":0,"plant":"p","tag":7,"value":1}"#,   // 9 tag not a string
        r#"{"time":0,"plant":"p","tag":"a","value":1,"quality":-3}"#, // 10 bad code
        r#"{"time":0.5,"plant":"p","tag":"a","value":1}"#, // 11 fraction of a ms
        "   ",                                           // 12 blank
        r#"{"time":0,"plant":"p","tag":"a","value":null,"quality":null,"unit":null}"#, // 13 ok
        r#"{"time":0,"time_ms":1,"plant":"p","tag":"a","value":1}"#, // 14 time twice
    ];
    std::fs::write(&path, lines.join("\n")).unwrap();
    let (readings, dead) = replay_all(&path);
    let got = reasons(&dead);
    let lines_of: Vec<u64> = got
        .iter()
        .map(|(location, _)| match location {
            Location::Line(n) => *n,
            Location::Row(_) => 0,
        })
        .collect();
    assert_eq!(lines_of, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14]);
    assert!(matches!(got[0].1, Reason::Malformed(_)));
    assert!(matches!(got[1].1, Reason::Malformed(_)));
    assert_eq!(got[2].1, Reason::MissingField("time"));
    assert_eq!(got[3].1, Reason::BadTime("noon".into()));
    assert_eq!(got[4].1, Reason::NonNumericValue("abc".into()));
    assert_eq!(got[5].1, Reason::NonNumericValue("true".into()));
    assert_eq!(got[6].1, Reason::MissingField("value"));
    assert!(matches!(&got[7].1, Reason::Malformed(m) if m.contains("tag must be a string")));
    assert_eq!(got[8].1, Reason::UnknownQuality("-3".into()));
    assert_eq!(got[9].1, Reason::BadTime("0.5".into()));
    assert!(matches!(&got[10].1, Reason::Malformed(m) if m.contains("duplicate field")));
    assert_eq!(
        dead[0].record,
        r#"{"time":0,"plant":"p","tag":"a","value":1"#
    );
    assert_eq!(readings.len(), 2);
    assert!(readings[1].value.is_nan());
}

#[test]
fn huge_fields_are_quoted_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let long = "9".repeat(10_000);
    std::fs::write(&path, format!("time,plant,tag,value\n0,p,a,{long}x\n")).unwrap();
    let (_, dead) = replay_all(&path);
    let Reason::NonNumericValue(text) = &dead[0].reason else {
        panic!("{:?}", dead[0]);
    };
    assert_eq!(text.chars().count(), 121);
    assert!(dead[0].record.chars().count() <= 501);
}

fn open_error(path: &Path, options: &ReplayOptions) -> OpenError {
    match FileReplay::open(path, options) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(error) => error,
    }
}

#[test]
fn files_that_cannot_be_read_at_all_are_open_errors() {
    let dir = tempfile::tempdir().unwrap();
    let defaults = ReplayOptions::default();

    let no_value = dir.path().join("no_value.csv");
    std::fs::write(&no_value, "time,plant,tag\n0,p,a\n").unwrap();
    let error = open_error(&no_value, &defaults);
    assert!(
        matches!(
            error,
            OpenError::MissingColumn {
                column: "value",
                ..
            }
        ),
        "{error}"
    );

    let no_plant = dir.path().join("no_plant.csv");
    std::fs::write(&no_plant, "time,tag,value\n0,a,1\n").unwrap();
    let error = open_error(&no_plant, &defaults);
    assert!(error.to_string().contains("no default plant"), "{error}");

    let unknown = dir.path().join("data.xlsx");
    std::fs::write(&unknown, "").unwrap();
    assert!(matches!(
        open_error(&unknown, &defaults),
        OpenError::UnknownFormat { .. }
    ));

    let missing = dir.path().join("missing.csv");
    assert!(matches!(
        open_error(&missing, &defaults),
        OpenError::Io { .. }
    ));

    let not_parquet = dir.path().join("fake.parquet");
    std::fs::write(&not_parquet, "time,plant,tag,value\n").unwrap();
    assert!(matches!(
        open_error(&not_parquet, &defaults),
        OpenError::Parquet { .. }
    ));

    for factor in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let options = ReplayOptions {
            realtime_factor: Some(factor),
            ..ReplayOptions::default()
        };
        assert!(matches!(
            open_error(&no_value, &options),
            OpenError::BadFactor(_)
        ));
    }
}

#[test]
fn an_empty_text_file_has_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.jsonl");
    std::fs::write(&path, "").unwrap();
    let (readings, dead) = replay_all(&path);
    assert!(readings.is_empty() && dead.is_empty());
    let header_only = dir.path().join("header.csv");
    std::fs::write(&header_only, "time,plant,tag,value\n").unwrap();
    let (readings, dead) = replay_all(&header_only);
    assert!(readings.is_empty() && dead.is_empty());
}
