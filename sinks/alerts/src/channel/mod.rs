//! The channels: how a message becomes requests, e-mails or publishes
//! ([`Outgoing`]), and how each is sent, with its failure classified as
//! worth retrying or not.

mod email;
mod http;
mod mqtt;
mod pagerduty;
mod slack;
mod webhook;

use std::time::Duration;

use crate::config::ChannelConfig;
use crate::notice::Message;

/// Why a delivery failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The receiver refused it (a 4xx, an SMTP 5xx reply): retrying the
    /// same message cannot succeed.
    #[error("refused: {0}")]
    Refused(String),
    /// The receiver failed or could not be reached (5xx, 429, timeout,
    /// connection refused): worth retrying.
    #[error("failed: {0}")]
    Unavailable(String),
}

/// One thing to send: a request body, an e-mail, an MQTT message.
pub(crate) enum Outgoing {
    Http(http::Request),
    Email(Box<lettre::Message>),
    Mqtt(serde_json::Value),
}

enum Transport {
    Http(http::Client),
    Email(email::Mailer),
    Mqtt(mqtt::Publisher),
}

/// A channel, ready to send.
pub(crate) struct Channel {
    sink: String,
    id: String,
    config: ChannelConfig,
    transport: Transport,
}

impl Channel {
    /// Opens a channel (inside the router's runtime: the MQTT connection
    /// task starts here).
    pub(crate) fn open(sink: &str, id: &str, config: &ChannelConfig) -> Result<Channel, String> {
        let timeout = Duration::from_secs(config.delivery().timeout_secs.max(1));
        let component = format!("{sink}.{id}");
        let transport = match config {
            ChannelConfig::Webhook(_) | ChannelConfig::Slack(_) | ChannelConfig::Pagerduty(_) => {
                Transport::Http(http::Client::new(timeout)?)
            }
            ChannelConfig::Email(c) => Transport::Email(email::Mailer::new(c, timeout)?),
            ChannelConfig::Mqtt(c) => {
                Transport::Mqtt(mqtt::Publisher::start(c, &component, timeout)?)
            }
        };
        Ok(Channel {
            sink: sink.to_owned(),
            id: id.to_owned(),
            config: config.clone(),
            transport,
        })
    }

    /// The channel's id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// What `message` becomes on this channel.
    pub(crate) fn render(&self, message: &Message) -> Result<Vec<Outgoing>, String> {
        Ok(match &self.config {
            ChannelConfig::Webhook(c) => vec![Outgoing::Http(webhook::render(
                c, &self.sink, &self.id, message,
            )?)],
            ChannelConfig::Slack(c) => vec![Outgoing::Http(slack::render(c, message)?)],
            ChannelConfig::Pagerduty(c) => pagerduty::render(c, message)?
                .into_iter()
                .map(Outgoing::Http)
                .collect(),
            ChannelConfig::Email(c) => match &self.transport {
                Transport::Email(mailer) => {
                    vec![Outgoing::Email(Box::new(mailer.render(c, message)?))]
                }
                _ => return Err("e-mail channel without a mailer".into()),
            },
            ChannelConfig::Mqtt(_) => mqtt::render(&self.sink, &self.id, message)?
                .into_iter()
                .map(Outgoing::Mqtt)
                .collect(),
        })
    }

    /// Sends one thing, once.
    pub(crate) async fn send(&self, outgoing: &Outgoing) -> Result<(), DeliveryError> {
        match (&self.transport, outgoing) {
            (Transport::Http(client), Outgoing::Http(request)) => client.send(request).await,
            (Transport::Email(mailer), Outgoing::Email(email)) => mailer.send(email).await,
            (Transport::Mqtt(publisher), Outgoing::Mqtt(value)) => publisher.send(value).await,
            _ => Err(DeliveryError::Refused(
                "message rendered for another kind of channel".into(),
            )),
        }
    }

    /// Stops the channel's connections.
    pub(crate) async fn close(self) {
        if let Transport::Mqtt(publisher) = self.transport {
            publisher.close().await;
        }
    }
}
