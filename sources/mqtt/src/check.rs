//! The connection test behind `steamflow run --check`: can the broker be
//! reached, does it accept the login, does it grant each subscription, and
//! do the messages it delivers right away (retained ones) decode?
//!
//! The check connects with its own client id (`<client id>-check`) and a
//! clean session, so that it neither takes over nor changes the persistent
//! session of a running source.

use std::fmt;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, Packet, SubscribeReasonCode};
use steamflow_source_core::SourceBatch;
use tokio::time::{Instant, timeout_at};

use crate::config::MqttSourceConfig;
use crate::connection::{self, REQUEST_CAPACITY, describe, now_ms};
use crate::decode::Message;
use crate::error::Error;
use crate::source::{Router, subscribe_filters};

/// How long the check listens for retained messages after subscribing.
const SAMPLE_TIME: Duration = Duration::from_millis(500);

/// The fate of one subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionCheck {
    /// The filter sent to the broker.
    pub filter: String,
    /// The QoS asked for.
    pub requested_qos: u8,
    /// The QoS the broker granted; `None`: refused.
    pub granted_qos: Option<u8>,
}

/// What a check found.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// `host:port` of the broker.
    pub broker: String,
    /// Whether the connection is encrypted.
    pub tls: bool,
    /// Whether a user name was sent (and accepted: the report exists).
    pub authenticated: bool,
    pub subscriptions: Vec<SubscriptionCheck>,
    /// Messages received while listening briefly (retained ones, mostly).
    pub messages_sampled: usize,
    /// Readings they decoded to.
    pub readings_decoded: usize,
    /// Decode errors among them: `reason: message (origin)`, the first few.
    pub decode_errors: Vec<String>,
}

impl CheckReport {
    /// Whether everything asked for was granted and nothing failed to decode.
    pub fn ok(&self) -> bool {
        self.subscriptions.iter().all(|s| s.granted_qos.is_some()) && self.decode_errors.is_empty()
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = if self.tls { "TLS" } else { "TCP" };
        let login = if self.authenticated {
            "logged in"
        } else {
            "anonymous"
        };
        writeln!(f, "broker {} reachable ({transport}, {login})", self.broker)?;
        for subscription in &self.subscriptions {
            match subscription.granted_qos {
                Some(qos) => writeln!(
                    f,
                    "  subscribed {} (QoS {} granted, {} asked)",
                    subscription.filter, qos, subscription.requested_qos
                )?,
                None => writeln!(f, "  REFUSED {}", subscription.filter)?,
            }
        }
        writeln!(
            f,
            "  sampled {} message(s): {} reading(s), {} decode error(s)",
            self.messages_sampled,
            self.readings_decoded,
            self.decode_errors.len()
        )?;
        for error in &self.decode_errors {
            writeln!(f, "    {error}")?;
        }
        Ok(())
    }
}

/// Tests the source's broker and subscriptions without disturbing it.
pub async fn check(config: &MqttSourceConfig) -> Result<CheckReport, Error> {
    let issues = config.validate();
    if !issues.is_empty() {
        return Err(Error::config(&issues));
    }
    let id = "check";
    let mut router = Router::new(id, &config.subscriptions)?;
    let filters = subscribe_filters(&config.subscriptions, &router);
    let client_id = format!("{}-check", config.broker.client_id(id));
    let options = connection::options(&config.broker, client_id, true, None)?;
    let (client, mut eventloop) = AsyncClient::new(options, REQUEST_CAPACITY);
    eventloop.set_network_options(connection::network_options(&config.broker));
    let broker = config.broker.address();
    let deadline = Instant::now() + Duration::from_secs(config.broker.connect_timeout_secs.max(1));

    wait_for(&mut eventloop, deadline, &broker, "the CONNACK", |packet| {
        matches!(packet, Packet::ConnAck(_))
    })
    .await?;
    client
        .try_subscribe_many(filters.clone())
        .map_err(|error| Error::Connect {
            broker: broker.clone(),
            reason: error.to_string(),
        })?;
    let mut report = CheckReport {
        broker: broker.clone(),
        tls: config.broker.tls.is_some(),
        authenticated: config.broker.username.is_some(),
        subscriptions: Vec::new(),
        messages_sampled: 0,
        readings_decoded: 0,
        decode_errors: Vec::new(),
    };
    let mut batch = SourceBatch::default();
    let deadline = Instant::now() + Duration::from_secs(config.broker.connect_timeout_secs.max(1));
    let suback = wait_for(&mut eventloop, deadline, &broker, "the SUBACK", |packet| {
        matches!(packet, Packet::SubAck(_))
    })
    .await?;
    if let Packet::SubAck(ack) = suback {
        report.subscriptions = filters
            .iter()
            .zip(
                ack.return_codes
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .map(|(filter, code)| SubscriptionCheck {
                filter: filter.path.clone(),
                requested_qos: filter.qos as u8,
                granted_qos: match code {
                    Some(SubscribeReasonCode::Success(qos)) => Some(*qos as u8),
                    _ => None,
                },
            })
            .collect();
    }
    let sample_end = Instant::now() + SAMPLE_TIME;
    while let Ok(Ok(event)) = timeout_at(sample_end, eventloop.poll()).await {
        if let Event::Incoming(Packet::Publish(publish)) = event {
            report.messages_sampled += 1;
            let message = Message {
                topic: &publish.topic,
                payload: &publish.payload,
                retain: publish.retain,
                received_ms: now_ms(),
            };
            router.route(&message, &mut batch);
        }
    }
    report.readings_decoded = batch.readings.len();
    report.decode_errors = batch
        .errors
        .iter()
        .take(10)
        .map(|error| format!("{}: {} ({})", error.reason, error.message, error.origin))
        .collect();
    let _ = client.try_disconnect();
    let _ = timeout_at(
        Instant::now() + Duration::from_millis(500),
        eventloop.poll(),
    )
    .await;
    Ok(report)
}

/// Polls until a packet `wanted` arrives; connection errors and the
/// deadline end the check.
async fn wait_for(
    eventloop: &mut EventLoop,
    deadline: Instant,
    broker: &str,
    what: &str,
    wanted: impl Fn(&Packet) -> bool,
) -> Result<Packet, Error> {
    loop {
        match timeout_at(deadline, eventloop.poll()).await {
            Err(_) => {
                return Err(Error::Timeout(format!(
                    "no answer from {broker}: waited for {what}"
                )));
            }
            Ok(Err(error)) => {
                return Err(Error::Connect {
                    broker: broker.to_owned(),
                    reason: describe(&error),
                });
            }
            Ok(Ok(Event::Incoming(packet))) if wanted(&packet) => return Ok(packet),
            Ok(Ok(_)) => {}
        }
    }
}
