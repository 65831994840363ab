//! A run's results, read back from the ClickHouse tables its sink filled
//! (`sql/clickhouse/`), over the server's HTTP interface.
//!
//! Each stream has a table of its name. Late data corrects a window: the
//! sink writes the retraction and the replacement with `version = 2 × time
//! + (diff > 0)` into a ReplacingMergeTree keyed by what the row describes,
//! so the current state of a key is its newest row, and a key whose newest
//! row is a retraction no longer exists. Rows are read that way —
//! `FINAL`, then `diff > 0` — which is the consolidation a JSON Lines
//! folder gets in [`super::consolidate`].
//!
//! Rows come back as the stream's records: times as UTC milliseconds
//! (`DateTime` on servers before 20.1 keeps whole seconds), `UInt8`
//! columns (the sink's booleans) as `true`/`false`, NaN and ∞ as `null`.
//! The bookkeeping columns `time`, `diff`, `version` and `batch_id` are
//! left out. Works with every server the schema supports (18.16 on).

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{InputError, Record, RunData};
use crate::model::Period;

/// The tables a report reads, the stream field of each that places a row
/// in the period, and whether a report needs it to exist.
const TABLES: [(&str, &str, bool); 6] = [
    ("balances", "window_start", true),
    ("losses", "window_start", true),
    ("trap_statuses", "window_start", true),
    ("leaks", "window_start", false),
    ("alerts", "event_time", false),
    ("recommendations", "window_start", false),
];

/// Columns the sink adds to every row; not part of a stream's records.
const BOOKKEEPING: [&str; 4] = ["time", "diff", "version", "batch_id"];

/// Where the tables are and who reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClickHouseInput {
    /// The HTTP interface, e.g. `http://127.0.0.1:8123`.
    pub url: String,
    /// The database of the tables (`steamflow` by default).
    pub database: String,
    /// The user.
    pub user: String,
    /// The password, if the user has one.
    pub password: Option<String>,
    /// A query that takes longer fails.
    pub timeout: Duration,
}

impl ClickHouseInput {
    /// The tables of `database` at `url`, read as user `default` without
    /// a password, each query allowed a minute.
    pub fn new(url: impl Into<String>, database: impl Into<String>) -> ClickHouseInput {
        ClickHouseInput {
            url: url.into(),
            database: database.into(),
            user: "default".into(),
            password: None,
            timeout: Duration::from_secs(60),
        }
    }

    /// The end of the last balance or loss window [ms], if any: where a
    /// report without `--to` ends.
    pub async fn last_window_end(&self) -> Result<Option<i64>, InputError> {
        let client = self.connect()?;
        let mut last: Option<i64> = None;
        for table in ["balances", "losses"] {
            let columns = client.columns(table).await?;
            let Some(column) = columns.iter().find(|c| c.name == "window_end") else {
                continue;
            };
            let sql = format!(
                "SELECT count() AS n, max({end}) AS last_end FROM \
                 (SELECT window_end, diff FROM {from} FINAL) WHERE diff > 0",
                end = column.milliseconds(),
                from = client.table(table),
            );
            let rows = client.rows(table, &sql).await?;
            let end = rows
                .first()
                .filter(|row| row.get("n").and_then(number).is_some_and(|n| n > 0.0))
                .and_then(|row| row.get("last_end").and_then(number));
            if let Some(end) = end {
                last = Some(last.map_or(end as i64, |held| held.max(end as i64)));
            }
        }
        Ok(last)
    }

    /// The current records of every stream a report reads, those of
    /// `period` only (by window start; alerts by event time).
    pub async fn load(&self, period: Period) -> Result<RunData, InputError> {
        let client = self.connect()?;
        let mut streams: Vec<Vec<Record>> = Vec::with_capacity(TABLES.len());
        let mut found_core = false;
        for (table, placed_by, core) in TABLES {
            let columns = client.columns(table).await?;
            if columns.is_empty() {
                streams.push(Vec::new());
                continue;
            }
            found_core |= core;
            let sql = select_current(&client.table(table), &columns, placed_by, period)
                .ok_or_else(|| InputError::ClickHouse {
                    table: table.into(),
                    reason: format!("the table has no `{placed_by}` column"),
                })?;
            let rows = client.rows(table, &sql).await?;
            streams.push(
                rows.into_iter()
                    .map(|row| as_record(row, &columns))
                    .collect(),
            );
        }
        if !found_core {
            return Err(InputError::ClickHouse {
                table: "server".into(),
                reason: format!(
                    "database `{}` has no balances, losses or trap_statuses table — \
                     has `steamflow clickhouse migrate` run, and a clickhouse sink written to it?",
                    self.database
                ),
            });
        }
        let mut streams = streams.into_iter();
        let mut next = || streams.next().unwrap_or_default();
        Ok(RunData {
            balances: next(),
            losses: next(),
            trap_statuses: next(),
            leaks: next(),
            alerts: next(),
            recommendations: next(),
        })
    }

