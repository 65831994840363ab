//! The sink: stream writers that batch rows into the spool, and a
//! delivery thread that empties the spool into ClickHouse.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arrow::datatypes::Field as ArrowField;
use bytes::Bytes;
use clickhouse::{Client, Compression};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use steamflow_sink_parquet::RowAppender;
use steamflow_source_core::Backoff;
use twox_hash::XxHash64;

use crate::config::ClickHouseConfig;
use crate::deliver::{self, Class};
use crate::error::Error;
use crate::field::Record;
use crate::ledger::Ledger;
use crate::schema::{self, STREAM_TABLES, Server};
use crate::spool::{Batch, Spool};
use crate::table::Table;
use crate::typed::Capture;
use crate::view::{view_ddl, view_table};

/// Counters of a sink, for status lines and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Rows accepted into batches.
    pub rows: u64,
    /// Rows that did not fit their table (written to `dead/rows.jsonl`).
    pub rows_rejected: u64,
    /// Batches sealed into the spool.
    pub batches_spooled: u64,
    /// Batches the server has acknowledged.
    pub batches_delivered: u64,
    /// Batches found already in their table (a retry or a replay).
    pub batches_already_there: u64,
    /// Batches the server refused for good (moved to `dead/`).
    pub batches_dead: u64,
    /// Failed attempts that were retried.
    pub retries: u64,
    /// Batches still in the spool.
    pub spooled_batches: u64,
    /// Bytes still in the spool.
    pub spooled_bytes: u64,
    /// The last error, if any.
    pub last_error: Option<String>,
}

#[derive(Default)]
struct Counters {
    rows: AtomicU64,
    rows_rejected: AtomicU64,
    batches_spooled: AtomicU64,
    batches_delivered: AtomicU64,
    batches_already_there: AtomicU64,
    batches_dead: AtomicU64,
    retries: AtomicU64,
}

struct Shared {
    config: ClickHouseConfig,
    spool: Mutex<Spool>,
    ledger: Mutex<Ledger>,
    changed: Condvar,
    closing: AtomicBool,
    counters: Counters,
    last_error: Mutex<Option<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn report(&self, error: String) {
        tracing::warn!(target: "steamflow::clickhouse", "{error}");
        *lock(&self.last_error) = Some(error);
    }

