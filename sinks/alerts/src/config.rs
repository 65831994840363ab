//! `[sinks.<id>]` with `type = "alerts"`: the channels alerts go to and
//! the routes that choose them.
//!
//! ```toml
//! [sinks.oncall]
//! type = "alerts"
//! inputs = ["alerts"]
//! group_window_secs = 30          # alerts within 30 s go out as one message
//!
//! [sinks.oncall.channels.ops_slack]
//! type = "slack"
//! webhook_url = "${SLACK_WEBHOOK_URL}"
//! rate_limit = { per_minute = 6, burst = 3 }
//!
//! [sinks.oncall.channels.pager]
//! type = "pagerduty"
//! routing_key = "${PAGERDUTY_ROUTING_KEY}"
//!
//! [sinks.oncall.channels.manager]
//! type = "email"
//! host = "smtp.example.com"
//! tls = "starttls"
//! username = "steamflow"
//! password = "${SMTP_PASSWORD}"
//! from = "steamflow <steamflow@example.com>"
//! to = ["energy-manager@example.com"]
//!
//! [[sinks.oncall.routes]]
//! severities = ["critical", "high"]
//! channels = ["pager", "ops_slack"]
//! escalate_after_secs = 900       # not acknowledged in 15 min: e-mail the manager
//! escalate_to = ["manager"]
//!
//! [[sinks.oncall.routes]]
//! plants = ["north"]
//! conditions = ["trap_failure", "leak"]
//! channels = ["ops_slack"]
//! ```
//!
//! Every route whose matchers all match an alert applies (an empty matcher
//! matches everything); an alert goes once to each channel of the routes it
//! matches. An alert that matches no route is counted
//! (`component_discarded_events_total`) and logged, never silently lost.
//! Secrets (`routing_key`, `password`, webhook URLs, header values) come
//! from `${ENV_VAR}` references and never appear in `Debug` output or logs.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use steamflow_operators::alerting::Severity;
use steamflow_source_core::BackoffConfig;
use steamflow_source_mqtt::{ConnectionConfig, MqttSinkConfig, Qos};

/// The alert conditions a route can name in `conditions`.
pub const CONDITIONS: &[&str] = &[
    "threshold",
    "trap_failure",
    "leak",
    "loss",
    "balance_closure",
    "pressure_anomaly",
    "recovery_rate",
];

/// An alert-routing sink.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsSinkConfig {
    /// Streams routed: `alerts` (the alert rules' notifications).
    pub inputs: Vec<String>,
    /// Notifications for one channel within this window go out as one
    /// message (one e-mail, one Slack post) [s]; 0 sends each at once.
    #[serde(default = "default_group_window_secs")]
    pub group_window_secs: u64,
    /// The channels, by id.
    pub channels: BTreeMap<String, ChannelConfig>,
    /// Which alerts go to which channels.
    pub routes: Vec<RouteConfig>,
}

fn default_group_window_secs() -> u64 {
    10
}

/// Which alerts a route takes, and where they go.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Severities taken; empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severities: Vec<Severity>,
    /// Plants taken; empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plants: Vec<String>,
    /// Alert rule ids (`[alerts.<id>]`) taken; empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// Alert kinds (the rules' `condition`: `trap_failure`, `leak`, ...)
    /// taken; empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// Channel ids the alerts go to.
    pub channels: Vec<String>,
    /// An alert still open and not acknowledged this long after it was
    /// sent is escalated to `escalate_to` [s].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_after_secs: Option<u64>,
    /// Channel ids an unacknowledged alert is escalated to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_to: Vec<String>,
}

/// A text that must not be logged: a routing key, a password, a URL with
/// a token in it. Written as a plain string; `Debug` shows `<redacted>`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A token bucket: `burst` messages at once, refilled at `per_minute`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Messages per minute in the long run.
    pub per_minute: f64,
    /// Messages that may go out back to back; default: 1.
    #[serde(default = "default_burst")]
    pub burst: u32,
}

fn default_burst() -> u32 {
    1
}

/// Retries of a failed delivery: server errors (5xx, 429) and timeouts or
/// refused connections are retried with exponential backoff and full
/// jitter until `give_up_after_secs`; a client error (other 4xx, an SMTP
/// 5xx reply) cannot succeed and is not retried.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryConfig {
    /// First delay ceiling [ms].
    pub initial_ms: u64,
    /// Largest delay [ms].
    pub max_ms: u64,
    /// Stop retrying a message after this long; it is then counted as
    /// failed [s].
    pub give_up_after_secs: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            initial_ms: 500,
            max_ms: 60_000,
            give_up_after_secs: 3_600,
        }
    }
}

impl RetryConfig {
    /// The backoff settings.
    pub fn backoff(&self) -> BackoffConfig {
        BackoffConfig {
            initial_ms: self.initial_ms,
            max_ms: self.max_ms,
        }
    }
}

/// How a channel delivers, whatever its kind (its `rate_limit`, `retry`
/// and `timeout_secs` keys).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delivery {
    /// The token bucket, if any.
    pub rate_limit: Option<RateLimit>,
    /// Retries.
    pub retry: RetryConfig,
    /// Time allowed for one attempt [s].
    pub timeout_secs: u64,
}

