//! The MQTT sink: publishes records (alerts, readings, rows of any named
//! stream) as JSON objects to a topic template filled from each record's
//! fields, with the configured QoS and retain flag. Alert routing and the
//! simulator's `--serve mqtt` use it.
//!
//! A background task drives the connection and reconnects with backoff.
//! Publishing waits while rumqttc's request queue is full (the broker is
//! down or slow): back-pressure, not unbounded memory. [`MqttSink::flush`]
//! waits until every message was confirmed (QoS 1: PUBACK, QoS 2: PUBCOMP,
//! QoS 0: written to the socket). Messages in flight when the broker comes
//! back without the session (a clean session, or a broker restarted
//! without persistence) cannot be resent: they are counted as lost
//! (`component_errors_total`) and `flush` reports them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, Outgoing, Packet, Request};
use serde::Serialize;
use serde_json::Value;
use steamflow_operators::reading::{Reading, format_utc_ms};
use steamflow_source_core::{Backoff, ComponentMetrics};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{MqttSinkConfig, Qos};
use crate::connection::{self, REQUEST_CAPACITY, describe};
use crate::error::Error;
use crate::topic::NameTemplate;

/// Messages confirmed and lost so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Progress {
    confirmed: u64,
    lost: u64,
}

/// Connection state seen by the sink's users.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkStatus {
    pub connected: bool,
    /// Why the last connection attempt or connection failed.
    pub last_error: Option<String>,
}

/// A running MQTT sink.
pub struct MqttSink {
    client: AsyncClient,
    topic: NameTemplate,
    qos: rumqttc::QoS,
    retain: bool,
    published: Arc<AtomicU64>,
    progress: watch::Receiver<Progress>,
    status: watch::Receiver<SinkStatus>,
    metrics: ComponentMetrics,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

/// A reading as the sink publishes it: the field names of the MQTT source's
/// defaults (and of the JSON Lines files), time as RFC 3339.
#[derive(Serialize)]
struct ReadingRecord<'a> {
    time: String,
    plant: &'a str,
    tag: &'a str,
    /// NaN and ±∞ are written as `null`, which JSON readers take as "no value".
    value: f64,
    quality: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
}

impl MqttSink {
    /// Starts the sink's connection task (on the current tokio runtime).
    /// It runs until [`MqttSink::close`] or until `shutdown` is cancelled.
    pub fn start(
        config: &MqttSinkConfig,
        id: &str,
        shutdown: CancellationToken,
    ) -> Result<MqttSink, Error> {
        let issues = config.validate();
        if !issues.is_empty() {
            return Err(Error::config(&issues));
        }
        let topic = NameTemplate::parse(&config.topic)
            .map_err(|message| Error::Config(format!("topic: {message}")))?;
        let mut options = connection::options(
            &config.broker,
            config.broker.client_id(id),
            config.clean_session(),
            None,
        )?;
        // Validated above: never 0 (rumqttc would panic).
        options.set_inflight(config.max_inflight.max(1));
        let (client, mut eventloop) = AsyncClient::new(options, REQUEST_CAPACITY);
        eventloop.set_network_options(connection::network_options(&config.broker));
        let metrics = ComponentMetrics::new(id, "mqtt");
        let (progress_tx, progress) = watch::channel(Progress::default());
        let (status_tx, status) = watch::channel(SinkStatus::default());
        let stop = shutdown.child_token();
        let driver = Driver {
            qos: config.qos,
            backoff: Backoff::new(config.broker.backoff, connection::jitter_seed(id)),
            progress: progress_tx,
            status: status_tx,
            metrics: metrics.clone(),
        };
        let task = tokio::spawn(driver.run(eventloop, stop.clone()));
        Ok(MqttSink {
            client,
            topic,
            qos: config.qos.to_rumqttc(),
            retain: config.retain,
            published: Arc::new(AtomicU64::new(0)),
            progress,
            status,
            metrics,
            stop,
            task: Some(task),
        })
    }

    /// Publishes a record as a JSON object; the topic is filled from its
    /// top-level fields. Waits while the request queue is full.
    pub async fn send<T: Serialize + ?Sized>(&self, record: &T) -> Result<(), Error> {
        let value =
            serde_json::to_value(record).map_err(|error| Error::Publish(error.to_string()))?;
        let topic = self.topic_of(&value)?;
        let payload =
            serde_json::to_vec(&value).map_err(|error| Error::Publish(error.to_string()))?;
        self.publish(topic, payload).await
    }

    /// Publishes a reading as `{"time", "plant", "tag", "value", "quality", "unit"}`.
    pub async fn send_reading(&self, reading: &Reading) -> Result<(), Error> {
        self.send(&ReadingRecord {
            time: format_utc_ms(reading.time_ms),
            plant: reading.plant.as_str(),
            tag: reading.tag.as_str(),
            value: reading.value,
            quality: reading.quality.as_str(),
            unit: reading.unit.as_ref().map(|unit| unit.as_str()),
        })
        .await
    }

