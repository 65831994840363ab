//! The configuration of the MQTT source (`[sources.<id>]` with
//! `type = "mqtt"`) and of the MQTT sink (`[sinks.<id>]` with
//! `type = "mqtt"`).
//!
//! ```toml
//! [sources.plant_mqtt]
//! type = "mqtt"
//! status_topic = "steamflow/north/status"
//!
//! [sources.plant_mqtt.broker]
//! host = "broker.plant.local"
//! port = 8883
//! client_id = "steamflow-north"
//! clean_session = false
//! username = "${MQTT_USER}"
//! password = "${MQTT_PASSWORD}"
//! tls = { ca_file = "certs/plant-ca.pem" }
//!
//! [[sources.plant_mqtt.subscriptions]]
//! topic = "steam/{plant}/traps/{tag}/status"
//! qos = 1
//! fields = { time = "ts", value = "/data/acoustic_db", quality = "q" }
//! unit = "dB"
//!
//! [[sources.plant_mqtt.subscriptions]]
//! topic = "steam/{plant}/{network}/generation"
//! tag = "{network}.generation"
//! fields = { readings = "points", tag = "name" }
//! ```
//!
//! Secrets (`password`, key files) come from `${ENV_VAR}` references that the
//! pipeline's config loader resolves: this crate sees plain strings.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use steamflow_source_core::BackoffConfig;

use crate::path::FieldPath;
use crate::topic::{NameTemplate, TopicTemplate};

/// An MQTT quality of service level: 0 (at most once), 1 (at least once) or
/// 2 (exactly once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Qos(u8);

impl Qos {
    pub const AT_MOST_ONCE: Qos = Qos(0);
    pub const AT_LEAST_ONCE: Qos = Qos(1);
    pub const EXACTLY_ONCE: Qos = Qos(2);

    /// The level as rumqttc names it.
    pub fn to_rumqttc(self) -> rumqttc::QoS {
        match self.0 {
            0 => rumqttc::QoS::AtMostOnce,
            1 => rumqttc::QoS::AtLeastOnce,
            _ => rumqttc::QoS::ExactlyOnce,
        }
    }

    /// The level as a number, 0..=2.
    pub fn level(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Qos {
    type Error = String;

    fn try_from(level: u8) -> Result<Self, Self::Error> {
        if level <= 2 {
            Ok(Qos(level))
        } else {
            Err(format!("QoS must be 0, 1 or 2, found {level}"))
        }
    }
}

impl From<Qos> for u8 {
    fn from(qos: Qos) -> u8 {
        qos.0
    }
}

impl Default for Qos {
    fn default() -> Self {
        Qos::AT_LEAST_ONCE
    }
}

/// How to reach and log in to a broker (`broker` table of the source and
/// of the sink). MQTT 3.1.1 over TCP, or over TLS when `tls` is present.
/// Its `Debug` output hides the password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionConfig {
    /// Host name or IP address of the broker.
    pub host: String,
    /// TCP port; by default 1883, or 8883 with `tls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The MQTT client id. Keep it stable: a persistent session belongs to
    /// it. By default `steamflow-<component id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `false` asks the broker to keep the session (subscriptions, and QoS
    /// 1/2 messages published while steamflow is away) between
    /// connections. Default: `false` for the source, `true` for the sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_session: Option<bool>,
    /// User name; `${ENV_VAR}` in the config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password; `${ENV_VAR}` in the config file. Requires `username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Keep-alive interval [s]: the broker drops the connection after 1.5×
    /// this without traffic, and the will is published. Default 30.
    #[serde(default = "default_keep_alive_secs")]
    pub keep_alive_secs: u64,
    /// Time allowed to open the connection, TLS and CONNACK included [s]. Default 10.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// Largest MQTT packet accepted or sent [bytes]. A larger incoming
    /// message breaks the connection (the protocol cannot skip it), so keep
    /// this above the largest payload publishers send. Default 1 MiB.
    #[serde(default = "default_max_packet_size_bytes")]
    pub max_packet_size_bytes: usize,
    /// TLS (rustls): present means the connection is encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
    /// Reconnect delays: exponential backoff with full jitter.
    #[serde(default)]
    pub backoff: BackoffConfig,
}

impl std::fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field("clean_session", &self.clean_session)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("keep_alive_secs", &self.keep_alive_secs)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("max_packet_size_bytes", &self.max_packet_size_bytes)
            .field("tls", &self.tls)
            .field("backoff", &self.backoff)
            .finish()
    }
}

