//! Integration tests of the `steamflow` binary and library: one test binary,
//! a module per command.

mod api_run;
mod calc_batch;
mod calc_cli;
mod clickhouse_run;
/// The ClickHouse server starter of the sink's tests, shared by the modules
/// that write to a real server.
#[allow(dead_code)]
#[path = "../../sinks/clickhouse/tests/server.rs"]
mod clickhouse_server;
mod dataflow;
mod live;
mod live_sources;
mod report_clickhouse;
mod run_cli;
mod scenarios;
mod views;
