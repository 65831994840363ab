//! Running a config: sources feed the graph on timely's workers, the graph's
//! named streams go to the configured sinks, and a terminal view shows the
//! run as it goes. `steamflow run` and `steamflow demo` are thin shells
//! over [`execute`].
//!
//! ```text
//!  sources (one per SourceId, spread over workers) ──▶ Ingest ──▶ standard graph (+ stages)
//!                    │ raw readings                                 │ named streams
//!                    ▼                                              ▼
//!       <source>.jsonl / .parquet              jsonl / parquet / console sinks, collectors
//! ```
//!
//! | module | concern |
//! |---|---|
//! | [`plan`] | config → graph configuration (windows, watermarks, validation) |
//! | [`sources`] | opening and pulling sources, pacing |
//! | [`connector`] | the network connectors behind one type |
//! | [`live`] | the async runtime of network sources and their feeds |
//! | [`check`] | `run --check`: each source's connection test |
//! | [`sinks`] | the configured sinks, subscribed by stream name |
//! | [`parquet`] | one stream's Parquet file |
//! | [`console`] | the terminal view |
//! | [`status`] | live counters shared by workers and the view |
//! | [`collect`] | streams kept in memory for summaries |
//! | [`stages`] | the stages built on the standard graph (analysis) |
//! | [`summary`] | the end-of-run summary for plant engineers |
//! | [`views`] | SQL views over the live streams, evaluated as windows close |

pub mod alerts;
pub mod check;
pub mod clickhouse;
pub mod collect;
pub mod connector;
pub mod console;
pub mod live;
pub mod parquet;
pub mod plan;
pub mod sinks;
pub mod sources;
pub mod stages;
pub mod status;
pub mod summary;
pub mod views;

use std::collections::BTreeMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use steamflow_operators::reading::{PlantId, Reading, Tag};
use timely::dataflow::operators::Probe;
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::worker::Worker;

use crate::config::Config;
use crate::dataflow::{
    BuildGraph, DeadLetter, Ingest, KeyRegistry, SourceId, Time, WorkerOptions, names,
};
use collect::Collected;
use console::{Console, ConsoleEvent, ConsoleOptions};
use live::{Connection, LiveNews, LiveRuntime};
use plan::Plan;
use sinks::{RawSinks, SinkSpec};
use sources::{DecodeErrors, Driver, NamedSource, Pulled, SourceSpec};
use status::{SourceStatus, Status, lock};
use views::{ViewFeeds, ViewRun, ViewSet, ViewStats};

/// A live subscription made on every worker: `make(worker index)` gives
/// the sink (only worker 0's receives updates). For benchmarks and tests
/// that observe a stream as it is made.
#[derive(Clone)]
pub struct Tap {
    /// The stream.
    pub stream: String,
    /// Makes the sink of one worker.
    pub make: Arc<dyn Fn(usize) -> Box<dyn crate::dataflow::RecordSink> + Send + Sync>,
}

impl std::fmt::Debug for Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tap")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Workers and processes.
    pub workers: WorkerOptions,
    /// Show the terminal view.
    pub console: bool,
    /// In the view, stream updates only (no status, no progress).
    pub quiet: bool,
    /// Streams to keep in memory for the caller ([`RunReport::collected`]).
    pub collect: Vec<String>,
    /// Live subscriptions of the caller.
    pub taps: Vec<Tap>,
    /// Stop network sources after this long (they run until stopped).
    pub duration: Option<Duration>,
    /// Stop network sources on Ctrl-C or SIGTERM, closing open windows
    /// and flushing sinks.
    pub stop_on_signals: bool,
    /// Serve `/metrics`, `/health` and `/ready` during the run, and the
    /// authenticated `/api/v1` routes when it has `auth` ([`crate::serve`]).
    pub api: Option<crate::config::api::ApiConfig>,
}

/// What a run did.
pub struct RunReport {
    /// The counters at the end.
    pub status: Arc<Status>,
    /// The streams asked for in [`RunOptions::collect`].
    pub collected: Collected,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The plan the graph ran.
    pub plan: Plan,
    /// What the config's views did; `None` without views.
    pub views: Option<Arc<ViewStats>>,
}