fn default_keep_alive_secs() -> u64 {
    30
}

fn default_connect_timeout_secs() -> u64 {
    10
}

fn default_max_packet_size_bytes() -> usize {
    1024 * 1024
}

impl ConnectionConfig {
    /// A plain-TCP connection to `host:port` with every other key at its default.
    pub fn new(host: impl Into<String>, port: u16) -> ConnectionConfig {
        ConnectionConfig {
            host: host.into(),
            port: Some(port),
            client_id: None,
            clean_session: None,
            username: None,
            password: None,
            keep_alive_secs: default_keep_alive_secs(),
            connect_timeout_secs: default_connect_timeout_secs(),
            max_packet_size_bytes: default_max_packet_size_bytes(),
            tls: None,
            backoff: BackoffConfig::default(),
        }
    }

    /// The port, defaulted by the transport.
    pub fn port(&self) -> u16 {
        self.port
            .unwrap_or(if self.tls.is_some() { 8883 } else { 1883 })
    }

    /// The client id, defaulted from the component id.
    pub fn client_id(&self, component_id: &str) -> String {
        self.client_id
            .clone()
            .unwrap_or_else(|| format!("steamflow-{component_id}"))
    }

    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port())
    }

    fn check(&self, issues: &mut Vec<ConfigIssue>) {
        let at = |key: &'static str| vec![KeySegment::Key("broker"), KeySegment::Key(key)];
        if self.host.trim().is_empty() {
            issues.push(ConfigIssue::new(at("host"), "must name the broker host"));
        }
        if self.port == Some(0) {
            issues.push(ConfigIssue::new(at("port"), "must be 1..=65535"));
        }
        if let Some(client_id) = &self.client_id {
            if client_id.is_empty() {
                issues.push(ConfigIssue::new(at("client_id"), "must not be empty"));
            } else if client_id.len() > 65_535 {
                issues.push(ConfigIssue::new(
                    at("client_id"),
                    "is longer than MQTT allows",
                ));
            }
        }
        if self.password.is_some() && self.username.is_none() {
            issues.push(ConfigIssue::new(
                at("password"),
                "MQTT 3.1.1 sends a password only with a user name: set `username`",
            ));
        }
        if self.keep_alive_secs > u64::from(u16::MAX) {
            issues.push(ConfigIssue::new(
                at("keep_alive_secs"),
                format!("must be at most {} (MQTT's limit)", u16::MAX),
            ));
        } else if self.keep_alive_secs != 0 && self.keep_alive_secs < 5 {
            issues.push(ConfigIssue::new(
                at("keep_alive_secs"),
                "must be 0 (off) or at least 5",
            ));
        }
        if self.connect_timeout_secs == 0 {
            issues.push(ConfigIssue::new(
                at("connect_timeout_secs"),
                "must be at least 1",
            ));
        }
        if self.max_packet_size_bytes < 128 {
            issues.push(ConfigIssue::new(
                at("max_packet_size_bytes"),
                "must be at least 128",
            ));
        }
        if let Some(tls) = &self.tls
            && tls.client_cert_file.is_some() != tls.client_key_file.is_some()
        {
            issues.push(ConfigIssue::new(
                vec![KeySegment::Key("broker"), KeySegment::Key("tls")],
                "client_cert_file and client_key_file go together",
            ));
        }
    }
}

/// TLS settings (rustls, ring provider).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file of the CA certificates that may sign the broker's
    /// certificate; absent: the operating system's trusted roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// PEM certificate chain for client authentication (mutual TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_file: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of `client_cert_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_file: Option<PathBuf>,
}

