//! `steamflow report --clickhouse`: the demo plant run with both a JSON
//! Lines sink and a ClickHouse sink (Debian's clickhouse-server, started
//! here on a free port), then the monthly report built from the folder and
//! from the server. The figures are the same.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

#[allow(dead_code)]
#[path = "../../sinks/clickhouse/tests/server.rs"]
mod server;

use server::ClickHouseServer;

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
