//! Integration tests of the file source, one binary with a module per area.

mod garbage;
mod malformed;
mod pacing;
mod parquet_types;
mod round_trip;

use std::path::Path;

use steamflow_operators::reading::Reading;
use steamflow_source_file::{Batch, DeadLetter, FileReplay, ReplayOptions};

/// Every reading and dead letter of a file, with default options.
pub fn replay_all(path: &Path) -> (Vec<Reading>, Vec<DeadLetter>) {
    replay_with(path, &ReplayOptions::default())
}

/// Every reading and dead letter of a file.
pub fn replay_with(path: &Path, options: &ReplayOptions) -> (Vec<Reading>, Vec<DeadLetter>) {
    let mut replay = FileReplay::open(path, options).unwrap();
    let mut batch = Batch::new();
    let (mut readings, mut dead) = (Vec::new(), Vec::new());
    while replay.next_batch(&mut batch).unwrap() {
        readings.append(&mut batch.readings);
        dead.append(&mut batch.dead_letters);
    }
    let stats = replay.stats();
    assert_eq!(stats.readings, readings.len() as u64);
    assert_eq!(stats.dead_letters, dead.len() as u64);
    assert_eq!(stats.position, stats.total, "the whole file was read");
    (readings, dead)
}

/// Readings equal field by field, NaN equal to NaN.
pub fn assert_same(actual: &[Reading], expected: &[Reading]) {
    assert_eq!(actual.len(), expected.len(), "reading count");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let same_value =
            a.value.to_bits() == e.value.to_bits() || (a.value.is_nan() && e.value.is_nan());
        assert!(
            a.time_ms == e.time_ms
                && a.plant == e.plant
                && a.tag == e.tag
                && same_value
                && a.quality == e.quality
                && a.unit == e.unit,
            "reading {i}: {a:?} != {e:?}"
        );
    }
}
