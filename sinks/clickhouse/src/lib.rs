//! ClickHouse, steamflow's system of record: the schema of every named
//! stream and the sink that fills it.
//!
//! - [`schema`]: the versioned DDL of `sql/clickhouse/`, adapted to the
//!   server's version (18.16 up to current) and applied by [`migrate`].
//! - [`ClickHouseSink`]: a [`StreamWriter`] per stream encodes each update
//!   as a RowBinary row of its table and seals rows into batches (by rows,
//!   bytes, or age); a sealed batch is a file in the spool before anything
//!   is sent, so that a ClickHouse outage or a restart loses nothing; a
//!   delivery thread inserts the batches in order over HTTP (lz4),
//!   retrying with exponential backoff and jitter, and moves a batch the
//!   server refuses for good (a schema or data error) to `dead/`.
//! - Idempotent delivery: a batch's token is a hash of its rows, carried
//!   in every row's `batch_id` and, on servers since 22.2, as
//!   `insert_deduplication_token`; a batch that may have landed is
//!   checked before it is sent again. Results that late data corrects
//!   land in ReplacingMergeTree tables keyed by what they describe, so
//!   the corrected row replaces the old one.
//! - Back-pressure: the spool is bounded; a writer that would overfill it
//!   waits for deliveries.

mod column;
mod config;
mod deliver;
mod error;
mod field;
mod ledger;
pub mod schema;
mod sink;
mod spool;
mod table;
mod typed;
mod view;

pub use column::ColumnType;
pub use config::ClickHouseConfig;
pub use deliver::{Class, classify, server_code};
pub use error::Error;
pub use field::{Field, Record};
pub use schema::{
    MIGRATIONS, Migrated, Migration, STREAM_TABLES, Server, detect_blocking, migrate,
    migrate_blocking,
};
pub use sink::{ClickHouseSink, Stats, StreamWriter, client, table_for_stream};
pub use spool::{Batch, Spool};
pub use table::Table;
pub use view::{RESERVED_COLUMNS, view_ddl, view_table};

/// Whether `name` is a plain identifier (letters, digits, `_`; not first a digit).
pub fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `name` quoted as a ClickHouse identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`"))
}