/// What to do with retained messages: the last value the broker kept for a
/// topic, delivered on subscribing. It may be hours old.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetainedPolicy {
    /// Take it as any other message.
    Accept,
    /// Take it, but with quality at most `uncertain`: it is a kept value,
    /// not a fresh measurement.
    #[default]
    Flag,
    /// Drop it (counted as discarded).
    Discard,
}

/// How a payload is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadFormat {
    /// JSON: an object (one reading), an array (one reading per element),
    /// or a bare number (the value, stamped with the receive time).
    #[default]
    Json,
    /// A number as text (`"7.25"`, `"NaN"`), stamped with the receive time.
    Number,
}

/// How the time field is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// A string is RFC 3339 or epoch-millisecond digits; a number is epoch milliseconds.
    #[default]
    Auto,
    /// An RFC 3339 string, e.g. `2025-01-01T00:00:00.250Z`.
    Rfc3339,
    /// Milliseconds since 1970-01-01T00:00:00Z (number or digits).
    UnixMs,
    /// Seconds since 1970-01-01T00:00:00Z (number, fractions allowed, or numeric text).
    UnixS,
}

/// Where the fields of a reading are in a JSON payload. Each is a JSON
/// pointer (`/data/value`) or a dotted path (`data.value`, `points.0.v`);
/// an empty string turns an optional field off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldPaths {
    /// The event time; absent from a payload: the receive time.
    pub time: String,
    /// The value (number; `null` is NaN, `true`/`false` are 1/0, numeric text is read).
    pub value: String,
    /// The quality (`good`/`uncertain`/`bad` or an OPC UA status code); absent: good.
    pub quality: String,
    /// The unit; absent: the subscription's `unit`.
    pub unit: String,
    /// The tag, when the payload names it: then it is required there and
    /// the subscription's `tag` template is not used. Empty: from the template.
    pub tag: String,
    /// The plant, when the payload names it (as `tag`). Empty: from the template.
    pub plant: String,
    /// An array of readings inside the payload (`points`), each decoded with
    /// the paths above relative to its element. Empty: the payload itself
    /// is the reading, or the array of readings.
    pub readings: String,
}

impl Default for FieldPaths {
    fn default() -> Self {
        FieldPaths {
            time: "time".into(),
            value: "value".into(),
            quality: "quality".into(),
            unit: "unit".into(),
            tag: String::new(),
            plant: String::new(),
            readings: String::new(),
        }
    }
}

/// One subscription: a topic filter and how its messages become readings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionConfig {
    /// The topic filter, with `{name}` levels that capture the topic level
    /// there (a named `+`): `steam/{plant}/traps/{tag}/status`. `+` and a
    /// final `#` are the MQTT wildcards; `$share/<group>/...` subscribes
    /// as a shared subscription.
    pub topic: String,
    /// Requested QoS: 0, 1 (default) or 2.
    #[serde(default)]
    pub qos: Qos,
    /// The plant: a template of captures and text (`"{plant}"`, `"north"`).
    /// Default `"{plant}"`.
    #[serde(default = "default_plant_template")]
    pub plant: String,
    /// The tag: a template of captures and text (`"{tag}"`,
    /// `"{network}.generation"`, `"{topic}"` for the whole topic). Default `"{tag}"`.
    #[serde(default = "default_tag_template")]
    pub tag: String,
    /// The unit of readings whose payload names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The payload format.
    #[serde(default)]
    pub format: PayloadFormat,
    /// Field paths in JSON payloads.
    #[serde(default)]
    pub fields: FieldPaths,
    /// How the time field is written.
    #[serde(default)]
    pub time_format: TimeFormat,
    /// Retained messages: `accept`, `flag` (default: quality at most
    /// uncertain) or `discard`.
    #[serde(default)]
    pub retained: RetainedPolicy,
}

fn default_plant_template() -> String {
    "{plant}".into()
}

fn default_tag_template() -> String {
    "{tag}".into()
}

impl SubscriptionConfig {
    /// A subscription to `topic` with every other key at its default.
    pub fn new(topic: impl Into<String>) -> SubscriptionConfig {
        SubscriptionConfig {
            topic: topic.into(),
            qos: Qos::default(),
            plant: default_plant_template(),
            tag: default_tag_template(),
            unit: None,
            format: PayloadFormat::default(),
            fields: FieldPaths::default(),
            time_format: TimeFormat::default(),
            retained: RetainedPolicy::default(),
        }
    }

