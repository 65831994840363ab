//! Every query of the Grafana dashboard runs on the schema (on Debian's
//! clickhouse-server 18.16), its macros replaced as Grafana would.

use std::time::Duration;

use crate::server::ClickHouseServer;
use crate::sink::records_for_dashboard;

const DASHBOARD: &str = include_str!("../../../deploy/grafana/dashboards/steamflow-overview.json");

#[test]
fn every_dashboard_query_runs_and_finds_the_rows() {
    let Some(server) = ClickHouseServer::start("every_dashboard_query_runs_and_finds_the_rows")
    else {
        return;
    };
    records_for_dashboard(&server, Duration::from_secs(120));
    let dashboard: serde_json::Value = serde_json::from_str(DASHBOARD).expect("dashboard JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert_eq!(panels.len(), 6);
    for panel in panels {
        let sql = panel["targets"][0]["rawSql"].as_str().expect("rawSql");
        let mut sql = sql.replace("${plant:singlequote}", "'north'");
        for column in ["window_start", "event_time"] {
            sql = sql.replace(
                &format!("$__timeFilter({column})"),
                &format!("{column} >= toDateTime('2024-01-01 00:00:00', 'UTC')"),
            );
        }
        assert!(!sql.contains('$'), "an unreplaced macro: {sql}");
        let rows = server.query(&sql);
        assert!(!rows.is_empty(), "{}: no rows", panel["title"]);
    }
}
