//! The source's life: connect, set up every node, forward values, and on
//! any loss start over with a new session — reporting the gap and filling
//! it from history where the server keeps it.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::{Future, StreamExt};
use opcua::client::Session;
use opcua::types::{
    AttributeId, DataChangeFilter, DataChangeTrigger, DataValue, DeadbandType, ExtensionObject,
    MonitoredItemCreateRequest, MonitoringMode, MonitoringParameters, QualifiedName, ReadValueId,
    StatusCode, TimestampsToReturn, Variant,
};
use steamflow_operators::reading::Reading;
use steamflow_source_core::{
    Backoff, ComponentMetrics, DecodeError, Gap, SourceBatch, SourceEvent,
};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::Error;
use crate::config::{Acquisition, Deadband, OpcUaConfig, Resolved};
use crate::convert::{self, now_ms};
use crate::history::{self, Wanted};
use crate::session::{self, Collector, Live, LoopEvent};

/// Nodes per Read request (servers commonly accept thousands; stay well below).
const READ_CHUNK: usize = 500;
/// Monitored items per CreateMonitoredItems request.
const MONITOR_CHUNK: usize = 500;
/// UserAccessLevel bit 2: HistoryRead (Part 3, 8.57 AccessLevelType).
const HISTORY_READ: u8 = 0x04;

/// Runs the source until `shutdown`: connects, reads every configured node,
/// sends [`SourceEvent`]s on `tx`, and reconnects by itself with backoff.
///
/// Returns `Ok(())` on shutdown; an error for a config or PKI folder that
/// cannot work, or when `tx` is closed. Connection failures are retried
/// forever and reported as [`SourceEvent::Disconnected`].
pub async fn run(
    config: OpcUaConfig,
    id: &str,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let resolved = config.resolve().map_err(Error::Config)?;
    let mut client = session::build_client(&config, id)?;
    let mut source = Source::new(id, &config, &resolved, tx, shutdown.clone());
    let seed = id.bytes().fold(0x9e37_79b9_7f4a_7c15u64, |h, b| {
        h.rotate_left(5) ^ u64::from(b)
    });
    let mut backoff = Backoff::new(config.reconnect, seed);
    let mut outage: Option<Outage> = None;
    let mut last_failure: Option<String> = None;
    loop {
        let attempt = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            attempt = session::connect(&mut client, &config, &resolved) => attempt,
        };
        match attempt {
            Ok(live) => {
                backoff.reset();
                last_failure = None;
                if outage.is_some() {
                    source.metrics.reconnects.increment(1);
                }
                match source.serve(live, outage.take()).await? {
                    Ended::Shutdown => return Ok(()),
                    Ended::Lost(lost) => {
                        tracing::warn!(source = id, reason = %lost.reason, "OPC UA session lost");
                        source.metrics.errors.increment(1);
                        source.disconnected(&lost.reason).await?;
                        outage = Some(lost);
                        // Reconnect at once: a restarted server is often back already.
                        continue;
                    }
                }
            }
            Err(error) => {
                source.metrics.errors.increment(1);
                let reason = error.to_string();
                if last_failure.as_deref() != Some(reason.as_str()) {
                    tracing::warn!(source = id, %reason, "OPC UA connect failed");
                    source.disconnected(&reason).await?;
                    last_failure = Some(reason);
                }
            }
        }
        let delay = backoff.next_delay();
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

/// A lost connection: since when nothing came, and why.
#[derive(Clone, Debug)]
struct Outage {
    since_ms: i64,
    reason: String,
}

/// How a session ended.
enum Ended {
    Shutdown,
    Lost(Outage),
}

type PollRead = Pin<Box<dyn Future<Output = (usize, Result<Vec<DataValue>, String>)> + Send>>;

/// The state that outlives sessions.
struct Source<'a> {
    id: &'a str,
    config: &'a OpcUaConfig,
    resolved: &'a Resolved,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: CancellationToken,
    metrics: ComponentMetrics,
    /// Event time of the last value emitted, per node: nothing older or
    /// equal is emitted again (re-created items resend their last value).
    last_ms: Vec<Option<i64>>,
}

impl<'a> Source<'a> {
    fn new(
        id: &'a str,
        config: &'a OpcUaConfig,
        resolved: &'a Resolved,
        tx: mpsc::Sender<SourceEvent>,
        shutdown: CancellationToken,
    ) -> Self {
        Source {
            id,
            config,
            resolved,
            tx,
            shutdown,
            metrics: ComponentMetrics::new(id, "opcua"),
            last_ms: vec![None; resolved.nodes.len()],
        }
    }