    async fn publish(&self, topic: String, payload: Vec<u8>) -> Result<(), Error> {
        self.metrics.received.increment(1);
        self.client
            .publish(topic, self.qos, self.retain, payload)
            .await
            .map_err(|_| Error::Publish("the sink is closed".into()))?;
        self.published.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// The topic of a record: the template filled from its fields.
    fn topic_of(&self, record: &Value) -> Result<String, Error> {
        let mut topic = String::new();
        let mut missing = None;
        self.topic
            .render_into(&mut topic, |field, out| {
                let text = match record.get(field) {
                    Some(Value::String(text)) => text.clone(),
                    Some(Value::Number(number)) => number.to_string(),
                    Some(Value::Bool(flag)) => flag.to_string(),
                    _ => {
                        missing = Some(field.to_owned());
                        return None;
                    }
                };
                // A value must stay one topic level and may not be a wildcard.
                out.extend(text.chars().map(|c| {
                    if matches!(c, '/' | '+' | '#' | '\0') {
                        '_'
                    } else {
                        c
                    }
                }));
                Some(())
            })
            .ok_or_else(|| {
                Error::Publish(format!(
                    "the record has no text or number field `{}` for the topic",
                    missing.unwrap_or_default()
                ))
            })?;
        Ok(topic)
    }

    /// Waits until every message published so far was confirmed, at most
    /// `timeout`. Messages lost in a reconnect without session are an error.
    pub async fn flush(&self, timeout: Duration) -> Result<(), Error> {
        let published = self.published.load(Ordering::Relaxed);
        let mut progress = self.progress.clone();
        let lost_before = progress.borrow().lost;
        let waited = tokio::time::timeout(
            timeout,
            progress.wait_for(|p| p.confirmed + p.lost >= published),
        )
        .await;
        match waited {
            Err(_) => {
                let p = *self.progress.borrow();
                Err(Error::Timeout(format!(
                    "{} of {published} message(s) not confirmed by the broker",
                    published.saturating_sub(p.confirmed + p.lost)
                )))
            }
            Ok(Err(_)) => Err(Error::Publish("the sink's connection task ended".into())),
            Ok(Ok(p)) if p.lost > lost_before => Err(Error::Publish(format!(
                "{} message(s) lost: the broker came back without the session",
                p.lost - lost_before
            ))),
            Ok(Ok(_)) => Ok(()),
        }
    }

    /// Whether the sink is connected, and the last connection error.
    pub fn status(&self) -> SinkStatus {
        self.status.borrow().clone()
    }

    /// Flushes (at most `timeout`), disconnects and ends the connection task.
    pub async fn close(mut self, timeout: Duration) -> Result<(), Error> {
        let flushed = self.flush(timeout).await;
        let _ = self.client.try_disconnect();
        // The task ends on the DISCONNECT going out, or when stopped (on drop).
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(1), task).await;
        }
        flushed
    }
}

/// A sink dropped without [`MqttSink::close`] stops its connection task
/// (without waiting for unconfirmed messages).
impl Drop for MqttSink {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The sink's connection task.
struct Driver {
    qos: Qos,
    backoff: Backoff,
    progress: watch::Sender<Progress>,
    status: watch::Sender<SinkStatus>,
    metrics: ComponentMetrics,
}

impl Driver {
    async fn run(mut self, mut eventloop: EventLoop, stop: CancellationToken) {
        // What a reconnect without session will drop: rumqttc moves the
        // unconfirmed requests to `pending` on a connection error and
        // clears them when the new CONNACK says the session is gone.
        let mut at_risk = (0u64, 0u64);
        loop {
            if eventloop.network.is_none() {
                at_risk = pending_counts(&eventloop);
            }
            let event = tokio::select! {
                () = stop.cancelled() => return,
                event = eventloop.poll() => event,
            };
            match event {
                Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                    self.backoff.reset();
                    if !ack.session_present {
                        let (publishes, releases) = at_risk;
                        // Released QoS 2 messages reached the broker already.
                        self.advance(releases, publishes);
                        self.metrics.errors.increment(publishes);
                    }
                    self.status.send_replace(SinkStatus {
                        connected: true,
                        last_error: None,
                    });
                }
                Ok(Event::Outgoing(Outgoing::Publish(_))) if self.qos == Qos::AT_MOST_ONCE => {
                    self.advance(1, 0);
                }
                Ok(Event::Incoming(Packet::PubAck(_))) if self.qos == Qos::AT_LEAST_ONCE => {
                    self.advance(1, 0);
                }
                Ok(Event::Incoming(Packet::PubComp(_))) if self.qos == Qos::EXACTLY_ONCE => {
                    self.advance(1, 0);
                }
                Ok(Event::Outgoing(Outgoing::Disconnect)) => return,
                Ok(_) => {}
                Err(rumqttc::ConnectionError::RequestsDone) => return,
                Err(error) => {
                    self.metrics.errors.increment(1);
                    self.status.send_replace(SinkStatus {
                        connected: false,
                        last_error: Some(describe(&error)),
                    });
                    let delay = self.backoff.next_delay();
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    fn advance(&self, confirmed: u64, lost: u64) {
        self.metrics.sent.increment(confirmed);
        self.progress.send_modify(|progress| {
            progress.confirmed += confirmed;
            progress.lost += lost;
        });
    }
}

fn pending_counts(eventloop: &EventLoop) -> (u64, u64) {
    eventloop
        .pending
        .iter()
        .fold((0, 0), |(publishes, releases), request| match request {
            Request::Publish(_) => (publishes + 1, releases),
            Request::PubRel(_) => (publishes, releases + 1),
            _ => (publishes, releases),
        })
}

/// Publishes every reading received on `rx` until it closes or `shutdown`
/// is cancelled: the MQTT side of `steamflow simulate --serve mqtt`, with
/// `config.topic` such as `steam/{plant}/{tag}` (fields: `time`, `plant`,
/// `tag`, `value`, `quality`, `unit`).
pub async fn serve(
    config: &MqttSinkConfig,
    id: &str,
    mut rx: mpsc::Receiver<Reading>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let sink = MqttSink::start(config, id, shutdown.clone())?;
    loop {
        let reading = tokio::select! {
            () = shutdown.cancelled() => break,
            reading = rx.recv() => reading,
        };
        match reading {
            Some(reading) => sink.send_reading(&reading).await?,
            None => break,
        }
    }
    sink.close(Duration::from_secs(5)).await
}