    /// Spools a sealed batch, waiting while the spool is full.
    fn spool(&self, table: &str, token: &str, data: &[u8]) -> Result<(), Error> {
        if lock(&self.ledger).contains(token) {
            // A replay of a batch delivered before.
            self.counters
                .batches_already_there
                .fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let mut spool = lock(&self.spool);
        while !spool.is_empty()
            && spool.bytes() + data.len() as u64 > self.config.spool_max_bytes
            && !self.closing.load(Ordering::Relaxed)
        {
            spool = self
                .changed
                .wait_timeout(spool, Duration::from_millis(200))
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
        spool.push(table, token, data)?;
        self.counters
            .batches_spooled
            .fetch_add(1, Ordering::Relaxed);
        self.changed.notify_all();
        Ok(())
    }

    fn reject(&self, table: &str, time_ms: u64, diff: i64, fields: &str, reason: &str) {
        self.counters.rows_rejected.fetch_add(1, Ordering::Relaxed);
        let spool = lock(&self.spool);
        let dead = spool.dir().join("dead");
        let line = serde_json::json!({
            "table": table, "time": time_ms, "diff": diff, "fields": fields, "reason": reason,
        });
        let written = std::fs::create_dir_all(&dead).and_then(|()| {
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(dead.join("rows.jsonl"))?;
            writeln!(file, "{line}")
        });
        drop(spool);
        if let Err(error) = written {
            self.report(format!("cannot write a rejected row of `{table}`: {error}"));
        }
    }
}

/// The server's version and tables, cached in the spool so that the sink
/// can start (and spool) while the server is down.
#[derive(Serialize, Deserialize)]
struct SchemaCache {
    server: String,
    tables: BTreeMap<String, Vec<(String, String)>>,
}

const SCHEMA_CACHE: &str = "schema.json";

/// A ClickHouse client for `config` (RowBinary without validation, which
/// servers before 22.x need; lz4).
pub fn client(config: &ClickHouseConfig) -> Client {
    let mut client = Client::default()
        .with_url(&config.url)
        .with_user(&config.user)
        .with_validation(false)
        .with_compression(Compression::Lz4);
    if let Some(password) = config.password() {
        client = client.with_password(password);
    }
    client
}

/// The table a stream's rows go to: its name, without a `.<window id>`.
pub fn table_for_stream(stream: &str) -> &str {
    stream.split_once('.').map_or(stream, |(table, _)| table)
}

/// The ClickHouse sink (see the [crate docs](crate)).
pub struct ClickHouseSink {
    shared: Arc<Shared>,
    tables: BTreeMap<String, Arc<Table>>,
    server: Server,
    thread: Option<JoinHandle<()>>,
}

impl ClickHouseSink {
    /// Opens the spool, migrates the schema (if configured), reads the
    /// tables and starts delivering. With the server down, it starts from
    /// the tables cached by the last start and spools until the server
    /// is back.
    pub fn start(config: ClickHouseConfig) -> Result<ClickHouseSink, Error> {
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(Error::Config(problems.join("; ")));
        }
        let spool = Spool::open(&config.spool_dir)?;
        let ledger = Ledger::open(&config.spool_dir)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| Error::Spool {
                path: config.spool_dir.clone(),
                source,
            })?;
        let root = client(&config);
        let cache_path = config.spool_dir.join(SCHEMA_CACHE);
        let loaded = runtime.block_on(async {
            if config.migrate {
                schema::migrate(&root, &config.database).await?;
            }
            let db = root.clone().with_database(&config.database);
            let server = Server::detect(&db).await?;
            let mut tables = BTreeMap::new();
            for name in STREAM_TABLES {
                tables.insert((*name).to_owned(), Table::load(&db, name).await?);
            }
            Ok::<_, Error>((server, tables))
        });
        let (server, tables) = match loaded {
            Ok((server, tables)) => {
                let cache = SchemaCache {
                    server: server.to_string(),
                    tables: tables
                        .iter()
                        .map(|(name, table)| (name.clone(), table.columns()))
                        .collect(),
                };
                let text = serde_json::to_string_pretty(&cache).unwrap_or_default();
                std::fs::write(&cache_path, text).map_err(|source| Error::Spool {
                    path: cache_path.clone(),
                    source,
                })?;
                (server, tables)
            }
            Err(Error::ClickHouse(error)) if deliver::classify(&error) == Class::Transient => {
                let cache = std::fs::read_to_string(&cache_path)
                    .ok()
                    .and_then(|text| serde_json::from_str::<SchemaCache>(&text).ok())
                    .ok_or(Error::ClickHouse(error))?;
                let server = Server::parse(&cache.server)?;
                let mut tables = BTreeMap::new();
                for (name, columns) in cache.tables {
                    let table = Table::from_columns(&name, columns)?;
                    tables.insert(name, table);
                }
                (server, tables)
            }
            Err(error) => return Err(error),
        };
        let shared = Arc::new(Shared {
            config,
            spool: Mutex::new(spool),
            ledger: Mutex::new(ledger),
            changed: Condvar::new(),
            closing: AtomicBool::new(false),
            counters: Counters::default(),
            last_error: Mutex::new(None),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            let db = root.with_database(&shared.config.database);
            std::thread::Builder::new()
                .name("clickhouse-delivery".into())
                .spawn(move || runtime.block_on(deliver_all(shared, db, server)))
                .map_err(|source| Error::Spool {
                    path: PathBuf::new(),
                    source,
                })?
        };
        Ok(ClickHouseSink {
            shared,
            tables: tables
                .into_iter()
                .map(|(name, table)| (name, Arc::new(table)))
                .collect(),
            server,
            thread: Some(thread),
        })
    }

    /// The server's version (as of start).
    pub fn server(&self) -> Server {
        self.server
    }

    /// A writer of one stream's rows (see [`table_for_stream`]).
    pub fn stream(&self, stream: &str) -> Result<StreamWriter, Error> {
        let name = table_for_stream(stream);
        let table = self.tables.get(name).ok_or_else(|| Error::Table {
            table: name.to_owned(),
            reason: format!("no table for stream `{stream}`"),
        })?;
        Ok(StreamWriter {
            table: Arc::clone(table),
            shared: Arc::clone(&self.shared),
            rows: Vec::new(),
            ids: Vec::new(),
            hasher: batch_hasher(name),
            opened: None,
            object: String::new(),
            typed: None,
        })
    }

    /// A writer of one stream's typed rows, whose columns are `fields`
    /// (a record's `columns()`, without `time`): rows are pushed with
    /// [`StreamWriter::write_row`], straight into RowBinary. `Err` when
    /// the stream's table has a column that no field fills.
    pub fn typed_stream(&self, stream: &str, fields: &[ArrowField]) -> Result<StreamWriter, Error> {
        let mut writer = self.stream(stream)?;
        writer.set_fields(fields)?;
        Ok(writer)
    }

    /// A writer of a stream whose columns are known only at run time (a
    /// SQL view's output, described by `fields`): creates its table
    /// `view_<stream>` if it does not exist (see [`view_ddl`]; adapted to
    /// the server's version) and returns a typed writer of it (see
    /// [`typed_stream`](Self::typed_stream)). Blocks on the server; call it
    /// outside an async runtime. The server must be reachable.
    pub fn stream_with_fields(
        &self,
        stream: &str,
        fields: &[ArrowField],
    ) -> Result<StreamWriter, Error> {
        let ddl = self.server.adapt(&view_ddl(stream, fields)?);
        let name = view_table(stream);
        // A client of its own: a clone would share the connections of the
        // delivery thread's runtime, which this runtime cannot drive.
        let db = client(&self.shared.config).with_database(&self.shared.config.database);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| Error::Spool {
                path: self.shared.config.spool_dir.clone(),
                source,
            })?;
        let table = runtime.block_on(async {
            db.query(&ddl).execute().await.map_err(Error::ClickHouse)?;
            Table::load(&db, &name).await
        })?;
        let mut writer = StreamWriter {
            table: Arc::new(table),
            shared: Arc::clone(&self.shared),
            rows: Vec::new(),
            ids: Vec::new(),
            hasher: batch_hasher(&name),
            opened: None,
            object: String::new(),
            typed: None,
        };
        writer.set_fields(fields)?;
        Ok(writer)
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        stats(&self.shared)
    }

