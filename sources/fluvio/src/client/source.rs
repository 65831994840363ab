//! The Fluvio source: one consumer stream per partition, merged, polled
//! until shutdown.
//!
//! - Each partition starts at its stored position: the local offset file's
//!   next offset, else `start`. With `offsets.consumer` set, Fluvio starts
//!   the stream after the consumer offset stored on the cluster if there is
//!   one; records below the position this source already handed on are
//!   then skipped (counted as discarded), so the later of the two stores wins.
//! - Records are decoded into a pending batch; the batch goes to the
//!   channel as soon as the channel has room (batches grow only while the
//!   consumer is behind, up to [`MAX_BATCH`]; while the channel stays full
//!   the streams are not polled and the fetches stop). Right after a batch
//!   is handed on, its positions are committed: to the cluster consumer
//!   offset (flushed every `commit_interval_ms` and on stop) and to the
//!   offset file (replaced atomically). A crash between the hand-over and
//!   the store replays that batch on restart: at-least-once.
//! - A lost connection (a stream ending or failing, or the cluster not
//!   answering the periodic lag query) is reported (`Disconnected`),
//!   retried with exponential backoff and full jitter, and once back
//!   reported as a `Gap` from the moment it was lost. Consumption resumes
//!   at the next offset of each partition, so the records produced
//!   meanwhile are read after all (`backfilled`), unless the cluster's
//!   retention removed them first.
//! - A stored position that the cluster's retention already removed
//!   (`OffsetOutOfRange`) becomes a dead letter (`offset_out_of_range`)
//!   saying from where records were lost, and the partition resumes at the
//!   oldest record kept instead of failing forever.
//! - The client's own retries are off (`RetryMode::Disabled`): they would
//!   reconnect silently, and with several partitions resume at one offset
//!   for all.

use std::collections::{BTreeSet, HashMap};
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use fluvio::consumer::{
    ConsumerConfigExt, ConsumerStream, OffsetManagementStrategy, Record as FluvioRecord, RetryMode,
};
use fluvio::dataplane::link::ErrorCode;
use fluvio::{Fluvio, Offset};
use futures::stream::{SelectAll, Stream, StreamExt};
use metrics::{Gauge, gauge};
use steamflow_source_core::{
    Backoff, ComponentMetrics, DecodeError, Gap, SourceBatch, SourceEvent,
};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::client::connection::{
    self, describe, jitter_seed, now_ms, partition_count, partition_states, select_partitions,
};
use crate::config::{FluvioSourceConfig, StartPosition};
use crate::decode::{Decoder, Outcome, Record};
use crate::error::Error;
use crate::offsets::{OffsetFile, OffsetFileError, Positions};

/// The most readings and errors sent in one batch.
pub const MAX_BATCH: usize = 4096;

/// How long a clean stop may take to hand over the last batch and store offsets.
const STOP_TIMEOUT: Duration = Duration::from_secs(2);

type BoxedConsumer = Pin<Box<dyn ConsumerStream<Item = Result<FluvioRecord, ErrorCode>> + Send>>;

/// What a partition's stream yields: its records, then one `Ended` when
/// the client's stream ends (a lost connection), so that an ended
/// partition cannot silently drop out of the merged stream.
enum Item {
    Record(FluvioRecord),
    Failed { partition: u32, code: ErrorCode },
    Ended { partition: u32 },
}

struct PartitionStream {
    partition: u32,
    inner: BoxedConsumer,
    /// Records yielded since the last commit.
    uncommitted: bool,
    ended: bool,
}

impl Stream for PartitionStream {
    type Item = Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let partition = self.partition;
        match self.inner.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(record))) => {
                self.uncommitted = true;
                Poll::Ready(Some(Item::Record(record)))
            }
            Poll::Ready(Some(Err(code))) => Poll::Ready(Some(Item::Failed { partition, code })),
            Poll::Ready(None) => {
                self.ended = true;
                Poll::Ready(Some(Item::Ended { partition }))
            }
        }
    }
}

