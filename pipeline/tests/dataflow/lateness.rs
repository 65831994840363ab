//! Late data inside the lateness updates its windows (retraction and new
//! value visible); later data is dead-lettered with its lateness;
//! duplicates count once; malformed values never stop the graph.

use steamflow::dataflow::{GraphConfig, Reason};

use super::harness::{count_reason, reading, run_graph};

const T0: i64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z, a minute boundary

fn config() -> GraphConfig {
    let mut config = GraphConfig::default();
    config.ingest.out_of_orderness_ms = 5_000;
    config.ingest.allowed_lateness_ms = 300_000;
    config.rollups.clear();
    config
}

#[test]
fn late_reading_inside_lateness_retracts_and_reasserts_its_window() {
    let feed = vec![
        (0, reading("north", "flow", T0 + 10_000, 4.0)),
        (0, reading("north", "flow", T0 + 20_000, 6.0)),
        // The watermark moves to T0 + 125 s: minute 0 is complete.
        (0, reading("north", "flow", T0 + 130_000, 1.0)),
        // 95 s behind the watermark, inside the 300 s lateness.
        (0, reading("north", "flow", T0 + 30_000, 20.0)),
    ];
    let run = run_graph(config(), 1, 1, feed);
    let first_minute: Vec<_> = run
        .windows
        .iter()
        .filter(|((window, _), _, _)| window.start_ms == T0 as u64)
        .map(|((_, agg), time, diff)| (agg.count, agg.max, agg.last_value, *time, *diff))
        .collect();
    let t0 = T0 as u64;
    assert_eq!(
        first_minute,
        vec![
            (2, 6.0, 6.0, t0, 1),
            // The late reading arrives at the watermark's tick (minute 2):
            // the old value is retracted and the corrected one asserted there.
            (2, 6.0, 6.0, t0 + 120_000, -1),
            (3, 20.0, 20.0, t0 + 120_000, 1),
        ]
    );
    assert!(run.dead_letters.is_empty());
}

#[test]
fn reading_beyond_lateness_is_dead_lettered_with_its_lateness() {
    let feed = vec![
        (0, reading("north", "flow", T0 + 10_000, 4.0)),
        (0, reading("north", "flow", T0 + 505_000, 1.0)), // watermark T0 + 500 s
        (0, reading("north", "flow", T0 + 150_000, 9.0)), // 350 s behind
    ];
    let run = run_graph(config(), 1, 1, feed);
    assert_eq!(run.dead_letters.len(), 1);
    let (letter, count) = run.dead_letters[0];
    assert_eq!(count, 1);
    assert_eq!(letter.reason, Reason::Late);
    assert_eq!(letter.time_ms, (T0 + 150_000) as u64);
    assert_eq!(letter.detail, 350_000.0);
    assert!(
        run.window_contents
            .iter()
            .all(|((_, agg), _)| agg.max < 9.0)
    );
}

#[test]
fn duplicates_count_once() {
    let twice = reading("north", "flow", T0 + 10_000, 4.0);
    let feed = vec![
        (0, twice.clone()),
        (0, reading("north", "flow", T0 + 11_000, 5.0)),
        (0, twice.clone()),
        (0, twice),
        (0, reading("north", "flow", T0 + 11_000, 5.5)), // same time, new value: kept
    ];
    let run = run_graph(config(), 1, 2, feed);
    let ((_, agg), _) = run.window_contents[0];
    assert_eq!((agg.count, agg.sum), (3, 14.5));
    assert_eq!(count_reason(&run, Reason::Duplicate), 2);
}

#[test]
fn malformed_values_never_stop_the_graph() {
    let mut feed = Vec::new();
    for second in 0..180 {
        let value = match second % 7 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => f64::MAX,
            _ => second as f64,
        };
        feed.push((0, reading("north", "flow", T0 + second * 1000, value)));
    }
    feed.push((0, reading("north", "flow", -5, 1.0))); // before 1970
    feed.push((0, reading("north", "", i64::MAX, -0.0))); // absurd time, empty tag
    feed.push((0, reading("north", "flow", T0 + 181_000, 2.0)));
    let run = run_graph(config(), 2, 16, feed);
    assert_eq!(count_reason(&run, Reason::NonFinite), 3 * 26);
    assert_eq!(count_reason(&run, Reason::BadTime), 1);
    // The absurd time moved the watermark past everything after it.
    assert_eq!(count_reason(&run, Reason::Late), 1);
    // Three minutes of windows came out, f64::MAX included (sum overflows to ∞, kept).
    let minutes: Vec<u64> = run
        .window_contents
        .iter()
        .map(|((window, _), _)| window.start_ms)
        .collect();
    assert!(minutes.len() >= 4, "{minutes:?}");
}

#[test]
fn units_are_normalised_and_foreign_units_dead_lettered() {
    use std::sync::Arc;
    use steamflow::dataflow::{TagKey, UnitPlan};
    use steamflow_operators::plant::Measurand;
    use steamflow_operators::reading::UnitLabel;

    let mut config = config();
    config.units = Arc::new(
        UnitPlan::default().with_tag(TagKey::of("north", "hdr.t"), Measurand::SteamTemperature),
    );
    let with_unit = |time_ms, value, unit: &str| {
        let mut r = reading("north", "hdr.t", time_ms, value);
        r.unit = Some(UnitLabel::from(unit));
        r
    };
    let feed = vec![
        (0, with_unit(T0 + 1_000, 212.0, "°F")),
        (0, with_unit(T0 + 2_000, 373.15, "K")),
        (0, reading("north", "hdr.t", T0 + 3_000, 100.0)),
        (0, with_unit(T0 + 4_000, 10.0, "barg")),
    ];
    let run = run_graph(config, 1, 4, feed);
    let ((_, agg), _) = run.window_contents[0];
    assert_eq!(agg.count, 3);
    assert!((agg.min - 100.0).abs() < 1e-9 && (agg.max - 100.0).abs() < 1e-9);
    assert_eq!(count_reason(&run, Reason::Unit), 1);
}
