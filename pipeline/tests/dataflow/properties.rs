//! Random out-of-order streams with duplicates and late data: the
//! incrementally maintained windows, once consolidated, equal a
//! from-scratch computation over the readings that were accepted, and the
//! late dead letters are exactly the readings too late to count.

use std::collections::BTreeMap;

use proptest::prelude::*;
use steamflow::dataflow::{GraphConfig, Reason, WindowSpec};
use steamflow_operators::reading::Reading;

use super::harness::{count_reason, late_letters, minutes, model, reading, run_graph};

const T0: i64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z

fn config() -> GraphConfig {
    let mut config = GraphConfig::default();
    config.ingest.out_of_orderness_ms = 10_000;
    config.ingest.allowed_lateness_ms = 120_000;
    config.rollups = vec![
        minutes(5),
        minutes(15),
        minutes(60),
        WindowSpec::hopping(300_000, 60_000).unwrap(),
    ];
    config
}

/// One generated reading: source, tag, event offset [s], delivery delay [s],
/// value in quarters, and whether it is sent twice.
type Spec = (usize, usize, i64, i64, i32, bool);

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..3_usize,
        0..3_usize,
        0..3_600_i64,
        prop_oneof![6 => 0..8_i64, 3 => 0..150_i64, 1 => 0..600_i64],
        -400..400_i32,
        proptest::bool::weighted(0.1),
    )
}

/// Orders readings by event time plus delay: the delivery order of a
/// source whose readings are delayed in transit.
fn feed(specs: &[Spec]) -> Vec<(usize, Reading)> {
    let mut sent: Vec<(i64, usize, usize, Reading)> = Vec::new();
    for (index, (source, tag, offset, delay, quarters, twice)) in specs.iter().enumerate() {
        let plant = format!("plant{source}");
        let tag = format!("tag{tag}");
        let reading = reading(&plant, &tag, T0 + offset * 1000, f64::from(*quarters) / 4.0);
        let copies = if *twice { 2 } else { 1 };
        for copy in 0..copies {
            let arrival = offset + delay + copy * 30;
            sent.push((arrival, index, *source, reading.clone()));
        }
    }
    sent.sort_by_key(|(arrival, index, _, _)| (*arrival, *index));
    sent.into_iter()
        .map(|(_, _, source, reading)| (source, reading))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn incremental_windows_equal_batch_over_accepted_readings(
        specs in proptest::collection::vec(spec(), 1..400),
        workers in 1..=2_u16,
        batch in 1..64_usize,
    ) {
        let config = config();
        let feed = feed(&specs);
        let expected = model(&config, &feed);
        let run = run_graph(config, workers, batch, feed);

        prop_assert!(run.window_contents.iter().all(|(_, count)| *count == 1));
        let got: BTreeMap<_, _> = run.window_contents.iter().map(|((w, a), _)| (*w, *a)).collect();
        prop_assert_eq!(got.len(), expected.windows.len());
        for (window, agg) in &expected.windows {
            prop_assert_eq!(got.get(window), Some(agg), "window {:?}", window);
        }
        let mut late = expected.late.clone();
        late.sort_unstable();
        prop_assert_eq!(late_letters(&run), late);
        prop_assert_eq!(count_reason(&run, Reason::Duplicate), expected.duplicates);
        // Every retraction undoes an earlier assertion of the same window value.
        let mut balance: BTreeMap<_, isize> = BTreeMap::new();
        for (update, _time, diff) in &run.windows {
            let count = balance.entry(*update).or_default();
            *count += diff;
            prop_assert!(*count >= 0 && *count <= 1);
        }
    }
}