impl RunReport {
    /// Every failure: sources that stopped early, streams that could not be written.
    pub fn errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = self
            .status
            .sources()
            .into_iter()
            .filter_map(|s| s.error.map(|e| format!("source `{}`: {e}", s.id)))
            .collect();
        errors.extend(self.status.outputs().iter().filter_map(|o| {
            o.error()
                .map(|e| format!("sink `{}`, stream `{}`: {e}", o.sink, o.stream))
        }));
        errors
    }
}

pub use check::check_sources;

/// A source taken by the worker that runs it.
struct Owned {
    /// Index in the run's source list (and in the status).
    index: usize,
    /// The source id.
    id: String,
    /// The plant its readings belong to, when one.
    plant: Option<String>,
    driver: Driver,
    raw: RawSinks,
    done: bool,
}

/// What the workers share.
struct Shared {
    plan: Plan,
    registry: Arc<KeyRegistry>,
    sinks: Vec<SinkSpec>,
    source_ids: Vec<String>,
    /// Per source: the global worker that runs it, and (in this process) the opened driver.
    owned: Mutex<Vec<(usize, Option<Owned>)>>,
    status: Arc<Status>,
    console: Option<Sender<ConsoleEvent>>,
    collect: Vec<String>,
    collected: Collected,
    taps: Vec<Tap>,
    views: Option<ViewFeeds>,
}

impl Shared {
    /// True when a sink, collector, tap or view reads the stream `name`.
    fn reads(&self, name: &str) -> bool {
        let candidates = [name.to_owned()];
        self.sinks
            .iter()
            .any(|sink| !sinks::resolve(&sink.inputs, &candidates, &[]).0.is_empty())
            || self.collect.iter().any(|s| s == name)
            || self.taps.iter().any(|tap| tap.stream == name)
            || self.views.as_ref().is_some_and(|views| views.reads(name))
    }
}

