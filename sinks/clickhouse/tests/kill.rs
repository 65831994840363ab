//! A process killed with SIGKILL mid-stream, then started again on the
//! same spool while its source replays: every reading lands exactly once.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use steamflow_sink_clickhouse::{ClickHouseConfig, ClickHouseSink};

use crate::server::ClickHouseServer;
use crate::sink::{assert_exactly_once, write_readings};

const READINGS: u64 = 20_000;
const URL: &str = "STEAMFLOW_TEST_KILLED_URL";
const SPOOL: &str = "STEAMFLOW_TEST_KILLED_SPOOL";

fn config(url: String, spool: &std::path::Path) -> ClickHouseConfig {
    let mut config = ClickHouseConfig::new(url, spool);
    config.batch_rows = 1_000;
    config.retry.initial_ms = 20;
    config.retry.max_ms = 300;
    config
}

/// The process that gets killed: run by the test below (and a no-op in a
/// plain `cargo test`, where its variables are unset).
#[test]
fn killed_writer() {
    let (Some(url), Some(spool)) = (std::env::var_os(URL), std::env::var_os(SPOOL)) else {
        return;
    };
    let url = url.to_string_lossy().into_owned();
    let sink = ClickHouseSink::start(config(url, std::path::Path::new(&spool))).expect("sink");
    let mut writer = sink.stream("readings").expect("readings");
    for start in (0..READINGS).step_by(250) {
        write_readings(&mut writer, start..start + 250);
        std::thread::sleep(Duration::from_millis(5));
    }
    // Never reached in the test: it is killed first.
    std::thread::sleep(Duration::from_secs(600));
}

#[test]
fn a_process_killed_mid_batch_loses_nothing_and_duplicates_nothing() {
    let test = "a_process_killed_mid_batch_loses_nothing_and_duplicates_nothing";
    let Some(server) = ClickHouseServer::start(test) else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "kill::killed_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(URL, server.url())
        .env(SPOOL, spool.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("writer starts");
    // Kill it once some batches have landed and more are on their way.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let landed: u64 = server
            .query("SELECT count() FROM system.tables WHERE database = 'steamflow' AND name = 'readings'")
            .trim()
            .parse()
            .unwrap_or(0);
        if landed == 1 {
            let rows: u64 = server
                .query("SELECT count() FROM steamflow.readings")
                .trim()
                .parse()
                .unwrap_or(0);
            if rows >= 5_000 {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the writer delivered nothing in 120 s"
        );
        assert!(
            child.try_wait().expect("writer state").is_none(),
            "the writer ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("writer reaped");
    let before: u64 = server
        .query("SELECT count() FROM steamflow.readings")
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(before < READINGS, "killed before the end ({before} rows)");
    // Start again on the same spool; the source replays from the start.
    let sink = ClickHouseSink::start(config(server.url(), spool.path())).expect("sink restarts");
    write_readings(&mut sink.stream("readings").expect("readings"), 0..READINGS);
    assert!(
        sink.wait_drained(Duration::from_secs(120)),
        "{:?}",
        sink.stats()
    );
    let stats = sink.close();
    assert_eq!(stats.batches_dead, 0, "{stats:?}");
    assert_exactly_once(&server, READINGS);
}
