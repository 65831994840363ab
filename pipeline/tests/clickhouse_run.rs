//! `steamflow run` into Debian's clickhouse-server through the ClickHouse
//! sink: the server stopped mid-stream and started again, and steamflow
//! itself killed with SIGKILL mid-batch and started again on the same
//! config. Either way each table ends holding exactly the rows of the
//! run's own JSON Lines output — none lost, none duplicated — and the
//! spool is empty.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::clickhouse_server::ClickHouseServer;

/// Ten minutes of two tags, one reading a second each.
const SECONDS: i64 = 600;
const T0: i64 = 1_736_143_200_000;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("steamflow-ch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The demo plant fed by a CSV replayed 40 times faster than recorded
/// (15 s), into JSON Lines files and ClickHouse.
fn write_config(dir: &Path, url: &str) -> PathBuf {
    let mut csv = String::from("time,plant,tag,value,quality,unit\n");
    for s in 0..SECONDS {
        let time = T0 + s * 1000;
        csv.push_str(&format!(
            "{time},north,north.hp.pressure,{},good,barg\n",
            10.0 + (s % 7) as f64 * 0.01
        ));
        csv.push_str(&format!(
            "{time},north,north.b1.flow,{},good,kg/h\n",
            9000.0 + (s % 11) as f64
        ));
    }
    std::fs::write(dir.join("readings.csv"), csv).unwrap();
    let demo = steamflow::config::DEMO_CONFIG;
    let plant = demo
        .find("[plants.north]")
        .zip(demo.find("[alerts."))
        .and_then(|(start, end)| demo.get(start..end))
        .expect("the demo config has a plant");
    let streams = r#"["readings", "window_aggregates.1m"]"#;
    let config = format!(
        "[sources.historian]\ntype = \"file\"\npath = \"readings.csv\"\nrealtime_factor = 40.0\n\n{plant}\n\
         [sinks.files]\ntype = \"jsonl\"\ninputs = {streams}\ndir = \"out\"\n\n\
         [sinks.warehouse]\ntype = \"clickhouse\"\ninputs = {streams}\nurl = \"{url}\"\n\
         spool_dir = \"spool\"\nbatch_rows = 200\nrequest_timeout_ms = 5000\ndrain_timeout_ms = 60000\n\n\
         [sinks.warehouse.retry]\ninitial_ms = 50\nmax_ms = 500\n"
    );
    let path = dir.join("steamflow.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn start(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(["run", "steamflow.toml", "--quiet"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("steamflow starts")
}

/// Waits for `child` to end, at most `timeout` (then kills it and fails).
fn finish(mut child: Child, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("steamflow state") {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            assert!(status.success(), "steamflow failed: {stderr}");
            return;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("steamflow did not end within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn count(server: &ClickHouseServer, sql: &str) -> u64 {
    server.query(sql).trim().parse().unwrap_or(0)
}

/// Waits until the readings table holds at least `rows` rows, while
/// steamflow runs (bounded).
fn wait_for_rows(server: &ClickHouseServer, child: &mut Child, rows: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let exists =
        "SELECT count() FROM system.tables WHERE database = 'steamflow' AND name = 'readings'";
    loop {
        if count(server, exists) == 1
            && count(server, "SELECT count() FROM steamflow.readings") >= rows
        {
            return;
        }
        assert!(
            child.try_wait().expect("steamflow state").is_none(),
            "steamflow ended before {rows} rows landed"
        );
        assert!(
            Instant::now() < deadline,
            "{rows} rows did not land in 60 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Each table holds exactly what the run's JSON Lines files hold, and the
/// spool is empty.
fn assert_exactly_the_run(server: &ClickHouseServer, dir: &Path) {
    let lines = |stream: &str| -> Vec<serde_json::Value> {
        std::fs::read_to_string(dir.join("out").join(format!("{stream}.jsonl")))
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    };
    // Readings are only ever asserted: one row each, once.
    let readings = lines("readings");
    assert_eq!(readings.len() as i64, 2 * SECONDS);
    assert_eq!(
        count(server, "SELECT count() FROM steamflow.readings"),
        readings.len() as u64,
        "readings rows"
    );
    assert_eq!(
        count(
            server,
            "SELECT count() FROM (SELECT DISTINCT tag, event_time FROM steamflow.readings)"
        ),
        readings.len() as u64,
        "distinct readings"
    );
    let expected_sum: f64 = readings
        .iter()
        .map(|r| r["value"].as_f64().unwrap_or(0.0))
        .sum();
    let sum: f64 = server
        .query("SELECT sum(value) FROM steamflow.readings")
        .trim()
        .parse()
        .unwrap_or(f64::NAN);
    assert!(
        (sum - expected_sum).abs() < 1e-6 * expected_sum,
        "{sum} vs {expected_sum}"
    );
    // Window aggregates: every update once; the current windows are the file's.
    let updates = lines("window_aggregates.1m");
    assert_eq!(
        count(server, "SELECT count() FROM steamflow.window_aggregates"),
        updates.len() as u64,
        "window updates"
    );
    let mut current = std::collections::BTreeMap::<(String, i64), i64>::new();
    for update in &updates {
        let key = (
            update["tag"].as_str().unwrap_or_default().to_owned(),
            update["window_start"].as_i64().unwrap_or_default(),
        );
        *current.entry(key).or_default() += update["diff"].as_i64().unwrap_or(0);
    }
    let windows = current.values().filter(|n| **n > 0).count() as u64;
    assert_eq!(
        count(
            server,
            "SELECT count() FROM steamflow.window_aggregates FINAL WHERE diff > 0"
        ),
        windows,
        "current windows"
    );
    let spooled: Vec<_> = std::fs::read_dir(dir.join("spool"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rowbinary") || name == "dead")
        .collect();
    assert!(spooled.is_empty(), "left in the spool: {spooled:?}");
}

#[test]
fn a_server_outage_mid_run_loses_nothing_and_duplicates_nothing() {
    let test = "a_server_outage_mid_run_loses_nothing_and_duplicates_nothing";
    let Some(mut server) = ClickHouseServer::start(test) else {
        return;
    };
    let dir = scratch("outage");
    write_config(&dir, &server.url());
    let mut child = start(&dir);
    wait_for_rows(&server, &mut child, 200);
    server.stop();
    std::thread::sleep(Duration::from_secs(3));
    server.restart();
    finish(child, Duration::from_secs(180));
    assert_exactly_the_run(&server, &dir);
}

#[test]
fn steamflow_killed_mid_batch_and_run_again_loses_nothing_and_duplicates_nothing() {
    let test = "steamflow_killed_mid_batch_and_run_again_loses_nothing_and_duplicates_nothing";
    let Some(server) = ClickHouseServer::start(test) else {
        return;
    };
    let dir = scratch("kill");
    write_config(&dir, &server.url());
    let mut child = start(&dir);
    wait_for_rows(&server, &mut child, 300);
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let landed = count(&server, "SELECT count() FROM steamflow.readings");
    assert!(
        landed < 2 * SECONDS as u64,
        "killed before the end ({landed} rows)"
    );
    // The same config again: the source replays from the start.
    finish(start(&dir), Duration::from_secs(180));
    assert_exactly_the_run(&server, &dir);
}
