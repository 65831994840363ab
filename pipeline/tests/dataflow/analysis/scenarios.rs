//! Scenario tests on the demo plant, simulated: what the analysis finds,
//! and within how many one-minute windows.

use std::sync::Arc;

use steamflow::dataflow::analysis::{AlertRecord, AnalysisModel, AssetKind, Phase};
use steamflow_operators::alerting::{EventKind, Severity};
use steamflow_operators::analysis::leak_detection::DetectionMethod;
use steamflow_operators::analysis::plant_balance::LossCategory;
use steamflow_operators::analysis::trap_status::TrapState;
use steamflow_simulator::{Fault, FaultKind};

use super::harness::*;

fn trap_fault(kind: FaultKind, trap: &str, start_secs: u64) -> Fault {
    Fault {
        trap: Some(trap.into()),
        ..Fault::new(kind, start_secs)
    }
}

fn leak_fault(segment: &str, diameter_mm: f64, start_secs: u64) -> Fault {
    Fault {
        segment: Some(segment.into()),
        diameter_mm: Some(diameter_mm),
        ..Fault::new(FaultKind::Leak, start_secs)
    }
}

/// The demo plant simulated for `minutes` with `faults`, one sample every
/// 5 s, through the graph and the demo's analysis.
fn run_demo(minutes: u64, faults: Vec<Fault>) -> Run {
    let config = demo_config();
    let readings = simulate(
        &demo_plant(&config),
        &simulator(&config, minutes, 5000, faults),
    );
    let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    let feed = readings.into_iter().map(|r| (0, r)).collect();
    run_validated(graph_config(10, 300), model, 1, 512, feed)
}

/// The state of `trap` in the window starting `m` minutes in.
fn trap_state(run: &Run, trap: &str, m: i64) -> Option<(TrapState, f64, f64)> {
    run.trap_statuses
        .records()
        .into_iter()
        .find(|t| t.trap == trap && t.window_start_ms == minute(m))
        .map(|t| (t.state, t.confidence.get(), t.loss_kg_h.get()))
}

/// The first minute (window start) at or after `from` in which `trap` is `state`.
fn first_minute_in(run: &Run, trap: &str, state: TrapState, from: i64) -> Option<i64> {
    (from..)
        .take(120)
        .find(|m| trap_state(run, trap, *m).is_some_and(|(s, _, _)| s == state))
}

fn alerts_of(run: &Run, rule: &str, asset: &str) -> Vec<AlertRecord> {
    let mut alerts: Vec<AlertRecord> = run
        .alerts
        .records()
        .into_iter()
        .filter(|a| a.rule == rule && a.asset == asset)
        .collect();
    alerts.sort_by_key(|a| a.event_time_ms);
    alerts
}

fn minutes_after_start(time_ms: i64) -> i64 {
    (time_ms - T0) / 60_000
}

#[test]
fn a_healthy_plant_closes_within_the_bounds() {
    let run = run_demo(30, Vec::new());
    let balances = run.balances.records();
    assert_eq!(balances.len(), 30, "one balance per window");
    for b in &balances {
        let (mass, energy) = (b.mass_closure_pct.get(), b.energy_closure_pct.get());
        assert!(
            b.mass_closes && (mass - 100.0).abs() <= 5.0,
            "mass closes at {mass} %"
        );
        assert!(
            b.energy_closes && (energy - 100.0).abs() <= 7.0,
            "energy closes at {energy} %"
        );
        assert!(b.generation_kg_h.get() > 5000.0);
    }
    // Every trap has a status in every window, and all of them are healthy.
    let traps = run.trap_statuses.records();
    assert_eq!(traps.len(), 30 * 8);
    for t in &traps {
        assert_eq!(
            t.state,
            TrapState::Ok,
            "{} at {}: {:?}",
            t.trap,
            t.window_start_ms,
            t.evidence
        );
        assert!(t.confidence.get() > 0.3);
    }
    assert!(run.leaks.records().is_empty(), "{:?}", run.leaks.records());
    let serious: Vec<_> = run
        .alerts
        .records()
        .into_iter()
        .filter(|a| a.severity >= Severity::High)
        .collect();
    assert!(serious.is_empty(), "{serious:?}");
    // Six loss categories per window: the pipes lose heat, nothing leaks.
    let losses = run.losses.records();
    assert_eq!(losses.len(), 30 * 6);
    for l in &losses {
        match l.category {
            LossCategory::Pipe => assert!(l.loss_kw.get() > 10.0),
            LossCategory::Trap | LossCategory::Leak => assert_eq!(l.loss_kg_h.get(), 0.0),
            _ => {}
        }
    }
    // The HP header carries dry saturated steam at 10 barg.
    let hp = run
        .steam_states
        .records()
        .into_iter()
        .find(|s| s.asset == "hp" && s.kind == Some(AssetKind::Header))
        .unwrap();
    assert_eq!(hp.phase, Some(Phase::Saturated));
    let h = hp.enthalpy_kj_kg.unwrap().get();
    assert!((h - 2781.0).abs() < 3.0, "{h}");
    // Segments report their heat loss; the main with an outlet tag its drop.
    let s1 = run
        .steam_states
        .records()
        .into_iter()
        .find(|s| s.asset == "s_hp_1" && s.window_start_ms == minute(10))
        .unwrap();
    let drop = s1.pressure_drop_bar.unwrap().get();
    assert!(drop > 0.0 && drop < 0.5, "{drop}");
    assert!(s1.heat_loss_kw.unwrap().get() > 0.0);
    assert!(s1.pressure_avg.is_some() && s1.pressure_rate_per_min.is_some());
}

