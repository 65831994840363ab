//! Delivery faults — late, duplicate, out-of-order and malformed readings —
//! against a clean run of the same plant and seed: late data inside the
//! allowed lateness updates the results it belongs to, later data is
//! dead-lettered with its reason, duplicates count once, and malformed
//! values never stop the graph.

use steamflow_simulator::FaultKind;

use super::harness::{Streams, assert_same_windows, demo, fault, int, num, run, windows};

/// Half an hour sampled every 5 s: 360 samples of 37 tags.
const DURATION_SECS: u64 = 1800;
const INTERVAL_MS: u64 = 5000;
/// The demo's allowed lateness [ms].
const LATENESS_MS: f64 = 300_000.0;

const STREAMS: [&str; 2] = ["window_aggregates", "dead_letters"];

fn clean() -> Streams {
    run(&demo(Vec::new(), DURATION_SECS, INTERVAL_MS), 1, &STREAMS)
}

#[test]
fn late_data_inside_the_lateness_updates_the_windows_it_belongs_to() {
    let clean = clean();
    // A tenth of the readings two minutes late: behind the watermark, inside the lateness.
    let late = fault(FaultKind::Late, 0, |f| {
        f.delay_secs = Some(120.0);
        f.fraction = Some(0.1);
    });
    for workers in [1, 2] {
        let run = run(
            &demo(vec![late.clone()], DURATION_SECS, INTERVAL_MS),
            workers,
            &STREAMS,
        );
        assert_eq!(run.dead_letters().get("late"), None, "{workers} workers");
        // Once settled, every window holds exactly what the clean run's holds…
        assert_same_windows(&windows(&clean), &windows(&run));
        // …because windows were retracted and asserted again when their late
        // readings arrived: base windows last changed after they closed.
        let updated_late = run
            .report
            .collected
            .contents("window_aggregates")
            .iter()
            .filter(|(w, _, time)| w["window"] == "1m" && *time as i64 >= int(w, "window_end"))
            .count();
        assert!(
            updated_late > 10,
            "{updated_late} windows updated by late data"
        );
    }
}

#[test]
fn data_later_than_the_lateness_is_dead_lettered_with_how_late_it_was() {
    let clean = clean();
    let late = fault(FaultKind::Late, 0, |f| {
        f.delay_secs = Some(900.0);
        f.fraction = Some(0.05);
    });
    let run = run(&demo(vec![late], DURATION_SECS, INTERVAL_MS), 1, &STREAMS);
    let letters: Vec<_> = run
        .records("dead_letters")
        .into_iter()
        .filter(|d| d["reason"] == "late")
        .collect();
    assert!(letters.len() > 100, "{} late dead letters", letters.len());
    // 900 s late less the 10 s out-of-orderness: beyond the 300 s lateness.
    for letter in &letters {
        let detail = num(letter, "detail");
        assert!(detail > LATENESS_MS && detail <= 900_000.0, "{detail}");
    }
    // What was not dead-lettered is exactly what the windows count.
    let counted = |s: &Streams| -> f64 {
        windows(s)
            .iter()
            .filter(|((_, family, _), _)| family == "1m")
            .map(|(_, w)| w[0])
            .sum()
    };
    assert_eq!(counted(&clean) - letters.len() as f64, counted(&run));
}

#[test]
fn duplicates_are_counted_once() {
    let clean = clean();
    let duplicate = fault(FaultKind::Duplicate, 0, |f| f.fraction = Some(0.2));
    let run = run(
        &demo(vec![duplicate], DURATION_SECS, INTERVAL_MS),
        2,
        &STREAMS,
    );
    let extra = run.delivered() - clean.delivered();
    assert!(extra > 1000, "{extra} readings delivered twice");
    assert_eq!(
        run.dead_letters().get("duplicate").copied(),
        Some(extra as usize)
    );
    assert_same_windows(&windows(&clean), &windows(&run));
}

#[test]
fn out_of_order_delivery_within_the_out_of_orderness_changes_nothing() {
    let clean = clean();
    let shuffled = fault(FaultKind::OutOfOrder, 0, |f| {
        f.max_delay_secs = Some(8.0);
        f.fraction = Some(0.3);
    });
    let run = run(
        &demo(vec![shuffled], DURATION_SECS, INTERVAL_MS),
        1,
        &STREAMS,
    );
    assert_eq!(run.dead_letters().get("late"), None);
    assert_same_windows(&windows(&clean), &windows(&run));
}

#[test]
fn malformed_values_are_dead_lettered_and_never_stop_the_graph() {
    let malformed = fault(FaultKind::Malformed, 0, |f| f.fraction = Some(0.05));
    let run = run(
        &demo(vec![malformed], DURATION_SECS, INTERVAL_MS),
        2,
        &STREAMS,
    );
    let letters = run.dead_letters();
    // NaN and ±∞ at the door; ±1e300 outside every tag's design limits.
    let non_finite = letters.get("non_finite").copied().unwrap_or(0);
    let out_of_range = letters.get("out_of_range").copied().unwrap_or(0);
    assert!(non_finite > 100 && out_of_range > 100, "{letters:?}");
    // Every reading delivered is either in a window or a dead letter.
    let counted: f64 = windows(&run)
        .iter()
        .filter(|((_, family, _), _)| family == "1m")
        .map(|(_, w)| w[0])
        .sum();
    let dead: usize = letters.values().sum();
    assert_eq!(counted as u64 + dead as u64, run.delivered());
    // And the run went to the end: the last half hour's windows are there.
    let last = windows(&run)
        .keys()
        .map(|(_, _, start)| *start)
        .max()
        .unwrap();
    assert_eq!(
        last,
        super::harness::T0 + DURATION_SECS as i64 * 1000 - super::harness::MINUTE
    );
}