fn default_timeout_secs() -> u64 {
    10
}

/// One channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChannelConfig {
    /// A JSON POST to any URL.
    Webhook(WebhookConfig),
    /// A Slack incoming webhook.
    Slack(SlackConfig),
    /// PagerDuty Events API v2.
    Pagerduty(PagerDutyConfig),
    /// E-mail over SMTP.
    Email(EmailConfig),
    /// An MQTT broker.
    Mqtt(MqttChannelConfig),
}

impl ChannelConfig {
    /// The delivery settings.
    pub fn delivery(&self) -> Delivery {
        let (rate_limit, retry, timeout_secs) = match self {
            ChannelConfig::Webhook(c) => (c.rate_limit, c.retry, c.timeout_secs),
            ChannelConfig::Slack(c) => (c.rate_limit, c.retry, c.timeout_secs),
            ChannelConfig::Pagerduty(c) => (c.rate_limit, c.retry, c.timeout_secs),
            ChannelConfig::Email(c) => (c.rate_limit, c.retry, c.timeout_secs),
            ChannelConfig::Mqtt(c) => (c.rate_limit, c.retry, c.timeout_secs),
        };
        Delivery {
            rate_limit,
            retry,
            timeout_secs,
        }
    }

    /// The `type` name.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Webhook(_) => "webhook",
            ChannelConfig::Slack(_) => "slack",
            ChannelConfig::Pagerduty(_) => "pagerduty",
            ChannelConfig::Email(_) => "email",
            ChannelConfig::Mqtt(_) => "mqtt",
        }
    }
}

/// `type = "webhook"`: each message POSTed as a JSON object
/// `{"sink", "channel", "summary", "notices": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The URL (http or https).
    pub url: Secret,
    /// Extra request headers (an `Authorization` token from `${ENV_VAR}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Secret>,
    /// Messages allowed out; absent: no limit. A message over the limit
    /// waits for its token (in order), it is not dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Retries of failed deliveries.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Time allowed for one delivery attempt [s].
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

/// `type = "slack"`: a Slack incoming webhook; text and Block Kit blocks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// The incoming webhook URL (it holds the token: `${ENV_VAR}`).
    pub webhook_url: Secret,
    /// Messages allowed out; absent: no limit. A message over the limit
    /// waits for its token (in order), it is not dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Retries of failed deliveries.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Time allowed for one delivery attempt [s].
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

/// The PagerDuty Events API v2 endpoint.
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// `type = "pagerduty"`: PagerDuty Events API v2 — trigger, acknowledge
/// and resolve events with the alert's de-duplication key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyConfig {
    /// The integration (routing) key of the service.
    pub routing_key: Secret,
    /// The events endpoint; default PagerDuty's.
    #[serde(default = "default_pagerduty_url")]
    pub url: String,
    /// `payload.source`: the system the alerts come from; default `steamflow`.
    #[serde(default = "default_source")]
    pub source: String,
    /// Messages allowed out; absent: no limit. A message over the limit
    /// waits for its token (in order), it is not dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Retries of failed deliveries.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Time allowed for one delivery attempt [s].
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_pagerduty_url() -> String {
    PAGERDUTY_EVENTS_URL.to_owned()
}

fn default_source() -> String {
    "steamflow".to_owned()
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain text (a relay on the same host only).
    None,
    /// Plain connection upgraded with STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpTls {
    /// The usual port.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// `type = "email"`: one plain-text e-mail per message over SMTP.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// The SMTP server.
    pub host: String,
    /// Its port; default by `tls`: 25, 587 or 465.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `none`, `starttls` (default) or `tls`.
    #[serde(default)]
    pub tls: SmtpTls,
    /// SMTP user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// SMTP password; requires `username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// Put before every subject.
    #[serde(default = "default_subject_prefix")]
    pub subject_prefix: String,
    /// Messages allowed out; absent: no limit. A message over the limit
    /// waits for its token (in order), it is not dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Retries of failed deliveries.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Time allowed for one delivery attempt [s].
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_subject_prefix() -> String {
    "[steamflow]".to_owned()
}

/// `type = "mqtt"`: each notification published as a JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttChannelConfig {
    /// The broker and how to log in (as for the MQTT source).
    pub broker: ConnectionConfig,
    /// Topic template filled from the notification's fields
    /// (`plant`, `rule`, `asset`, `severity`, `status`, `dedup_key`).
    #[serde(default = "default_topic")]
    pub topic: String,
    /// QoS 0, 1 (default) or 2.
    #[serde(default)]
    pub qos: Qos,
    /// Publish retained (the last state of each topic for late subscribers).
    #[serde(default)]
    pub retain: bool,
    /// Messages allowed out; absent: no limit. A message over the limit
    /// waits for its token (in order), it is not dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Retries of failed deliveries.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Time allowed for one delivery attempt [s].
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_topic() -> String {
    "steamflow/alerts/{plant}/{status}".to_owned()
}

impl MqttChannelConfig {
    /// The MQTT sink's config.
    pub fn sink(&self) -> MqttSinkConfig {
        let mut sink = MqttSinkConfig::new(self.broker.clone(), self.topic.clone());
        sink.qos = self.qos;
        sink.retain = self.retain;
        sink
    }
}
