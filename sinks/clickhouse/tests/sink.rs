//! The sink against Debian's clickhouse-server: every stream's rows read
//! back equal; an outage and a restart lose nothing and duplicate
//! nothing; a corrected window replaces the old one.

use std::time::Duration;

use serde_json::{Value, json};
use steamflow_sink_clickhouse::{ClickHouseConfig, ClickHouseSink, STREAM_TABLES, StreamWriter};

use crate::server::ClickHouseServer;

const DRAIN: Duration = Duration::from_secs(120);
/// 2025-01-01T00:00:00.250Z
const T0: u64 = 1_735_689_600_250;

fn config(server: &ClickHouseServer, spool: &std::path::Path) -> ClickHouseConfig {
    let mut config = ClickHouseConfig::new(server.url(), spool);
    config.retry.initial_ms = 20;
    config.retry.max_ms = 300;
    config.request_timeout_ms = 10_000;
    config
}

fn fields(value: Value) -> String {
    let text = value.to_string();
    text.strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or_default()
        .to_owned()
}

/// One record per stream, as the graph renders them (JSON members).
fn records() -> Vec<(&'static str, Value)> {
    vec![
        (
            "readings",
            json!({"plant": "north", "tag": "PT-101", "key": "1", "event_time": T0,
            "event_time_utc": "2025-01-01T00:00:00.250Z", "value": 10.5, "quality": "good",
            "flags": ["spike", "stale"]}),
        ),
        (
            "dead_letters",
            json!({"plant": null, "tag": null, "key": "7", "event_time": T0,
            "value": null, "quality": "bad", "reason": "non_finite", "detail": 1.0}),
        ),
        (
            "window_aggregates.1m",
            json!({"plant": "north", "tag": "PT-101", "key": "1",
            "window": "1m", "window_start": T0, "window_end": T0 + 60_000, "count": 3,
            "sum": 31.5, "mean": 10.5, "min": 10.0, "max": 11.0, "first": 10.0, "last": 11.0,
            "first_ms": T0, "last_ms": T0}),
        ),
        (
            "steam_states",
            json!({"plant": "north", "kind": null, "asset": "header-1",
            "window_start": T0, "window_end": T0 + 60_000, "pressure_barg": 10.0,
            "temperature_c": null, "phase": "superheated"}),
        ),
        (
            "balances",
            json!({"plant": "north", "window_start": T0, "window_end": T0 + 60_000,
            "generation_kg_h": 1000.0, "flash_recovered_kg_h": 0.0, "consumption_kg_h": 900.0,
            "residual_before_leaks_kg_h": 100.0, "known_losses_kg_h": 50.0,
            "mass_unaccounted_kg_h": 50.0, "mass_closure_pct": 95.0, "mass_closes": true,
            "energy_input_kw": 800.0, "feedwater_heating_kw": 1.0, "useful_output_kw": 600.0,
            "efficiency": null, "energy_closure_pct": 97.0, "energy_unaccounted_kw": 3.0,
            "energy_closes": false, "total_loss_kg_h": 50.0, "total_loss_kw": 30.0,
            "total_loss_cost_per_year": 12000.0, "condensate_produced_kg_h": 800.0,
            "condensate_returned_kg_h": 600.0, "condensate_recovery_rate": 0.75,
            "flash_vented_kg_h": 5.0, "steam_enthalpy_kj_kg": 2778.1, "assumptions": ["a"]}),
        ),
        (
            "trap_statuses",
            json!({"plant": "north", "trap": "ST-1", "trap_type": "thermodynamic",
            "window_start": T0, "window_end": T0 + 60_000, "state": "failed_open",
            "confidence": 0.9, "inlet_subcooling_k": null, "outlet_superheat_k": 3.0,
            "acoustic_excess_db": null, "loss_kg_h": 12.0, "loss_kw": 8.0,
            "loss_cost_per_year": 3000.0, "open_area_fraction": null,
            "loss_from_acoustic": false, "evidence": []}),
        ),
        (
            "leaks",
            json!({"plant": "north", "window_start": T0, "window_end": T0 + 60_000,
            "location": "segment:main", "segment": "main", "size_kg_h": 20.0,
            "size_basis": "balance", "equivalent_diameter_mm": null, "energy_kw": 14.0,
            "cost_per_year": 5000.0, "confidence": 0.5, "priority": 0.7,
            "methods": ["balance"], "since": null, "since_utc": null, "evidence": ["x"]}),
        ),
        (
            "losses",
            json!({"plant": "north", "window_start": T0, "window_end": T0 + 60_000,
            "category": "traps", "loss_kg_h": 12.0, "loss_kw": 8.0, "cost_per_year": 3000.0,
            "cost_per_day": 8.2}),
        ),
        (
            "alerts",
            json!({"plant": "north", "rule": "high_pressure", "asset": "header-1",
            "dedup_key": "north/high_pressure/header-1", "kind": "threshold",
            "severity": "critical", "scope": "reading", "event_time": T0, "fired_at": T0 + 5,
            "value": 15.2, "window_start": null, "message": "pressure 15.2 barg > 14"}),
        ),
        (
            "recommendations",
            json!({"plant": "north", "window_start": T0, "window_end": T0 + 60_000,
            "rank": 1, "id": "repair_trap:ST-1", "kind": "repair_trap", "asset": "ST-1",
            "action": "repair trap ST-1", "savings_kg_h": 20.0, "savings_kw": 14.0,
            "savings_per_year": 5000.0, "co2_t_per_year": 20.0, "capex": 800.0,
            "npv": 30000.0, "irr": null, "simple_payback_years": 0.16,
            "discounted_payback_years": null, "difficulty": "low",
            "operational_impact": "none", "in_portfolio": true, "portfolio_reason": "chosen",
            "why": "first", "basis": "trap model", "sensitivity": ["fuel price: 1..2"]}),
        ),
    ]
}

