//! Integration tests of the `steamflow` binary and library: one test binary,
//! a module per command.

mod api_run;
mod calc_batch;
mod calc_cli;
mod clickhouse_run;
mod dataflow;
mod live;
mod live_sources;
mod report_clickhouse;
mod run_cli;
mod scenarios;
mod views;
