//! The MQTT source: one rumqttc event loop, polled until shutdown.
//!
//! - Subscribes on the first connection, and again after every reconnect
//!   in which the broker kept no session (`session_present = false`: a
//!   clean session, or a broker that restarted without persistence). A kept
//!   session still holds the subscriptions; subscribing again would make
//!   the broker resend every retained message.
//! - A lost connection is reported (`Disconnected`), retried with
//!   exponential backoff and full jitter, and once back reported as a
//!   `Gap` from the moment it was lost to the moment it returned. The gap is
//!   `backfilled` when the broker kept the session and every subscription
//!   is QoS 1 or 2: the broker then queued what was published meanwhile.
//! - Messages are decoded into a pending batch; the batch goes to the
//!   channel as soon as the channel has room, so batches grow only while
//!   the consumer is behind (up to [`MAX_BATCH`]), and while the channel
//!   stays full the event loop is not polled: TCP flow control pushes
//!   back on the broker instead of memory growing here. (A consumer stalled
//!   for longer than 1.5× the keep-alive makes the broker drop the
//!   connection; a persistent session then keeps the QoS 1/2 messages.)
//! - QoS 1/2 messages are acknowledged by rumqttc when read.

use std::mem;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, LastWill, Packet, QoS, SubscribeFilter};
use steamflow_source_core::{
    Backoff, ComponentMetrics, DecodeError, Gap, SourceBatch, SourceEvent,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::{MqttSourceConfig, Qos, SubscriptionConfig};
use crate::connection::{self, REQUEST_CAPACITY, describe, now_ms};
use crate::decode::{Decoder, Message, Outcome};
use crate::error::Error;

/// The most readings and errors sent in one batch.
pub const MAX_BATCH: usize = 4096;

/// Payload of the status topic while connected.
pub const STATUS_ONLINE: &str = "online";
/// Payload of the status topic after a stop, and of the last will.
pub const STATUS_OFFLINE: &str = "offline";

/// How long a clean stop may take to hand over the last batch and say goodbye.
const STOP_TIMEOUT: Duration = Duration::from_secs(2);

/// The decoders of all subscriptions; a message goes to the first whose
/// filter matches its topic.
pub(crate) struct Router {
    source: String,
    decoders: Vec<Decoder>,
}

impl Router {
    pub(crate) fn new(source: &str, subscriptions: &[SubscriptionConfig]) -> Result<Router, Error> {
        let decoders = subscriptions
            .iter()
            .enumerate()
            .map(|(index, subscription)| {
                Decoder::new(source, subscription)
                    .map_err(|message| Error::Config(format!("subscriptions[{index}]: {message}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Router {
            source: source.to_owned(),
            decoders,
        })
    }

    pub(crate) fn route(&mut self, message: &Message<'_>, batch: &mut SourceBatch) -> Outcome {
        match self
            .decoders
            .iter_mut()
            .find(|decoder| decoder.matches(message.topic))
        {
            Some(decoder) => decoder.decode(message, batch),
            None => {
                // A persistent session may still hold a subscription that
                // is no longer in the config.
                batch.errors.push(DecodeError::new(
                    &self.source,
                    "unexpected_topic",
                    "no subscription of this source matches the topic",
                    message.topic,
                    &String::from_utf8_lossy(message.payload),
                    message.received_ms,
                ));
                Outcome::Decoded
            }
        }
    }
}

pub(crate) fn subscribe_filters(
    subscriptions: &[SubscriptionConfig],
    router: &Router,
) -> Vec<SubscribeFilter> {
    router
        .decoders
        .iter()
        .zip(subscriptions)
        .map(|(decoder, subscription)| {
            SubscribeFilter::new(decoder.filter().to_owned(), subscription.qos.to_rumqttc())
        })
        .collect()
}

/// The connection's state as the source reports it.
struct Link {
    connected: bool,
    /// When the connection was lost, while it is down.
    lost_at_ms: Option<i64>,
    /// Why it was lost.
    lost_reason: String,
    /// Whether `Disconnected` was sent for this outage.
    reported: bool,
    /// Whether this process has subscribed at least once.
    subscribed: bool,
}

struct Runner {
    id: String,
    router: Router,
    client: AsyncClient,
    filters: Vec<SubscribeFilter>,
    status_topic: Option<String>,
    min_qos: Qos,
    tx: mpsc::Sender<SourceEvent>,
    metrics: ComponentMetrics,
    backoff: Backoff,
    pending: SourceBatch,
    link: Link,
}

/// The receiver of the events is gone: stop.
struct Closed;

/// Runs the source until `shutdown` is cancelled (or the receiver of `tx`
/// is dropped), reconnecting by itself. Fails only on a config it cannot
/// use; connection trouble is reported as events and retried.
pub async fn run(
    config: MqttSourceConfig,
    id: &str,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let issues = config.validate();
    if !issues.is_empty() {
        return Err(Error::config(&issues));
    }
    let router = Router::new(id, &config.subscriptions)?;
    let filters = subscribe_filters(&config.subscriptions, &router);
    let will = config
        .status_topic
        .as_ref()
        .map(|topic| LastWill::new(topic.clone(), STATUS_OFFLINE, QoS::AtLeastOnce, true));
    let options = connection::options(
        &config.broker,
        config.broker.client_id(id),
        config.clean_session(),
        will,
    )?;
    let (client, mut eventloop) = AsyncClient::new(options, REQUEST_CAPACITY);
    eventloop.set_network_options(connection::network_options(&config.broker));
    let min_qos = config
        .subscriptions
        .iter()
        .map(|subscription| subscription.qos)
        .min()
        .unwrap_or_default();
    let mut runner = Runner {
        id: id.to_owned(),
        router,
        client,
        filters,
        status_topic: config.status_topic.clone(),
        min_qos,
        tx,
        metrics: ComponentMetrics::new(id, "mqtt"),
        backoff: Backoff::new(config.broker.backoff, connection::jitter_seed(id)),
        pending: SourceBatch::default(),
        link: Link {
            connected: false,
            lost_at_ms: None,
            lost_reason: String::new(),
            reported: false,
            subscribed: false,
        },
    };
    match runner.run(&mut eventloop, &shutdown).await {
        Ok(()) => {
            runner.stop(&mut eventloop).await;
            Ok(())
        }
        Err(Closed) => Ok(()),
    }
}

enum Step {
    Stop,
    Event(Result<Event, rumqttc::ConnectionError>),
    Sent,
    Closed,
}

impl Runner {
    fn batch_len(&self) -> usize {
        self.pending.readings.len() + self.pending.errors.len()
    }

    async fn run(
        &mut self,
        eventloop: &mut EventLoop,
        shutdown: &CancellationToken,
    ) -> Result<(), Closed> {
        loop {
            let step = tokio::select! {
                biased;
                () = shutdown.cancelled() => Step::Stop,
                event = eventloop.poll(), if self.batch_len() < MAX_BATCH => Step::Event(event),
                permit = self.tx.reserve(), if !self.pending.is_empty() => match permit {
                    Ok(permit) => {
                        let batch = mem::take(&mut self.pending);
                        self.metrics.sent.increment(batch.readings.len() as u64);
                        permit.send(SourceEvent::Batch(batch));
                        Step::Sent
                    }
                    Err(_) => Step::Closed,
                },
            };
            match step {
                Step::Stop => return Ok(()),
                Step::Closed => return Err(Closed),
                Step::Sent => {}
                Step::Event(Ok(event)) => self.on_event(event).await?,
                Step::Event(Err(error)) => {
                    self.on_error(&error).await?;
                    let delay = self.backoff.next_delay();
                    tokio::select! {
                        () = shutdown.cancelled() => return Ok(()),
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    async fn on_event(&mut self, event: Event) -> Result<(), Closed> {
        match event {
            Event::Incoming(Packet::Publish(publish)) => {
                self.metrics.received.increment(1);
                let message = Message {
                    topic: &publish.topic,
                    payload: &publish.payload,
                    retain: publish.retain,
                    received_ms: now_ms(),
                };
                let errors_before = self.pending.errors.len();
                if self.router.route(&message, &mut self.pending) == Outcome::Discarded {
                    self.metrics.discarded.increment(1);
                }
                let new_errors = self.pending.errors.len() - errors_before;
                self.metrics.errors.increment(new_errors as u64);
                if let Some(newest) = self.pending.readings.last() {
                    let lag_ms = message.received_ms.saturating_sub(newest.time_ms);
                    self.metrics.lag_seconds.set(lag_ms as f64 / 1000.0);
                }
                Ok(())
            }
            Event::Incoming(Packet::ConnAck(ack)) => self.on_connected(ack.session_present).await,
            Event::Incoming(Packet::SubAck(ack)) => {
                let now = now_ms();
                for (filter, code) in self.filters.iter().zip(&ack.return_codes) {
                    if matches!(code, rumqttc::SubscribeReasonCode::Failure) {
                        self.metrics.errors.increment(1);
                        self.pending.errors.push(DecodeError::new(
                            &self.id,
                            "subscription_refused",
                            "the broker refused the subscription (not authorized?)",
                            filter.path.clone(),
                            "",
                            now,
                        ));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    async fn on_connected(&mut self, session_present: bool) -> Result<(), Closed> {
        self.backoff.reset();
        let resubscribe = !session_present || !self.link.subscribed;
        if resubscribe {
            // Queued for the event loop; the queue is far larger than the
            // few requests made per connection.
            if self
                .client
                .try_subscribe_many(self.filters.clone())
                .is_err()
            {
                self.metrics.errors.increment(1);
            }
            self.link.subscribed = true;
        }
        if let Some(topic) = &self.status_topic {
            let _ = self
                .client
                .try_publish(topic.clone(), QoS::AtLeastOnce, true, STATUS_ONLINE);
        }
        self.flush().await?;
        self.link.connected = true;
        self.link.reported = false;
        self.send(SourceEvent::Connected {
            source: self.id.clone(),
        })
        .await?;
        if let Some(from_ms) = self.link.lost_at_ms.take() {
            self.metrics.reconnects.increment(1);
            let session = if session_present {
                "the broker kept the session"
            } else {
                "no session was kept: resubscribed"
            };
            let gap = Gap {
                source: self.id.clone(),
                from_ms,
                to_ms: now_ms(),
                reason: format!("{}; {session}", self.link.lost_reason),
                backfilled: session_present && self.min_qos >= Qos::AT_LEAST_ONCE,
            };
            self.send(SourceEvent::Gap(gap)).await?;
        }
        Ok(())
    }

    async fn on_error(&mut self, error: &rumqttc::ConnectionError) -> Result<(), Closed> {
        self.metrics.errors.increment(1);
        let reason = describe(error);
        if self.link.connected {
            self.link.connected = false;
            self.link.lost_at_ms = Some(now_ms());
            self.link.lost_reason = format!("connection lost: {reason}");
        }
        if !self.link.reported {
            self.link.reported = true;
            self.flush().await?;
            self.send(SourceEvent::Disconnected {
                source: self.id.clone(),
                reason,
            })
            .await?;
        }
        Ok(())
    }

    /// Sends the pending batch, waiting for room.
    async fn flush(&mut self) -> Result<(), Closed> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = mem::take(&mut self.pending);
        self.metrics.sent.increment(batch.readings.len() as u64);
        self.send(SourceEvent::Batch(batch)).await
    }

    async fn send(&self, event: SourceEvent) -> Result<(), Closed> {
        self.tx.send(event).await.map_err(|_| Closed)
    }

    /// A clean stop: hand over the last batch, say `offline` on the status
    /// topic, and disconnect (which also tells the broker not to publish
    /// the will). Bounded in time: the consumer or the broker may be gone.
    async fn stop(&mut self, eventloop: &mut EventLoop) {
        let batch = mem::take(&mut self.pending);
        if !batch.is_empty() {
            self.metrics.sent.increment(batch.readings.len() as u64);
            let _ =
                tokio::time::timeout(STOP_TIMEOUT, self.tx.send(SourceEvent::Batch(batch))).await;
        }
        if !self.link.connected {
            return;
        }
        if let Some(topic) = &self.status_topic {
            let _ = self
                .client
                .try_publish(topic.clone(), QoS::AtLeastOnce, true, STATUS_OFFLINE);
        }
        if self.client.try_disconnect().is_err() {
            return;
        }
        let _ = tokio::time::timeout(STOP_TIMEOUT, async {
            loop {
                match eventloop.poll().await {
                    Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
    }
}
