use proptest::prelude::*;

use super::*;
use crate::alerting::threshold::{Side, Threshold, ThresholdAlert};

const S: i64 = 1000;

fn key() -> AlertKey {
    AlertKey::new("trap_failed", "north", "t1")
}

fn tracker(for_secs: u64, clear_for_secs: u64, repeat_secs: Option<u64>) -> AlertTracker {
    AlertTracker::new(
        key(),
        AlertPolicy::from_secs(Severity::High, for_secs, clear_for_secs, repeat_secs),
    )
}

/// Feeds (seconds, holds) pairs; returns the events as (seconds, kind).
fn run(t: &mut AlertTracker, steps: &[(i64, bool)]) -> Vec<(i64, EventKind)> {
    steps
        .iter()
        .filter_map(|&(s, holds)| {
            t.observe(s * S, holds, if holds { 1.0 } else { 0.0 }, "x")
                .unwrap_or_else(|e| panic!("{e}"))
                .map(|e| (e.time_ms / S, e.kind))
        })
        .collect()
}

#[test]
fn immediate_policy_fires_and_resolves_at_once() {
    let mut t = tracker(0, 0, None);
    let events = run(
        &mut t,
        &[(0, false), (1, true), (2, true), (3, false), (4, false)],
    );
    assert_eq!(
        events,
        vec![(1, EventKind::Firing), (3, EventKind::Resolved)]
    );
}

#[test]
fn for_secs_needs_the_condition_to_hold_that_long() {
    let mut t = tracker(60, 0, None);
    assert_eq!(run(&mut t, &[(0, true), (30, true), (59, true)]), vec![]);
    assert_eq!(t.phase(), AlertPhase::Pending { since_ms: 0 });
    assert_eq!(run(&mut t, &[(60, true)]), vec![(60, EventKind::Firing)]);
    // An interruption restarts the wait.
    let mut t = tracker(60, 0, None);
    let events = run(
        &mut t,
        &[
            (0, true),
            (30, true),
            (40, false),
            (50, true),
            (100, true),
            (110, true),
        ],
    );
    assert_eq!(events, vec![(110, EventKind::Firing)]);
}

#[test]
fn clear_for_secs_needs_the_condition_gone_that_long() {
    let mut t = tracker(0, 60, None);
    let events = run(
        &mut t,
        &[
            (0, true),
            (100, false),
            (120, false),
            (130, true),
            (140, false),
            (190, false),
            (200, false),
        ],
    );
    assert_eq!(
        events,
        vec![(0, EventKind::Firing), (200, EventKind::Resolved)]
    );
}

#[test]
fn repeat_secs_reminds_while_it_holds() {
    let mut t = tracker(0, 0, Some(300));
    let events = run(
        &mut t,
        &[
            (0, true),
            (100, true),
            (299, true),
            (300, true),
            (500, true),
            (610, true),
        ],
    );
    assert_eq!(
        events,
        vec![
            (0, EventKind::Firing),
            (300, EventKind::Repeat),
            (610, EventKind::Repeat)
        ]
    );
    // No reminder while clearing, nor without repeat_secs.
    let mut t = tracker(0, 1000, Some(300));
    assert_eq!(
        run(&mut t, &[(0, true), (10, false), (400, false)]),
        vec![(0, EventKind::Firing)]
    );
    let mut t = tracker(0, 0, None);
    assert_eq!(
        run(&mut t, &[(0, true), (10_000, true)]),
        vec![(0, EventKind::Firing)]
    );
}

#[test]
fn a_flapping_signal_pages_once() {
    let mut t = tracker(0, 60, None);
    // On and off every 10 s for 20 minutes, then off for good.
    let mut steps: Vec<(i64, bool)> = (0..120).map(|i| (i * 10, i % 2 == 0)).collect();
    steps.extend((120..140).map(|i| (i * 10, false)));
    let events = run(&mut t, &steps);
    assert_eq!(
        events,
        vec![(0, EventKind::Firing), (1250, EventKind::Resolved)],
        "{events:?}"
    );
}

#[test]
fn out_of_order_observations_are_refused_and_change_nothing() {
    let mut t = tracker(60, 0, None);
    let _ = run(&mut t, &[(100, true)]);
    let before = t.clone();
    assert_eq!(
        t.observe(50 * S, true, 1.0, "late"),
        Err(OutOfOrderObservation {
            last_ms: 100 * S,
            time_ms: 50 * S
        })
    );
    assert_eq!(t, before);
    // The same millisecond again is accepted.
    assert!(t.observe(100 * S, false, 0.0, "same time").is_ok());
    assert_eq!(t.phase(), AlertPhase::Idle);
}

#[test]
fn events_carry_key_severity_value_and_message() {
    let mut t = tracker(0, 0, None);
    let fired = t
        .observe(5 * S, true, 42.0, "trap t1 is blown_open")
        .unwrap_or_default();
    let e = fired.expect("fired");
    assert_eq!(e.key, key());
    assert_eq!(e.severity, Severity::High);
    assert_eq!(e.value, 42.0);
    assert_eq!(e.fired_at_ms, 5 * S);
    assert_eq!(
        e.message,
        "FIRING [high] trap_failed/north/t1: trap t1 is blown_open"
    );
    let resolved = t
        .observe(9 * S, false, 0.0, "trap t1 is ok")
        .unwrap_or_default()
        .expect("resolved");
    assert_eq!(resolved.fired_at_ms, 5 * S);
    assert!(resolved.message.starts_with("RESOLVED [high]"));
}

