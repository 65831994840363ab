//! SQL views over the live streams, evaluated as windows close.
//!
//! ```text
//!  graph streams a view reads ──▶ StreamFeed (worker 0: records → Arrow batch per settled time)
//!                                      │ bounded channel
//!                                      ▼
//!                       views' thread: LiveTables.apply … ViewEngine.evaluate (DataFusion)
//!                                      │ each view's delta (rows, ±1)
//!                                      ▼
//!              jsonl / parquet / console sinks, alert routers, collectors of the view's name
//! ```
//!
//! Every settled time of a stream the views read arrives as one batch.
//! Once the batches of a settled time are applied (the next batch waiting
//! is of a later time, or none waits), the views are evaluated on the
//! thread's own runtime and each view's change since the previous
//! evaluation goes to the sinks that subscribe to the view, stamped with
//! that time: a view sees every window close, and a late reading's
//! correction arrives as a retraction and an assertion. Streams
//! settle one after the other, so an evaluation may see one stream's
//! window before another's; the next evaluation completes it, and the
//! last one (after every stream ended) sees every stream whole. Views
//! reading views are the engine's business.
//!
//! The latency from a window's close (its settled batch) to the view's
//! result delivered is the histogram `steamflow_view_latency_seconds`
//! (label `view`) and part of the run's summary ([`ViewStats`]).
//!
//! | module | concern |
//! |---|---|
//! | [`schema`] | each stream's columns as a table |
//! | [`plan`] | reading and planning a config's views |
//! | [`feed`] | records → Arrow batches, per stream |
//! | [`row`] | a view's rows as sink records |
//! | [`alerts`] | a view of alerts → router updates |

pub mod alerts;
pub mod feed;
pub mod plan;
pub mod row;
pub mod schema;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use steamflow_sink_alerts::AlertRouter;
use steamflow_sink_parquet::arrow_types::Field;
use steamflow_sql::live::{LiveTables, ViewDelta, ViewEngine};
use steamflow_sql::views::ViewSpec;

use super::collect::Collected;
use super::console::ConsoleEvent;
use super::sinks::{SinkKind, SinkSpec, resolve};
use super::status::{Status, StreamOutput, lock};
use crate::dataflow::{Outputs, RecordSink, Time};
use feed::{Settled, StreamFeed};
pub use plan::{PlannedViews, ViewSet, check};
use row::SinkBatch;
use schema::StreamColumns;

/// Settled batches waiting for the views' thread before the graph waits.
const CHANNEL_BATCHES: usize = 256;

/// The longest one evaluation of the views may take; a slower one is
/// abandoned (and reported), so the graph never waits on it for longer.
const EVALUATION_LIMIT: Duration = Duration::from_secs(30);

/// The name of the latency histogram.
pub const LATENCY_METRIC: &str = "steamflow_view_latency_seconds";

/// What the views did in a run: evaluations and the latency from a
/// window's close to each view result delivered.
#[derive(Debug, Default)]
pub struct ViewStats {
    evaluations: Mutex<u64>,
    latencies_s: Mutex<Vec<f64>>,
}

impl ViewStats {
    /// Evaluations of the views.
    pub fn evaluations(&self) -> u64 {
        *lock(&self.evaluations)
    }

    /// Every latency measured \[s\], in order.
    pub fn latencies_s(&self) -> Vec<f64> {
        lock(&self.latencies_s).clone()
    }

