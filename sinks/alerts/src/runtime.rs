//! The running router: a thread with its own tokio runtime, so that the
//! dataflow's workers only ever hand an update over (never wait on a
//! network), one task per channel with its queue, rate limit and retries.
//! A channel that fails counts its failures; it never stops the graph or
//! the other channels.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use steamflow_source_core::Backoff;
use tokio::sync::{mpsc, oneshot};

use crate::alert::AlertUpdate;
use crate::bucket::TokenBucket;
use crate::channel::{Channel, DeliveryError};
use crate::config::{AlertsSinkConfig, Delivery};
use crate::notice::Message;
use crate::router::{AckError, Acknowledgement, OpenAlert, Router};
use crate::stats::{ChannelMetrics, ChannelStats, RouterStats};

/// Updates waiting for the router before new ones are counted as dropped.
const QUEUE_CAPACITY: usize = 10_000;
/// Messages waiting for one channel before new ones are counted as dropped.
const CHANNEL_QUEUE_CAPACITY: usize = 1_000;

/// Why a router could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The config has problems (see [`AlertsSinkConfig::validate`]).
    #[error("alert sink `{sink}`: {issues}")]
    Config {
        /// The sink id.
        sink: String,
        /// The problems, one per line.
        issues: String,
    },
    /// A channel could not be opened.
    #[error("alert sink `{sink}`, channel `{channel}`: {message}")]
    Channel {
        /// The sink id.
        sink: String,
        /// The channel id.
        channel: String,
        /// Why.
        message: String,
    },
    /// The runtime thread could not start.
    #[error("alert sink `{sink}`: {message}")]
    Runtime {
        /// The sink id.
        sink: String,
        /// Why.
        message: String,
    },
}

enum Command {
    Update(AlertUpdate),
    Acknowledge {
        key: String,
        by: String,
        reply: oneshot::Sender<Result<Acknowledgement, AckError>>,
    },
    Open(oneshot::Sender<Vec<OpenAlert>>),
    Close(Duration),
}

struct Shared {
    id: String,
    commands: mpsc::Sender<Command>,
    stats: Arc<RouterStats>,
    channels: Vec<(String, Arc<ChannelStats>)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// A running alert router: hand it the `alerts` stream's updates
/// ([`AlertRouter::submit`]) and acknowledgements
/// ([`AlertRouter::acknowledge`]). Clones share the router; it stops on
/// [`AlertRouter::close`] or when the last clone is dropped.
#[derive(Clone)]
pub struct AlertRouter {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for AlertRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertRouter")
            .field("id", &self.shared.id)
            .finish_non_exhaustive()
    }
}