#[test]
fn every_stream_round_trips_with_types_utc_nan_and_null() {
    let Some(server) =
        ClickHouseServer::start("every_stream_round_trips_with_types_utc_nan_and_null")
    else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let sink = ClickHouseSink::start(config(&server, spool.path())).expect("sink starts");
    for (stream, record) in records() {
        let mut writer = sink.stream(stream).expect(stream);
        writer
            .write_fields(T0 + 1_000, 1, &fields(record))
            .expect(stream);
    }
    let stats = sink.close();
    assert_eq!(
        (stats.rows, stats.rows_rejected, stats.batches_dead),
        (10, 0, 0),
        "{stats:?}"
    );
    assert_eq!(stats.spooled_batches, 0);
    for table in STREAM_TABLES {
        assert_eq!(
            server.query(&format!("SELECT count() FROM steamflow.{table}")),
            "1\n",
            "{table}"
        );
    }
    // Times are UTC (the server's DateTime keeps whole seconds before 20.1).
    let reading = server.query(
        "SELECT plant, tag, toString(event_time, 'UTC'), value, quality, flags, diff, \
         toString(time, 'UTC') FROM steamflow.readings",
    );
    assert_eq!(
        reading,
        "north\tPT-101\t2025-01-01 00:00:00\t10.5\tgood\t['spike','stale']\t1\t2025-01-01 00:00:01\n"
    );
    // A NaN the JSON could not spell is NaN in a Float64, NULL in a Nullable.
    let letter =
        server.query("SELECT plant, tag, isNaN(value), reason FROM steamflow.dead_letters");
    assert_eq!(letter, "\\N\t\\N\t1\tnon_finite\n");
    let balance = server.query(
        "SELECT isNaN(efficiency), mass_closes, energy_closes, assumptions, version \
         FROM steamflow.balances",
    );
    assert_eq!(
        balance,
        format!("1\t1\t0\t['a']\t{}\n", (T0 + 1_000) * 2 + 1)
    );
    let state = server.query(
        "SELECT kind, pressure_barg, temperature_c, phase, dryness FROM steamflow.steam_states",
    );
    assert_eq!(state, "\\N\t10\t\\N\tsuperheated\t\\N\n");
    let window = server.query(
        "SELECT window, count, sum, toString(window_end, 'UTC') FROM steamflow.window_aggregates",
    );
    assert_eq!(window, "1m\t3\t31.5\t2025-01-01 00:01:00\n");
    let alert = server.query("SELECT severity, window_start, message FROM steamflow.alerts");
    assert_eq!(alert, "critical\t\\N\tpressure 15.2 barg > 14\n");
    let hourly = server.query(
        "SELECT plant, tag, avgMerge(avg_value), countMerge(samples) \
         FROM steamflow.steam_hourly_avg GROUP BY plant, tag",
    );
    assert_eq!(hourly, "north\tPT-101\t10.5\t1\n");
}