    /// Sends an event, waiting while the channel is full; `Ok(false)` on shutdown.
    async fn send(&self, event: SourceEvent) -> Result<bool, Error> {
        tokio::select! {
            _ = self.shutdown.cancelled() => Ok(false),
            sent = self.tx.send(event) => sent.map(|_| true).map_err(|_| Error::ChannelClosed),
        }
    }

    async fn disconnected(&self, reason: &str) -> Result<bool, Error> {
        self.send(SourceEvent::Disconnected {
            source: self.id.to_owned(),
            reason: reason.to_owned(),
        })
        .await
    }

    /// Converts values of nodes, drops the stale ones, sends one batch.
    async fn forward(
        &mut self,
        values: impl IntoIterator<Item = (usize, DataValue)>,
        mut errors: Vec<DecodeError>,
    ) -> Result<bool, Error> {
        let received = now_ms();
        let mut readings: Vec<Reading> = Vec::new();
        let mut count = 0u64;
        for (index, value) in values {
            let Some(node) = self.resolved.nodes.get(index) else {
                continue;
            };
            count += 1;
            match convert::to_reading(self.id, node, &value, self.config.timestamp, received) {
                Ok(reading) => {
                    let last = &mut self.last_ms[index];
                    if last.is_some_and(|t| reading.time_ms <= t) {
                        self.metrics.discarded.increment(1);
                        continue;
                    }
                    *last = Some(reading.time_ms);
                    readings.push(reading);
                }
                Err(error) => errors.push(error),
            }
        }
        self.metrics.received.increment(count);
        if readings.is_empty() && errors.is_empty() {
            return Ok(true);
        }
        if let Some(newest) = readings.iter().map(|r| r.time_ms).max() {
            self.metrics
                .lag_seconds
                .set((received.saturating_sub(newest)) as f64 / 1000.0);
        }
        self.metrics.sent.increment(readings.len() as u64);
        self.metrics.errors.increment(errors.len() as u64);
        self.send(SourceEvent::Batch(SourceBatch { readings, errors }))
            .await
    }

    /// One session, from setup until it is lost or the source shuts down.
    async fn serve(&mut self, mut live: Live, outage: Option<Outage>) -> Result<Ended, Error> {
        let connected_ms = now_ms();
        if !self
            .send(SourceEvent::Connected {
                source: self.id.to_owned(),
            })
            .await?
        {
            return self.close(live).await;
        }
        let active = match self.probe(&live.session).await {
            Ok(active) => active,
            Err(reason) => return Ok(self.lost(&live, reason)),
        };
        if !self.forward([], active.errors.clone()).await? {
            return self.close(live).await;
        }
        if let Some(outage) = outage
            && !self
                .report_gap(&live.session, &active, outage, connected_ms)
                .await?
        {
            return self.close(live).await;
        }
        let errors = match self.subscribe(&live, &active).await {
            Ok(errors) => errors,
            Err(reason) => return Ok(self.lost(&live, reason)),
        };
        if !self.forward([], errors).await? {
            return self.close(live).await;
        }
        let mut polls = PollSchedule::new(self.resolved, &active.usable);
        let mut in_flight: FuturesUnordered<PollRead> = FuturesUnordered::new();
        loop {
            tokio::select! {
                _ = self.shutdown.cancelled() => return self.close(live).await,
                event = live.events.recv() => match event {
                    Some(LoopEvent::Data(values)) => {
                        let values = values.into_iter().filter_map(|(handle, value)| {
                            handle.checked_sub(1).map(|i| (i as usize, value))
                        });
                        if !self.forward(values, Vec::new()).await? {
                            return self.close(live).await;
                        }
                    }
                    Some(LoopEvent::SubscriptionStatus(status)) if !status.is_good() => {
                        return Ok(self.lost(&live, format!("the server ended a subscription: {status}")));
                    }
                    Some(LoopEvent::SubscriptionStatus(_)) | Some(LoopEvent::Connected) => {}
                    Some(LoopEvent::Lost(reason)) => return Ok(self.lost(&live, reason)),
                    None => return Ok(self.lost(&live, "the session ended".into())),
                },
                group = polls.next_due() => {
                    if let Some(read) = polls.start(group, &live.session) {
                        in_flight.push(read);
                    }
                }
                Some((group, result)) = in_flight.next(), if !in_flight.is_empty() => {
                    polls.done(group);
                    match result {
                        Ok(values) => {
                            let nodes = polls.nodes(group);
                            let pairs: Vec<_> = nodes.iter().copied().zip(values).collect();
                            if !self.forward(pairs, Vec::new()).await? {
                                return self.close(live).await;
                            }
                        }
                        Err(reason) if session_is_gone(&reason) => {
                            return Ok(self.lost(&live, reason));
                        }
                        Err(reason) => {
                            self.metrics.errors.increment(1);
                            tracing::warn!(source = self.id, %reason, "OPC UA poll failed");
                        }
                    }
                }
            }
        }
    }