impl PartialEq for AlertRouter {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl AlertRouter {
    /// Checks `config`, opens its channels and starts routing. `id` is the
    /// sink's id (in logs and metrics: `<id>.<channel>`).
    pub fn start(id: &str, config: &AlertsSinkConfig) -> Result<AlertRouter, StartError> {
        let issues = config.validate();
        if !issues.is_empty() {
            return Err(StartError::Config {
                sink: id.to_owned(),
                issues: issues
                    .iter()
                    .map(|i| format!("{}: {}", crate::validate::path_text(&i.path), i.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        }
        let stats = Arc::new(RouterStats::default());
        let channel_stats: Vec<(String, Arc<ChannelStats>)> = config
            .channels
            .keys()
            .map(|c| (c.clone(), Arc::new(ChannelStats::default())))
            .collect();
        let (commands, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let runner = Runner {
            id: id.to_owned(),
            config: config.clone(),
            stats: Arc::clone(&stats),
            channel_stats: channel_stats.clone(),
        };
        let thread = std::thread::Builder::new()
            .name(format!("alerts-{id}"))
            .spawn(move || runner.run(receiver, ready_tx))
            .map_err(|e| StartError::Runtime {
                sink: id.to_owned(),
                message: e.to_string(),
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                let _ = thread.join();
                return Err(error);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(StartError::Runtime {
                    sink: id.to_owned(),
                    message: "the router thread ended while starting".into(),
                });
            }
        }
        Ok(AlertRouter {
            shared: Arc::new(Shared {
                id: id.to_owned(),
                commands,
                stats,
                channels: channel_stats,
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    /// The sink's id.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Hands one update over without waiting. When the router is far
    /// behind (its queue full) or stopped, the update is counted as
    /// dropped and logged — the caller, a dataflow worker, never blocks.
    pub fn submit(&self, update: AlertUpdate) {
        if let Err(error) = self.shared.commands.try_send(Command::Update(update)) {
            self.shared.stats.dropped.increment();
            let key = match error.into_inner() {
                Command::Update(u) => u.alert.dedup_key,
                _ => String::new(),
            };
            tracing::error!(sink = %self.shared.id, %key, "alert router queue full or stopped: update dropped");
        }
    }

    /// Reads one `alerts` record (its JSON object) and hands it over; a
    /// record that cannot be read is counted as malformed and logged.
    pub fn submit_json(&self, object: &str, diff: isize) {
        match AlertUpdate::from_json(object, diff) {
            Ok(update) => self.submit(update),
            Err(error) => {
                self.shared.stats.malformed.increment();
                tracing::error!(sink = %self.shared.id, %error, "unreadable alert record: not routed");
            }
        }
    }

    /// Acknowledges the open alert with de-duplication key `key` on behalf
    /// of `by` (a user name): its escalation stops and every channel that
    /// was told of it hears who acknowledged it (PagerDuty gets an
    /// `acknowledge` event). For the HTTP API's acknowledge route.
    pub async fn acknowledge(&self, key: &str, by: &str) -> Result<Acknowledgement, AckError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || AckError::Stopped(self.shared.id.clone());
        self.shared
            .commands
            .send(Command::Acknowledge {
                key: key.to_owned(),
                by: by.to_owned(),
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// The alerts open now (fired, not resolved), by key.
    pub async fn open_alerts(&self) -> Vec<OpenAlert> {
        let (reply, answer) = oneshot::channel();
        if self
            .shared
            .commands
            .send(Command::Open(reply))
            .await
            .is_err()
        {
            return Vec::new();
        }
        answer.await.unwrap_or_default()
    }

    /// The router's counters.
    pub fn stats(&self) -> &RouterStats {
        &self.shared.stats
    }

    /// One channel's counters.
    pub fn channel_stats(&self, channel: &str) -> Option<&ChannelStats> {
        self.shared
            .channels
            .iter()
            .find(|(id, _)| id == channel)
            .map(|(_, stats)| stats.as_ref())
    }

    /// Sends what the group windows still hold, lets the channels finish
    /// (retrying for at most `grace`) and stops. Blocking: call it outside
    /// an async runtime. Messages still undelivered after `grace` are
    /// counted as failed.
    pub fn close(&self, grace: Duration) {
        let Some(thread) = super::lock(&self.shared.thread).take() else {
            return;
        };
        // Waits behind the updates already queued: they are routed first.
        let _ = self.shared.commands.blocking_send(Command::Close(grace));
        let _ = thread.join();
    }
}

/// Grace for deliveries when the router stops because every handle was dropped.
const DROP_GRACE: Duration = Duration::from_secs(5);

struct Runner {
    id: String,
    config: AlertsSinkConfig,
    stats: Arc<RouterStats>,
    channel_stats: Vec<(String, Arc<ChannelStats>)>,
}

impl Runner {
    fn run(
        self,
        commands: mpsc::Receiver<Command>,
        ready: std::sync::mpsc::SyncSender<Result<(), StartError>>,
    ) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = ready.send(Err(StartError::Runtime {
                    sink: self.id.clone(),
                    message: e.to_string(),
                }));
                return;
            }
        };
        runtime.block_on(self.route(commands, ready));
    }

    async fn route(
        self,
        mut commands: mpsc::Receiver<Command>,
        ready: std::sync::mpsc::SyncSender<Result<(), StartError>>,
    ) {
        let mut queues = Vec::new();
        let mut workers = Vec::new();
        let deadline = Arc::new(Mutex::new(None::<tokio::time::Instant>));
        for (id, stats) in &self.channel_stats {
            let Some(config) = self.config.channels.get(id) else {
                continue;
            };
            let channel = match Channel::open(&self.id, id, config) {
                Ok(channel) => channel,
                Err(message) => {
                    let _ = ready.send(Err(StartError::Channel {
                        sink: self.id.clone(),
                        channel: id.clone(),
                        message,
                    }));
                    return;
                }
            };
            let (tx, rx) = mpsc::channel(CHANNEL_QUEUE_CAPACITY);
            queues.push((
                tx,
                Arc::clone(stats),
                ChannelMetrics::new(&format!("{}.{id}", self.id)),
            ));
            let worker = Worker {
                channel,
                delivery: config.delivery(),
                stats: Arc::clone(stats),
                metrics: ChannelMetrics::new(&format!("{}.{id}", self.id)),
                deadline: Arc::clone(&deadline),
                seed: seed(&self.id, id),
            };
            workers.push(tokio::spawn(worker.run(rx)));
        }
        let _ = ready.send(Ok(()));
        let ids: Vec<String> = self
            .channel_stats
            .iter()
            .map(|(id, _)| id.clone())
            .collect();
        let mut router = Router::new(&self.config, &ids, Arc::clone(&self.stats));
        let dispatch = |messages: Vec<(usize, Message)>| {
            for (c, message) in messages {
                let Some((tx, stats, metrics)) = queues.get(c) else {
                    continue;
                };
                metrics.received.increment(message.notices.len() as u64);
                stats.pending.increment();
                if tx.try_send(message).is_err() {
                    stats.pending.sub(1);
                    stats.failed.increment();
                    metrics.discarded.increment(1);
                    let channel = ids.get(c).map_or("", String::as_str);
                    tracing::error!(sink = %self.id, %channel, "channel queue full: message dropped");
                }
            }
        };
        let grace = loop {
            let next = router.next_deadline();
            let command = match next {
                Some(at) => {
                    tokio::select! {
                        command = commands.recv() => command,
                        () = tokio::time::sleep_until(tokio::time::Instant::from_std(at)) => {
                            dispatch(router.due(Instant::now()));
                            continue;
                        }
                    }
                }
                None => commands.recv().await,
            };
            let now = Instant::now();
            match command {
                Some(Command::Update(update)) => router.update(now, update),
                Some(Command::Acknowledge { key, by, reply }) => {
                    let _ = reply.send(router.acknowledge(now, &key, &by));
                }
                Some(Command::Open(reply)) => {
                    let _ = reply.send(router.open_alerts());
                }
                Some(Command::Close(grace)) => break grace,
                None => break DROP_GRACE,
            }
            dispatch(router.due(now));
        };
        dispatch(router.due(Instant::now()));
        dispatch(router.drain());
        let stop = tokio::time::Instant::now() + grace;
        *super::lock(&deadline) = Some(stop);

        drop(queues);
        let mut channels = Vec::new();
        for (worker, (id, stats)) in workers.into_iter().zip(&self.channel_stats) {
            let abort = worker.abort_handle();
            match tokio::time::timeout_at(stop, worker).await {
                Ok(Ok(channel)) => channels.push(channel),
                Ok(Err(_)) => {}
                Err(_) => {
                    abort.abort();
                    let left = stats.pending.get();
                    stats.pending.sub(left);
                    stats.failed.add(left);
                    tracing::error!(sink = %self.id, channel = %id, left, "closing: messages still undelivered");
                }
            }
        }
        for channel in channels {
            channel.close().await;
        }
    }
}

fn seed(sink: &str, channel: &str) -> u64 {
    // FNV-1a: a different jitter sequence per channel, the same every run.
    sink.bytes()
        .chain([b'.'])
        .chain(channel.bytes())
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// One channel's delivery loop.
struct Worker {
    channel: Channel,
    delivery: Delivery,
    stats: Arc<ChannelStats>,
    metrics: ChannelMetrics,
    /// Set when the router closes: retries stop at this time.
    deadline: Arc<Mutex<Option<tokio::time::Instant>>>,
    seed: u64,
}

impl Worker {
    async fn run(self, mut messages: mpsc::Receiver<Message>) -> Channel {
        let mut bucket = self
            .delivery
            .rate_limit
            .map(|limit| TokenBucket::new(limit, Instant::now()));
        while let Some(message) = messages.recv().await {
            match self.channel.render(&message) {
                Ok(outgoing) => {
                    for item in outgoing {
                        if let Some(bucket) = &mut bucket
                            && let Some(wait) = bucket.take(Instant::now())
                        {
                            self.stats.rate_limited.increment();
                            tokio::time::sleep(wait).await;
                            // The token that refilled meanwhile is this one.
                            let _ = bucket.take(Instant::now());
                        }
                        self.deliver(&item).await;
                    }
                }
                Err(error) => {
                    self.stats.failed.increment();
                    self.metrics.errors.increment(1);
                    self.metrics.discarded.increment(1);
                    tracing::error!(channel = %self.channel.id(), %error, "message could not be rendered");
                }
            }
            self.stats.pending.sub(1);
        }
        self.channel
    }

    /// Sends one item, retrying while it is worth it.
    async fn deliver(&self, item: &crate::channel::Outgoing) {
        let started = tokio::time::Instant::now();
        let give_up = started + Duration::from_secs(self.delivery.retry.give_up_after_secs);
        let mut backoff = Backoff::new(self.delivery.retry.backoff(), self.seed);
        loop {
            match self.channel.send(item).await {
                Ok(()) => {
                    self.stats.delivered.increment();
                    self.metrics.sent.increment(1);
                    return;
                }
                Err(DeliveryError::Refused(why)) => {
                    self.stats.failed.increment();
                    self.metrics.errors.increment(1);
                    self.metrics.discarded.increment(1);
                    tracing::error!(channel = %self.channel.id(), %why, "delivery refused: not retried");
                    return;
                }
                Err(DeliveryError::Unavailable(why)) => {
                    self.metrics.errors.increment(1);
                    let delay = backoff.next_delay();
                    let closing = *super::lock(&self.deadline);
                    let stop = closing.map_or(give_up, |c| c.min(give_up));
                    if tokio::time::Instant::now() + delay >= stop {
                        self.stats.failed.increment();
                        self.metrics.discarded.increment(1);
                        tracing::error!(
                            channel = %self.channel.id(),
                            %why,
                            attempts = backoff.attempts(),
                            "delivery failed: giving up"
                        );
                        return;
                    }
                    self.stats.retries.increment();
                    tracing::warn!(channel = %self.channel.id(), %why, ?delay, "delivery failed: retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}
