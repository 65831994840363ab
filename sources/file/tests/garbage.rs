//! Arbitrary bytes never panic the source: each file ends in readings,
//! dead letters, or an error.

use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_file::{Batch, FileReplay, ReplayOptions};

/// xorshift64*: deterministic bytes without a dependency.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
    }
}

/// Replays to the end or the first error; counts rows.
fn drain(path: &std::path::Path) -> usize {
    let options = ReplayOptions {
        default_plant: Some("p".into()),
        ..ReplayOptions::default()
    };
    let Ok(mut replay) = FileReplay::open(path, &options) else {
        return 0;
    };
    let mut batch = Batch::new();
    let mut rows = 0;
    while let Ok(true) = replay.next_batch(&mut batch) {
        rows += batch.len();
    }
    rows
}

#[test]
fn mangled_text_files_decode_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Bytes(0x9e37_79b9_7f4a_7c15);
    // Characters that matter to the parsers, plus arbitrary bytes.
    let alphabet = b"0123456789-:.TZ+ ,\"\n\r{}[]:\\eE-naNiInf goodbad\xff\xc3";
    for case in 0..200 {
        let header: &[u8] = if case % 2 == 0 {
            b"time,plant,tag,value,quality,unit\n"
        } else {
            b""
        };
        let mut text = header.to_vec();
        for _ in 0..2000 {
            let b = rng.next();
            text.push(if b < 200 {
                alphabet[usize::from(b) % alphabet.len()]
            } else {
                b
            });
        }
        for ext in ["csv", "jsonl"] {
            let path = dir.path().join(format!("g{case}.{ext}"));
            std::fs::write(&path, &text).unwrap();
            drain(&path);
        }
    }
}

#[test]
fn corrupted_parquet_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    let readings: Vec<Reading> = (0..500)
        .map(|i| Reading {
            time_ms: i,
            plant: "p".into(),
            tag: format!("t{}", i % 7).into(),
            value: i as f64,
            quality: Quality::Good,
            unit: Some("bar".into()),
        })
        .collect();
    steamflow_sink_parquet::write_readings(&good, &readings).unwrap();
    let original = std::fs::read(&good).unwrap();
    assert_eq!(drain(&good), 500);
    let mut rng = Bytes(42);
    for case in 0..500 {
        let mut bytes = original.clone();
        if case % 4 == 0 {
            let keep = usize::from(rng.next()) * bytes.len() / 256;
            bytes.truncate(keep);
        } else {
            // Damage the data pages, not only the footer.
            for _ in 0..4 {
                let at = (usize::from(rng.next()) << 8 | usize::from(rng.next())) % bytes.len();
                bytes[at] ^= rng.next() | 1;
            }
        }
        let path = dir.path().join(format!("bad{case}.parquet"));
        std::fs::write(&path, &bytes).unwrap();
        drain(&path);
    }
}
