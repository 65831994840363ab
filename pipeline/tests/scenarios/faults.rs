//! Plant and meter faults, each found on the right asset, in the right
//! mode, within a stated number of base windows (one minute each) of the
//! moment it began.
//!
//! | fault | found as | within |
//! |---|---|---|
//! | trap blown open | `trap_statuses`: the trap `blown_open` | 3 windows |
//! | trap leaking (a tenth of its orifice) | `trap_statuses`: the trap `leaking` | 3 windows |
//! | trap blocked | `trap_statuses`: the trap `blocked` | 15 windows |
//! | trap degraded (5 % of its orifice) | `trap_statuses`: the trap `degraded` or `leaking` | 5 windows |
//! | 6 mm leak | `leaks`: a leak located at the segment | 5 windows |
//! | meter bias (+1.5 t/h on a boiler) | `leaks`: an unlocated mass-balance discrepancy of that size | 2 windows |
//! | meter drift (+6 t/h an hour) | `leaks`: an unlocated mass-balance discrepancy | 3 windows |
//!
//! A flow meter that reads high and steam that leaks where no sensor hears
//! it look alike to a mass balance: both are found as an unlocated
//! discrepancy on the plant, sized by the balance residual.
//!
//! The trap classifier calls a trap with a fifth or more of its orifice
//! open `blown_open` (its ultrasound is then 20 dB or more above the
//! trap's baseline), so the leaking trap here passes a tenth.
//! | dropout | `readings`: the first reading after the gap flagged `stale` | 1 window |
//! | flatline | `readings`: the tag flagged `flatline` after 15 min | 17 windows |
//! | noise | `readings`: spikes flagged `outlier` | 3 windows |

use steamflow_simulator::{Fault, FaultKind};

use super::harness::{MINUTE, Record, T0, demo, fault, int, num, run, text};

/// 40 minutes sampled every 5 s; faults begin 10 minutes in.
const DURATION_SECS: u64 = 2400;
const INTERVAL_MS: u64 = 5000;
const START_SECS: u64 = 600;

/// The window (minutes after the fault began, from 0) of the first record
/// of `stream` that `found` accepts, or why there is none.
fn found_within(
    faults: Vec<Fault>,
    stream: &str,
    found: impl Fn(&Record) -> bool,
    windows: i64,
) -> i64 {
    let run = run(&demo(faults, DURATION_SECS, INTERVAL_MS), 1, &[stream]);
    let start = T0 + START_SECS as i64 * 1000;
    let time_of = |r: &Record| {
        [int(r, "window_start"), int(r, "event_time")]
            .into_iter()
            .max()
            .unwrap_or(i64::MIN)
    };
    let first = run
        .records(stream)
        .iter()
        .filter(|r| time_of(r) >= start && found(r))
        .map(time_of)
        .min();
    let Some(first) = first else {
        panic!("the fault was never found in `{stream}`");
    };
    let after = (first - start) / MINUTE;
    eprintln!("found in `{stream}` {after} window(s) after the fault began (bound {windows})");
    assert!(
        after < windows,
        "found {after} windows after the fault began; the bound is {windows}"
    );
    after
}

fn trap_fault(kind: FaultKind, trap: &str, open_fraction: Option<f64>) -> Vec<Fault> {
    vec![fault(kind, START_SECS, |f| {
        f.trap = Some(trap.to_owned());
        f.open_fraction = open_fraction;
    })]
}

