//! The figures of each section, computed by hand from support::run.

use steamflow_reports::{ReportKind, RunData, period};

use crate::support::{MIN, T0, report, run};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn losses_average_over_windows_with_corrections_applied() {
    let report = report(ReportKind::Monthly);
    let trap = report.losses.iter().find(|l| l.category == "trap").unwrap();
    let pipe = report.losses.iter().find(|l| l.category == "pipe").unwrap();
    // trap: (300 + 200) / 2 windows; pipe: (40 + 40) / 2 (the 50 was retracted).
    assert!(close(trap.loss_kg_h, 250.0), "{}", trap.loss_kg_h);
    assert!(close(pipe.loss_kg_h, 40.0), "{}", pipe.loss_kg_h);
    assert!(close(trap.cost_per_year, 75_000.0));
    assert!(close(pipe.cost_per_year, 10_000.0));
    assert!(close(trap.share_pct, 100.0 * 75_000.0 / 85_000.0));
    assert_eq!(report.losses[0].category, "trap", "costliest first");
    assert!(close(report.executive_summary.total_loss_kg_h, 290.0));
    assert!(close(report.economics.cost_per_year, 85_000.0));
    // Two minutes of data: 85,000 a year × 2/60 h / 8760 h.
    assert!(close(
        report.economics.cost_in_period,
        85_000.0 * (2.0 / 60.0) / 8760.0
    ));
    // 85,000 per year for 290 kg/h all year: per tonne.
    assert!(close(
        report.economics.steam_cost_per_tonne.unwrap(),
        85_000.0 / (290.0 * 8.76)
    ));
}

#[test]
fn performance_and_compliance() {
    let report = report(ReportKind::Monthly);
    let p = &report.performance;
    assert!(close(p.generation_kg_h, 7100.0));
    assert!(close(p.efficiency_pct, 91.0));
    assert!(close(p.mass_closure_pct, 101.0));
    assert!(close(p.condensate_recovery_pct, 85.0));
    assert_eq!((p.mass_closed_windows, p.energy_closed_windows), (2, 1));
    let status = |item: &str| {
        report
            .compliance
            .iter()
            .find(|c| c.item.starts_with(item))
            .unwrap()
            .status
            .clone()
    };
    assert_eq!(status("Mass balance"), "pass");
    assert_eq!(status("Energy balance"), "fail", "1 of 2 windows is 50 %");
    assert_eq!(status("Condensate recovery"), "pass");
    assert_eq!(status("Failed steam traps"), "fail", "1 of 2 traps failed");
    assert_eq!(status("Severe alerts"), "fail", "a high alert still fires");
    assert_eq!(status("Data coverage"), "pass");
}

#[test]
fn traps_leaks_recommendations_and_the_action_plan() {
    let report = report(ReportKind::Weekly);
    let states: Vec<(String, usize)> = report
        .traps
        .by_state
        .iter()
        .map(|s| (s.state.clone(), s.count))
        .collect();
    assert_eq!(
        states,
        [("blown_open".to_string(), 1), ("ok".to_string(), 1)]
    );
    assert_eq!(report.traps.failed[0].trap, "t1");
    assert_eq!(report.leaks[0].location, "s_hp_2");
    // Without a recommendations stream: the repairs, costliest first.
    let actions: Vec<&str> = report
        .recommendations
        .iter()
        .map(|r| r.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "repair or replace trap t1 (blown open)",
            "repair the leak at s_hp_2"
        ]
    );
    assert_eq!(report.action_plan[0].due, "within 7 days");
    assert_eq!(report.action_plan.last().unwrap().owner, "operations");
    assert_eq!(report.alerts.fired, 1);
}

#[test]
fn the_period_filters_windows_and_defaults_to_the_kinds_length() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path());
    let data = RunData::load(dir.path()).unwrap();
    let daily = period(ReportKind::Daily, &data, None, None);
    assert_eq!(daily.to_ms, T0 + 2 * MIN);
    assert_eq!(daily.to_ms - daily.from_ms, 86_400_000);
    let first_minute = steamflow_reports::Report::build(
        ReportKind::Daily,
        period(ReportKind::Daily, &data, Some(T0), Some(T0 + MIN)),
        &data,
    );
    assert_eq!(first_minute.windows, 1);
    assert!(close(first_minute.executive_summary.total_loss_kg_h, 340.0));
}

#[test]
fn a_folder_without_a_run_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = RunData::load(dir.path()).unwrap_err().to_string();
    assert!(error.contains("is this a run's jsonl folder"), "{error}");
}

#[test]
fn recommendations_come_from_each_plants_latest_window() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path());
    let rec = |minute: i64, action: &str, savings: f64| {
        serde_json::json!({
            "time": T0 + minute * MIN, "plant": "north",
            "window_start": T0 + minute * MIN, "window_end": T0 + (minute + 1) * MIN,
            "action": action, "asset": "t1", "savings_per_year": savings,
            "capex": 400.0, "simple_payback_years": 400.0 / savings, "why": "test", "diff": 1
        })
        .to_string()
    };
    let lines = [
        rec(0, "repair trap t1", 90_000.0),
        rec(0, "lower header lp", 100.0),
        rec(1, "repair trap t1", 60_000.0),
    ];
    std::fs::write(
        dir.path().join("recommendations.jsonl"),
        lines.join("\n") + "\n",
    )
    .unwrap();
    let data = RunData::load(dir.path()).unwrap();
    let report = steamflow_reports::Report::build(
        ReportKind::Monthly,
        period(ReportKind::Monthly, &data, Some(T0), Some(T0 + 2 * MIN)),
        &data,
    );
    assert_eq!(
        report.recommendations.len(),
        1,
        "{:?}",
        report.recommendations
    );
    let only = &report.recommendations[0];
    assert_eq!(only.action, "repair trap t1");
    assert!(close(only.savings_per_year, 60_000.0));
    assert_eq!(only.cost, Some(400.0));
    assert_eq!(only.location, "t1");
}
