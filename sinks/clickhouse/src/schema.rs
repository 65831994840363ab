//! The schema: versioned DDL files (`sql/clickhouse/V<NNN>__<name>.sql`),
//! adapted to the server's version, applied once each by [`migrate`].
//!
//! The files are written for current ClickHouse. A server older than a
//! feature gets a rewritten statement ([`Server::adapt`]):
//! - a line ending in `-- requires <major>.<minor>` is dropped on older
//!   servers (TTL retention, the insert deduplication window);
//! - before 20.1 (no `DateTime64`), `DateTime64(3, 'UTC')` becomes
//!   `DateTime('UTC')`: times keep whole seconds there;
//! - before 19.9 (`LowCardinality` behind a setting), `LowCardinality(String)`
//!   becomes `String`.

use std::fmt;

use clickhouse::Client;

use crate::error::Error;

/// One versioned DDL file.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// Its version, the number in its file name; applied in increasing order.
    pub version: u32,
    /// Its file name.
    pub name: &'static str,
    /// Its statements, separated by a `;` at the end of a line.
    pub sql: &'static str,
}

macro_rules! migrations {
    ($($version:literal $file:literal),* $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $file,
            sql: include_str!(concat!("../../../sql/clickhouse/", $file)),
        }),*]
    };
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = migrations![
    1 "V001__readings.sql",
    2 "V002__dead_letters.sql",
    3 "V003__window_aggregates.sql",
    4 "V004__steam_states.sql",
    5 "V005__balances.sql",
    6 "V006__trap_statuses.sql",
    7 "V007__leaks.sql",
    8 "V008__losses.sql",
    9 "V009__alerts.sql",
    10 "V010__recommendations.sql",
    11 "V011__rollups.sql",
    12 "V012__recommendations_stream.sql",
];

/// The table that records the migrations applied.
pub const MIGRATIONS_TABLE: &str = "steamflow_schema_migrations";

/// The tables the sink writes, one per stream, by stream name.
pub const STREAM_TABLES: &[&str] = &[
    "readings",
    "dead_letters",
    "window_aggregates",
    "steam_states",
    "balances",
    "trap_statuses",
    "leaks",
    "losses",
    "alerts",
    "recommendations",
];

impl Migration {
    /// Its statements as written (modern ClickHouse), comments kept.
    pub fn statements(&self) -> impl Iterator<Item = &'static str> {
        self.sql.split(";\n").filter(|statement| {
            statement
                .lines()
                .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with("--"))
        })
    }
}

/// A ClickHouse server version, `major.minor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Server {
    /// Major version (the year for releases since 18).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Server {
    /// The newest server these files were written for.
    pub const CURRENT: Server = Server {
        major: 26,
        minor: 1,
    };

    /// Parses `version()`'s answer (`18.16.1`, `24.8.4.13`).
    pub fn parse(version: &str) -> Result<Server, Error> {
        let mut parts = version.trim().split('.').map(str::parse::<u32>);
        match (parts.next(), parts.next()) {
            (Some(Ok(major)), Some(Ok(minor))) => Ok(Server { major, minor }),
            _ => Err(Error::Version(version.trim().to_owned())),
        }
    }

    /// Asks a server its version.
    pub async fn detect(client: &Client) -> Result<Server, Error> {
        let version: String = client
            .query("SELECT version()")
            .fetch_one()
            .await
            .map_err(Error::ClickHouse)?;
        Server::parse(&version)
    }

    fn at_least(self, major: u32, minor: u32) -> bool {
        self >= Server { major, minor }
    }

    /// Whether columns can be `DateTime64` (20.1).
    pub fn has_datetime64(self) -> bool {
        self.at_least(20, 1)
    }

    /// Whether inserts take `insert_deduplication_token` (22.2), which
    /// with the tables' `non_replicated_deduplication_window` makes a
    /// repeated batch a no-op.
    pub fn has_deduplication_token(self) -> bool {
        self.at_least(22, 2)
    }

    /// A statement rewritten for this server (see the [module docs](self)).
    pub fn adapt(self, statement: &str) -> String {
        let mut out = String::with_capacity(statement.len());
        for line in statement.lines() {
            if let Some(required) = required_version(line)
                && !self.at_least(required.major, required.minor)
            {
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        if !self.has_datetime64() {
            out = out.replace("DateTime64(3, 'UTC')", "DateTime('UTC')");
        }
        if !self.at_least(19, 9) {
            out = out.replace("LowCardinality(String)", "String");
        }
        out
    }

    /// Every statement of every migration for this server, as `migrate`
    /// would run them, each followed by `;` (for `steamflow clickhouse schema`).
    pub fn schema_sql(self) -> String {
        let mut out = format!("-- steamflow ClickHouse schema for server {self}\n");
        for migration in MIGRATIONS {
            out.push_str(&format!("\n-- {}\n", migration.name));
            for statement in migration.statements() {
                out.push_str(self.adapt(statement).trim());
                out.push_str(";\n");
            }
        }
        out
    }
}

/// The version a `-- requires 19.6` line needs.
fn required_version(line: &str) -> Option<Server> {
    let (_, tail) = line.rsplit_once("-- requires ")?;
    Server::parse(tail).ok()
}

/// What [`migrate`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrated {
    /// The server's version.
    pub server: Server,
    /// The migrations applied now, by file name.
    pub applied: Vec<&'static str>,
    /// How many were applied before.
    pub already: usize,
}