    fn check(&self, index: usize, issues: &mut Vec<ConfigIssue>) {
        let at = |key: &'static str| {
            vec![
                KeySegment::Key("subscriptions"),
                KeySegment::Index(index),
                KeySegment::Key(key),
            ]
        };
        let topic = match TopicTemplate::parse(&self.topic) {
            Ok(topic) => Some(topic),
            Err(message) => {
                issues.push(ConfigIssue::new(at("topic"), message));
                None
            }
        };
        let names = [
            ("plant", &self.plant, &self.fields.plant),
            ("tag", &self.tag, &self.fields.tag),
        ];
        for (key, template, payload_path) in names {
            if !payload_path.is_empty() {
                continue; // from the payload; the template is not used
            }
            match NameTemplate::parse(template) {
                Err(message) => issues.push(ConfigIssue::new(at(key), message)),
                Ok(template) => {
                    if let Some(topic) = &topic
                        && let Some(missing) = template.missing_capture(topic)
                    {
                        issues.push(ConfigIssue::new(
                            at(key),
                            format!(
                                "`{{{missing}}}` is not captured by the topic `{}`: capture it \
                                 there ({{{missing}}} as a topic level), write the {key} \
                                 as text, or read it from the payload with fields.{key}",
                                self.topic
                            ),
                        ));
                    }
                }
            }
        }
        let fields = &self.fields;
        let paths = [
            ("time", &fields.time),
            ("value", &fields.value),
            ("quality", &fields.quality),
            ("unit", &fields.unit),
            ("tag", &fields.tag),
            ("plant", &fields.plant),
            ("readings", &fields.readings),
        ];
        for (key, path) in paths {
            if let Err(message) = FieldPath::parse(path) {
                issues.push(ConfigIssue::new(
                    vec![
                        KeySegment::Key("subscriptions"),
                        KeySegment::Index(index),
                        KeySegment::Key("fields"),
                        KeySegment::Key(key),
                    ],
                    message,
                ));
            }
        }
        if fields.value.is_empty() && self.format == PayloadFormat::Json {
            issues.push(ConfigIssue::new(
                vec![
                    KeySegment::Key("subscriptions"),
                    KeySegment::Index(index),
                    KeySegment::Key("fields"),
                    KeySegment::Key("value"),
                ],
                "a reading needs a value: name its field",
            ));
        }
    }
}

/// The MQTT source (`type = "mqtt"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSourceConfig {
    /// The broker and how to log in.
    pub broker: ConnectionConfig,
    /// What to subscribe to; a message goes to the first subscription whose
    /// filter matches its topic.
    pub subscriptions: Vec<SubscriptionConfig>,
    /// The connector's own status topic: `online` is published there
    /// (retained, QoS 1) on connecting, and `offline` as the last will (the
    /// broker publishes it if steamflow vanishes) and on a clean stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_topic: Option<String>,
}

impl MqttSourceConfig {
    /// A source reading `subscriptions` from the broker at `host:port`.
    pub fn new(
        broker: ConnectionConfig,
        subscriptions: Vec<SubscriptionConfig>,
    ) -> MqttSourceConfig {
        MqttSourceConfig {
            broker,
            subscriptions,
            status_topic: None,
        }
    }

    /// Whether the broker keeps the session (default: yes).
    pub fn clean_session(&self) -> bool {
        self.broker.clean_session.unwrap_or(false)
    }

    /// Every problem of the config, each at its key (relative to the
    /// source's table). Empty: the source can start.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        self.broker.check(&mut issues);
        if self.subscriptions.is_empty() {
            issues.push(ConfigIssue::new(
                vec![KeySegment::Key("subscriptions")],
                "subscribe to at least one topic",
            ));
        }
        for (index, subscription) in self.subscriptions.iter().enumerate() {
            subscription.check(index, &mut issues);
        }
        if let Some(status) = &self.status_topic {
            check_publish_topic(status, "status_topic", &mut issues);
        }
        issues
    }
}