    /// The `q` quantile (0…1) of the latencies \[s\], `None` without any.
    pub fn quantile_s(&self, q: f64) -> Option<f64> {
        let mut latencies = self.latencies_s();
        if latencies.is_empty() {
            return None;
        }
        latencies.sort_by(f64::total_cmp);
        let index = ((latencies.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
        latencies.get(index).copied()
    }

    /// One line for the end-of-run summary.
    pub fn summary(&self) -> String {
        let n = lock(&self.latencies_s).len();
        match (
            self.quantile_s(0.5),
            self.quantile_s(0.95),
            self.quantile_s(1.0),
        ) {
            (Some(p50), Some(p95), Some(max)) => format!(
                "views: {} evaluations; window close → view result: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({n} results)",
                self.evaluations(),
                p50 * 1e3,
                p95 * 1e3,
                max * 1e3
            ),
            _ => format!(
                "views: {} evaluations, no result changed",
                self.evaluations()
            ),
        }
    }
}

/// What the workers need to feed the views: the channel and the streams.
#[derive(Clone)]
pub struct ViewFeeds {
    into: SyncSender<Settled>,
    inputs: Vec<String>,
}

impl ViewFeeds {
    /// Subscribes a feed to every stream the views read (on every worker;
    /// worker 0's receives the updates).
    pub fn attach(&self, outputs: &Outputs<'_>, status: &Arc<Status>) {
        for stream in &self.inputs {
            let Some(columns) = StreamColumns::of(stream) else {
                continue;
            };
            if !outputs.names().any(|name| name == stream) {
                status.warn(format!(
                    "views: stream `{stream}` is not produced by this run; its table stays empty"
                ));
                continue;
            }
            let feed = StreamFeed::new(stream, columns, self.into.clone(), Arc::clone(status));
            if let Err(error) = outputs.subscribe_records(stream, Box::new(feed)) {
                status.warn(format!("views: {error}"));
            }
        }
    }

    /// True when the views read `stream`.
    pub fn reads(&self, stream: &str) -> bool {
        self.inputs.iter().any(|s| s == stream)
    }
}

/// The views' thread of a run.
pub struct ViewRun {
    feeds: ViewFeeds,
    closing: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    stats: Arc<ViewStats>,
    tables: LiveTables,
    specs: Vec<ViewSpec>,
    session: steamflow_sql::datafusion::prelude::SessionContext,
}

/// Where the views' results go.
pub struct Destinations<'a> {
    /// The run's sinks.
    pub sinks: &'a [SinkSpec],
    /// The run's counters and warnings.
    pub status: &'a Arc<Status>,
    /// The terminal view, when shown.
    pub console: Option<&'a Sender<ConsoleEvent>>,
    /// Streams the caller collects, and where.
    pub collect: (&'a [String], &'a Collected),
}

impl ViewRun {
    /// Starts the views' thread.
    pub fn start(planned: PlannedViews, to: &Destinations<'_>) -> anyhow::Result<ViewRun> {
        let PlannedViews {
            set,
            tables,
            engine,
            inputs,
        } = planned;
        let (into, from) = std::sync::mpsc::sync_channel(CHANNEL_BATCHES);
        // The sinks are made on the views' thread, which writes them.
        let destinations = OwnedDestinations {
            sinks: to.sinks.to_vec(),
            status: Arc::clone(to.status),
            console: to.console.cloned(),
            collect: to.collect.0.to_vec(),
            collected: to.collect.1.clone(),
        };
        let closing = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(ViewStats::default());
        let session = engine.session().clone();
        let live = tables.clone();
        let status = Arc::clone(to.status);
        let thread_stats = Arc::clone(&stats);
        let thread_closing = Arc::clone(&closing);
        let thread = std::thread::Builder::new()
            .name("steamflow-views".into())
            .spawn(move || {
                let outputs = view_outputs(&engine, &destinations);
                let evaluator = Evaluator {
                    engine,
                    tables: live,
                    outputs,
                    status,
                    stats: thread_stats,
                    closing: thread_closing,
                    reported: BTreeMap::new(),
                };
                evaluator.run(from);
            })?;
        Ok(ViewRun {
            feeds: ViewFeeds { into, inputs },
            closing,
            thread: Some(thread),
            stats,
            tables,
            specs: set.specs,
            session,
        })
    }