    /// [`ClickHouseInput::last_window_end`] then the period `choose` makes
    /// of it, and [`ClickHouseInput::load`] over that period, on a runtime
    /// of their own. Blocking: call it outside an async runtime.
    pub fn load_blocking(
        &self,
        choose: impl FnOnce(Option<i64>) -> Period,
    ) -> Result<(Period, RunData), InputError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| InputError::ClickHouse {
                table: "server".into(),
                reason: format!("cannot start the HTTP runtime: {error}"),
            })?;
        runtime.block_on(async {
            let period = choose(self.last_window_end().await?);
            Ok((period, self.load(period).await?))
        })
    }

    fn connect(&self) -> Result<Client, InputError> {
        let refuse = |reason: String| InputError::ClickHouse {
            table: "server".into(),
            reason,
        };
        if !is_identifier(&self.database) {
            return Err(refuse(format!(
                "database `{}` must be letters, digits and _",
                self.database
            )));
        }
        if !self.url.starts_with("http://") && !self.url.starts_with("https://") {
            return Err(refuse(format!(
                "url `{}` must start with http:// or https://",
                self.url
            )));
        }
        let mut roots = rustls::RootCertStore::empty();
        // Without the system's roots https fails with its reason; http works.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| refuse(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent(concat!("steamflow-reports/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| refuse(format!("HTTP client: {e}")))?;
        Ok(Client {
            http,
            input: self.clone(),
        })
    }
}

/// One column as `system.columns` describes it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
struct Column {
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

impl Column {
    /// The type without `Nullable(…)` and `LowCardinality(…)`.
    fn base_type(&self) -> &str {
        let mut kind = self.kind.trim();
        for wrapper in ["Nullable(", "LowCardinality("] {
            if let Some(inner) = kind.strip_prefix(wrapper).and_then(|k| k.strip_suffix(')')) {
                kind = inner;
            }
        }
        kind
    }

    fn is_time(&self) -> bool {
        self.base_type().starts_with("DateTime")
    }

    fn is_boolean(&self) -> bool {
        matches!(self.base_type(), "UInt8" | "Bool")
    }

    /// The column as UTC milliseconds, for a time column.
    fn milliseconds(&self) -> String {
        let name = quote(&self.name);
        if self.base_type().starts_with("DateTime64") {
            format!("toUnixTimestamp64Milli({name})")
        } else {
            format!("toInt64(toUnixTimestamp({name})) * 1000")
        }
    }

    /// What the query selects for the column, under its own name.
    fn selected(&self) -> String {
        if self.is_time() {
            format!("{} AS {}", self.milliseconds(), quote(&self.name))
        } else {
            quote(&self.name)
        }
    }
}

/// The current rows of `table` in `period`: the newest version of each key
/// (`FINAL`; the period is a key column, so filtering first keeps every
/// version of a key), then those that are assertions. `None` when the
/// table lacks `placed_by`.
fn select_current(
    table: &str,
    columns: &[Column],
    placed_by: &str,
    period: Period,
) -> Option<String> {
    let placing = columns.iter().find(|c| c.name == placed_by)?;
    let at = placing.milliseconds();
    let selected: Vec<String> = columns
        .iter()
        .filter(|c| !BOOKKEEPING.contains(&c.name.as_str()))
        .map(Column::selected)
        .collect();
    Some(format!(
        "SELECT {selected} FROM (SELECT * FROM {table} FINAL \
         WHERE {at} >= {from} AND {at} < {to}) WHERE diff > 0",
        selected = selected.join(", "),
        from = period.from_ms,
        to = period.to_ms,
    ))
}

/// A row as the stream's record: booleans for the sink's `UInt8` columns.
fn as_record(mut row: Map<String, Value>, columns: &[Column]) -> Record {
    for column in columns.iter().filter(|c| c.is_boolean()) {
        if let Some(value) = row.get_mut(&column.name)
            && let Some(flag) = number(value)
        {
            *value = Value::Bool(flag != 0.0);
        }
    }
    for column in columns.iter().filter(|c| c.is_time()) {
        // 64-bit integers may come quoted (an older server's default).
        if let Some(value) = row.get_mut(&column.name)
            && let Some(ms) = value.as_str().and_then(|text| text.parse::<i64>().ok())
        {
            *value = Value::from(ms);
        }
    }
    row
}

/// A JSON number, or a number in a string (quoted 64-bit integers).
fn number(value: &Value) -> Option<f64> {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|text| text.parse().ok()))
}

fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `name` quoted as a ClickHouse identifier.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`"))
}

/// `text` as a ClickHouse string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

struct Client {
    http: reqwest::Client,
    input: ClickHouseInput,
}

impl Client {
    /// `database.table`, quoted.
    fn table(&self, table: &str) -> String {
        format!("{}.{}", quote(&self.input.database), quote(table))
    }

    /// The columns of `table` in their order; empty when it does not exist.
    async fn columns(&self, table: &str) -> Result<Vec<Column>, InputError> {
        let sql = format!(
            "SELECT name, type FROM system.columns WHERE database = {} AND table = {}",
            literal(&self.input.database),
            literal(table)
        );
        self.rows(table, &sql)
            .await?
            .into_iter()
            .map(|row| {
                serde_json::from_value(Value::Object(row)).map_err(|error| InputError::ClickHouse {
                    table: table.into(),
                    reason: format!("system.columns: {error}"),
                })
            })
            .collect()
    }

    /// The rows of `sql` (without a FORMAT clause), one JSON object each.
    async fn rows(&self, table: &str, sql: &str) -> Result<Vec<Map<String, Value>>, InputError> {
        let failed = |reason: String| InputError::ClickHouse {
            table: table.into(),
            reason,
        };
        let mut url = reqwest::Url::parse(&self.input.url)
            .map_err(|e| failed(format!("url `{}`: {e}", self.input.url)))?;
        url.query_pairs_mut()
            .append_pair("output_format_json_quote_64bit_integers", "0")
            .append_pair("output_format_json_quote_denormals", "0");
        let request = self
            .http
            .post(url)
            .basic_auth(&self.input.user, self.input.password.as_deref())
            .body(format!("{sql} FORMAT JSONEachRow"));
        let response = request
            .send()
            .await
            .map_err(|e| failed(format!("{}: {}", self.input.url, e.without_url())))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| failed(format!("reading the answer: {}", e.without_url())))?;
        if !status.is_success() {
            let excerpt: String = body.trim().chars().take(500).collect();
            return Err(failed(format!("HTTP {status}: {excerpt}")));
        }
        body.lines()
            .filter(|line| !line.trim().is_empty())
            .enumerate()
            .map(|(index, line)| {
                serde_json::from_str(line)
                    .map_err(|error| failed(format!("row {}: {error}", index + 1)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: &str) -> Column {
        Column {
            name: name.into(),
            kind: kind.into(),
        }
    }

    #[test]
    fn times_read_as_milliseconds_on_old_and_current_servers() {
        let period = Period {
            from_ms: 1_000,
            to_ms: 2_000,
        };
        let old = [
            column("time", "DateTime('UTC')"),
            column("plant", "String"),
            column("window_start", "DateTime('UTC')"),
            column("diff", "Int8"),
        ];
        let sql = select_current("`db`.`t`", &old, "window_start", period).unwrap();
        assert_eq!(
            sql,
            "SELECT `plant`, toInt64(toUnixTimestamp(`window_start`)) * 1000 AS `window_start` \
             FROM (SELECT * FROM `db`.`t` FINAL WHERE toInt64(toUnixTimestamp(`window_start`)) * 1000 >= 1000 \
             AND toInt64(toUnixTimestamp(`window_start`)) * 1000 < 2000) WHERE diff > 0"
        );
        let current = [column("since", "Nullable(DateTime64(3, 'UTC'))")];
        assert_eq!(
            current[0].selected(),
            "toUnixTimestamp64Milli(`since`) AS `since`"
        );
        assert!(select_current("t", &current, "window_start", period).is_none());
    }

    #[test]
    fn rows_read_as_the_streams_records() {
        let columns = [
            column("mass_closes", "UInt8"),
            column("in_portfolio", "Nullable(UInt8)"),
            column("rank", "UInt32"),
            column("window_start", "DateTime64(3, 'UTC')"),
        ];
        let row = serde_json::json!({"mass_closes": 1, "in_portfolio": null, "rank": 2,
            "window_start": "1736143200000"});
        let Value::Object(row) = row else {
            unreachable!()
        };
        let record = as_record(row, &columns);
        assert_eq!(record["mass_closes"], true);
        assert_eq!(record["in_portfolio"], Value::Null);
        assert_eq!(record["rank"], 2);
        assert_eq!(record["window_start"], 1_736_143_200_000_i64);
    }

    #[test]
    fn names_are_quoted_and_databases_checked() {
        assert_eq!(quote("a`b"), "`a\\`b`");
        assert_eq!(literal("it's"), "'it\\'s'");
        let input = ClickHouseInput::new("http://127.0.0.1:8123", "steam flow");
        assert!(matches!(
            input.connect(),
            Err(InputError::ClickHouse { reason, .. }) if reason.contains("letters, digits")
        ));
    }
}
