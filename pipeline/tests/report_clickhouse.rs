//! `steamflow report --clickhouse`: the demo plant run with both a JSON
//! Lines sink and a ClickHouse sink (Debian's clickhouse-server, started
//! here on a free port), then the monthly report built from the folder and
//! from the server. The figures are the same; so are the records of a
//! stream with corrected and withdrawn rows.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use steamflow_reports::input::clickhouse::ClickHouseInput;
use steamflow_reports::{Period, Report, ReportKind, RunData};
use steamflow_sink_clickhouse::{ClickHouseConfig, ClickHouseSink};

use crate::clickhouse_server::ClickHouseServer;

fn steamflow(args: &[&str], dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("steamflow runs");
    assert!(
        out.status.success(),
        "steamflow {args:?}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn report(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).expect("the report is JSON")
}

#[test]
fn the_monthly_report_from_clickhouse_equals_the_one_from_the_folder() {
    let test = "the_monthly_report_from_clickhouse_equals_the_one_from_the_folder";
    let Some(server) = ClickHouseServer::start(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    steamflow(
        &["demo", "--out", "run", "--clickhouse", &url, "--quiet"],
        dir.path(),
    );
    // Every row the sink took landed: nothing rejected, nothing spooled.
    let dead = dir.path().join("run/clickhouse-spool/dead");
    let dead_files = std::fs::read_dir(&dead).map_or(0, |d| d.count());
    assert_eq!(dead_files, 0, "rows or batches refused: see {dead:?}");
    assert_ne!(
        server.query("SELECT count() FROM steamflow.recommendations"),
        "0\n",
        "the recommendations reach their table"
    );

    let period = ["--from", "2025-01-01", "--to", "2025-02-01"];
    let mut from_folder = vec!["report", "--kind", "monthly", "--dir", "run"];
    from_folder.extend(period);
    from_folder.extend(["--out", "folder", "--format", "json"]);
    steamflow(&from_folder, dir.path());
    let mut from_clickhouse = vec!["report", "--kind", "monthly", "--clickhouse", &url];
    from_clickhouse.extend(period);
    from_clickhouse.extend(["--out", "clickhouse", "--format", "json"]);
    steamflow(&from_clickhouse, dir.path());

    let folder = report(&dir.path().join("folder/monthly-report.json"));
    let clickhouse = report(&dir.path().join("clickhouse/monthly-report.json"));
    // The report has something to agree on: the demo's hour of windows,
    // its losses, failed trap, recommendations and alerts.
    assert_eq!(folder["windows"], 60, "{folder:#}");
    assert!(!folder["losses"].as_array().unwrap().is_empty());
    assert!(!folder["traps"]["failed"].as_array().unwrap().is_empty());
    assert!(!folder["recommendations"].as_array().unwrap().is_empty());
    assert!(folder["alerts"]["fired"].as_u64().unwrap() > 0);
    assert_eq!(clickhouse, folder);
}

/// 2025-01-06T06:00:00Z.
const T0: u64 = 1_736_143_200_000;
const MIN: u64 = 60_000;

fn loss(minute: u64, category: &str, kg_h: f64) -> Value {
    json!({"plant": "north", "window_start": T0 + minute * MIN,
        "window_end": T0 + (minute + 1) * MIN, "category": category, "loss_kg_h": kg_h,
        "loss_kw": kg_h * 0.7, "cost_per_year": kg_h * 300.0, "cost_per_day": kg_h * 0.8})
}

#[test]
fn corrected_and_withdrawn_rows_read_as_the_folder_consolidates_them() {
    let test = "corrected_and_withdrawn_rows_read_as_the_folder_consolidates_them";
    let Some(server) = ClickHouseServer::start(test) else {
        return;
    };
    // (dataflow time, diff, record): window 0's pipe loss corrected from 50
    // to 40 kg/h by a late reading; window 1's leak loss withdrawn; window
    // 2 outside the period.
    let updates = [
        (T0 + MIN, 1, loss(0, "pipe", 50.0)),
        (T0 + MIN, 1, loss(0, "trap", 300.0)),
        (T0 + 2 * MIN, -1, loss(0, "pipe", 50.0)),
        (T0 + 2 * MIN, 1, loss(0, "pipe", 40.0)),
        (T0 + 2 * MIN, 1, loss(1, "leak", 25.0)),
        (T0 + 2 * MIN, 1, loss(1, "pipe", 40.0)),
        (T0 + 3 * MIN, -1, loss(1, "leak", 25.0)),
        (T0 + 3 * MIN, 1, loss(2, "pipe", 45.0)),
    ];
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("jsonl");
    std::fs::create_dir_all(&jsonl).unwrap();
    let lines: Vec<String> = updates
        .iter()
        .map(|(time, diff, record)| {
            let mut line = json!({"time": time});
            for (k, v) in record.as_object().unwrap() {
                line[k] = v.clone();
            }
            line["diff"] = json!(diff);
            line.to_string()
        })
        .collect();
    std::fs::write(jsonl.join("losses.jsonl"), lines.join("\n") + "\n").unwrap();
    let mut settings = ClickHouseConfig::new(server.url(), dir.path().join("spool"));
    settings.request_timeout_ms = 10_000;
    let sink = ClickHouseSink::start(settings).expect("the sink starts");
    let mut writer = sink.stream("losses").unwrap();
    for (time, diff, record) in &updates {
        let text = record.to_string();
        let members = text.strip_prefix('{').and_then(|t| t.strip_suffix('}'));
        writer.write_fields(*time, *diff, members.unwrap()).unwrap();
    }
    drop(writer);
    let stats = sink.close();
    assert_eq!((stats.rows, stats.rows_rejected), (8, 0), "{stats:?}");

    let period = Period {
        from_ms: T0 as i64,
        to_ms: (T0 + 2 * MIN) as i64,
    };
    let folder = RunData::load(dir.path()).unwrap();
    let input = ClickHouseInput::new(server.url(), "steamflow");
    let (read_period, clickhouse) = input
        .load_blocking(|end| {
            assert_eq!(
                end,
                Some((T0 + 3 * MIN) as i64),
                "the data ends with window 2"
            );
            period
        })
        .unwrap();
    assert_eq!(read_period, period);
    let key = |r: &serde_json::Map<String, Value>| {
        (
            r["window_start"].as_i64(),
            r["category"].as_str().map(str::to_owned),
        )
    };
    let mut current = clickhouse.losses.clone();
    current.sort_by_key(key);
    let mut expected: Vec<_> = folder
        .losses
        .iter()
        .filter(|r| r["window_start"].as_i64() < Some(period.to_ms))
        .cloned()
        .collect();
    expected.sort_by_key(key);
    let expected_values: Vec<Value> = [
        loss(0, "pipe", 40.0),
        loss(0, "trap", 300.0),
        loss(1, "pipe", 40.0),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        current
            .iter()
            .map(|r| Value::Object(r.clone()))
            .collect::<Vec<_>>(),
        expected_values
    );
    assert_eq!(current, expected);
    let kind = ReportKind::Daily;
    assert_eq!(
        Report::build(kind, period, &clickhouse),
        Report::build(kind, period, &folder)
    );
}