/// The MQTT sink (`type = "mqtt"`): publishes records (alerts, readings,
/// any named stream) as JSON objects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSinkConfig {
    /// The broker and how to log in.
    pub broker: ConnectionConfig,
    /// The topic of each record: text and `{field}` placeholders filled from
    /// the record's top-level fields, e.g. `steam/{plant}/alerts/{kind}`.
    /// `/`, `+` and `#` in a field's value are replaced by `_`.
    pub topic: String,
    /// QoS of the published messages: 0, 1 (default) or 2.
    #[serde(default)]
    pub qos: Qos,
    /// Publish retained: the broker keeps the last message of each topic
    /// for late subscribers (a dashboard showing the current alert state).
    #[serde(default)]
    pub retain: bool,
    /// QoS 1/2 messages sent before their acknowledgements. Keep it at most
    /// the broker's limit (mosquitto's `max_inflight_messages`, 20 by
    /// default): mosquitto acknowledges but drops QoS 1/2 messages beyond it.
    #[serde(default = "default_max_inflight")]
    pub max_inflight: u16,
}

fn default_max_inflight() -> u16 {
    20
}

impl MqttSinkConfig {
    /// A sink publishing to `topic` on `broker`.
    pub fn new(broker: ConnectionConfig, topic: impl Into<String>) -> MqttSinkConfig {
        MqttSinkConfig {
            broker,
            topic: topic.into(),
            qos: Qos::default(),
            retain: false,
            max_inflight: default_max_inflight(),
        }
    }

    /// Whether the broker keeps the session (default: no).
    pub fn clean_session(&self) -> bool {
        self.broker.clean_session.unwrap_or(true)
    }

    /// Every problem of the config, each at its key (relative to the sink's table).
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        self.broker.check(&mut issues);
        match NameTemplate::parse(&self.topic) {
            Err(message) => issues.push(ConfigIssue::new(vec![KeySegment::Key("topic")], message)),
            Ok(_) => check_publish_topic(&self.topic, "topic", &mut issues),
        }
        if self.max_inflight == 0 {
            issues.push(ConfigIssue::new(
                vec![KeySegment::Key("max_inflight")],
                "must be at least 1",
            ));
        }
        issues
    }
}

fn check_publish_topic(topic: &str, key: &'static str, issues: &mut Vec<ConfigIssue>) {
    if topic.is_empty() {
        issues.push(ConfigIssue::new(
            vec![KeySegment::Key(key)],
            "must not be empty",
        ));
    } else if topic.contains(['+', '#']) {
        issues.push(ConfigIssue::new(
            vec![KeySegment::Key(key)],
            "a topic to publish to cannot hold the wildcards + or #",
        ));
    }
}

/// One step of the key path of a [`ConfigIssue`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySegment {
    Key(&'static str),
    Index(usize),
}

/// A config problem at a key, relative to the component's table
/// (`subscriptions[0].topic` is `[Key("subscriptions"), Index(0), Key("topic")]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    pub path: Vec<KeySegment>,
    pub message: String,
}

impl ConfigIssue {
    fn new(path: Vec<KeySegment>, message: impl Into<String>) -> ConfigIssue {
        ConfigIssue {
            path,
            message: message.into(),
        }
    }

    /// The path written as in TOML: `subscriptions[0].topic`.
    pub fn key(&self) -> String {
        let mut key = String::new();
        for segment in &self.path {
            match segment {
                KeySegment::Key(name) => {
                    if !key.is_empty() {
                        key.push('.');
                    }
                    key.push_str(name);
                }
                KeySegment::Index(index) => key.push_str(&format!("[{index}]")),
            }
        }
        key
    }
}