    fn lost(&self, live: &Live, reason: String) -> Ended {
        Ended::Lost(Outage {
            since_ms: live.last_alive_ms.load(Ordering::Relaxed),
            reason,
        })
    }

    async fn close(&self, live: Live) -> Result<Ended, Error> {
        live.close(Duration::from_millis(
            self.config.request_timeout_ms.min(2000),
        ))
        .await;
        Ok(Ended::Shutdown)
    }

    /// Reads each node's value and access level: unknown and unreadable
    /// nodes become decode errors and are left out of this session.
    async fn probe(&self, session: &Session) -> Result<Active, String> {
        let nodes = &self.resolved.nodes;
        let mut active = Active {
            usable: vec![false; nodes.len()],
            history: vec![false; nodes.len()],
            errors: Vec::new(),
        };
        let now = now_ms();
        let indices: Vec<usize> = (0..nodes.len()).collect();
        for chunk in indices.chunks(READ_CHUNK) {
            let ids: Vec<ReadValueId> = chunk
                .iter()
                .flat_map(|&i| {
                    [AttributeId::Value, AttributeId::UserAccessLevel]
                        .map(|attribute| read_id(&nodes[i].node_id, attribute))
                })
                .collect();
            let values = timed(
                self.request_timeout(),
                session.read(&ids, TimestampsToReturn::Neither, 0.0),
            )
            .await?;
            for (&i, pair) in chunk.iter().zip(values.chunks(2)) {
                let node = &nodes[i];
                let status = pair
                    .first()
                    .map(convert::status)
                    .unwrap_or(StatusCode::BadNoData);
                if status == StatusCode::BadNodeIdUnknown {
                    active
                        .errors
                        .push(convert::unknown_node(self.id, node, now));
                } else if matches!(
                    status,
                    StatusCode::BadNotReadable
                        | StatusCode::BadUserAccessDenied
                        | StatusCode::BadAttributeIdInvalid
                        | StatusCode::BadNodeIdInvalid
                ) {
                    active.errors.push(convert::node_refused(
                        self.id,
                        convert::NOT_READABLE,
                        node,
                        "reading",
                        status,
                        now,
                    ));
                } else {
                    active.usable[i] = true;
                    active.history[i] = pair.get(1).and_then(|v| v.value.as_ref()).is_some_and(
                        |v| matches!(v, Variant::Byte(level) if level & HISTORY_READ != 0),
                    );
                }
            }
        }
        Ok(active)
    }

    /// Backfills what history can give, then reports the gap.
    async fn report_gap(
        &mut self,
        session: &Session,
        active: &Active,
        outage: Outage,
        connected_ms: i64,
    ) -> Result<bool, Error> {
        let nodes = &self.resolved.nodes;
        let wanted: Vec<Wanted<'_>> = (0..nodes.len())
            .filter(|&i| active.usable[i] && nodes[i].backfill)
            .filter_map(|i| {
                self.last_ms[i].map(|after_ms| Wanted {
                    index: i,
                    node_id: &nodes[i].node_id,
                    after_ms,
                })
            })
            .collect();
        let mut backfilled = false;
        let mut reason = outage.reason.clone();
        if !wanted.is_empty() {
            let readable = wanted.iter().all(|w| active.history[w.index]);
            let (with_history, without): (Vec<_>, Vec<_>) =
                wanted.into_iter().partition(|w| active.history[w.index]);
            let fill = history::backfill(
                session,
                &with_history,
                connected_ms,
                self.config.history_max_values,
                self.request_timeout(),
            )
            .await;
            backfilled = readable && fill.complete;
            if !without.is_empty() {
                reason.push_str(&format!(
                    "; {} node(s) without readable history",
                    without.len()
                ));
            }
            if !fill.problems.is_empty() {
                reason.push_str("; ");
                reason.push_str(&fill.problems.join("; "));
            }
            if !self.forward(fill.values, Vec::new()).await? {
                return Ok(false);
            }
        }
        self.send(SourceEvent::Gap(Gap {
            source: self.id.to_owned(),
            from_ms: outage.since_ms,
            to_ms: connected_ms,
            reason,
            backfilled,
        }))
        .await
    }

