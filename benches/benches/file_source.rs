//! Readings per second of the file source replaying a generated 1 M-row
//! historian file, in each format, at full speed.
//!
//! Run: `cargo bench -p steamflow-benches --bench file_source`
//! (criterion prints `thrpt` in elements/s = readings/s).
//!
//! The file is a historian scan: 1 plant, 1000 tags sampled every second
//! for 1000 s, values at full f64 precision as a simulator writes them,
//! four units, a sprinkle of uncertain and bad quality. `csv_distinct_times`
//! gives every row its own millisecond, so no row reuses the time parsed
//! for the row before (the worst case for the time parser).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_file::{Batch, FileReplay, ReplayOptions, write_csv_readings};

const TAGS: usize = 1000;
const SCANS: usize = 1000;
const ROWS: usize = TAGS * SCANS;

fn generate(distinct_times: bool) -> Vec<Reading> {
    let tags: Vec<String> = (0..TAGS)
        .map(|i| {
            format!(
                "north.unit{:02}.{}{:03}",
                i / 50,
                ["flow", "pressure", "temp", "acoustic"][i % 4],
                i
            )
        })
        .collect();
    let units = ["t/h", "barg", "°C", "dB"];
    let mut readings = Vec::with_capacity(ROWS);
    for scan in 0..SCANS {
        for (i, tag) in tags.iter().enumerate() {
            let x = (scan * TAGS + i) as f64;
            readings.push(Reading {
                time_ms: 1_735_689_600_000
                    + if distinct_times {
                        (scan * TAGS + i) as i64
                    } else {
                        scan as i64 * 1000
                    },
                plant: "north".into(),
                tag: tag.as_str().into(),
                value: 10.0 + (x * 0.618_033_988_749_895).sin() * 3.7,
                quality: match (scan + i) % 97 {
                    0 => Quality::Bad,
                    1 => Quality::Uncertain,
                    _ => Quality::Good,
                },
                unit: Some(units[i % 4].into()),
            });
        }
    }
    readings
}

struct Files {
    _dir: tempfile::TempDir,
    csv: PathBuf,
    jsonl: PathBuf,
    parquet: PathBuf,
    csv_distinct_times: PathBuf,
}

fn write_files() -> Files {
    let dir = tempfile::tempdir().expect("temporary folder");
    let readings = generate(false);
    let csv = dir.path().join("readings.csv");
    let csv_distinct_times = dir.path().join("distinct_times.csv");
    write_csv_readings(&csv_distinct_times, &generate(true)).expect("CSV written");
    let jsonl = dir.path().join("readings.jsonl");
    let parquet = dir.path().join("readings.parquet");
    write_csv_readings(&csv, &readings).expect("CSV written");
    steamflow_sink_jsonl::write_readings(&jsonl, &readings).expect("JSON Lines written");
    steamflow_sink_parquet::write_readings(&parquet, &readings).expect("Parquet written");
    for path in [&csv, &jsonl, &parquet] {
        let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        eprintln!("{}: {:.1} MB", path.display(), bytes as f64 / 1e6);
    }
    Files {
        _dir: dir,
        csv,
        jsonl,
        parquet,
        csv_distinct_times,
    }
}

/// Replays the whole file; returns the readings read.
fn replay(path: &Path) -> usize {
    let mut replay = FileReplay::open(path, &ReplayOptions::default()).expect("file opens");
    let mut batch = Batch::new();
    let mut readings = 0;
    while replay.next_batch(&mut batch).expect("file reads") {
        readings += batch.readings.len();
        black_box(&batch);
    }
    readings
}

fn file_source(c: &mut Criterion) {
    let files = write_files();
    let mut group = c.benchmark_group("file_source");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.warm_up_time(Duration::from_secs(2));
    for (name, path) in [
        ("csv", &files.csv),
        ("jsonl", &files.jsonl),
        ("parquet", &files.parquet),
        ("csv_distinct_times", &files.csv_distinct_times),
    ] {
        assert_eq!(replay(path), ROWS, "{name}: every row is a reading");
        group.bench_function(name, |b| b.iter(|| replay(black_box(path))));
    }
    group.finish();
}

criterion_group!(benches, file_source);
criterion_main!(benches);
