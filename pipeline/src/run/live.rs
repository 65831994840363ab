//! The bridge from the network connectors (async, on tokio) to the graph
//! (timely workers, pulling).
//!
//! ```text
//!  LiveRuntime (tokio, owned by the run)          timely worker that owns the source
//!  ┌──────────────────────────────┐  bounded     ┌────────────────────────────────┐
//!  │ Connector::run ──SourceEvent─┼──channel────▶│ LiveFeed::pull → readings      │
//!  │  (reconnects, backoff, gaps) │  (FEED_DEPTH)│   + LiveNews: decode errors,   │
//!  └──────────────────────────────┘              │     gaps, connects, heartbeat  │
//!                ▲ shutdown token                └────────────────────────────────┘
//!   Ctrl-C / SIGTERM / --duration
//! ```
//!
//! The channel is bounded: a worker that falls behind holds the connector
//! back (a poll waits, a broker's messages wait in its session) rather than
//! growing memory. A worker takes at most [`PULL_READINGS`] readings per
//! round, so one busy source cannot starve the others of its worker.
//!
//! Event time comes from the readings. A source that goes quiet still
//! advances: once nothing arrived for [`IDLE_AFTER`], its watermark follows
//! processing time (the newest event time plus the wall time since it
//! arrived, minus the out-of-orderness; before any reading, the wall clock
//! minus the out-of-orderness), so windows close when a device or broker
//! falls silent.
//!
//! On shutdown the connectors stop, the feeds drain what was sent and end;
//! the run then closes every open window and flushes its sinks.

use std::time::{Duration, Instant};

use steamflow_operators::reading::Reading;
use steamflow_source_core::{DecodeError, Gap, SourceEvent};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::connector::Connector;
use super::sources::{PULL_READINGS, Pulled};

/// Events buffered between a connector and its worker: the back-pressure bound.
pub const FEED_DEPTH: usize = 64;

/// Quiet time after which a source's watermark follows processing time.
pub const IDLE_AFTER: Duration = Duration::from_secs(1);

/// How long a worker waits on an empty feed before looking again.
const POLL: Duration = Duration::from_millis(20);

/// How long a connector may take to stop once asked.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// The async runtime of a run's network sources, and the token that stops them.
pub struct LiveRuntime {
    runtime: tokio::runtime::Runtime,
    shutdown: CancellationToken,
}

impl LiveRuntime {
    /// A runtime with its own threads (two: the connectors wait on I/O, the
    /// workers do the computing).
    pub fn new() -> anyhow::Result<LiveRuntime> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("steamflow-io")
            .enable_all()
            .build()?;
        Ok(LiveRuntime {
            runtime,
            shutdown: CancellationToken::new(),
        })
    }

    /// The runtime, for other services of the run (the API server).
    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }

    /// The token that stops every connector (and ends the run).
    pub fn shutdown(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops the run on Ctrl-C or SIGTERM.
    pub fn stop_on_signals(&self) {
        let shutdown = self.shutdown.clone();
        self.runtime.spawn(async move {
            let interrupted = tokio::signal::ctrl_c();
            #[cfg(unix)]
            let terminated = async {
                use tokio::signal::unix::{SignalKind, signal};
                match signal(SignalKind::terminate()) {
                    Ok(mut term) => {
                        term.recv().await;
                    }
                    // Without a SIGTERM handler, Ctrl-C still stops the run.
                    Err(_) => std::future::pending::<()>().await,
                }
            };
            #[cfg(not(unix))]
            let terminated = std::future::pending::<()>();
            tokio::select! {
                _ = interrupted => {}
                () = terminated => {}
                () = shutdown.cancelled() => return,
            }
            eprintln!("stopping: closing open windows and flushing sinks (Ctrl-C again to abort)");
            shutdown.cancel();
            // A second Ctrl-C aborts at once.
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        });
    }

    /// Stops the run after `duration`.
    pub fn stop_after(&self, duration: Duration) {
        let shutdown = self.shutdown.clone();
        self.runtime.spawn(async move {
            tokio::select! {
                () = tokio::time::sleep(duration) => shutdown.cancel(),
                () = shutdown.cancelled() => {}
            }
        });
    }

    /// Starts `connector` as source `id`; its events arrive on the feed.
    pub fn start(&self, id: &str, connector: Connector, out_of_orderness_ms: u64) -> LiveFeed {
        let (tx, rx) = mpsc::channel(FEED_DEPTH);
        let (done_tx, done_rx) = oneshot::channel();
        let shutdown = self.shutdown.clone();
        let id = id.to_owned();
        self.runtime.spawn(async move {
            let outcome = connector.run(id, tx, shutdown).await;
            let _ = done_tx.send(outcome);
        });
        LiveFeed::new(rx, done_rx, self.shutdown.clone(), out_of_orderness_ms)
    }
}

