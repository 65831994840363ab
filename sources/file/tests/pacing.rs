//! Replay at a real-time factor: never faster than the factor allows, in order.

use std::time::{Duration, Instant};

use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_file::{Batch, FileReplay, ReplayOptions, write_csv_readings};

fn readings(times: impl IntoIterator<Item = i64>) -> Vec<Reading> {
    times
        .into_iter()
        .enumerate()
        .map(|(i, time_ms)| Reading {
            time_ms,
            plant: "p".into(),
            tag: format!("t{i}").into(),
            value: i as f64,
            quality: Quality::Good,
            unit: None,
        })
        .collect()
}

#[test]
fn a_paced_replay_takes_at_least_the_scaled_event_span_and_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paced.csv");
    // 300 readings one second apart: 299 s of event time, 299 ms at 1000×.
    let written = readings((0..300).map(|i| 1_735_689_600_000 + i * 1000));
    write_csv_readings(&path, &written).unwrap();
    let options = ReplayOptions {
        realtime_factor: Some(1000.0),
        ..ReplayOptions::default()
    };
    let started = Instant::now();
    let mut replay = FileReplay::open(&path, &options).unwrap();
    let mut batch = Batch::new();
    let mut seen = Vec::new();
    let mut batches = 0;
    while replay.next_batch(&mut batch).unwrap() {
        batches += 1;
        seen.extend(batch.readings.iter().map(|r| r.time_ms));
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(299), "took {elapsed:?}");
    let expected: Vec<i64> = written.iter().map(|r| r.time_ms).collect();
    assert_eq!(seen, expected, "order is the file's");
    assert!(batches > 1, "pacing cuts the file into due slots");
}

#[test]
fn late_readings_in_a_paced_replay_are_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.csv");
    // A reading an hour late in event time sits between recent ones: the
    // replay must not pace backwards, nor wait an hour for it.
    let times = [0, 100, -3_600_000, 200, 300];
    write_csv_readings(&path, &readings(times)).unwrap();
    let options = ReplayOptions {
        realtime_factor: Some(1000.0),
        ..ReplayOptions::default()
    };
    let replay = FileReplay::open(&path, &options).unwrap();
    let seen: Vec<i64> = replay
        .map(|b| b.unwrap())
        .flat_map(|b| b.readings)
        .map(|r| r.time_ms)
        .collect();
    assert_eq!(seen, times);
}