    /// What the workers attach.
    pub fn feeds(&self) -> ViewFeeds {
        self.feeds.clone()
    }

    /// The live tables (for the API's SQL).
    pub fn tables(&self) -> &LiveTables {
        &self.tables
    }

    /// The views (for the API's SQL).
    pub fn specs(&self) -> &[ViewSpec] {
        &self.specs
    }

    /// `POST /api/v1/sql` over the views' session: their live tables and
    /// the views themselves, read-only.
    pub fn sql_engine(&self) -> Arc<dyn steamflow_api::SqlEngine> {
        Arc::new(crate::serve::sql::LiveSql::new(self.session.clone()))
    }

    /// After the workers ended: the last evaluation, then the views'
    /// sinks close. Returns what the views did.
    pub fn finish(mut self) -> Arc<ViewStats> {
        self.closing.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // The thread catches nothing: a panic there is a bug, reported as a warning.
            let _ = thread.join();
        }
        Arc::clone(&self.stats)
    }
}

/// [`Destinations`], owned by the views' thread.
struct OwnedDestinations {
    sinks: Vec<SinkSpec>,
    status: Arc<Status>,
    console: Option<Sender<ConsoleEvent>>,
    collect: Vec<String>,
    collected: Collected,
}

/// One view's destinations.
struct ViewOutput {
    /// The columns sinks write its rows as.
    fields: Vec<Field>,
    sinks: Vec<Box<dyn RecordSink>>,
    routers: Vec<(AlertRouter, Arc<StreamOutput>)>,
}

/// The sinks of each view, built on the views' thread's side.
fn view_outputs(engine: &ViewEngine, to: &OwnedDestinations) -> BTreeMap<String, ViewOutput> {
    let mut outputs = BTreeMap::new();
    for view in engine.views() {
        let Some(schema) = engine.output_schema(view) else {
            continue;
        };
        let fields = match plan::sink_fields(&schema) {
            Ok(fields) => fields,
            Err(problem) => {
                // Planning refused such a view already.
                to.status.warn(format!("view {view}: {problem}"));
                continue;
            }
        };
        let name = [view.to_owned()];
        let mut output = ViewOutput {
            fields: fields.clone(),
            sinks: Vec::new(),
            routers: Vec::new(),
        };
        for sink in &to.sinks {
            if resolve(&sink.inputs, &name, &[]).0.is_empty() {
                continue;
            }
            if let SinkKind::Alerts(alerts) = &sink.kind {
                let stream_output = StreamOutput::new(&sink.id, view, None);
                to.status.add_output(Arc::clone(&stream_output));
                match &alerts.router {
                    Ok(router) => output.routers.push((router.clone(), stream_output)),
                    Err(error) => stream_output.fail(error.clone()),
                }
                continue;
            }
            match super::sinks::view_sink(
                sink,
                view,
                fields.clone(),
                &to.status,
                to.console.as_ref(),
            ) {
                Ok(record_sink) => output.sinks.push(record_sink),
                Err(why) => to
                    .status
                    .warn(format!("sink `{}`: view `{view}`: {why}", sink.id)),
            }
        }
        if to.collect.iter().any(|stream| stream == view) {
            output.sinks.push(to.collected.sink(view));
        }
        outputs.insert(view.to_owned(), output);
    }
    outputs
}

/// The views' thread.
struct Evaluator {
    engine: ViewEngine,
    tables: LiveTables,
    outputs: BTreeMap<String, ViewOutput>,
    status: Arc<Status>,
    stats: Arc<ViewStats>,
    closing: Arc<AtomicBool>,
    /// The last error reported per view (each new one is reported once).
    reported: BTreeMap<String, String>,
}

/// Batches applied since the last evaluation.
#[derive(Default)]
struct Pending {
    /// The latest settled time applied.
    time: Time,
    /// When the first of them settled.
    first_at: Option<Instant>,
}