/// Runs `sources` through the graph of `config` to completion (every
/// source exhausted), writing the configured sinks.
///
/// Fatal errors — a config the dataflow cannot run, a source that cannot be
/// opened, workers that cannot start — are returned before anything runs.
/// Failures during the run (a file that turns out corrupt, a disk that
/// fills) stop the source or stream concerned and are listed by
/// [`RunReport::errors`]; readings never stop the run.
pub fn execute(
    config: &Config,
    sources: Vec<NamedSource>,
    options: &RunOptions,
) -> anyhow::Result<RunReport> {
    let registry = KeyRegistry::new();
    let plan = Plan::new(config, &registry)?;
    // SQL through the API runs on the views' live session, so a run that
    // serves it has one even without views.
    let serves_sql = options.api.as_ref().is_some_and(|api| api.auth.is_some());
    let views = plan_views(config, serves_sql)?;
    let peers = options.workers.peers();
    let local = usize::from(options.workers.process) * usize::from(options.workers.workers);
    let local = local..local + usize::from(options.workers.workers);
    let status = Status::new(
        sources
            .iter()
            .map(|s| SourceStatus {
                id: s.id.clone(),
                description: s.description(),
                ..SourceStatus::default()
            })
            .collect(),
    );
    let console = options.console.then(|| {
        Console::start(
            Arc::clone(&status),
            ConsoleOptions::detect(options.quiet, u64::from(plan.graph.base_window.size_ms)),
        )
    });
    let console_tx = console.as_ref().map(Console::sender);
    let sinks = sinks::sinks_of(config);
    let alert_routers = alerts::routers(&sinks);
    let collected = Collected::default();
    let views = match views
        .map(|planned| {
            ViewRun::start(
                planned,
                &views::Destinations {
                    sinks: &sinks,
                    status: &status,
                    console: console_tx.as_ref(),
                    collect: (&options.collect, &collected),
                },
            )
        })
        .transpose()
    {
        Ok(views) => views,
        Err(error) => {
            if let Some(console) = console {
                console.finish();
            }
            return Err(error.context("cannot start the views"));
        }
    };
    let source_ids: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();
    let mut owned = Vec::with_capacity(sources.len());
    let runs_live = sources.iter().enumerate().any(|(index, source)| {
        matches!(source.spec, SourceSpec::Live(_)) && local.contains(&(index % peers.max(1)))
    });
    let io = match (runs_live || options.api.is_some())
        .then(LiveRuntime::new)
        .transpose()
    {
        Ok(io) => io,
        Err(error) => {
            if let Some(console) = console {
                console.finish();
            }
            return Err(error.context("cannot start the runtime of the network sources"));
        }
    };
    // The API's view of the results, kept current by taps on its streams.
    let api_live = options
        .api
        .as_ref()
        .filter(|api| api.auth.is_some())
        .map(|api| Arc::new(steamflow_api::LiveState::new(api.history_windows)));
    let mut taps = options.taps.clone();
    if let Some(live) = &api_live {
        taps.extend(crate::serve::api::taps(live, &status));
    }
    if let (Some(io), Some(api)) = (&io, &options.api)
        && let Err(error) = start_api(
            io,
            api,
            api_live,
            &status,
            &sinks,
            &alert_routers,
            views.as_ref().map(ViewRun::sql_engine),
        )
    {
        if let Some(console) = console {
            console.finish();
        }
        return Err(error);
    }
    if let Some(io) = &io {
        if options.stop_on_signals {
            io.stop_on_signals();
        }
        if let Some(duration) = options.duration {
            io.stop_after(duration);
        }
    }
    for (index, source) in sources.iter().enumerate() {
        let worker = index % peers.max(1);
        if !local.contains(&worker) {
            owned.push((worker, None));
            continue;
        }
        let opened = match (&source.spec, &io) {
            (SourceSpec::Live(connector), Some(io)) => {
                status.update_source(index, |s| s.live = true);
                let out_of_orderness_ms = plan.graph.ingest.out_of_orderness_ms;
                Ok(Driver::live(io.start(
                    &source.id,
                    connector.clone(),
                    out_of_orderness_ms,
                )))
            }
            _ => Driver::open(source),
        };
        let mut driver = match opened {
            Ok(driver) => driver,
            Err(error) => {
                if let Some(console) = console {
                    console.finish();
                }
                return Err(error);
            }
        };
        if let Some(console) = &console
            && matches!(source.spec, SourceSpec::File { .. })
        {
            driver.set_progress_bar(console.progress_bar());
        }
        let raw = RawSinks::open(
            &sinks,
            &source.id,
            &source_ids,
            &status,
            console_tx.as_ref(),
        );
        owned.push((
            worker,
            Some(Owned {
                index,
                id: source.id.clone(),
                plant: source.plant().map(str::to_owned),
                driver,
                raw,
                done: false,
            }),
        ));
    }
    for (plant_id, plant) in &config.plants {
        // Every process knows every bound tag's name, wherever it is read.
        let plant_id = PlantId::from(plant_id.as_str());
        for binding in plant.tag_bindings() {
            let _ = registry.intern(&plant_id, &Tag::from(binding.tag));
        }
    }
    let shared = Arc::new(Shared {
        plan: plan.clone(),
        registry,
        sinks,
        source_ids,
        owned: Mutex::new(owned),
        status: Arc::clone(&status),
        console: console_tx,
        collect: options.collect.clone(),
        collected: collected.clone(),
        taps,
        views: views.as_ref().map(ViewRun::feeds),
    });
    let started = Instant::now();
    let outcome = options
        .workers
        .execute(move |worker| run_worker(worker, &shared));
    // The views' last evaluation, before the alert routers close.
    let views = views.map(ViewRun::finish);
    // What the group windows hold still goes out; retries get a grace period.
    for router in alert_routers {
        router.close(alerts::CLOSE_GRACE);
    }
    if let Some(console) = console {
        console.finish();
    }
    // Every feed ended: whatever still runs on the runtime is told to stop.
    drop(io);
    let results = outcome?;
    if let Some(error) = results.into_iter().find_map(Result::err) {
        return Err(anyhow::anyhow!(error));
    }
    Ok(RunReport {
        status,
        collected,
        elapsed: started.elapsed(),
        plan,
        views,
    })
}