#[test]
fn failed_traps_are_classified_within_a_few_windows() {
    let faults = vec![
        trap_fault(FaultKind::TrapBlownOpen, "t_digester", 300),
        Fault {
            open_fraction: Some(0.1),
            ..trap_fault(FaultKind::TrapLeaking, "t_heating", 300)
        },
        trap_fault(FaultKind::TrapBlocked, "t_lp_1", 300),
    ];
    let run = run_demo(20, faults);
    for trap in ["t_digester", "t_heating", "t_lp_1", "t_hp_1", "t_dryer"] {
        for m in 0..5 {
            assert_eq!(
                trap_state(&run, trap, m).map(|s| s.0),
                Some(TrapState::Ok),
                "{trap} at {m}"
            );
        }
    }
    // Blown open: found in the first window of the fault, and stays found.
    assert_eq!(
        first_minute_in(&run, "t_digester", TrapState::BlownOpen, 5),
        Some(5)
    );
    for m in 5..20 {
        let (state, confidence, loss) = trap_state(&run, "t_digester", m).unwrap();
        assert_eq!(state, TrapState::BlownOpen);
        assert!(confidence >= 0.7, "{confidence}");
        assert!(loss > 100.0, "{loss} kg/h");
    }
    // Leaking through a tenth of its seat: found in the first window.
    assert_eq!(
        first_minute_in(&run, "t_heating", TrapState::Leaking, 5),
        Some(5)
    );
    let (_, _, loss) = trap_state(&run, "t_heating", 10).unwrap();
    assert!(loss > 2.0 && loss < 60.0, "{loss} kg/h");
    // Blocked: the inlet cools over minutes; found within 12 windows.
    let blocked = first_minute_in(&run, "t_lp_1", TrapState::Blocked, 5).unwrap();
    assert!(blocked <= 5 + 12, "blocked found at minute {blocked}");
    // Healthy traps stay healthy.
    for m in 0..20 {
        assert_eq!(
            trap_state(&run, "t_hp_2", m).map(|s| s.0),
            Some(TrapState::Ok)
        );
    }
    // The trap loss reaches the balance, and the rule pages for each trap.
    let trap_loss = run
        .losses
        .records()
        .into_iter()
        .find(|l| l.category == LossCategory::Trap && l.window_start_ms == minute(10))
        .unwrap();
    assert!(trap_loss.loss_kg_h.get() > 100.0);
    for trap in ["t_digester", "t_heating", "t_lp_1"] {
        let alerts = alerts_of(&run, "trap_failed", trap);
        let firing = alerts
            .first()
            .unwrap_or_else(|| panic!("no alert for {trap}"));
        assert_eq!(
            (firing.kind, firing.severity),
            (EventKind::Firing, Severity::High)
        );
        assert!(minutes_after_start(firing.event_time_ms) <= 20);
    }
}

#[test]
fn a_leak_step_is_detected_located_and_sized() {
    let run = run_demo(30, vec![leak_fault("s_hp_2", 4.0, 900)]);
    let leaks = run.leaks.records();
    assert!(
        leaks.iter().all(|l| l.window_start_ms >= minute(15)),
        "{leaks:?}"
    );
    // Ultrasound hears it in its first window.
    let first = leaks.iter().map(|l| l.window_start_ms).min().unwrap();
    assert!(first <= minute(16), "first leak in window {first}");
    // The balance confirms it within a few windows: both methods, located.
    let confirmed = leaks
        .iter()
        .filter(|l| l.methods.contains(&DetectionMethod::MassBalance))
        .map(|l| l.window_start_ms)
        .min()
        .unwrap_or_else(|| panic!("the balance never confirms: {leaks:?}"));
    assert!(confirmed <= minute(21), "confirmed in window {confirmed}");
    for l in leaks.iter().filter(|l| l.window_start_ms >= minute(22)) {
        assert_eq!(l.segment.as_deref(), Some("s_hp_2"));
        assert_eq!(
            l.methods,
            vec![DetectionMethod::MassBalance, DetectionMethod::Acoustic]
        );
        // A 4 mm hole at 9.9 barg passes about 50 kg/h.
        let size = l.size_kg_h.get();
        assert!((25.0..=75.0).contains(&size), "{size} kg/h");
        assert!(l.confidence.get() > 0.9 && l.priority.get() > 20.0);
        assert!(l.cost_per_year.unwrap().get() > 1000.0);
    }
    // The leak is in the balance's breakdown, and the leak rule pages.
    let leak_loss = run
        .losses
        .records()
        .into_iter()
        .find(|l| l.category == LossCategory::Leak && l.window_start_ms == minute(25))
        .unwrap();
    assert!(leak_loss.loss_kg_h.get() > 25.0);
    let alerts = alerts_of(&run, "leak", "s_hp_2");
    assert_eq!(
        alerts.first().map(|a| a.kind),
        Some(EventKind::Firing),
        "{alerts:?}"
    );
}