/// Creates `database` if needed and applies the migrations it lacks, in
/// order, recording each in [`MIGRATIONS_TABLE`]. Idempotent: every
/// statement is `IF NOT EXISTS`, so a migration interrupted half-way is
/// simply applied again. `client` must not name a database (the database
/// may not exist yet).
pub async fn migrate(client: &Client, database: &str) -> Result<Migrated, Error> {
    let server = Server::detect(client).await?;
    let db = crate::quote_ident(database);
    exec(client, &format!("CREATE DATABASE IF NOT EXISTS {db}")).await?;
    let client = client.clone().with_database(database);
    exec(
        &client,
        &format!(
            "CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} \
             (version UInt32, name String, applied_at DateTime('UTC')) \
             ENGINE = ReplacingMergeTree ORDER BY version"
        ),
    )
    .await?;
    let done: Vec<u32> = client
        .query(&format!(
            "SELECT DISTINCT version FROM {MIGRATIONS_TABLE} ORDER BY version"
        ))
        .fetch_all()
        .await
        .map_err(Error::ClickHouse)?;
    let mut applied = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        for statement in migration.statements() {
            exec(&client, &server.adapt(statement))
                .await
                .map_err(|error| Error::Migration {
                    file: migration.name,
                    error: Box::new(error),
                })?;
        }
        exec(
            &client,
            &format!(
                "INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) \
                 SELECT {}, '{}', now()",
                migration.version, migration.name
            ),
        )
        .await?;
        applied.push(migration.name);
    }
    Ok(Migrated {
        server,
        applied,
        already: done.len(),
    })
}

/// [`migrate`] for callers without an async runtime: the server and
/// database of `config`.
pub fn migrate_blocking(config: &crate::ClickHouseConfig) -> Result<Migrated, Error> {
    runtime()?.block_on(migrate(&crate::client(config), &config.database))
}

/// [`Server::detect`] for callers without an async runtime.
pub fn detect_blocking(config: &crate::ClickHouseConfig) -> Result<Server, Error> {
    runtime()?.block_on(Server::detect(&crate::client(config)))
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Config(format!("cannot start an I/O runtime: {error}")))
}

async fn exec(client: &Client, sql: &str) -> Result<(), Error> {
    client
        .query_raw(sql)
        .execute()
        .await
        .map_err(Error::ClickHouse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        let old = Server::parse("18.16.1").unwrap();
        assert_eq!(
            old,
            Server {
                major: 18,
                minor: 16
            }
        );
        assert!(Server::parse("24.8.4.13").unwrap() > old);
        assert!(Server::parse("x").is_err());
    }

    #[test]
    fn old_servers_get_no_ttl_no_datetime64_no_low_cardinality() {
        let old = Server::parse("18.16.1").unwrap();
        let ddl = old.schema_sql();
        assert!(!ddl.contains("TTL"));
        assert!(!ddl.contains("DateTime64"));
        assert!(!ddl.contains("LowCardinality"));
        assert!(!ddl.contains("non_replicated_deduplication_window"));
        let modern = Server::CURRENT.schema_sql();
        assert!(modern.contains("TTL toDateTime(event_time) + INTERVAL 400 DAY"));
        assert!(modern.contains("DateTime64(3, 'UTC')"));
        assert!(modern.contains("non_replicated_deduplication_window = 1000"));
    }

    #[test]
    fn every_stream_table_is_created_and_ends_with_batch_id() {
        let ddl = Server::CURRENT.schema_sql();
        for table in STREAM_TABLES {
            let create = format!("CREATE TABLE IF NOT EXISTS {table}\n");
            let start = ddl.find(&create).unwrap_or_else(|| panic!("no {table}"));
            let engine = ddl[start..].find("ENGINE").unwrap() + start;
            let columns = ddl[start..engine]
                .trim_end()
                .trim_end_matches(')')
                .trim_end();
            assert!(columns.ends_with("batch_id String"), "{table}");
        }
    }
}
