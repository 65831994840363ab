//! A late reading inside the allowed lateness updates a view's result:
//! the view retracts the row it showed and asserts the corrected one.

use std::path::Path;

use serde_json::Value;
use steamflow::config::{Config, DEMO_CONFIG, env};

use super::harness::{records, run, scratch};

/// 2025-01-06T06:00:00Z.
const T0: i64 = 1_736_143_200_000;
const MINUTE: i64 = 60_000;

/// Twenty minutes of the HP header pressure, one reading a second at
/// 10.0 barg, and among the readings of minute 10 one of minute 6 at
/// 12.0 barg: 3½ minutes behind, inside the demo's 5 minutes of allowed
/// lateness.
fn write_csv(path: &Path) {
    let mut csv = String::from("time,plant,tag,value,quality,unit\n");
    for s in 0..1200 {
        let time = T0 + s * 1000;
        csv.push_str(&format!("{time},north,north.hp.pressure,10.0,good,barg\n"));
        if s == 600 {
            let late = T0 + 6 * MINUTE + 30_000;
            csv.push_str(&format!("{late},north,north.hp.pressure,12.0,good,barg\n"));
        }
    }
    std::fs::write(path, csv).expect("the readings");
}

#[test]
fn a_late_reading_retracts_the_views_row_and_asserts_the_corrected_one() {
    let dir = scratch("late");
    write_csv(&dir.join("readings.csv"));
    let plant_start = DEMO_CONFIG.find("[plants.north]").expect("the demo plant");
    let plant_end = DEMO_CONFIG.find("[alerts.").expect("the demo's alerts");
    let text = format!(
        "[sources.historian]\ntype = \"file\"\npath = \"readings.csv\"\n\n{}\n\
         [views.hp_minutes]\nsql = \"\"\"\n\
         SELECT CAST(window_start AS BIGINT) AS window_start, \"count\" AS readings, mean AS mean_barg\n\
         FROM window_aggregates WHERE tag = 'north.hp.pressure' AND \"window\" = '1m'\n\"\"\"\n\n\
         [sinks.files]\ntype = \"jsonl\"\ninputs = [\"hp_minutes\"]\ndir = \"out\"\n",
        &DEMO_CONFIG[plant_start..plant_end]
    );
    let mut config =
        Config::from_toml(&text, "late.toml", &env::process_env).unwrap_or_else(|e| panic!("{e}"));
    config.base_dir = dir.clone();
    let report = run(&config, &["hp_minutes"]);

    let minute_6 = T0 + 6 * MINUTE;
    // At the end the view holds the corrected minute: 61 readings.
    let rows = records(&report, "hp_minutes");
    let row = rows
        .iter()
        .find(|row| row["window_start"] == minute_6)
        .unwrap_or_else(|| panic!("no row for minute 6: {rows:?}"));
    assert_eq!(row["readings"], 61, "{row:?}");
    // The view's stream: minute 6 asserted when it closed, then retracted
    // and asserted again with the late reading, at a later time.
    let lines = std::fs::read_to_string(dir.join("out/hp_minutes.jsonl")).expect("the view's file");
    let updates: Vec<(i64, i64, i64)> = lines
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|update| update["window_start"] == minute_6)
        .map(|update| {
            (
                update["time"].as_i64().unwrap_or(-1),
                update["readings"].as_i64().unwrap_or(-1),
                update["diff"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(updates.len(), 3, "{updates:?}");
    let (first, retracted, corrected) = (updates[0], updates[1], updates[2]);
    assert_eq!((first.1, first.2), (60, 1), "{updates:?}");
    assert_eq!((retracted.1, retracted.2), (60, -1), "{updates:?}");
    assert_eq!((corrected.1, corrected.2), (61, 1), "{updates:?}");
    assert!(
        retracted.0 > first.0 && corrected.0 == retracted.0,
        "{updates:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
