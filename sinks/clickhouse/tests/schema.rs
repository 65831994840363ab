//! Migrations on Debian's clickhouse-server (18.16): adapted, applied
//! once, idempotent.

use steamflow_sink_clickhouse::{ClickHouseConfig, MIGRATIONS, client, migrate};

use crate::server::ClickHouseServer;

#[test]
fn migrate_creates_every_table_once_and_again_does_nothing() {
    let Some(server) =
        ClickHouseServer::start("migrate_creates_every_table_once_and_again_does_nothing")
    else {
        return;
    };
    let config = ClickHouseConfig::new(server.url(), "unused");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ch = client(&config);
    let first = runtime
        .block_on(migrate(&ch, "steamflow"))
        .expect("first migrate");
    assert_eq!(first.applied.len(), MIGRATIONS.len());
    assert_eq!(first.already, 0);
    let second = runtime
        .block_on(migrate(&ch, "steamflow"))
        .expect("second migrate");
    assert!(second.applied.is_empty());
    assert_eq!(second.already, MIGRATIONS.len());
    let tables =
        server.query("SELECT name FROM system.tables WHERE database = 'steamflow' ORDER BY name");
    for table in [
        "alerts",
        "balances",
        "dead_letters",
        "leaks",
        "losses",
        "readings",
        "recommendations",
        "steam_daily_summary",
        "steam_daily_summary_mv",
        "steam_hourly_avg",
        "steam_hourly_avg_mv",
        "steam_states",
        "trap_statuses",
        "window_aggregates",
    ] {
        assert!(
            tables.lines().any(|t| t == table),
            "{table} missing: {tables}"
        );
    }
}
