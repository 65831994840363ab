//! Integration tests against real ClickHouse engines: Debian's
//! clickhouse-server (started here on a free port) and, for the modern
//! DDL, the current engine of PyPI's chdb-core.

mod dashboard;
mod kill;
mod modern;
mod schema;
mod server;
mod sink;
mod typed;