    /// Creates one subscription per publishing interval and a monitored
    /// item per subscribed node. Refused items become decode errors.
    async fn subscribe(&self, live: &Live, active: &Active) -> Result<Vec<DecodeError>, String> {
        let mut groups: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (i, node) in self.resolved.nodes.iter().enumerate() {
            if let (
                true,
                Acquisition::Subscribe {
                    publishing_interval_ms,
                    ..
                },
            ) = (active.usable[i], node.acquisition)
            {
                groups.entry(publishing_interval_ms).or_default().push(i);
            }
        }
        let mut errors = Vec::new();
        for (interval_ms, members) in groups {
            // Keep-alive about every 10 s; the server deletes the
            // subscription after 6 keep-alives without a publish request.
            let keep_alive =
                u32::try_from((10_000 / interval_ms.max(1)).clamp(1, 1000)).unwrap_or(10);
            let created = timed(
                self.request_timeout(),
                live.session.create_subscription(
                    Duration::from_millis(interval_ms),
                    keep_alive.saturating_mul(6),
                    keep_alive,
                    self.config.max_notifications_per_publish,
                    0,
                    true,
                    Collector(live.inbox.clone()),
                ),
            )
            .await;
            let subscription = match created {
                Ok(id) => id,
                // The server refused this subscription (too many, say):
                // its nodes are reported, the others go on.
                Err(reason) if is_refusal(&reason) => {
                    let now = now_ms();
                    errors.extend(members.iter().map(|&i| {
                        DecodeError::new(
                            self.id,
                            convert::MONITORED_ITEM_REJECTED,
                            format!(
                                "the server refused a subscription for node `{}` (tag {}): {reason}",
                                self.resolved.nodes[i].text, self.resolved.nodes[i].tag
                            ),
                            self.resolved.nodes[i].text.clone(),
                            "",
                            now,
                        )
                    }));
                    continue;
                }
                Err(reason) => return Err(reason),
            };
            for chunk in members.chunks(MONITOR_CHUNK) {
                let items: Vec<MonitoredItemCreateRequest> =
                    chunk.iter().map(|&i| self.item_request(i)).collect();
                let created = timed(
                    self.request_timeout(),
                    live.session.create_monitored_items(
                        subscription,
                        TimestampsToReturn::Both,
                        items,
                    ),
                )
                .await?;
                let now = now_ms();
                for (&i, item) in chunk.iter().zip(created) {
                    let status = item.result.status_code;
                    if status.is_bad() {
                        let node = &self.resolved.nodes[i];
                        errors.push(if status == StatusCode::BadNodeIdUnknown {
                            convert::unknown_node(self.id, node, now)
                        } else {
                            convert::node_refused(
                                self.id,
                                convert::MONITORED_ITEM_REJECTED,
                                node,
                                "monitoring",
                                status,
                                now,
                            )
                        });
                    }
                }
            }
        }
        Ok(errors)
    }

    fn item_request(&self, index: usize) -> MonitoredItemCreateRequest {
        let node = &self.resolved.nodes[index];
        let (sampling, queue, deadband) = match node.acquisition {
            Acquisition::Subscribe {
                sampling_interval_ms,
                queue_size,
                deadband,
                ..
            } => (sampling_interval_ms, queue_size, deadband),
            Acquisition::Poll { interval_ms } => (interval_ms, 1, Deadband::None),
        };
        let filter = match deadband {
            Deadband::None => ExtensionObject::null(),
            Deadband::Absolute(value) => deadband_filter(DeadbandType::Absolute, value),
            Deadband::Percent(value) => deadband_filter(DeadbandType::Percent, value),
        };
        MonitoredItemCreateRequest {
            item_to_monitor: read_id(&node.node_id, AttributeId::Value),
            monitoring_mode: MonitoringMode::Reporting,
            requested_parameters: MonitoringParameters {
                // Handles are node index + 1: 0 would make the stack assign one.
                client_handle: u32::try_from(index + 1).unwrap_or(u32::MAX),
                sampling_interval: sampling as f64,
                filter,
                queue_size: queue,
                discard_oldest: true,
            },
        }
    }

    fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.config.request_timeout_ms)
    }
}

fn deadband_filter(kind: DeadbandType, value: f64) -> ExtensionObject {
    ExtensionObject::from_message(DataChangeFilter {
        trigger: DataChangeTrigger::StatusValue,
        deadband_type: kind as u32,
        deadband_value: value,
    })
}

fn read_id(node_id: &opcua::types::NodeId, attribute: AttributeId) -> ReadValueId {
    ReadValueId {
        node_id: node_id.clone(),
        attribute_id: attribute as u32,
        index_range: Default::default(),
        data_encoding: QualifiedName::null(),
    }
}

/// Awaits a request within `timeout`; failures become their message.
async fn timed<T>(
    timeout: Duration,
    request: impl Future<Output = Result<T, opcua::types::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, request).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// Whether a failed request is the server saying no (a Bad status other
/// than a dead session or a timeout).
fn is_refusal(reason: &str) -> bool {
    reason.contains("Bad") && !session_is_gone(reason) && !reason.contains("BadTimeout")
}

/// Whether a failed request means the session is dead.
fn session_is_gone(reason: &str) -> bool {
    [
        "BadSessionIdInvalid",
        "BadSessionClosed",
        "BadSessionNotActivated",
        "BadSecureChannelClosed",
        "BadConnectionClosed",
        "BadNotConnected",
    ]
    .iter()
    .any(|code| reason.contains(code))
}

/// Which nodes this session can use.
struct Active {
    usable: Vec<bool>,
    /// Whether the node's access level allows HistoryRead.
    history: Vec<bool>,
    errors: Vec<DecodeError>,
}

/// Polled nodes grouped by interval, each group with its next due time.
struct PollSchedule {
    groups: Vec<PollGroup>,
}

struct PollGroup {
    interval: Duration,
    due: Instant,
    nodes: Vec<usize>,
    ids: Vec<ReadValueId>,
    busy: bool,
}

impl PollSchedule {
    fn new(resolved: &Resolved, usable: &[bool]) -> Self {
        let mut by_interval: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (i, node) in resolved.nodes.iter().enumerate() {
            if let (true, Acquisition::Poll { interval_ms }) = (usable[i], node.acquisition) {
                by_interval.entry(interval_ms).or_default().push(i);
            }
        }
        let now = Instant::now();
        let groups = by_interval
            .into_iter()
            .flat_map(|(interval_ms, nodes)| {
                nodes
                    .chunks(READ_CHUNK)
                    .map(|chunk| PollGroup {
                        interval: Duration::from_millis(interval_ms),
                        due: now,
                        ids: chunk
                            .iter()
                            .map(|&i| read_id(&resolved.nodes[i].node_id, AttributeId::Value))
                            .collect(),
                        nodes: chunk.to_vec(),
                        busy: false,
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        PollSchedule { groups }
    }

    /// Waits for the earliest idle group that is due; never returns without groups.
    async fn next_due(&self) -> usize {
        let next = self
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.busy)
            .min_by_key(|(_, g)| g.due);
        match next {
            Some((index, group)) => {
                tokio::time::sleep_until(group.due).await;
                index
            }
            None => std::future::pending().await,
        }
    }

    /// Marks a group busy, schedules its next read, and returns the read.
    fn start(&mut self, index: usize, session: &std::sync::Arc<Session>) -> Option<PollRead> {
        let group = self.groups.get_mut(index)?;
        group.busy = true;
        let now = Instant::now();
        group.due += group.interval;
        if group.due < now {
            // Missed ticks are skipped, not caught up in a burst.
            group.due = now + group.interval;
        }
        let ids = group.ids.clone();
        let session = session.clone();
        Some(Box::pin(async move {
            let result = session
                .read(&ids, TimestampsToReturn::Both, 0.0)
                .await
                .map_err(|e| e.to_string());
            (index, result)
        }))
    }

    fn done(&mut self, index: usize) {
        if let Some(group) = self.groups.get_mut(index) {
            group.busy = false;
        }
    }

    fn nodes(&self, index: usize) -> &[usize] {
        self.groups
            .get(index)
            .map(|g| g.nodes.as_slice())
            .unwrap_or(&[])
    }
}