impl std::fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key(), self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(topic: &str) -> MqttSourceConfig {
        MqttSourceConfig::new(
            ConnectionConfig::new("127.0.0.1", 1883),
            vec![SubscriptionConfig::new(topic)],
        )
    }

    #[test]
    fn the_seed_topic_with_captures_is_valid() {
        assert_eq!(
            source("steam/{plant}/traps/{tag}/status").validate(),
            vec![]
        );
    }

    #[test]
    fn a_tag_from_nowhere_is_reported_at_its_key() {
        let issues = source("steam/{plant}/traps/+/status").validate();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].key(), "subscriptions[0].tag");
        assert!(issues[0].message.contains("{tag}"), "{}", issues[0].message);
    }

    #[test]
    fn a_tag_from_the_payload_needs_no_capture() {
        let mut config = source("steam/{plant}/traps/+/status");
        config.subscriptions[0].fields.tag = "id".into();
        assert_eq!(config.validate(), vec![]);
    }

    #[test]
    fn bad_values_are_each_reported() {
        let mut config = source("steam/#/x");
        config.broker.host = String::new();
        config.broker.password = Some("secret".into());
        config.broker.keep_alive_secs = 2;
        config.status_topic = Some("a/+/b".into());
        let keys: Vec<_> = config.validate().iter().map(ConfigIssue::key).collect();
        assert_eq!(
            keys,
            [
                "broker.host",
                "broker.password",
                "broker.keep_alive_secs",
                "subscriptions[0].topic",
                "status_topic"
            ]
        );
    }

    /// The example of the module documentation, as a user would write it.
    #[test]
    fn the_documented_example_reads_and_validates() {
        let text = r#"
            status_topic = "steamflow/north/status"

            [broker]
            host = "broker.plant.local"
            port = 8883
            client_id = "steamflow-north"
            clean_session = false
            username = "steamflow"
            password = "secret"
            tls = { ca_file = "certs/plant-ca.pem" }

            [[subscriptions]]
            topic = "steam/{plant}/traps/{tag}/status"
            qos = 1
            fields = { time = "ts", value = "/data/acoustic_db", quality = "q" }
            unit = "dB"

            [[subscriptions]]
            topic = "steam/{plant}/{network}/generation"
            tag = "{network}.generation"
            fields = { readings = "points", tag = "name" }
        "#;
        let config: MqttSourceConfig = toml::from_str(text).unwrap();
        assert_eq!(config.validate(), vec![]);
        assert_eq!(config.broker.port(), 8883);
        assert!(!config.clean_session());
        assert_eq!(config.subscriptions[0].fields.value, "/data/acoustic_db");
        assert_eq!(
            config.subscriptions[0].fields.unit, "unit",
            "defaults fill the rest"
        );
        assert_eq!(config.subscriptions[1].fields.readings, "points");
        let sink: MqttSinkConfig = toml::from_str(
            r#"
            topic = "steam/{plant}/alerts/{kind}"
            qos = 2
            retain = true
            broker = { host = "127.0.0.1" }
            "#,
        )
        .unwrap();
        assert_eq!(sink.validate(), vec![]);
        assert_eq!((sink.qos, sink.max_inflight), (Qos::EXACTLY_ONCE, 20));
    }

    #[test]
    fn the_password_is_not_printed() {
        let mut broker = ConnectionConfig::new("h", 1883);
        broker.username = Some("steamflow".into());
        broker.password = Some("hunter2-secret".into());
        let text = format!("{:?}", source("a/{plant}/{tag}").broker) + &format!("{broker:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("steamflow"));
    }

    #[test]
    fn qos_outside_0_to_2_is_refused_when_read() {
        let parsed: Result<SubscriptionConfig, _> =
            serde_json::from_str(r#"{"topic": "a/b", "qos": 3}"#);
        let error = parsed.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("QoS must be 0, 1 or 2"), "{error}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let parsed: Result<SubscriptionConfig, _> =
            serde_json::from_str(r#"{"topic": "a/b", "qos_level": 1}"#);
        assert!(parsed.is_err());
    }

    #[test]
    fn defaults_follow_the_transport_and_the_component() {
        let mut broker = ConnectionConfig::new("h", 1);
        broker.port = None;
        assert_eq!(broker.port(), 1883);
        broker.tls = Some(TlsConfig::default());
        assert_eq!(broker.port(), 8883);
        assert_eq!(broker.client_id("north"), "steamflow-north");
        let sink = MqttSinkConfig::new(broker, "steam/{plant}/alerts");
        assert!(sink.clean_session());
        assert!(!source("a/{plant}/{tag}").clean_session());
    }
}