fn trap_in(trap: &'static str, states: &'static [&'static str]) -> impl Fn(&Record) -> bool {
    move |r| text(r, "trap") == trap && states.contains(&text(r, "state"))
}

#[test]
fn a_trap_blown_open_is_found_within_3_windows() {
    let faults = trap_fault(FaultKind::TrapBlownOpen, "t_digester", None);
    found_within(
        faults,
        "trap_statuses",
        trap_in("t_digester", &["blown_open"]),
        3,
    );
}

#[test]
fn a_leaking_trap_is_found_within_3_windows() {
    let faults = trap_fault(FaultKind::TrapLeaking, "t_hp_3", Some(0.1));
    found_within(faults, "trap_statuses", trap_in("t_hp_3", &["leaking"]), 3);
}

#[test]
fn a_blocked_trap_is_found_within_15_windows() {
    let faults = trap_fault(FaultKind::TrapBlocked, "t_process", None);
    found_within(
        faults,
        "trap_statuses",
        trap_in("t_process", &["blocked"]),
        15,
    );
}

#[test]
fn a_degraded_trap_is_found_within_5_windows() {
    let faults = trap_fault(FaultKind::TrapDegraded, "t_dryer", Some(0.05));
    found_within(
        faults,
        "trap_statuses",
        trap_in("t_dryer", &["degraded", "leaking"]),
        5,
    );
}

#[test]
fn a_leak_is_found_at_its_segment_within_5_windows() {
    let faults = vec![fault(FaultKind::Leak, START_SECS, |f| {
        f.segment = Some("s_hp_2".to_owned());
        f.diameter_mm = Some(6.0);
    })];
    found_within(
        faults,
        "leaks",
        |r| text(r, "segment") == "s_hp_2" || text(r, "location") == "s_hp_2",
        5,
    );
}

/// An unlocated discrepancy of the mass balance, of at least `kg_h`.
fn unlocated(kg_h: f64) -> impl Fn(&Record) -> bool {
    move |r| {
        text(r, "location") == "unlocated"
            && r.get("methods")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|m| m.iter().any(|m| m == "mass_balance"))
            && num(r, "size_kg_h") >= kg_h
    }
}

#[test]
fn a_biased_meter_is_found_as_an_unlocated_discrepancy_of_its_size_within_2_windows() {
    let faults = vec![fault(FaultKind::Bias, START_SECS, |f| {
        f.tags = vec!["north.b1.flow".to_owned()];
        f.offset = Some(1500.0);
    })];
    let sized = |r: &Record| unlocated(0.0)(r) && (num(r, "size_kg_h") - 1500.0).abs() < 150.0;
    found_within(faults, "leaks", sized, 2);
}

#[test]
fn a_drifting_meter_is_found_as_an_unlocated_discrepancy_within_3_windows() {
    let faults = vec![fault(FaultKind::Drift, START_SECS, |f| {
        f.tags = vec!["north.b1.flow".to_owned()];
        f.rate_per_h = Some(6000.0);
    })];
    found_within(faults, "leaks", unlocated(50.0), 3);
}

fn flagged(tag: &'static str, flag: &'static str) -> impl Fn(&Record) -> bool {
    move |r| {
        text(r, "tag") == tag
            && r.get("flags")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|flags| flags.iter().any(|f| f == flag))
    }
}

#[test]
fn a_dropout_is_flagged_stale_when_the_tag_returns() {
    let faults = vec![fault(FaultKind::Dropout, START_SECS, |f| {
        f.tags = vec!["north.lp.pressure".to_owned()];
        f.duration_secs = Some(300);
    })];
    // Found the window after the 5-minute gap.
    found_within(
        faults,
        "readings",
        flagged("north.lp.pressure", "stale"),
        5 + 1,
    );
}

#[test]
fn a_flatlined_tag_is_flagged_after_15_minutes() {
    let faults = vec![fault(FaultKind::Flatline, START_SECS, |f| {
        f.tags = vec!["north.hp.temperature".to_owned()];
    })];
    found_within(
        faults,
        "readings",
        flagged("north.hp.temperature", "flatline"),
        17,
    );
}

#[test]
fn a_noisy_meter_is_flagged_for_outliers() {
    let faults = vec![fault(FaultKind::Noise, START_SECS, |f| {
        f.tags = vec!["north.dryer.flow".to_owned()];
        f.sigma = Some(800.0);
    })];
    found_within(
        faults,
        "readings",
        flagged("north.dryer.flow", "outlier"),
        3,
    );
}