/// Plans the config's views; a run does not start when one does not plan.
/// With `serves_sql` the live session is planned even without views, and
/// fed every stream that is a table.
fn plan_views(config: &Config, serves_sql: bool) -> anyhow::Result<Option<views::PlannedViews>> {
    let planned = ViewSet::of(config).and_then(|set| {
        if set.is_empty() && !serves_sql {
            return Ok(None);
        }
        let mut planned = set.plan(config)?;
        if serves_sql {
            planned.feed_every_stream();
        }
        Ok(Some(planned))
    });
    planned
        .map_err(|problems| anyhow::anyhow!("the views do not plan:\n  {}", problems.join("\n  ")))
}

/// Serves the run's API as `[api]` says (the metrics recorder first, so
/// that the connectors' counters are collected from their start).
fn start_api(
    io: &LiveRuntime,
    api: &crate::config::api::ApiConfig,
    live: Option<Arc<steamflow_api::LiveState>>,
    status: &Arc<Status>,
    sinks: &[SinkSpec],
    alert_routers: &[steamflow_sink_alerts::AlertRouter],
    sql: Option<Arc<dyn steamflow_api::SqlEngine>>,
) -> anyhow::Result<()> {
    let metrics = crate::serve::install_metrics()?;
    let mut router = crate::serve::router(crate::serve::ApiState {
        status: Arc::clone(status),
        metrics,
    });
    if let (Some(auth), Some(live)) = (&api.auth, live) {
        let jsonl_dir = sinks.iter().find_map(|sink| match &sink.kind {
            sinks::SinkKind::Jsonl(dir)
                if !sinks::resolve(
                    &sink.inputs,
                    &[crate::dataflow::names::BALANCES.to_owned()],
                    &[],
                )
                .0
                .is_empty() =>
            {
                Some(dir.clone())
            }
            _ => None,
        });
        let acknowledger = alerts::RouterAcknowledger::over(alert_routers.to_vec())
            .map(|a| a as Arc<dyn steamflow_api::AlertAcknowledger>);
        let state = crate::serve::api::state(auth, live, status, jsonl_dir, acknowledger, sql)?;
        router = router.merge(steamflow_api::router(state));
    }
    let listener = io
        .handle()
        .block_on(steamflow_api::Listener::bind(api.listen, api.tls.as_ref()))?;
    let address = listener.local_addr()?;
    // The server stops with the run's runtime.
    let forever = tokio_util::sync::CancellationToken::new();
    let warn = Arc::clone(status);
    io.handle().spawn(async move {
        if let Err(error) = listener.serve(router, forever).await {
            warn.warn(format!("the API on {address} stopped: {error}"));
        }
    });
    let scheme = if api.tls.is_some() { "https" } else { "http" };
    let routes = if api.auth.is_some() {
        ", /api/v1 (bearer tokens)"
    } else {
        ""
    };
    eprintln!("serving /metrics, /health, /ready{routes} on {scheme}://{address}");
    Ok(())
}

