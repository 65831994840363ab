//! Rows per second into a local clickhouse-server: the sink (JSON fields
//! of the graph's records → RowBinary → spool → HTTP, lz4) side by side,
//! in one run, with `clickhouse-client` bulk-inserting the same rows as
//! TabSeparated over its native protocol (the server's own limit).
//!
//! Run: `cargo bench -p steamflow-sink-clickhouse --bench clickhouse`
//! (`STEAMFLOW_BENCH_ROWS` sets the rows, default 1000000). Each side
//! writes into its own database with the same schema (rollup views
//! included); the clock runs from the first row handed over to the last
//! row acknowledged by the server.

#[path = "../tests/server.rs"]
#[allow(dead_code)]
mod server;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use steamflow_sink_clickhouse::{ClickHouseConfig, ClickHouseSink, client, migrate};
use steamflow_source_core::testing::find_program;

const T0: u64 = 1_735_689_600_000;
const TAGS: u64 = 20;

fn main() {
    let rows: u64 = std::env::var("STEAMFLOW_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let Some(server) = server::ClickHouseServer::start("bench clickhouse") else {
        return;
    };
    let Some(client_program) = find_program("clickhouse-client") else {
        eprintln!("SKIPPED bench clickhouse: clickhouse-client is not installed");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let spool = tempfile::tempdir().expect("spool");
    let mut config = ClickHouseConfig::new(server.url(), spool.path());
    config.database = "bench_client".into();
    let ch = client(&config);
    runtime
        .block_on(migrate(&ch, "bench_client"))
        .expect("migrate bench_client");
    drop(runtime);

    // The same readings, as the graph renders them and as TabSeparated.
    let mut fields = Vec::with_capacity(rows as usize);
    let mut tsv = Vec::with_capacity(rows as usize * 80);
    for i in 0..rows {
        let time = T0 + (i / TAGS) * 1_000;
        let tag = i % TAGS;
        let value = 10.0 + (i % 97) as f64 * 0.125;
        fields.push(format!(
            "\"plant\":\"north\",\"tag\":\"PT-{tag}\",\"key\":\"{tag}\",\"event_time\":{time},\
             \"event_time_utc\":\"-\",\"value\":{value},\"quality\":\"good\",\"flags\":[]"
        ));
        let seconds = time / 1_000;
        writeln!(
            tsv,
            "{seconds}\tnorth\tPT-{tag}\t{seconds}\t{value}\tgood\t[]\t1\tb"
        )
        .expect("tsv");
    }

    // clickhouse-client, native protocol, one bulk insert.
    let started = Instant::now();
    let mut child = Command::new(&client_program)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &server.tcp_port.to_string(),
            "--query",
            "INSERT INTO bench_client.readings FORMAT TabSeparated",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("clickhouse-client");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&tsv)
        .expect("rows piped");
    let status = child.wait().expect("clickhouse-client ends");
    let client_secs = started.elapsed().as_secs_f64();
    assert!(status.success(), "clickhouse-client failed");
    let counted = server.query("SELECT count() FROM bench_client.readings");
    assert_eq!(counted.trim(), rows.to_string());

    // The sink.
    config.database = "bench_sink".into();
    let sink = ClickHouseSink::start(config).expect("sink");
    let started = Instant::now();
    let mut writer = sink.stream("readings").expect("readings");
    for (i, record) in fields.iter().enumerate() {
        let time = T0 + (i as u64 / TAGS) * 1_000;
        writer.write_fields(time, 1, record).expect("write");
    }
    writer.seal().expect("seal");
    let handed_over = started.elapsed().as_secs_f64();
    assert!(sink.wait_drained(Duration::from_secs(600)), "drained");
    let sink_secs = started.elapsed().as_secs_f64();
    let stats = sink.close();
    let counted = server.query("SELECT count() FROM bench_sink.readings");
    assert_eq!(counted.trim(), rows.to_string(), "{stats:?}");

    let client_rate = rows as f64 / client_secs;
    let sink_rate = rows as f64 / sink_secs;
    println!("clickhouse/readings: {rows} rows");
    println!("  clickhouse-client (TSV, native): {client_rate:>12.0} rows/s ({client_secs:.2} s)");
    println!("  steamflow sink (RowBinary, lz4): {sink_rate:>12.0} rows/s ({sink_secs:.2} s)");
    println!("    of which encoding and spooling on the writer: {handed_over:.2} s");
    println!("  sink / client: {:.2}", sink_rate / client_rate);
}