#[test]
fn a_record_that_does_not_fit_is_dead_lettered_with_its_reason() {
    let Some(server) =
        ClickHouseServer::start("a_record_that_does_not_fit_is_dead_lettered_with_its_reason")
    else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let sink = ClickHouseSink::start(config(&server, spool.path())).expect("sink starts");
    let mut writer = sink.stream("losses").unwrap();
    writer
        .write_fields(T0, 1, &fields(json!({"plant": "north", "category": 5})))
        .unwrap();
    drop(writer);
    let stats = sink.close();
    assert_eq!((stats.rows, stats.rows_rejected), (0, 1));
    let dead = std::fs::read_to_string(spool.path().join("dead/rows.jsonl")).unwrap();
    assert!(
        dead.contains("column `window_start`") || dead.contains("column `category`"),
        "{dead}"
    );
}

/// Readings `0..n` of one tag, a second apart.
pub fn write_readings(writer: &mut StreamWriter, range: std::ops::Range<u64>) {
    for i in range {
        let record = json!({"plant": "north", "tag": "FT-1", "event_time": T0 + i * 1_000,
            "value": i as f64, "quality": "good", "flags": []});
        writer
            .write_fields(T0 + i * 1_000, 1, &fields(record))
            .unwrap();
    }
}

pub fn assert_exactly_once(server: &ClickHouseServer, n: u64) {
    let counts = server.query(
        "SELECT count(), uniqExact(event_time), min(value), max(value) FROM steamflow.readings",
    );
    assert_eq!(counts, format!("{n}\t{n}\t0\t{}\n", n - 1));
}

#[test]
fn an_outage_loses_nothing_and_duplicates_nothing() {
    let Some(mut server) =
        ClickHouseServer::start("an_outage_loses_nothing_and_duplicates_nothing")
    else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let mut config = config(&server, spool.path());
    config.batch_rows = 500;
    let sink = ClickHouseSink::start(config).expect("sink starts");
    write_readings(&mut sink.stream("readings").unwrap(), 0..5_000);
    server.stop();
    write_readings(&mut sink.stream("readings").unwrap(), 5_000..10_000);
    // While the server is down the batches wait in the spool.
    let during = sink.stats();
    assert!(during.spooled_batches > 0, "{during:?}");
    server.restart();
    write_readings(&mut sink.stream("readings").unwrap(), 10_000..12_000);
    assert!(
        sink.wait_drained(DRAIN),
        "spool drained: {:?}",
        sink.stats()
    );
    let stats = sink.close();
    assert_eq!(stats.spooled_batches, 0);
    assert_eq!(stats.batches_dead, 0, "{stats:?}");
    assert_exactly_once(&server, 12_000);
    let left = std::fs::read_dir(spool.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".rowbinary"))
        .count();
    assert_eq!(left, 0);
}