fn threshold_alert(threshold: Threshold, clear_for_secs: u64) -> ThresholdAlert {
    ThresholdAlert::new(
        AlertKey::new("hp_pressure", "north", "hp.p"),
        AlertPolicy::from_secs(Severity::Critical, 0, clear_for_secs, None),
        threshold,
    )
}

fn feed(a: &mut ThresholdAlert, values: &[f64]) -> Vec<(usize, EventKind)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, &v)| {
            a.observe(i as i64 * S, v, "hp.p")
                .unwrap_or_else(|e| panic!("{e}"))
                .map(|e| (i, e.kind))
        })
        .collect()
}

#[test]
fn upper_threshold_with_hysteresis() {
    let th = Threshold {
        above: Some(10.0),
        below: None,
        hysteresis: 2.0,
    };
    let mut a = threshold_alert(th, 0);
    // fires at ≥ 10, resolves at ≤ 8.
    let events = feed(&mut a, &[9.0, 10.0, 9.0, 8.5, 8.0, 9.0, 10.0]);
    assert_eq!(
        events,
        vec![
            (1, EventKind::Firing),
            (4, EventKind::Resolved),
            (6, EventKind::Firing)
        ]
    );
    assert_eq!(a.side(), Some(Side::High));
}

#[test]
fn lower_threshold_with_hysteresis() {
    let th = Threshold {
        above: None,
        below: Some(5.0),
        hysteresis: 1.0,
    };
    let mut a = threshold_alert(th, 0);
    let events = feed(&mut a, &[6.0, 5.0, 5.5, 5.99, 6.0, 5.5]);
    assert_eq!(
        events,
        vec![(1, EventKind::Firing), (4, EventKind::Resolved)]
    );
}

#[test]
fn a_value_hovering_at_the_limit_fires_once() {
    let th = Threshold {
        above: Some(10.0),
        below: None,
        hysteresis: 0.5,
    };
    let mut a = threshold_alert(th, 0);
    let values: Vec<f64> = (0..200)
        .map(|i| if i % 2 == 0 { 9.9 } else { 10.1 })
        .collect();
    assert_eq!(feed(&mut a, &values), vec![(1, EventKind::Firing)]);
    // Without hysteresis or clear_for it would page every other sample.
    let mut bare = threshold_alert(
        Threshold {
            hysteresis: 0.0,
            ..th
        },
        0,
    );
    assert_eq!(feed(&mut bare, &values).len(), 199);
    // clear_for_secs alone also holds it.
    let mut timed = threshold_alert(
        Threshold {
            hysteresis: 0.0,
            ..th
        },
        5,
    );
    assert_eq!(feed(&mut timed, &values), vec![(1, EventKind::Firing)]);
}

#[test]
fn both_sides_and_checks() {
    let th = Threshold {
        above: Some(12.0),
        below: Some(8.0),
        hysteresis: 0.5,
    };
    assert!(th.check().is_ok());
    let mut a = threshold_alert(th, 0);
    let events = feed(&mut a, &[10.0, 7.9, 8.4, 8.5, 12.0, 11.6, 11.5]);
    assert_eq!(
        events,
        vec![
            (1, EventKind::Firing),
            (3, EventKind::Resolved),
            (4, EventKind::Firing),
            (6, EventKind::Resolved)
        ]
    );
    for bad in [
        Threshold {
            above: None,
            below: None,
            hysteresis: 0.0,
        },
        Threshold {
            above: Some(1.0),
            below: None,
            hysteresis: -1.0,
        },
        Threshold {
            above: Some(f64::NAN),
            below: None,
            hysteresis: 0.0,
        },
        Threshold {
            above: Some(10.0),
            below: Some(9.0),
            hysteresis: 0.5,
        },
    ] {
        assert!(bad.check().is_err(), "{bad:?}");
    }
}

#[test]
fn non_finite_values_say_nothing() {
    let th = Threshold {
        above: Some(10.0),
        below: None,
        hysteresis: 1.0,
    };
    let mut a = threshold_alert(th, 0);
    let events = feed(
        &mut a,
        &[11.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 11.0, 5.0],
    );
    assert_eq!(
        events,
        vec![(0, EventKind::Firing), (5, EventKind::Resolved)]
    );
    // Their time still counts for the ordering.
    assert!(a.observe(2 * S, 11.0, "hp.p").is_err());
}

proptest! {
    #[test]
    fn notifications_alternate(
        steps in prop::collection::vec((0i64..100_000, any::<bool>()), 0..300),
        for_secs in 0u64..50,
        clear_for_secs in 0u64..50,
        repeat in prop::option::of(1u64..50),
    ) {
        let mut t = tracker(for_secs, clear_for_secs, repeat);
        let mut open = false;
        let mut time = 0;
        for (dt, holds) in steps {
            time += dt;
            match t.observe(time, holds, 0.0, "x") {
                Ok(Some(e)) => match e.kind {
                    EventKind::Firing => { prop_assert!(!open); open = true; }
                    EventKind::Repeat => prop_assert!(open),
                    EventKind::Resolved => { prop_assert!(open); open = false; }
                },
                Ok(None) => {}
                Err(e) => prop_assert!(false, "{e}"),
            }
            prop_assert_eq!(open, t.is_open());
        }
    }

    #[test]
    fn thresholds_never_panic(values in prop::collection::vec((any::<i64>(), any::<f64>()), 0..100), hysteresis in any::<f64>()) {
        let mut a = threshold_alert(Threshold { above: Some(1.0), below: Some(-1.0), hysteresis }, 1);
        for (t, v) in values {
            let _ = a.observe(t, v, "x");
        }
    }
}
