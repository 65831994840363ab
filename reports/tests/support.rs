//! A small run's output folder with known figures.

use std::path::Path;

use serde_json::{Value, json};
use steamflow_reports::{Report, ReportKind, RunData, period};

pub const T0: i64 = 1_736_143_200_000; // 2025-01-06T06:00:00Z
pub const MIN: i64 = 60_000;

fn write(dir: &Path, stream: &str, updates: &[(Value, i64)]) {
    let lines: Vec<String> = updates
        .iter()
        .map(|(record, diff)| {
            let mut line = json!({"time": record["window_start"].clone()});
            for (k, v) in record.as_object().unwrap() {
                line[k] = v.clone();
            }
            line["diff"] = json!(diff);
            line.to_string()
        })
        .collect();
    std::fs::write(dir.join(format!("{stream}.jsonl")), lines.join("\n") + "\n").unwrap();
}

fn window(minute: i64) -> Value {
    json!({"plant": "north", "window_start": T0 + minute * MIN, "window_end": T0 + (minute + 1) * MIN})
}

fn with(mut base: Value, fields: Value) -> Value {
    for (k, v) in fields.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// Two one-minute windows:
/// - balances: generation 7000 and 7200 kg/h, closures 100/102 % mass,
///   the second window's energy balance not closing; recovery 80 %/90 %;
/// - losses: trap 300 then 200 kg/h (cost 90,000 then 60,000 a year),
///   pipe 40 kg/h both (10,000 a year); the first window's pipe loss was
///   corrected from 50 to 40 by a late reading (retraction + assertion);
/// - traps: t1 blown open in the second window (200 kg/h, 60,000/yr), t2 ok;
/// - one leak, one alert firing.
pub fn run(dir: &Path) {
    write(
        dir,
        "balances",
        &[
            (
                with(
                    window(0),
                    json!({"generation_kg_h": 7000.0, "consumption_kg_h": 6600.0, "efficiency": 0.90, "mass_closure_pct": 100.0, "mass_closes": true, "energy_closure_pct": 101.0, "energy_closes": true, "condensate_recovery_rate": 0.8, "total_loss_kg_h": 340.0, "total_loss_kw": 250.0}),
                ),
                1,
            ),
            (
                with(
                    window(1),
                    json!({"generation_kg_h": 7200.0, "consumption_kg_h": 6900.0, "efficiency": 0.92, "mass_closure_pct": 102.0, "mass_closes": true, "energy_closure_pct": 110.0, "energy_closes": false, "condensate_recovery_rate": 0.9, "total_loss_kg_h": 240.0, "total_loss_kw": 180.0}),
                ),
                1,
            ),
        ],
    );
    let loss = |minute, category: &str, kg_h: f64, cost: f64| {
        with(
            window(minute),
            json!({"category": category, "loss_kg_h": kg_h, "loss_kw": kg_h * 0.75, "cost_per_year": cost}),
        )
    };
    write(
        dir,
        "losses",
        &[
            (loss(0, "trap", 300.0, 90_000.0), 1),
            (loss(0, "pipe", 50.0, 12_500.0), 1),
            (loss(0, "pipe", 50.0, 12_500.0), -1),
            (loss(0, "pipe", 40.0, 10_000.0), 1),
            (loss(1, "trap", 200.0, 60_000.0), 1),
            (loss(1, "pipe", 40.0, 10_000.0), 1),
        ],
    );
    let trap = |minute, name: &str, state: &str, kg_h: f64, cost: f64| {
        with(
            window(minute),
            json!({"trap": name, "state": state, "loss_kg_h": kg_h, "loss_cost_per_year": cost}),
        )
    };
    write(
        dir,
        "trap_statuses",
        &[
            (trap(0, "t1", "ok", 0.0, 0.0), 1),
            (trap(0, "t2", "ok", 0.0, 0.0), 1),
            (trap(1, "t1", "blown_open", 200.0, 60_000.0), 1),
            (trap(1, "t2", "ok", 0.0, 0.0), 1),
        ],
    );
    write(
        dir,
        "leaks",
        &[(
            with(
                window(1),
                json!({"location": "s_hp_2", "size_kg_h": 24.0, "cost_per_year": 7_300.0, "priority": 56.0}),
            ),
            1,
        )],
    );
    write(
        dir,
        "alerts",
        &[(
            with(
                window(1),
                json!({"kind": "firing", "severity": "high", "dedup_key": "trap_failed/north/t1", "event_time": T0 + MIN, "message": "FIRING trap t1 blown open"}),
            ),
            1,
        )],
    );
}

pub fn report(kind: ReportKind) -> Report {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path());
    let data = RunData::load(dir.path()).unwrap();
    Report::build(
        kind,
        period(kind, &data, Some(T0), Some(T0 + 2 * MIN)),
        &data,
    )
}