#[test]
fn a_restart_replays_the_spool_and_a_replay_of_the_source_adds_nothing() {
    let Some(mut server) = ClickHouseServer::start(
        "a_restart_replays_the_spool_and_a_replay_of_the_source_adds_nothing",
    ) else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let mut config = config(&server, spool.path());
    config.batch_rows = 1_000;
    config.drain_timeout_ms = 0;
    {
        let sink = ClickHouseSink::start(config.clone()).expect("sink starts");
        write_readings(&mut sink.stream("readings").unwrap(), 0..3_000);
        assert!(sink.wait_drained(DRAIN));
        server.stop();
        // Sealed while the server is down, then the process ends: left in the spool.
        write_readings(&mut sink.stream("readings").unwrap(), 3_000..6_000);
        let stats = sink.close();
        assert_eq!(stats.spooled_batches, 3, "{stats:?}");
    }
    server.restart();
    // The next start delivers the spool; the source replays everything.
    let sink = ClickHouseSink::start(config).expect("sink restarts");
    write_readings(&mut sink.stream("readings").unwrap(), 0..8_000);
    assert!(sink.wait_drained(DRAIN), "{:?}", sink.stats());
    let stats = sink.close();
    assert_eq!(stats.batches_dead, 0, "{stats:?}");
    assert_exactly_once(&server, 8_000);
}

#[test]
fn a_corrected_window_replaces_the_old_one() {
    let Some(server) = ClickHouseServer::start("a_corrected_window_replaces_the_old_one") else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let sink = ClickHouseSink::start(config(&server, spool.path())).expect("sink starts");
    let window = |count: u64, sum: f64| {
        fields(
            json!({"plant": "north", "tag": "PT-101", "window": "1m", "window_start": T0,
            "window_end": T0 + 60_000, "count": count, "sum": sum, "mean": sum / count as f64,
            "min": 1.0, "max": 5.0, "first": 1.0, "last": 5.0}),
        )
    };
    let mut writer = sink.stream("window_aggregates.1m").unwrap();
    writer
        .write_fields(T0 + 60_000, 1, &window(2, 6.0))
        .unwrap();
    writer.seal().unwrap();
    // A late reading corrects the window: differential retracts the old
    // row and asserts the new one, at a later time.
    writer
        .write_fields(T0 + 90_000, -1, &window(2, 6.0))
        .unwrap();
    writer
        .write_fields(T0 + 90_000, 1, &window(3, 10.0))
        .unwrap();
    drop(writer);
    let stats = sink.close();
    assert_eq!(stats.batches_delivered, 2, "{stats:?}");
    let query = "SELECT count, sum FROM steamflow.window_aggregates FINAL WHERE diff > 0";
    assert_eq!(server.query(query), "3\t10\n");
    let arg_max = "SELECT argMax(count, version), argMax(sum, version) \
                   FROM steamflow.window_aggregates GROUP BY plant, tag, window, window_start \
                   HAVING argMax(diff, version) > 0";
    assert_eq!(server.query(arg_max), "3\t10\n");
    // A window whose newest row is a retraction is gone.
    let sink = ClickHouseSink::start(config(&server, spool.path())).expect("sink restarts");
    let mut writer = sink.stream("window_aggregates").unwrap();
    writer
        .write_fields(T0 + 120_000, -1, &window(3, 10.0))
        .unwrap();
    drop(writer);
    sink.close();
    assert_eq!(server.query(query), "");
}

/// Writes one record of every stream (for queries over the schema).
pub fn records_for_dashboard(server: &ClickHouseServer, drain: Duration) {
    let spool = tempfile::tempdir().unwrap();
    let sink = ClickHouseSink::start(config(server, spool.path())).expect("sink starts");
    for (stream, record) in records() {
        let mut writer = sink.stream(stream).expect(stream);
        writer
            .write_fields(T0 + 1_000, 1, &fields(record))
            .expect(stream);
    }
    assert!(sink.wait_drained(drain));
    sink.close();
}
