//! Every DDL file and rollup, exactly as `migrate` runs it for a current
//! server, executes on the current ClickHouse engine (chdb-core).

use std::process::Command;

use steamflow_sink_clickhouse::Server;
use steamflow_source_core::testing::{python, require};

const SCRIPT: &str = r#"
import sys
from chdb import session
s = session.Session()
print(s.query("SELECT version()", "TSV").bytes().decode().strip())
s.query("CREATE DATABASE IF NOT EXISTS steamflow")
s.query("USE steamflow")
for statement in sys.stdin.read().split(";\n"):
    if any(l.strip() and not l.strip().startswith("--") for l in statement.splitlines()):
        s.query(statement)
# Recent times: rows older than a table's TTL are dropped as they land.
s.query("INSERT INTO readings (plant, tag, event_time, value, quality, diff, batch_id) VALUES ('p', 't', now64(3), 1.5, 'good', 1, 'b')")
s.query("INSERT INTO readings (plant, tag, event_time, value, quality, diff, batch_id) VALUES ('p', 't', now64(3), nan, 'good', 1, 'b')")
s.query("INSERT INTO balances (plant, window_start, generation_kg_h, diff, batch_id) VALUES ('p', now64(3), 1000, 1, 'b')")
print(s.query("SELECT avgMerge(avg_value), countMerge(samples) FROM steam_hourly_avg", "TSV").bytes().decode().strip())
print(s.query("SELECT avgMerge(avg_generation_kg_h) FROM steam_daily_summary", "TSV").bytes().decode().strip())
print(s.query("SELECT engine FROM system.tables WHERE database = 'steamflow' AND name = 'window_aggregates'", "TSV").bytes().decode().strip())
"#;

#[test]
fn every_ddl_file_runs_on_current_clickhouse() {
    let test = "every_ddl_file_runs_on_current_clickhouse";
    let Some(python) = require(python(), "python with chdb-core", test) else {
        return;
    };
    let probe = Command::new(&python).args(["-c", "import chdb"]).output();
    if !probe.is_ok_and(|out| out.status.success()) {
        require(None, "chdb-core (pip)", test);
        return;
    }
    let ddl = Server::CURRENT.schema_sql();
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(ddl.as_bytes()).expect("ddl written");
    }
    let out = child.wait_with_output().expect("python ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let version = Server::parse(lines.first().copied().unwrap_or("")).expect("a version");
    assert!(
        version.has_deduplication_token(),
        "chdb is current: {version}"
    );
    // The rollups are fed as rows land; the NaN reading stays out of the average.
    let expected = ["1.5\t1", "1000", "ReplacingMergeTree"];
    assert_eq!(lines.get(1..), Some(&expected[..]), "{stdout}");
}