/// One worker: builds the graph, drives its sources, then lets the
/// dataflow drain.
fn run_worker(worker: &mut Worker, shared: &Shared) -> Result<(), String> {
    let index = worker.index();
    let mut mine: Vec<Owned> = {
        let mut owned = lock(&shared.owned);
        owned
            .iter_mut()
            .filter(|(w, _)| *w == index)
            .filter_map(|(_, source)| source.take())
            .collect()
    };
    let mut graph_config = shared.plan.graph.clone();
    graph_config.sources_per_worker = mine.len();
    let registry = Arc::clone(&shared.registry);
    let built = worker.dataflow(|scope| -> Result<(Ingest, ProbeHandle<Time>), String> {
        let (ingest, mut graph) = scope
            .steamflow_graph(graph_config, Arc::clone(&registry))
            .map_err(|e| e.to_string())?;
        stages::attach(&mut graph, &shared.plan, |name| shared.reads(name))
            .map_err(|e| format!("{e:#}"))?;
        // The dead letters run at the readings' frontier and carry little
        // data: a probe there costs no copy of every reading.
        let (probe, _) = graph.dead_letters.clone().probe();
        sinks::attach(
            &shared.sinks,
            &graph.outputs,
            &shared.source_ids,
            index,
            &shared.status,
            shared.console.as_ref(),
        );
        count_dead_letters(&graph.outputs, &registry, &shared.status);
        if let Some(views) = &shared.views {
            views.attach(&graph.outputs, &shared.status);
        }
        for stream in &shared.collect {
            if graph.outputs.names().any(|name| name == stream) {
                let sink = shared.collected.sink(stream);
                graph
                    .outputs
                    .subscribe_records(stream, sink)
                    .map_err(|e| e.to_string())?;
            }
        }
        for tap in &shared.taps {
            if graph.outputs.names().any(|name| name == tap.stream) {
                graph
                    .outputs
                    .subscribe_live(&tap.stream, (tap.make)(index))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok((ingest, probe))
    });
    let (mut ingest, probe) = built?;
    drive(
        worker,
        &mut ingest,
        &probe,
        &mut mine,
        &shared.status,
        shared.console.as_ref(),
    );
    ingest.close();
    drop(ingest);
    while worker.step_or_park(Some(Duration::from_millis(100))) {
        note_frontier(&probe, &shared.status);
    }
    for source in mine {
        source.raw.close();
    }
    Ok(())
}

/// Counts the graph's dead letters per plant and reason (worker 0).
fn count_dead_letters(
    outputs: &crate::dataflow::Outputs<'_>,
    registry: &Arc<KeyRegistry>,
    status: &Arc<Status>,
) {
    let registry = Arc::clone(registry);
    let into = Arc::clone(status);
    let counted = outputs.settle(
        names::DEAD_LETTERS,
        move |_time, updates: &[(DeadLetter, isize)]| {
            let mut counts: BTreeMap<(String, &'static str), i64> = BTreeMap::new();
            for (letter, diff) in updates {
                let plant = registry
                    .lookup(letter.key)
                    .map_or_else(|| "?".to_owned(), |entry| entry.plant.as_str().to_owned());
                *counts.entry((plant, letter.reason.code())).or_default() += *diff as i64;
            }
            for ((plant, reason), n) in counts {
                into.add_dead_letters(&plant, reason, u64::try_from(n).unwrap_or(0));
            }
        },
    );
    if let Err(error) = counted {
        // The standard graph always publishes its dead letters.
        status.warn(error.to_string());
    }
}

fn note_frontier(probe: &ProbeHandle<Time>, status: &Status) {
    probe.with_frontier(|frontier| {
        if let Some(low) = frontier.iter().min() {
            status.set_frontier(*low);
        }
    });
}

/// Pulls every source of this worker round by round until all are done.
fn drive(
    worker: &mut Worker,
    ingest: &mut Ingest,
    probe: &ProbeHandle<Time>,
    mine: &mut [Owned],
    status: &Status,
    console: Option<&Sender<ConsoleEvent>>,
) {
    let mut buffer: Vec<Reading> = Vec::with_capacity(sources::PULL_READINGS * 2);
    let mut dead: DecodeErrors = Vec::new();
    loop {
        let mut open = 0;
        let mut pushed = false;
        let mut next_due: Option<Duration> = None;
        for (local, source) in mine.iter_mut().enumerate() {
            if source.done {
                continue;
            }
            open += 1;
            buffer.clear();
            dead.clear();
            let pulled = source.driver.pull(&mut buffer, &mut dead);
            if !dead.is_empty() {
                record_decode_errors(source, &dead, status);
            }
            if let Some(news) = source.driver.take_news()
                && !news.is_empty()
            {
                report_news(source, SourceId(local), news, ingest, status, console);
            }
            match pulled {
                Pulled::Ready | Pulled::InPlace(_) => {
                    let batch = match &pulled {
                        Pulled::InPlace(range) => source.driver.in_place(range.clone()),
                        _ => &buffer,
                    };
                    if !batch.is_empty() {
                        status.note_first_push();
                        ingest.push(SourceId(local), batch);
                        source.raw.write(batch);
                        record_readings(source.index, source.plant.is_none(), batch, status);
                        pushed = true;
                    }
                }
                Pulled::NotDue(wait) => {
                    next_due = Some(next_due.map_or(wait, |d: Duration| d.min(wait)));
                }
                Pulled::Done => {
                    source.done = true;
                    ingest.close_source(SourceId(local));
                    status.update_source(source.index, |s| s.done = true);
                }
                Pulled::Failed(error) => {
                    source.done = true;
                    ingest.close_source(SourceId(local));
                    status.update_source(source.index, |s| {
                        s.done = true;
                        s.error = Some(error);
                    });
                }
            }
        }
        if open == 0 {
            break;
        }
        if pushed {
            worker.step();
        } else {
            worker.step_or_park(next_due);
        }
        note_frontier(probe, status);
    }
}

/// Takes in what a network source saw besides readings: payloads that did
/// not decode go to the dead letters, gaps and connection changes to the
/// status and the terminal, an idle source's heartbeat to its watermark.
fn report_news(
    source: &Owned,
    id: SourceId,
    news: LiveNews,
    ingest: &mut Ingest,
    status: &Status,
    console: Option<&Sender<ConsoleEvent>>,
) {
    let notice = |line: String| match console {
        Some(tx) => {
            let _ = tx.send(ConsoleEvent::Notice(line));
        }
        None => eprintln!("{line}"),
    };
    let plant = source.plant.as_deref().unwrap_or(&source.id);
    for error in &news.decode_errors {
        ingest.push_undecoded(id, plant, &error.origin, error.received_ms);
        let mut first = false;
        status.update_source(source.index, |s| {
            let n = s.decode_errors.entry(error.reason.to_owned()).or_default();
            first = *n == 0;
            *n += 1;
        });
        // The first of each reason is shown; the rest are counted.
        if first {
            notice(format!(
                "source `{}`: payload from {} did not decode ({}): {}",
                source.id, error.origin, error.reason, error.message
            ));
        }
    }
    for change in news.connection {
        match change {
            Connection::Up => {
                status.update_source(source.index, |s| {
                    s.connected = true;
                    s.connected_once = true;
                });
                notice(format!("source `{}` connected", source.id));
            }
            Connection::Down(reason) => {
                status.update_source(source.index, |s| s.connected = false);
                notice(format!("source `{}` disconnected: {reason}", source.id));
            }
        }
    }
    for gap in news.gaps {
        notice(format!(
            "source `{}`: gap from {} to {} ({}){}",
            source.id,
            console::short_utc(gap.from_ms),
            console::short_utc(gap.to_ms),
            gap.reason,
            if gap.backfilled {
                ", backfilled from the server's history"
            } else {
                ""
            }
        ));
        status.update_source(source.index, |s| s.gaps.push(gap));
    }
    if let Some(watermark_ms) = news.heartbeat_ms {
        ingest.advance_watermark(id, watermark_ms);
    }
}

fn record_decode_errors(source: &Owned, dead: &DecodeErrors, status: &Status) {
    let plant = source.plant.clone().unwrap_or_else(|| "?".to_owned());
    for (code, n) in dead {
        status.add_dead_letters(&plant, code, *n);
    }
    status.update_source(source.index, |s| {
        for (code, n) in dead {
            *s.decode_errors.entry((*code).to_owned()).or_default() += n;
        }
    });
}

/// Counts a batch per plant (runs of one plant counted at once; a source
/// of one known plant is counted without looking).
fn record_readings(index: usize, mixed: bool, batch: &[Reading], status: &Status) {
    status.update_source(index, |s| s.readings += batch.len() as u64);
    let span = |slice: &[Reading]| {
        slice.iter().fold((i64::MAX, i64::MIN), |(lo, hi), r| {
            (lo.min(r.time_ms), hi.max(r.time_ms))
        })
    };
    if !mixed {
        if let Some(first) = batch.first() {
            let (lo, hi) = span(batch);
            status.add_readings(first.plant.as_str(), batch.len() as u64, lo, hi);
        }
        return;
    }
    let mut start = 0;
    while let Some(first) = batch.get(start) {
        let run = batch
            .get(start..)
            .map_or(0, |rest| {
                rest.iter().take_while(|r| r.plant == first.plant).count()
            })
            .max(1);
        let (lo, hi) = span(batch.get(start..start + run).unwrap_or_default());
        status.add_readings(first.plant.as_str(), run as u64, lo, hi);
        start += run;
    }
}

/// Loads a config as `steamflow validate` reads it, with its errors
/// printed the same way.
pub fn load_config(path: &std::path::Path) -> anyhow::Result<Config> {
    Config::load(path).with_context(|| format!("{} is not a valid config", path.display()))
}