#[test]
fn a_leak_no_sensor_hears_is_found_by_the_balance_alone() {
    // s_hp_3 has no ultrasonic sensor.
    let run = run_demo(30, vec![leak_fault("s_hp_3", 4.0, 900)]);
    let leaks = run.leaks.records();
    let first = leaks.iter().map(|l| l.window_start_ms).min().unwrap();
    assert!(
        (minute(15)..=minute(21)).contains(&first),
        "first leak in window {first}"
    );
    let last = leaks.iter().max_by_key(|l| l.window_start_ms).unwrap();
    assert_eq!(last.segment, None);
    assert_eq!(last.methods, vec![DetectionMethod::MassBalance]);
    let size = last.size_kg_h.get();
    assert!((25.0..=75.0).contains(&size), "{size} kg/h");
}

#[test]
fn alerts_fire_and_resolve() {
    let faults = vec![
        Fault {
            duration_secs: Some(300),
            ..trap_fault(FaultKind::TrapBlownOpen, "t_digester", 300)
        },
        Fault {
            tags: vec!["north.hp.pressure".into()],
            offset: Some(-3.0),
            duration_secs: Some(120),
            ..Fault::new(FaultKind::Bias, 900)
        },
    ];
    let run = run_demo(25, faults);
    // The trap pages once after holding for 2 minutes, and resolves 5
    // minutes after its repair.
    let trap = alerts_of(&run, "trap_failed", "t_digester");
    let kinds: Vec<EventKind> = trap.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![EventKind::Firing, EventKind::Resolved],
        "{trap:?}"
    );
    let (fired, resolved) = (
        minutes_after_start(trap[0].event_time_ms),
        minutes_after_start(trap[1].event_time_ms),
    );
    assert!((7..=8).contains(&fired), "fired at minute {fired}");
    assert!(
        (15..=17).contains(&resolved),
        "resolved at minute {resolved}"
    );
    assert_eq!(trap[1].fired_at_ms, trap[0].event_time_ms);
    assert_eq!(trap[0].dedup_key(), "trap_failed/north/t_digester");
    // The header pressure reads 7 barg for two minutes: the per-reading
    // rule pages (critical) after 30 s and resolves once back above 8.3.
    let pressure = alerts_of(&run, "hp_pressure_low", "north.hp.pressure");
    let kinds: Vec<EventKind> = pressure.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![EventKind::Firing, EventKind::Resolved],
        "{pressure:?}"
    );
    assert_eq!(pressure[0].severity, Severity::Critical);
    let fired_s = (pressure[0].event_time_ms - T0) / 1000;
    assert!((930..=940).contains(&fired_s), "fired {fired_s} s in");
    let resolved_s = (pressure[1].event_time_ms - T0) / 1000;
    assert!(
        (1020..=1030).contains(&resolved_s),
        "resolved {resolved_s} s in"
    );
}

#[test]
fn absurd_values_validation_let_through_do_not_make_leaks() {
    // Without design-limit validation, ±1e300 readings reach the windows.
    let config = demo_config();
    // After the detectors have learned (10 windows).
    let faults = vec![Fault {
        fraction: Some(0.003),
        ..Fault::new(FaultKind::Malformed, 900)
    }];
    let readings = simulate(&demo_plant(&config), &simulator(&config, 30, 5000, faults));
    let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    let feed = readings.into_iter().map(|r| (0, r)).collect();
    let run = run(graph_config(10, 300), model, 1, 512, feed);
    let absurd = run
        .balances
        .records()
        .into_iter()
        .filter(|b| (b.mass_closure_pct.get() - 100.0).abs() > 50.0)
        .count();
    assert!(absurd > 0, "the test needs absurd windows");
    assert!(run.leaks.records().is_empty(), "{:?}", run.leaks.records());
}
