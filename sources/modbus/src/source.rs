//! The source: one task per device that connects, polls on its interval,
//! sends the readings on, and reconnects with backoff when the connection
//! fails.
//!
//! Events, per device:
//! - `Connected` when a connection opens.
//! - a `Batch` per poll: the readings of the tags read (event time = the
//!   poll's start, UTC ms, the same for every tag of the poll) and a
//!   `DecodeError` for each tag that could not be read (exception, wrong
//!   byte count, a unit that timed out). A tag that fails has no reading
//!   in that poll: no value is invented, no old value repeated.
//! - `Disconnected` once per outage, when a connection fails or the first
//!   connection cannot be opened (attempts after that are counted, not
//!   repeated as events).
//! - `Gap` when a connection opens again after data had flowed: from the
//!   last poll that read data to the reconnect.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use steamflow_source_core::{Backoff, ComponentMetrics, Gap, SourceBatch, SourceEvent};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;
use tokio_modbus::client::{Client, Context};
use tokio_util::sync::CancellationToken;

use crate::Error;
use crate::config::ModbusConfig;
use crate::device::{Device, Failure, Outcome};

/// Now, UTC ms.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Polls every device of `config` until `shutdown`, sending events on `tx`
/// (bounded: a slow consumer slows the polls, memory stays bounded).
/// Returns when `shutdown` is cancelled or the receiver is dropped; an
/// invalid config is refused before anything starts.
pub async fn run(
    config: &ModbusConfig,
    id: &str,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let issues = config.issues(None);
    if !issues.is_empty() {
        return Err(Error::Config(issues));
    }
    let metrics = ComponentMetrics::new(id, "modbus");
    let mut tasks = tokio::task::JoinSet::new();
    for (index, device) in config.devices.iter().enumerate() {
        let device = Device::resolve(id, config, device);
        let worker = Worker {
            device,
            tx: tx.clone(),
            shutdown: shutdown.clone(),
            metrics: metrics.clone(),
            backoff: Backoff::new(config.backoff, seed(id, index)),
        };
        tasks.spawn(worker.run());
    }
    drop(tx);
    while let Some(result) = tasks.join_next().await {
        if let Err(error) = result {
            shutdown.cancel();
            return Err(Error::Task(error.to_string()));
        }
    }
    Ok(())
}

/// A jitter seed that differs between devices and sources.
fn seed(id: &str, index: usize) -> u64 {
    id.bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
        .wrapping_add(index as u64)
        ^ now_ms() as u64
}

/// The receiver is gone or shutdown was asked: stop.
struct Stop;

struct Worker {
    device: Device,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: CancellationToken,
    metrics: ComponentMetrics,
    backoff: Backoff,
}

impl Worker {
    async fn run(mut self) {
        let _ = self.connect_loop().await;
    }

    async fn connect_loop(&mut self) -> Result<(), Stop> {
        // The last poll that read data, and why the connection was lost.
        let mut last_data_ms: Option<i64> = None;
        let mut outage: Option<String> = None;
        let mut ever_connected = false;
        loop {
            let connected = tokio::select! {
                () = self.shutdown.cancelled() => return Err(Stop),
                connected = self.device.connect() => connected,
            };
            let mut ctx = match connected {
                Ok(ctx) => ctx,
                Err(reason) => {
                    self.metrics.errors.increment(1);
                    if outage.is_none() {
                        self.emit(SourceEvent::Disconnected {
                            source: self.device.source.clone(),
                            reason: format!("{}: {reason}", self.device.label),
                        })
                        .await?;
                        outage = Some(reason);
                    }
                    self.pause().await?;
                    continue;
                }
            };
            let now = now_ms();
            self.emit(SourceEvent::Connected {
                source: self.device.source.clone(),
            })
            .await?;
            if ever_connected {
                self.metrics.reconnects.increment(1);
            }
            ever_connected = true;
            if let (Some(reason), Some(from_ms)) = (outage.take(), last_data_ms) {
                self.emit(SourceEvent::Gap(Gap {
                    source: self.device.source.clone(),
                    from_ms,
                    to_ms: now,
                    reason: format!("{}: {reason}", self.device.label),
                    backfilled: false,
                }))
                .await?;
            }
            let failure = self.poll_loop(&mut ctx, &mut last_data_ms).await;
            let _ = tokio::time::timeout(Duration::from_millis(100), ctx.disconnect()).await;
            let failure = failure?;
            self.metrics.errors.increment(1);
            self.emit(SourceEvent::Disconnected {
                source: self.device.source.clone(),
                reason: format!("{}: {failure}", self.device.label),
            })
            .await?;
            outage = Some(failure.to_string());
            self.pause().await?;
        }
    }

    /// Polls on the interval until the connection fails (its failure) or
    /// the source stops.
    async fn poll_loop(
        &mut self,
        ctx: &mut Context,
        last_data_ms: &mut Option<i64>,
    ) -> Result<Failure, Stop> {
        let mut plan = self.device.plan();
        let mut outcomes: Vec<(usize, Outcome)> = Vec::with_capacity(self.device.tags.len());
        let mut ticker = tokio::time::interval(self.device.poll_interval);
        // A late poll starts the next interval; polls never pile up.
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => return Err(Stop),
                _ = ticker.tick() => {}
            }
            let time_ms = now_ms();
            outcomes.clear();
            let polled = tokio::select! {
                () = self.shutdown.cancelled() => return Err(Stop),
                polled = self.device.poll(ctx, &mut plan, &mut outcomes) => polled,
            };
            let batch = self.device.batch(&outcomes, time_ms);
            if !batch.readings.is_empty() {
                *last_data_ms = Some(time_ms);
            }
            if let Ok(stats) = &polled {
                // A poll went through: the device is really back.
                self.backoff.reset();
                self.metrics.reconnects.increment(stats.reconnects);
            }
            self.send_batch(batch, time_ms).await?;
            if let Err(failure) = polled {
                return Ok(failure);
            }
        }
    }

    async fn send_batch(&mut self, batch: SourceBatch, time_ms: i64) -> Result<(), Stop> {
        if batch.is_empty() {
            return Ok(());
        }
        let (readings, errors) = (batch.readings.len() as u64, batch.errors.len() as u64);
        self.metrics.received.increment(readings);
        self.metrics.errors.increment(errors);
        self.emit(SourceEvent::Batch(batch)).await?;
        self.metrics.sent.increment(readings);
        self.metrics
            .lag_seconds
            .set((now_ms() - time_ms) as f64 / 1000.0);
        Ok(())
    }

    async fn emit(&self, event: SourceEvent) -> Result<(), Stop> {
        tokio::select! {
            () = self.shutdown.cancelled() => Err(Stop),
            sent = self.tx.send(event) => sent.map_err(|_| Stop),
        }
    }

    /// Waits the next backoff delay.
    async fn pause(&mut self) -> Result<(), Stop> {
        let delay = self.backoff.next_delay();
        tokio::select! {
            () = self.shutdown.cancelled() => Err(Stop),
            () = tokio::time::sleep(delay) => Ok(()),
        }
    }
}