impl Evaluator {
    fn run(mut self, from: Receiver<Settled>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                self.status
                    .warn(format!("views: cannot start their runtime: {error}"));
                // Drain so the graph never waits on a full channel.
                while from.recv().is_ok() {}
                return;
            }
        };
        let mut pending = Pending::default();
        let mut next: Option<Settled> = None;
        loop {
            let settled = match next.take() {
                Some(settled) => settled,
                None => match from.recv_timeout(Duration::from_millis(50)) {
                    Ok(settled) => settled,
                    Err(RecvTimeoutError::Timeout) if self.closing.load(Ordering::SeqCst) => break,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break,
                },
            };
            pending.time = pending.time.max(settled.time);
            self.apply(settled, &mut pending);
            // Every batch of the same settled time is applied before the
            // views run; a later time, or none waiting, runs them.
            match from.try_recv() {
                Ok(following) if following.time <= pending.time => next = Some(following),
                Ok(following) => {
                    self.evaluate(&runtime, &mut pending);
                    next = Some(following);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                    self.evaluate(&runtime, &mut pending)
                }
            }
        }
        // Every stream ended: the views' sinks flush and close as they drop.
        drop(self.outputs);
    }

    fn apply(&mut self, settled: Settled, pending: &mut Pending) {
        let time_ms = i64::try_from(settled.time).unwrap_or(i64::MAX);
        match self
            .tables
            .apply(&settled.stream, time_ms, &settled.rows, &settled.diffs)
        {
            Ok(()) => {
                pending.first_at.get_or_insert(settled.at);
            }
            Err(error) => self.status.warn(format!("views: {error}")),
        }
    }

    fn evaluate(&mut self, runtime: &tokio::runtime::Runtime, pending: &mut Pending) {
        let Some(first_at) = pending.first_at.take() else {
            return;
        };
        let engine = &mut self.engine;
        let evaluated = runtime
            .block_on(async { tokio::time::timeout(EVALUATION_LIMIT, engine.evaluate()).await });
        *lock(&self.stats.evaluations) += 1;
        let evaluation = match evaluated {
            Ok(evaluation) => evaluation,
            Err(_) => {
                self.status.warn(format!(
                    "views: an evaluation took longer than {} s and was abandoned",
                    EVALUATION_LIMIT.as_secs()
                ));
                return;
            }
        };
        for error in evaluation.errors {
            if self.reported.get(&error.name) != Some(&error.message) {
                self.status.warn(error.to_string());
                self.reported.insert(error.name.clone(), error.message);
            }
        }
        for delta in evaluation.deltas {
            self.deliver(&delta, pending.time);
            let latency = first_at.elapsed().as_secs_f64();
            metrics::histogram!(LATENCY_METRIC, "view" => delta.view.clone()).record(latency);
            lock(&self.stats.latencies_s).push(latency);
        }
    }

    fn deliver(&mut self, delta: &ViewDelta, time: Time) {
        let Some(output) = self.outputs.get_mut(&delta.view) else {
            return;
        };
        let rows = match SinkBatch::new(&delta.rows, &output.fields) {
            Ok(rows) => rows,
            Err(error) => {
                self.status.warn(format!(
                    "view {}: its rows cannot be written: {error}",
                    delta.view
                ));
                return;
            }
        };
        for sink in &mut output.sinks {
            for (index, diff) in delta.diffs.iter().enumerate().take(rows.len()) {
                sink.write(time, *diff as isize, &rows.row(index));
            }
            sink.flush();
        }
        if output.routers.is_empty() {
            return;
        }
        let time_ms = i64::try_from(time).unwrap_or(i64::MAX);
        let (updates, errors) = alerts::updates(&delta.view, &rows, &delta.diffs, time_ms);
        for error in errors {
            self.status.warn(error);
        }
        for (router, output) in &output.routers {
            for update in &updates {
                router.submit(update.clone());
            }
            output.add_rows(updates.len() as u64);
        }
    }
}