/// The connection's state as the source reports it.
#[derive(Default)]
struct Link {
    connected: bool,
    /// When the connection was lost, while it is down.
    lost_at_ms: Option<i64>,
    lost_reason: String,
    /// Whether `Disconnected` was sent for this outage.
    reported: bool,
}

struct Runner {
    id: String,
    config: FluvioSourceConfig,
    decoder: Decoder,
    file: Option<OffsetFile>,
    /// The next offset of each partition: past the records handed on.
    handed_on: Positions,
    /// The next offset of each partition: past the records decoded into
    /// `pending` (ahead of `handed_on` while a batch waits).
    read: Positions,
    tx: mpsc::Sender<SourceEvent>,
    metrics: ComponentMetrics,
    lag: HashMap<u32, Gauge>,
    backoff: Backoff,
    pending: SourceBatch,
    /// Partitions whose stored position fell out of the log: they restart
    /// at the oldest record kept, whatever `start` says.
    from_beginning: BTreeSet<u32>,
    /// Dead letters for records lost to retention, sent with the next
    /// batch after the reconnect.
    lost_to_retention: Vec<DecodeError>,
    link: Link,
}

/// The receiver of the events is gone: stop.
struct Closed;

/// What woke the consuming loop.
enum Step {
    Stop,
    Closed,
    Item(Option<Item>),
    Sent,
    Commit,
    Lag,
}

/// Why a session with the cluster ended.
enum End {
    Stop,
    Closed,
    Lost(String),
    /// The offset file cannot be written: a restart could not resume.
    Failed(Error),
}

