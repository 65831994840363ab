//! The demo config end to end: an hour of the simulated plant with its
//! faults (a trap blown open at 20 min, a 4 mm leak at 30 min, meter
//! drift, a transmitter dropout, duplicates, disorder, late and malformed
//! values), through the validated graph and the analysis.

use std::sync::Arc;

use steamflow::config::SourceConfig;
use steamflow::dataflow::analysis::AnalysisModel;
use steamflow_operators::alerting::{EventKind, Severity};
use steamflow_operators::analysis::trap_status::TrapState;

use super::harness::*;

#[test]
fn the_demo_finds_its_trap_and_its_leak_and_nothing_else() {
    let config = demo_config();
    let SourceConfig::Simulator(sim) = &config.sources["sim"] else {
        panic!("the demo's source is a simulator");
    };
    let readings = simulate(&demo_plant(&config), sim);
    let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    let feed = readings.into_iter().map(|r| (0, r)).collect();
    let run = run_validated(graph_config(10, 300), model, 1, 1024, feed);

    let alerts = run.alerts.records();
    let firing: Vec<(String, i64)> = alerts
        .iter()
        .filter(|a| a.kind == EventKind::Firing)
        .map(|a| (a.dedup_key(), (a.event_time_ms - T0) / 60_000))
        .collect();
    assert_eq!(firing.len(), 2, "{alerts:?}");
    let (trap, trap_minute) = &firing[0];
    assert_eq!(trap, "trap_failed/north/t_digester");
    assert!(
        (21..=24).contains(trap_minute),
        "trap alert at minute {trap_minute}"
    );
    let (leak, leak_minute) = &firing[1];
    assert_eq!(leak, "leak/north/s_hp_2");
    assert!(
        (31..=37).contains(leak_minute),
        "leak alert at minute {leak_minute}"
    );
    assert!(alerts.iter().all(|a| a.severity < Severity::Critical));

    // The trap is blown open from the window of its failure on.
    for t in run.trap_statuses.records() {
        let minute = (t.window_start_ms - minute(0)) / 60_000;
        if t.trap == "t_digester" && minute >= 21 {
            assert_eq!(t.state, TrapState::BlownOpen, "minute {minute}");
        } else if t.trap != "t_digester" {
            assert!(
                !t.state.loses_steam(),
                "{} at minute {minute}: {:?}",
                t.trap,
                t.state
            );
        }
    }
    // Every leak is on s_hp_2, from the leak's window on.
    let leaks = run.leaks.records();
    assert!(!leaks.is_empty());
    assert!(leaks.iter().all(|l| l.segment.as_deref() == Some("s_hp_2")));
    assert!(leaks.iter().all(|l| l.window_start_ms >= minute(30)));
    // The balance closes in every window, despite dropout, drift and garbage.
    let balances = run.balances.records();
    assert_eq!(balances.len(), 60);
    assert!(balances.iter().all(|b| b.mass_closes && b.energy_closes));
}