    /// Waits until every batch spooled so far is delivered (or dead), at
    /// most `timeout`; `true` when the spool is empty.
    pub fn wait_drained(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut spool = lock(&self.shared.spool);
        while !spool.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            spool = self
                .shared
                .changed
                .wait_timeout(spool, (deadline - now).min(Duration::from_millis(100)))
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
        true
    }

    /// Stops delivering once the spool is empty or `drain_timeout_ms` has
    /// passed (what is left is delivered by the next start); the counters.
    /// Seal the stream writers first (drop or [`StreamWriter::seal`]).
    pub fn close(mut self) -> Stats {
        self.stop();
        stats(&self.shared)
    }

    fn stop(&mut self) {
        let timeout = Duration::from_millis(self.shared.config.drain_timeout_ms);
        self.wait_drained(timeout);
        self.shared.closing.store(true, Ordering::Relaxed);
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ClickHouseSink {
    fn drop(&mut self) {
        self.stop();
    }
}

fn stats(shared: &Shared) -> Stats {
    let c = &shared.counters;
    let spool = lock(&shared.spool);
    Stats {
        rows: c.rows.load(Ordering::Relaxed),
        rows_rejected: c.rows_rejected.load(Ordering::Relaxed),
        batches_spooled: c.batches_spooled.load(Ordering::Relaxed),
        batches_delivered: c.batches_delivered.load(Ordering::Relaxed),
        batches_already_there: c.batches_already_there.load(Ordering::Relaxed),
        batches_dead: c.batches_dead.load(Ordering::Relaxed),
        retries: c.retries.load(Ordering::Relaxed),
        spooled_batches: spool.len() as u64,
        spooled_bytes: spool.bytes(),
        last_error: lock(&shared.last_error).clone(),
    }
}

/// Rows of one stream, batched; sealed into the spool by size, age (at a
/// [`flush`](Self::flush)) or when dropped. One per stream and worker.
pub struct StreamWriter {
    table: Arc<Table>,
    shared: Arc<Shared>,
    /// Encoded rows, each ending in a `batch_id` slot.
    rows: Vec<u8>,
    /// Where each row's `batch_id` slot is.
    ids: Vec<usize>,
    /// The hash of the rows so far (their token at seal).
    hasher: XxHash64,
    /// The dataflow time of the batch's first row.
    opened: Option<u64>,
    object: String,
    /// For typed rows: where they are captured and which field each
    /// column takes.
    typed: Option<Typed>,
}

struct Typed {
    capture: Capture,
    layout: Vec<Option<usize>>,
}

impl StreamWriter {
    /// The table written.
    pub fn table(&self) -> &str {
        self.table.name()
    }

    fn set_fields(&mut self, fields: &[ArrowField]) -> Result<(), Error> {
        let capture = Capture::new(fields);
        let layout = self.table.layout(capture.names())?;
        self.typed = Some(Typed { capture, layout });
        Ok(())
    }

    /// Whether rows are pushed with [`write_row`](Self::write_row).
    pub fn is_typed(&self) -> bool {
        self.typed.is_some()
    }

    /// One update of a typed stream (see [`ClickHouseSink::typed_stream`]):
    /// `push` pushes one value per field, in order (a record's
    /// `append_columns`), at dataflow time `time_ms`. A row that does not
    /// fit the table is written to the spool's `dead/rows.jsonl` with the
    /// reason (and counted); `Err` only when the spool cannot be written
    /// or the writer is not typed.
    pub fn write_row(
        &mut self,
        time_ms: u64,
        diff: i64,
        push: impl FnOnce(&mut RowAppender<'_>),
    ) -> Result<(), Error> {
        let Some(typed) = &mut self.typed else {
            return Err(Error::Table {
                table: self.table.name().to_owned(),
                reason: "the writer takes JSON fields, not typed rows".into(),
            });
        };
        typed.capture.clear();
        let start = self.rows.len();
        let encoded = RowAppender::push_into(&mut typed.capture, push).and_then(|()| {
            self.table
                .encode_typed(time_ms, diff, &typed.capture, &typed.layout, &mut self.rows)
        });
        match encoded {
            Ok(()) => self.accepted(start, time_ms),
            Err(reason) => {
                let text = typed.capture.to_json();
                self.shared
                    .reject(self.table.name(), time_ms, diff, &text, &reason);
                Ok(())
            }
        }
    }

    /// One update from a record's JSON members (`"a":1,"b":"x"`, no
    /// braces), at dataflow time `time_ms`. A record that does not fit the
    /// table is written to the spool's `dead/rows.jsonl` with the reason
    /// (and counted); `Err` only when the spool cannot be written.
    pub fn write_fields(&mut self, time_ms: u64, diff: i64, fields: &str) -> Result<(), Error> {
        self.object.clear();
        self.object.push('{');
        self.object.push_str(fields);
        self.object.push('}');
        let object = std::mem::take(&mut self.object);
        let result = match Record::parse_members(&object) {
            Ok(record) => self.write_record(time_ms, diff, &record, fields),
            Err(error) => {
                let reason = format!("not a JSON object: {error}");
                self.shared
                    .reject(self.table.name(), time_ms, diff, fields, &reason);
                Ok(())
            }
        };
        self.object = object;
        result
    }

    /// As [`write_fields`](Self::write_fields), from parsed fields.
    pub fn write_object(
        &mut self,
        time_ms: u64,
        diff: i64,
        fields: &Map<String, Value>,
    ) -> Result<(), Error> {
        let text = Value::Object(fields.clone()).to_string();
        self.write_record(time_ms, diff, &Record::from_map(fields), &text)
    }

    fn write_record(
        &mut self,
        time_ms: u64,
        diff: i64,
        record: &Record<'_>,
        text: &str,
    ) -> Result<(), Error> {
        let start = self.rows.len();
        match self.table.encode(time_ms, diff, record, &mut self.rows) {
            Ok(()) => self.accepted(start, time_ms),
            Err(reason) => {
                self.shared
                    .reject(self.table.name(), time_ms, diff, text, &reason);
                Ok(())
            }
        }
    }

    /// A row was encoded from `start` on: hashes it, adds its `batch_id`
    /// slot and seals the batch when it is full.
    fn accepted(&mut self, start: usize, time_ms: u64) -> Result<(), Error> {
        std::hash::Hasher::write(&mut self.hasher, self.rows.get(start..).unwrap_or_default());
        // The row's `batch_id`: a slot for the token, filled at seal.
        self.rows.push(TOKEN_LEN as u8);
        self.ids.push(self.rows.len());
        self.rows.extend_from_slice(&[b'0'; TOKEN_LEN]);
        self.opened.get_or_insert(time_ms);
        self.shared.counters.rows.fetch_add(1, Ordering::Relaxed);
        let config = &self.shared.config;
        if self.ids.len() >= config.batch_rows || self.rows.len() >= config.batch_bytes {
            self.seal()?;
        }
        Ok(())
    }

    /// The stream's updates up to dataflow time `time_ms` are complete:
    /// seals the batch if its first row is `flush_interval_ms` older.
    ///
    /// Batches are cut by rows, bytes and dataflow time only — never by
    /// the wall clock — so that a replay of the same updates after a
    /// restart cuts the same batches, whose tokens are then known (see
    /// [`seal`](Self::seal)).
    pub fn flush(&mut self, time_ms: u64) -> Result<(), Error> {
        match self.opened {
            Some(first)
                if time_ms.saturating_sub(first) >= self.shared.config.flush_interval_ms =>
            {
                self.seal()
            }
            _ => Ok(()),
        }
    }

    /// Seals the batch now: its token is a hash of its table and rows, so
    /// that the same rows sealed again (a replay) are the same batch, which
    /// is not delivered twice.
    pub fn seal(&mut self) -> Result<(), Error> {
        if self.ids.is_empty() {
            return Ok(());
        }
        let token = format!("{:016x}", std::hash::Hasher::finish(&self.hasher));
        for &id in &self.ids {
            if let Some(slot) = self.rows.get_mut(id..id + TOKEN_LEN) {
                slot.copy_from_slice(token.as_bytes());
            }
        }
        self.shared.spool(self.table.name(), &token, &self.rows)?;
        self.rows.clear();
        self.ids.clear();
        self.hasher = batch_hasher(self.table.name());
        self.opened = None;
        Ok(())
    }
}

/// A batch token is 16 hex digits: the XXH64 of the table name and the
/// batch's rows without their `batch_id`.
const TOKEN_LEN: usize = 16;

fn batch_hasher(table: &str) -> XxHash64 {
    let mut hasher = XxHash64::with_seed(0);
    std::hash::Hasher::write(&mut hasher, table.as_bytes());
    hasher
}

impl Drop for StreamWriter {
    fn drop(&mut self) {
        if let Err(error) = self.seal() {
            self.shared.report(format!(
                "`{}`: a batch could not be spooled: {error}",
                self.table.name()
            ));
        }
    }
}

/// What became of a batch.
enum Outcome {
    Delivered,
    AlreadyThere,
    Dead(String),
    /// Closing, and the drain time is over: the batch stays spooled.
    Stopped,
}

/// Delivers the spool's batches, oldest first, up to `parallel_inserts`
/// at a time (never two of one token at once), until closed.
async fn deliver_all(shared: Arc<Shared>, client: Client, server: Server) {
    let mut seed = u64::from(std::process::id());
    let mut in_flight: tokio::task::JoinSet<(Batch, Outcome)> = tokio::task::JoinSet::new();
    let mut started: Vec<(u64, String)> = Vec::new();
    let parallel = shared.config.parallel_inserts.max(1);
    loop {
        // Start what may start.
        while in_flight.len() < parallel {
            let next = lock(&shared.spool)
                .batches()
                .find(|b| {
                    !started
                        .iter()
                        .any(|(seq, token)| *seq == b.seq || *token == b.token)
                })
                .cloned();
            let Some(batch) = next else {
                break;
            };
            seed = seed.wrapping_add(batch.seq);
            started.push((batch.seq, batch.token.clone()));
            let (shared, client) = (Arc::clone(&shared), client.clone());
            in_flight.spawn(async move {
                let outcome = match std::fs::read(&batch.path) {
                    Ok(_) if lock(&shared.ledger).contains(&batch.token) => Outcome::AlreadyThere,
                    Ok(data) => {
                        deliver_one(&shared, &client, server, &batch, Bytes::from(data), seed).await
                    }
                    Err(error) => {
                        Outcome::Dead(format!("cannot read {}: {error}", batch.path.display()))
                    }
                };
                (batch, outcome)
            });
        }
        if in_flight.is_empty() {
            if shared.closing.load(Ordering::Relaxed) && lock(&shared.spool).is_empty() {
                return;
            }
            let spool = lock(&shared.spool);
            if spool.batches().next().is_none() {
                if shared.closing.load(Ordering::Relaxed) {
                    return;
                }
                let _ = shared
                    .changed
                    .wait_timeout(spool, Duration::from_millis(100));
            }
            continue;
        }
        // Wait for a delivery, or look for new batches now and then.
        let finished = tokio::select! {
            finished = in_flight.join_next() => finished,
            () = tokio::time::sleep(Duration::from_millis(20)) => None,
        };
        let Some(finished) = finished else {
            continue;
        };
        let Ok((batch, outcome)) = finished else {
            shared.report("a delivery task failed".into());
            return;
        };
        started.retain(|(seq, _)| *seq != batch.seq);
        if !settle(&shared, &batch, outcome) {
            // Stopped (closing) or the spool cannot be written: let the
            // others finish; what is left is delivered by the next start.
            while let Some(Ok((batch, outcome))) = in_flight.join_next().await {
                settle(&shared, &batch, outcome);
            }
            return;
        }
    }
}

/// Records what became of a batch; `false` to stop delivering.
fn settle(shared: &Shared, batch: &Batch, outcome: Outcome) -> bool {
    if matches!(outcome, Outcome::Delivered | Outcome::AlreadyThere)
        && let Err(error) = lock(&shared.ledger).record(&batch.token)
    {
        shared.report(error.to_string());
    }
    let mut spool = lock(&shared.spool);
    let done = match outcome {
        Outcome::Delivered => {
            shared
                .counters
                .batches_delivered
                .fetch_add(1, Ordering::Relaxed);
            spool.remove(batch.seq)
        }
        Outcome::AlreadyThere => {
            shared
                .counters
                .batches_already_there
                .fetch_add(1, Ordering::Relaxed);
            spool.remove(batch.seq)
        }
        Outcome::Dead(reason) => {
            shared.counters.batches_dead.fetch_add(1, Ordering::Relaxed);
            let buried = spool.bury(batch.seq, &reason);
            shared.report(format!(
                "batch {} of `{}` refused, moved to dead/: {reason}",
                batch.token, batch.table
            ));
            buried.map(|_| ())
        }
        Outcome::Stopped => return false,
    };
    shared.changed.notify_all();
    drop(spool);
    match done {
        Ok(()) => true,
        Err(error) => {
            shared.report(error.to_string());
            false
        }
    }
}

async fn deliver_one(
    shared: &Shared,
    client: &Client,
    server: Server,
    batch: &Batch,
    data: Bytes,
    seed: u64,
) -> Outcome {
    let config = &shared.config;
    let timeout = Duration::from_millis(config.request_timeout_ms);
    let mut backoff = Backoff::new(config.retry, seed);
    let drain_deadline = Duration::from_millis(config.drain_timeout_ms);
    let mut closing_since: Option<Instant> = None;
    let mut maybe_there = batch.recovered;
    loop {
        let result = if maybe_there {
            match deliver::landed(client, batch).await {
                Ok(true) => return Outcome::AlreadyThere,
                Ok(false) => {
                    deliver::insert(
                        client,
                        batch,
                        data.clone(),
                        server.has_deduplication_token(),
                        timeout,
                    )
                    .await
                }
                Err(error) => Err(error),
            }
        } else {
            deliver::insert(
                client,
                batch,
                data.clone(),
                server.has_deduplication_token(),
                timeout,
            )
            .await
        };
        let error = match result {
            Ok(()) => return Outcome::Delivered,
            Err(error) => error,
        };
        if deliver::classify(&error) == Class::Permanent {
            return Outcome::Dead(error.to_string());
        }
        // The insert may have landed before the answer was lost.
        maybe_there = true;
        shared.counters.retries.fetch_add(1, Ordering::Relaxed);
        shared.report(format!(
            "batch {} of `{}`: {error}; retrying",
            batch.token, batch.table
        ));
        if shared.closing.load(Ordering::Relaxed) {
            let since = *closing_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= drain_deadline {
                return Outcome::Stopped;
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}