/// Runs the source until `shutdown` is cancelled (or the receiver of `tx`
/// is dropped), reconnecting by itself. Fails only on a config it cannot
/// use or an offset file it cannot read; trouble with the cluster is
/// reported as events and retried.
pub async fn run(
    config: FluvioSourceConfig,
    id: &str,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let issues = config.validate();
    if !issues.is_empty() {
        return Err(Error::config(&issues));
    }
    connection::cluster_config(&config.cluster)?;
    let decoder = Decoder::new(id, &config).map_err(Error::Config)?;
    let file = config
        .offsets
        .file
        .as_ref()
        .map(|path| OffsetFile::new(path, &config.topic));
    let stored = match &file {
        Some(file) => file.load()?,
        None => Positions::new(),
    };
    let mut runner = Runner {
        id: id.to_owned(),
        decoder,
        file,
        handed_on: stored.clone(),
        read: stored,
        tx,
        metrics: ComponentMetrics::new(id, "fluvio"),
        lag: HashMap::new(),
        backoff: Backoff::new(config.cluster.backoff, jitter_seed(id)),
        pending: SourceBatch::default(),
        from_beginning: BTreeSet::new(),
        lost_to_retention: Vec::new(),
        link: Link::default(),
        config,
    };
    loop {
        let opened = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            opened = runner.open() => opened,
        };
        let end = match opened {
            Ok((fluvio, streams)) => runner.consume(&fluvio, streams, &shutdown).await,
            Err(error) => End::Lost(error.to_string()),
        };
        match end {
            End::Stop | End::Closed => return Ok(()),
            End::Failed(error) => return Err(error),
            End::Lost(reason) => {
                if runner.on_lost(reason).await.is_err() {
                    return Ok(());
                }
                let delay = runner.backoff.next_delay();
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

impl Runner {
    fn batch_len(&self) -> usize {
        self.pending.readings.len() + self.pending.errors.len()
    }

    /// Connects and opens a stream per partition at its position.
    async fn open(&mut self) -> Result<(Fluvio, SelectAll<PartitionStream>), Error> {
        let cluster = &self.config.cluster;
        let fluvio = connection::connect(cluster).await?;
        let count = partition_count(&fluvio, cluster, &self.config.topic).await?;
        let partitions = select_partitions(&self.config.topic, &self.config.partitions, count)?;
        let mut streams = SelectAll::new();
        for partition in partitions {
            let start = match self.read.get(&partition) {
                Some(&next) => Offset::absolute(next).unwrap_or_else(|_| Offset::beginning()),
                None if self.from_beginning.contains(&partition) => Offset::beginning(),
                None => match self.config.start {
                    StartPosition::Beginning => Offset::beginning(),
                    StartPosition::End => Offset::end(),
                },
            };
            let mut builder = ConsumerConfigExt::builder();
            builder
                .topic(self.config.topic.clone())
                .partition(partition)
                .offset_start(start)
                .max_bytes(i32::try_from(self.config.max_fetch_bytes).unwrap_or(i32::MAX))
                .retry_mode(RetryMode::Disabled);
            if let Some(consumer) = &self.config.offsets.consumer {
                builder
                    .offset_consumer(consumer.clone())
                    .offset_strategy(OffsetManagementStrategy::Manual);
            }
            let consumer_config = builder
                .build()
                .map_err(|error| Error::Config(describe(&error)))?;
            let inner = connection::bounded(
                cluster,
                "opening the partition stream",
                fluvio.consumer_with_config(consumer_config),
            )
            .await?;
            streams.push(PartitionStream {
                partition,
                inner: Box::pin(inner),
                uncommitted: false,
                ended: false,
            });
        }
        Ok((fluvio, streams))
    }

    /// Consumes until the connection is lost, the source stops or the
    /// receiver is gone.
    async fn consume(
        &mut self,
        fluvio: &Fluvio,
        mut streams: SelectAll<PartitionStream>,
        shutdown: &CancellationToken,
    ) -> End {
        if self.on_connected().await.is_err() {
            return End::Closed;
        }
        let mut commit = tokio::time::interval(Duration::from_millis(
            self.config.offsets.commit_interval_ms.max(1),
        ));
        commit.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let lag_every = self.config.lag_interval_secs;
        let mut lag = tokio::time::interval_at(
            Instant::now() + Duration::from_secs(lag_every.max(1)),
            Duration::from_secs(lag_every.max(1)),
        );
        lag.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let cluster_offsets = self.config.offsets.consumer.is_some();
        loop {
            let step = tokio::select! {
                biased;
                () = shutdown.cancelled() => Step::Stop,
                item = streams.next(), if self.batch_len() < MAX_BATCH => Step::Item(item),
                permit = self.tx.reserve(), if !self.pending.is_empty() => match permit {
                    Ok(permit) => {
                        let batch = mem::take(&mut self.pending);
                        self.metrics.sent.increment(batch.readings.len() as u64);
                        permit.send(SourceEvent::Batch(batch));
                        Step::Sent
                    }
                    Err(_) => Step::Closed,
                },
                _ = commit.tick(), if cluster_offsets => Step::Commit,
                _ = lag.tick(), if lag_every > 0 => Step::Lag,
            };
            match step {
                Step::Stop => {
                    self.finish(&mut streams).await;
                    return End::Stop;
                }
                Step::Closed => return End::Closed,
                Step::Item(Some(Item::Record(record))) => self.on_record(&record),
                Step::Item(Some(Item::Failed { partition, code })) => {
                    if code == ErrorCode::OffsetOutOfRange {
                        self.on_out_of_range(partition);
                    }
                    return End::Lost(format!("partition {partition}: {code}"));
                }
                Step::Item(Some(Item::Ended { partition })) => {
                    return End::Lost(format!("the stream of partition {partition} ended"));
                }
                Step::Item(None) => return End::Lost("no partition stream is open".into()),
                Step::Sent => {
                    if let Err(error) = self.store_offsets(&mut streams).await {
                        // The offset file is what a restart relies on:
                        // stop rather than run on without it.
                        self.metrics.errors.increment(1);
                        return End::Failed(error);
                    }
                }
                Step::Commit => self.flush_cluster_offsets(&mut streams).await,
                Step::Lag => {
                    if let Err(error) = self.update_lag(fluvio).await {
                        return End::Lost(format!("the cluster stopped answering: {error}"));
                    }
                }
            }
        }
    }

    fn on_record(&mut self, record: &FluvioRecord) {
        let partition = record.partition();
        let offset = record.offset();
        if self
            .handed_on
            .get(&partition)
            .is_some_and(|next| offset < *next)
        {
            // Already handed on: replayed from an older stored offset.
            self.metrics.discarded.increment(1);
            return;
        }
        self.metrics.received.increment(1);
        let timestamp = record.timestamp();
        let received_ms = now_ms();
        let record = Record {
            topic: &self.config.topic,
            partition,
            offset,
            key: record.key(),
            value: record.value(),
            timestamp_ms: (timestamp > 0).then_some(timestamp),
            received_ms,
        };
        let errors_before = self.pending.errors.len();
        if self.decoder.decode(&record, &mut self.pending) == Outcome::Discarded {
            self.metrics.discarded.increment(1);
        }
        let new_errors = self.pending.errors.len().saturating_sub(errors_before);
        self.metrics.errors.increment(new_errors as u64);
        if let Some(newest) = self.pending.readings.last() {
            let lag_ms = received_ms.saturating_sub(newest.time_ms);
            self.metrics.lag_seconds.set(lag_ms as f64 / 1000.0);
        }
        self.read.insert(partition, offset.saturating_add(1));
    }

    /// The stored position of `partition` is no longer in the log: the
    /// cluster's retention removed those records before they were read.
    /// Say so as a dead letter, and resume at the oldest record kept.
    fn on_out_of_range(&mut self, partition: u32) {
        let position = self.handed_on.remove(&partition);
        self.read.remove(&partition);
        self.from_beginning.insert(partition);
        self.metrics.errors.increment(1);
        let at = position.map_or_else(|| "the start".to_owned(), |next| format!("offset {next}"));
        self.lost_to_retention.push(DecodeError::new(
            &self.id,
            "offset_out_of_range",
            format!(
                "records from {at} were removed by the cluster's retention before they were \
                 read; resuming at the oldest record kept"
            ),
            format!("{}/{partition}", self.config.topic),
            "",
            now_ms(),
        ));
    }

    /// After a hand-over: the positions read are now handed on; commit them
    /// to the cluster's consumer offset (flushed on the timer) and replace
    /// the offset file.
    async fn store_offsets(
        &mut self,
        streams: &mut SelectAll<PartitionStream>,
    ) -> Result<(), Error> {
        self.handed_on.clone_from(&self.read);
        if self.config.offsets.consumer.is_some() {
            for stream in streams.iter_mut().filter(|stream| stream.uncommitted) {
                // Marks the last record the stream yielded: every yielded
                // record is in the batch just handed on.
                if let Err(code) = stream.inner.offset_commit().await {
                    self.metrics.errors.increment(1);
                    tracing::warn!(source = %self.id, partition = stream.partition, "cannot commit the offset: {code}");
                }
                stream.uncommitted = false;
            }
        }
        if let Some(file) = self.file.clone() {
            let positions = self.handed_on.clone();
            let path = file.path().to_path_buf();
            tokio::task::spawn_blocking(move || file.store(&positions))
                .await
                .map_err(|error| OffsetFileError::Write {
                    path,
                    source: std::io::Error::other(error.to_string()),
                })??;
        }
        Ok(())
    }

    /// Sends the committed offsets to the cluster, bounded in time.
    async fn flush_cluster_offsets(&mut self, streams: &mut SelectAll<PartitionStream>) {
        if self.config.offsets.consumer.is_none() {
            return;
        }
        let limit = Duration::from_secs(self.config.cluster.connect_timeout_secs.max(1));
        for stream in streams.iter_mut() {
            match tokio::time::timeout(limit, stream.inner.offset_flush()).await {
                Ok(Ok(())) => {}
                Ok(Err(code)) => {
                    self.metrics.errors.increment(1);
                    tracing::warn!(source = %self.id, partition = stream.partition, "cannot flush the offset: {code}");
                }
                Err(_) => {
                    self.metrics.errors.increment(1);
                    tracing::warn!(source = %self.id, partition = stream.partition, "flushing the offset timed out");
                }
            }
        }
    }

    /// Lag in records: high watermark − next offset, per partition.
    async fn update_lag(&mut self, fluvio: &Fluvio) -> Result<(), Error> {
        let cluster = &self.config.cluster;
        let count = partition_count(fluvio, cluster, &self.config.topic).await?;
        let states = partition_states(fluvio, cluster, &self.config.topic, count).await?;
        for state in states {
            let Some(next) = self.read.get(&state.partition) else {
                continue;
            };
            let lag = state.high_watermark.saturating_sub(*next).max(0);
            let id = &self.id;
            self.lag
                .entry(state.partition)
                .or_insert_with(|| {
                    gauge!(
                        "component_lag_records",
                        "component_id" => id.clone(),
                        "component_kind" => "fluvio",
                        "partition" => state.partition.to_string()
                    )
                })
                .set(lag as f64);
        }
        Ok(())
    }

    async fn on_connected(&mut self) -> Result<(), Closed> {
        self.backoff.reset();
        self.link.connected = true;
        self.link.reported = false;
        self.send(SourceEvent::Connected {
            source: self.id.clone(),
        })
        .await?;
        if let Some(from_ms) = self.link.lost_at_ms.take() {
            self.metrics.reconnects.increment(1);
            let gap = Gap {
                source: self.id.clone(),
                from_ms,
                to_ms: now_ms(),
                reason: format!(
                    "{}; resumed at the next offset of each partition",
                    self.link.lost_reason
                ),
                backfilled: true,
            };
            self.send(SourceEvent::Gap(gap)).await?;
        }
        Ok(())
    }

    async fn on_lost(&mut self, reason: String) -> Result<(), Closed> {
        self.metrics.errors.increment(1);
        tracing::warn!(source = %self.id, "Fluvio: {reason}");
        if self.link.connected {
            self.link.connected = false;
            self.link.lost_at_ms = Some(now_ms());
            self.link.lost_reason = format!("connection lost: {reason}");
        } else if self.link.lost_at_ms.is_none() {
            // Never connected yet: the gap starts at the first failure.
            self.link.lost_at_ms = Some(now_ms());
            self.link.lost_reason = format!("cannot connect: {reason}");
        }
        // Records decoded but not handed on are read again from the
        // stored positions after the reconnect.
        self.pending = SourceBatch::default();
        self.pending.errors.append(&mut self.lost_to_retention);
        self.read.clone_from(&self.handed_on);
        if !self.link.reported {
            self.link.reported = true;
            self.send(SourceEvent::Disconnected {
                source: self.id.clone(),
                reason,
            })
            .await?;
        }
        Ok(())
    }

    async fn send(&self, event: SourceEvent) -> Result<(), Closed> {
        self.tx.send(event).await.map_err(|_| Closed)
    }

    /// A clean stop: hand over the last batch, store its offsets and flush
    /// them to the cluster, bounded in time (the receiver may be gone).
    async fn finish(&mut self, streams: &mut SelectAll<PartitionStream>) {
        let batch = mem::take(&mut self.pending);
        if !batch.is_empty() {
            self.metrics.sent.increment(batch.readings.len() as u64);
            let sent =
                tokio::time::timeout(STOP_TIMEOUT, self.tx.send(SourceEvent::Batch(batch))).await;
            if !matches!(sent, Ok(Ok(()))) {
                return;
            }
        }
        if let Err(error) = self.store_offsets(streams).await {
            self.metrics.errors.increment(1);
            tracing::error!(source = %self.id, "{error}");
        }
        self.flush_cluster_offsets(streams).await;
    }
}
