//! Typed rows (a record's `append_columns`) against Debian's
//! clickhouse-server: they land as their JSON twins do, and a stream
//! known only by its arrow fields (a SQL view) gets a table of its own
//! whose current rows survive a retraction and a replay.

use std::time::Duration;

use arrow::datatypes::{DataType, Field, TimeUnit};
use steamflow_sink_clickhouse::{ClickHouseConfig, ClickHouseSink};
use steamflow_sink_parquet::RowAppender;

use crate::server::ClickHouseServer;

const DRAIN: Duration = Duration::from_secs(120);
/// 2025-01-01T00:00:00Z (whole seconds: the old server keeps no more).
const T0: u64 = 1_735_689_600_000;

fn config(server: &ClickHouseServer, spool: &std::path::Path) -> ClickHouseConfig {
    let mut config = ClickHouseConfig::new(server.url(), spool);
    config.retry.initial_ms = 20;
    config.retry.max_ms = 300;
    config
}

fn time(name: &str, nullable: bool) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        nullable,
    )
}

#[test]
fn typed_readings_land_with_their_flags_and_a_misfit_is_dead_lettered() {
    let Some(server) = ClickHouseServer::start("typed_readings_land") else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let sink = ClickHouseSink::start(config(&server, spool.path())).expect("sink");
    // The columns of the pipeline's readings (`KeyedReading::columns`).
    let fields = [
        Field::new("plant", DataType::Utf8, true),
        Field::new("tag", DataType::Utf8, true),
        Field::new("key", DataType::Utf8, false),
        time("event_time", false),
        Field::new("value", DataType::Float64, false),
        Field::new("quality", DataType::Utf8, false),
        Field::new("flags", DataType::Utf8, false),
    ];
    let mut writer = sink.typed_stream("readings", &fields).expect("typed");
    assert!(writer.is_typed());
    for (i, flags) in ["", "spike,stale"].iter().enumerate() {
        let t = T0 + i as u64 * 1_000;
        writer
            .write_row(t, 1, |row: &mut RowAppender<'_>| {
                row.str("north")
                    .str("PT-101")
                    .str("1")
                    .time_ms(t as i64)
                    .f64(10.5 + i as f64)
                    .str("good")
                    .str(flags);
            })
            .unwrap();
    }
    // Too few values: not a row of this table.
    writer
        .write_row(T0, 1, |row| {
            row.str("north");
        })
        .unwrap();
    writer.seal().unwrap();
    assert!(sink.wait_drained(DRAIN), "{:?}", sink.stats());
    let stats = sink.close();
    assert_eq!((stats.rows, stats.rows_rejected), (2, 1), "{stats:?}");
    let rows = server.query(
        "SELECT plant, tag, toUnixTimestamp(event_time), value, quality, flags, diff \
         FROM steamflow.readings ORDER BY event_time FORMAT TabSeparated",
    );
    assert_eq!(
        rows,
        "north\tPT-101\t1735689600\t10.5\tgood\t[]\t1\n\
         north\tPT-101\t1735689601\t11.5\tgood\t['spike','stale']\t1\n"
    );
    let dead = std::fs::read_to_string(spool.path().join("dead/rows.jsonl")).unwrap();
    assert!(dead.contains("1 values for 7 columns"), "{dead}");
}

#[test]
fn a_view_gets_its_own_table_whose_rows_survive_retraction_and_replay() {
    let Some(server) = ClickHouseServer::start("a_view_gets_its_own_table") else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let fields = [
        Field::new("plant", DataType::Utf8, false),
        Field::new("cost", DataType::Float64, true),
        Field::new("traps", DataType::Int64, false),
        Field::new("urgent", DataType::Boolean, false),
        time("since", true),
    ];
    // (time, diff, plant, cost, traps, urgent, since)
    type Row = (u64, i64, &'static str, Option<f64>, i64, bool, Option<i64>);
    let updates: [Row; 4] = [
        (T0, 1, "north", Some(1200.5), 3, true, Some(T0 as i64)),
        (T0, 1, "south", None, 0, false, None),
        // North's cost is corrected: the old row retracted, the new asserted.
        (
            T0 + 60_000,
            -1,
            "north",
            Some(1200.5),
            3,
            true,
            Some(T0 as i64),
        ),
        (
            T0 + 60_000,
            1,
            "north",
            Some(980.0),
            2,
            true,
            Some(T0 as i64),
        ),
    ];
    let write_all = |sink: &ClickHouseSink| {
        let mut writer = sink
            .stream_with_fields("trap_costs", &fields)
            .expect("view");
        for (t, diff, plant, cost, traps, urgent, since) in updates {
            writer
                .write_row(t, diff, |row| {
                    row.str(plant)
                        .opt_f64(cost)
                        .i64(traps)
                        .bool(urgent)
                        .opt_time_ms(since);
                })
                .unwrap();
            writer.flush(t).unwrap();
        }
        writer.seal().unwrap();
        assert!(sink.wait_drained(DRAIN), "{:?}", sink.stats());
    };
    let current = "SELECT plant, cost, traps, urgent, toUnixTimestamp(since) \
                   FROM steamflow.view_trap_costs FINAL WHERE diff > 0 ORDER BY plant \
                   FORMAT TabSeparated";
    let expected = "north\t980\t2\t1\t1735689600\nsouth\t\\N\t0\t0\t\\N\n";

    let sink = ClickHouseSink::start(config(&server, spool.path())).expect("sink");
    write_all(&sink);
    let stats = sink.close();
    assert_eq!((stats.rows, stats.rows_rejected), (4, 0), "{stats:?}");
    assert_eq!(server.query(current), expected);
    let stored = server.query("SELECT count() FROM steamflow.view_trap_costs");

    // A restart replays the same updates: the table exists, nothing lands twice.
    let sink = ClickHouseSink::start(config(&server, spool.path())).expect("sink again");
    write_all(&sink);
    sink.close();
    assert_eq!(server.query(current), expected);
    assert_eq!(
        server.query("SELECT count() FROM steamflow.view_trap_costs"),
        stored
    );
    // Even rows delivered twice (no ledger) leave the current rows as they are.
    let fresh = tempfile::tempdir().unwrap();
    let sink = ClickHouseSink::start(config(&server, fresh.path())).expect("fresh spool");
    write_all(&sink);
    sink.close();
    assert_eq!(server.query(current), expected);
}