impl Drop for LiveRuntime {
    fn drop(&mut self) {
        // Whatever still runs (a connector past its grace) is told to stop.
        self.shutdown.cancel();
    }
}

/// A change of a source's connection.
#[derive(Clone, Debug, PartialEq)]
pub enum Connection {
    /// Connected (again).
    Up,
    /// Lost, and why.
    Down(String),
}

/// What a feed saw besides readings since it was last asked.
#[derive(Debug, Default)]
pub struct LiveNews {
    /// Payloads that did not decode.
    pub decode_errors: Vec<DecodeError>,
    /// Spans without data.
    pub gaps: Vec<Gap>,
    /// Connection changes, in order.
    pub connection: Vec<Connection>,
    /// The watermark an idle source has reached by processing time [ms].
    pub heartbeat_ms: Option<u64>,
}

impl LiveNews {
    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.decode_errors.is_empty()
            && self.gaps.is_empty()
            && self.connection.is_empty()
            && self.heartbeat_ms.is_none()
    }
}

/// The receiving end of one connector, pulled by the worker that owns it.
pub struct LiveFeed {
    rx: mpsc::Receiver<SourceEvent>,
    done: oneshot::Receiver<Result<(), String>>,
    shutdown: CancellationToken,
    /// When the feed first saw the shutdown.
    stop_asked: Option<Instant>,
    out_of_orderness_ms: u64,
    started: Instant,
    /// The newest event time delivered [ms] and when it arrived.
    newest: Option<(i64, Instant)>,
    news: LiveNews,
}

impl LiveFeed {
    /// A feed of the events on `rx`; `done` carries the connector's outcome.
    fn new(
        rx: mpsc::Receiver<SourceEvent>,
        done: oneshot::Receiver<Result<(), String>>,
        shutdown: CancellationToken,
        out_of_orderness_ms: u64,
    ) -> LiveFeed {
        LiveFeed {
            rx,
            done,
            shutdown,
            stop_asked: None,
            out_of_orderness_ms,
            started: Instant::now(),
            newest: None,
            news: LiveNews::default(),
        }
    }

    /// Appends the readings that arrived (up to about [`PULL_READINGS`]) to
    /// `out`; everything else waits in [`take_news`](Self::take_news).
    pub fn pull(&mut self, out: &mut Vec<Reading>) -> Pulled {
        let start = out.len();
        while out.len() - start < PULL_READINGS {
            match self.rx.try_recv() {
                Ok(event) => self.take(event, out),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    if out.len() > start {
                        return Pulled::Ready;
                    }
                    return match self.done.try_recv() {
                        Ok(Ok(())) | Err(oneshot::error::TryRecvError::Closed) => Pulled::Done,
                        Ok(Err(error)) => Pulled::Failed(error),
                        // The connector returned; its outcome is on its way.
                        Err(oneshot::error::TryRecvError::Empty) => Pulled::NotDue(POLL),
                    };
                }
            }
        }
        if out.len() > start {
            return Pulled::Ready;
        }
        if self.shutdown.is_cancelled() {
            let asked = *self.stop_asked.get_or_insert_with(Instant::now);
            if asked.elapsed() > STOP_GRACE {
                return Pulled::Failed(format!(
                    "did not stop within {} s of the shutdown",
                    STOP_GRACE.as_secs()
                ));
            }
        }
        self.heartbeat();
        Pulled::NotDue(POLL)
    }

    /// What arrived besides readings since the last call.
    pub fn take_news(&mut self) -> LiveNews {
        std::mem::take(&mut self.news)
    }

    fn take(&mut self, event: SourceEvent, out: &mut Vec<Reading>) {
        match event {
            SourceEvent::Batch(mut batch) => {
                if let Some(newest) = batch.readings.iter().map(|r| r.time_ms).max()
                    && self.newest.is_none_or(|(t, _)| newest >= t)
                {
                    self.newest = Some((newest, Instant::now()));
                }
                out.append(&mut batch.readings);
                self.news.decode_errors.append(&mut batch.errors);
            }
            SourceEvent::Connected { .. } => self.news.connection.push(Connection::Up),
            SourceEvent::Disconnected { reason, .. } => {
                self.news.connection.push(Connection::Down(reason));
            }
            SourceEvent::Gap(gap) => self.news.gaps.push(gap),
        }
    }

    /// Sets the heartbeat of a source quiet for [`IDLE_AFTER`].
    fn heartbeat(&mut self) {
        let quiet_since = self.newest.map_or(self.started, |(_, at)| at);
        if quiet_since.elapsed() < IDLE_AFTER {
            return;
        }
        let now_ms = match self.newest {
            Some((time_ms, at)) => {
                time_ms.saturating_add(i64::try_from(at.elapsed().as_millis()).unwrap_or(0))
            }
            None => wall_clock_ms(),
        };
        let ooo = i64::try_from(self.out_of_orderness_ms).unwrap_or(i64::MAX);
        self.news.heartbeat_ms = u64::try_from(now_ms.saturating_sub(ooo)).ok();
    }
}

