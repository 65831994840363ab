//! Rows per second into a local clickhouse-server: the sink, on the path
//! `steamflow run` takes, side by side in one run with `clickhouse-client`
//! bulk-inserting the same rows as TabSeparated over its native protocol
//! (the server's own limit).
//!
//! The sink's side does what the pipeline's ClickHouse stream does with
//! the `readings` stream: each record pushes its typed columns (the calls
//! of the pipeline's `KeyedReading::append_columns`: plant, tag, key,
//! event time, value, quality, flags) through a `RowAppender` into
//! [`StreamWriter::write_row`], which encodes RowBinary; the stream is
//! flushed after each dataflow time; batches are sealed (by the sink's
//! default rows and dataflow-time interval), written and synced to the
//! spool, and inserted over HTTP with lz4.
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

use arrow::datatypes::{DataType, Field, TimeUnit};
use steamflow_sink_clickhouse::{ClickHouseConfig, ClickHouseSink, client, migrate};
use steamflow_sink_parquet::RowAppender;
use steamflow_source_core::testing::find_program;

const T0: u64 = 1_735_689_600_000;
/// Tags of the plant, each read once a second.
const TAGS: u64 = 1_000;

/// A reading as the pipeline's `readings` stream carries it.
struct Reading {
    plant: String,
    tag: String,
    key: u64,
    time_ms: u64,
    value: f64,
    quality: &'static str,
    flags: Vec<&'static str>,
}

impl Reading {
    /// The columns of the pipeline's `KeyedReading` (its `columns()`).
    fn columns() -> Vec<Field> {
        vec![
            Field::new("plant", DataType::Utf8, true),
            Field::new("tag", DataType::Utf8, true),
            Field::new("key", DataType::Utf8, false),
            Field::new(
                "event_time",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                false,
            ),
            Field::new("value", DataType::Float64, false),
            Field::new("quality", DataType::Utf8, false),
            Field::new("flags", DataType::Utf8, false),
        ]
    }

    /// The pushes of the pipeline's `KeyedReading::append_columns`.
    fn append_columns(&self, row: &mut RowAppender<'_>) {
        row.str(&self.plant)
            .str(&self.tag)
            .str(&self.key.to_string());
        let flags: Vec<&str> = self.flags.clone();
        row.time_ms(i64::try_from(self.time_ms).unwrap_or(i64::MAX))
            .f64(self.value)
            .str(self.quality)
            .str(&flags.join(","));
    }
}

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

    // The same readings, as the graph holds them and as TabSeparated.
    let mut readings = Vec::with_capacity(rows as usize);
    let mut tsv = Vec::with_capacity(rows as usize * 80);
    for i in 0..rows {
        let time = T0 + (i / TAGS) * 1_000;
        let tag = i % TAGS;
        let value = 10.0 + (i % 97) as f64 * 0.125;
        let flags = if i % 50 == 0 { vec!["stale"] } else { vec![] };
        let seconds = time / 1_000;
        writeln!(
            tsv,
            "{seconds}\tnorth\tPT-{tag}\t{seconds}\t{value}\tgood\t[{}]\t1\tb",
            flags
                .iter()
                .map(|f| format!("'{f}'"))
                .collect::<Vec<_>>()
                .join(",")
        )
        .expect("tsv");
        readings.push(Reading {
            plant: "north".into(),
            tag: format!("PT-{tag}"),
            key: 1_000_000 + tag,
            time_ms: time,
            value,
            quality: "good",
            flags,
        });
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

    // The sink, as `steamflow run` drives it.
    config.database = "bench_sink".into();
    let (batch_rows, interval) = (config.batch_rows, config.flush_interval_ms);
    let sink = ClickHouseSink::start(config).expect("sink");
    let started = Instant::now();
    let mut writer = sink
        .typed_stream("readings", &Reading::columns())
        .expect("readings");
    let mut last_time = T0;
    for reading in &readings {
        if reading.time_ms != last_time {
            writer.flush(last_time).expect("flush");
            last_time = reading.time_ms;
        }
        writer
            .write_row(reading.time_ms, 1, |row| reading.append_columns(row))
            .expect("write");
    }
    writer.seal().expect("seal");
    let handed_over = started.elapsed().as_secs_f64();
    assert!(sink.wait_drained(Duration::from_secs(600)), "drained");
    let sink_secs = started.elapsed().as_secs_f64();
    let stats = sink.close();
    let counted = server.query("SELECT count() FROM bench_sink.readings");
    assert_eq!(counted.trim(), rows.to_string(), "{stats:?}");
    let same = server.query(
        "SELECT count() FROM (SELECT plant, tag, event_time, value, quality, flags FROM bench_client.readings \
         UNION ALL SELECT plant, tag, event_time, value, quality, flags FROM bench_sink.readings) \
         GROUP BY plant, tag, event_time, value, quality, flags HAVING count() != 2",
    );
    assert!(same.trim().is_empty(), "the two tables differ: {same}");

    let client_rate = rows as f64 / client_secs;
    let sink_rate = rows as f64 / sink_secs;
    println!(
        "clickhouse/readings: {rows} rows, {TAGS} tags at 1 Hz (server {})",
        sink_server(&server)
    );
    println!("  clickhouse-client (TSV, native): {client_rate:>12.0} rows/s ({client_secs:.2} s)");
    println!(
        "  steamflow sink (typed rows → RowBinary, spool, lz4 HTTP): {sink_rate:>12.0} rows/s ({sink_secs:.2} s)"
    );
    println!(
        "    {} batches (batch_rows {batch_rows}, flush_interval_ms {interval}); encoding and spooling on the writer: {handed_over:.2} s",
        stats.batches_delivered
    );
    println!("  sink / client: {:.2}", sink_rate / client_rate);
}

fn sink_server(server: &server::ClickHouseServer) -> String {
    server.query("SELECT version()").trim().to_owned()
}