/// Milliseconds since the Unix epoch.
fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use steamflow_operators::reading::Quality;
    use steamflow_source_core::SourceBatch;

    use super::*;

    fn reading(time_ms: i64) -> Reading {
        Reading {
            time_ms,
            plant: "north".into(),
            tag: "north.hp.pressure".into(),
            value: 10.0,
            quality: Quality::Good,
            unit: None,
        }
    }

    fn feed(
        depth: usize,
    ) -> (
        mpsc::Sender<SourceEvent>,
        oneshot::Sender<Result<(), String>>,
        LiveFeed,
    ) {
        let (tx, rx) = mpsc::channel(depth);
        let (done_tx, done_rx) = oneshot::channel();
        (
            tx,
            done_tx,
            LiveFeed::new(rx, done_rx, CancellationToken::new(), 5_000),
        )
    }

    #[test]
    fn readings_decode_errors_gaps_and_connections_each_reach_their_place() {
        let (tx, done, mut feed) = feed(8);
        tx.try_send(SourceEvent::Connected { source: "s".into() })
            .unwrap();
        let error = DecodeError::new("s", "bad_json", "expected value", "steam/north/x", "{", 7);
        tx.try_send(SourceEvent::Batch(SourceBatch {
            readings: vec![reading(1_000), reading(2_000)],
            errors: vec![error.clone()],
        }))
        .unwrap();
        let gap = Gap {
            source: "s".into(),
            from_ms: 1,
            to_ms: 2,
            reason: "broker restarted".into(),
            backfilled: false,
        };
        tx.try_send(SourceEvent::Gap(gap.clone())).unwrap();
        tx.try_send(SourceEvent::Disconnected {
            source: "s".into(),
            reason: "reset".into(),
        })
        .unwrap();
        let mut out = Vec::new();
        assert_eq!(feed.pull(&mut out), Pulled::Ready);
        assert_eq!(out.len(), 2);
        let news = feed.take_news();
        assert_eq!(news.decode_errors, vec![error]);
        assert_eq!(news.gaps, vec![gap]);
        assert_eq!(
            news.connection,
            vec![Connection::Up, Connection::Down("reset".into())]
        );
        assert!(feed.take_news().is_empty());
        // The connector ends: the feed drains, then reports its outcome.
        drop(tx);
        let _ = done.send(Err("refused".into()));
        assert_eq!(feed.pull(&mut out), Pulled::Failed("refused".into()));
    }

    #[test]
    fn a_quiet_source_advances_by_processing_time() {
        let (tx, _done, mut feed) = feed(8);
        tx.try_send(SourceEvent::Batch(SourceBatch {
            readings: vec![reading(100_000)],
            errors: Vec::new(),
        }))
        .unwrap();
        let mut out = Vec::new();
        assert_eq!(feed.pull(&mut out), Pulled::Ready);
        assert_eq!(feed.pull(&mut out), Pulled::NotDue(POLL));
        assert_eq!(feed.take_news().heartbeat_ms, None, "not idle yet");
        std::thread::sleep(IDLE_AFTER + Duration::from_millis(50));
        assert_eq!(feed.pull(&mut out), Pulled::NotDue(POLL));
        let heartbeat = feed.take_news().heartbeat_ms.unwrap();
        // Newest event time + the quiet time − the 5 s out-of-orderness.
        let quiet = IDLE_AFTER.as_millis() as u64;
        assert!(
            (100_000 + quiet - 5_000..100_000 + quiet - 5_000 + 60_000).contains(&heartbeat),
            "{heartbeat}"
        );
    }

    #[test]
    fn a_full_feed_holds_the_connector_back() {
        let (tx, _done, mut feed) = feed(2);
        let batch = || {
            SourceEvent::Batch(SourceBatch {
                readings: vec![reading(1)],
                errors: Vec::new(),
            })
        };
        tx.try_send(batch()).unwrap();
        tx.try_send(batch()).unwrap();
        assert!(tx.try_send(batch()).is_err(), "bounded at its depth");
        let mut out = Vec::new();
        assert_eq!(feed.pull(&mut out), Pulled::Ready);
        assert_eq!(out.len(), 2);
        assert!(tx.try_send(batch()).is_ok(), "room again once pulled");
    }
}
