//! The configuration of the Fluvio source (`[sources.<id>]` with
//! `type = "fluvio"`) and of the Fluvio sink (`[sinks.<id>]` with
//! `type = "fluvio"`). These types build without the `client` feature, so
//! that a config can be read and validated by a binary without the client.
//!
//! ```toml
//! [sources.plant_fluvio]
//! type = "fluvio"
//! topic = "steam-readings"
//! partitions = [0, 1]          # absent: every partition of the topic
//! start = "beginning"          # without a stored offset: beginning or end
//! key = "plant_tag"            # records keyed `north/PT-101` name their reading
//!
//! [sources.plant_fluvio.cluster]
//! endpoint = "fluvio.plant.local:9003"
//!
//! [sources.plant_fluvio.offsets]
//! consumer = "steamflow-north"           # stored on the cluster under this name
//! file = "state/plant_fluvio.offsets.json" # and/or in a local file
//!
//! [sources.plant_fluvio.fields]
//! value = "/data/flow"
//! ```
//!
//! The sink:
//!
//! ```toml
//! [sinks.to_fluvio]
//! type = "fluvio"
//! topic = "steam-alerts"
//! key = "{plant}/{tag}"
//! linger_ms = 100
//! cluster = { endpoint = "fluvio.plant.local:9003" }
//! ```

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use steamflow_source_core::BackoffConfig;
use steamflow_source_mqtt::path::FieldPath;
use steamflow_source_mqtt::topic::NameTemplate;

pub use steamflow_source_mqtt::{ConfigIssue, KeySegment, TimeFormat};

/// Fluvio's limit on topic names (a Kubernetes DNS label).
const MAX_TOPIC_NAME: usize = 63;

/// How to reach the cluster (`cluster` table of the source and of the sink).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// `host:port` of the cluster's streaming controller (SC), port 9003 by
    /// default in a Fluvio installation.
    pub endpoint: String,
    /// Time allowed to connect and read the cluster's metadata [s]. Default 10.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// TLS (rustls) with a client certificate, as Fluvio clusters use it.
    /// Needs the crate's `tls` feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
    /// Reconnect delays: exponential backoff with full jitter.
    #[serde(default)]
    pub backoff: BackoffConfig,
}

fn default_connect_timeout_secs() -> u64 {
    10
}

impl ClusterConfig {
    /// A plain-TCP connection to `endpoint` with every other key at its default.
    pub fn new(endpoint: impl Into<String>) -> ClusterConfig {
        ClusterConfig {
            endpoint: endpoint.into(),
            connect_timeout_secs: default_connect_timeout_secs(),
            tls: None,
            backoff: BackoffConfig::default(),
        }
    }

    fn check(&self, issues: &mut Vec<ConfigIssue>) {
        let at = |key: &'static str| vec![KeySegment::Key("cluster"), KeySegment::Key(key)];
        if let Err(message) = check_endpoint(&self.endpoint) {
            issues.push(issue(at("endpoint"), message));
        }
        if self.connect_timeout_secs == 0 {
            issues.push(issue(at("connect_timeout_secs"), "must be at least 1"));
        }
        if let Some(tls) = &self.tls
            && tls.domain.trim().is_empty()
        {
            issues.push(issue(
                vec![
                    KeySegment::Key("cluster"),
                    KeySegment::Key("tls"),
                    KeySegment::Key("domain"),
                ],
                "must name the host the cluster's certificate is issued to",
            ));
        }
    }
}

/// `host:port`, with a host and a port 1..=65535.
fn check_endpoint(endpoint: &str) -> Result<(), String> {
    let Some((host, port)) = endpoint.rsplit_once(':') else {
        return Err(format!(
            "`{endpoint}` must be host:port (Fluvio's SC listens on 9003)"
        ));
    };
    if host.trim().is_empty() {
        return Err(format!("`{endpoint}` names no host"));
    }
    match port.parse::<u16>() {
        Ok(port) if port != 0 => Ok(()),
        _ => Err(format!("`{port}` is not a port (1..=65535)")),
    }
}

/// Verified TLS: the cluster's certificate checked against `ca_file` for
/// `domain`, and a client certificate presented.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The host name in the cluster's certificate.
    pub domain: String,
    /// PEM file of the CA that signed the cluster's certificate.
    pub ca_file: PathBuf,
    /// PEM client certificate.
    pub client_cert_file: PathBuf,
    /// PEM private key of `client_cert_file`.
    pub client_key_file: PathBuf,
}

/// Where a consumer starts when no offset is stored for a partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartPosition {
    /// The oldest record the cluster keeps.
    #[default]
    Beginning,
    /// Only records produced from now on.
    End,
}

/// How a record's key names its reading, when the payload does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyNames {
    /// The key is not used.
    #[default]
    Ignore,
    /// The key is the tag.
    Tag,
    /// The key is `plant/tag` (what the Fluvio sink writes by default).
    PlantTag,
}

/// Where the fields of a reading are in a JSON record. Each is a JSON
/// pointer (`/data/value`) or a dotted path (`data.value`); an empty string
/// turns a field off. The defaults read what the Fluvio sink (and the JSON
/// Lines sink) write: `{"time", "plant", "tag", "value", "quality", "unit"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldPaths {
    /// The event time; absent from a record: the record's own timestamp.
    pub time: String,
    /// The value (number; `null` is NaN, `true`/`false` are 1/0, numeric text is read).
    pub value: String,
    /// The quality (`good`/`uncertain`/`bad` or an OPC UA status code); absent: good.
    pub quality: String,
    /// The unit; absent: the source's `unit`.
    pub unit: String,
    /// The tag; absent: from the key (`key`), else a decode error.
    pub tag: String,
    /// The plant; absent: from the key, else the source's `plant`.
    pub plant: String,
    /// An array of readings inside the record (`points`), each decoded with
    /// the paths above relative to its element. Empty: the record itself is
    /// the reading, or the array of readings.
    pub readings: String,
}

impl Default for FieldPaths {
    fn default() -> Self {
        FieldPaths {
            time: "time".into(),
            value: "value".into(),
            quality: "quality".into(),
            unit: "unit".into(),
            tag: "tag".into(),
            plant: "plant".into(),
            readings: String::new(),
        }
    }
}

impl FieldPaths {
    fn check(&self, issues: &mut Vec<ConfigIssue>) {
        let paths = [
            ("time", &self.time),
            ("value", &self.value),
            ("quality", &self.quality),
            ("unit", &self.unit),
            ("tag", &self.tag),
            ("plant", &self.plant),
            ("readings", &self.readings),
        ];
        for (key, path) in paths {
            if let Err(message) = FieldPath::parse(path) {
                issues.push(issue(
                    vec![KeySegment::Key("fields"), KeySegment::Key(key)],
                    message,
                ));
            }
        }
        if self.value.is_empty() {
            issues.push(issue(
                vec![KeySegment::Key("fields"), KeySegment::Key("value")],
                "a reading needs a value: name its field",
            ));
        }
    }
}

/// Where the consumer keeps its position, so that a restart resumes where
/// it stopped. Offsets are stored after a batch was handed on to the
/// dataflow: delivery is at-least-once (a crash between the hand-over and
/// the store replays that batch). With both stores, the later position of
/// each partition wins on start (the file is written after every batch, the
/// cluster copy every `commit_interval_ms`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsetsConfig {
    /// Name of a consumer offset stored on the cluster (Fluvio's consumer
    /// offsets, cluster version 0.12 or later). Keep it stable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    /// A local JSON file of the next offset of each partition, replaced
    /// atomically (write, sync, rename) after each batch is handed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// How often the cluster copy is flushed [ms]. Default 1000.
    #[serde(default = "default_commit_interval_ms")]
    pub commit_interval_ms: u64,
}

fn default_commit_interval_ms() -> u64 {
    1000
}

impl Default for OffsetsConfig {
    fn default() -> Self {
        OffsetsConfig {
            consumer: None,
            file: None,
            commit_interval_ms: default_commit_interval_ms(),
        }
    }
}

impl OffsetsConfig {
    fn check(&self, issues: &mut Vec<ConfigIssue>) {
        let at = |key: &'static str| vec![KeySegment::Key("offsets"), KeySegment::Key(key)];
        if let Some(consumer) = &self.consumer
            && (consumer.trim().is_empty() || consumer.len() > 255)
        {
            issues.push(issue(at("consumer"), "must be 1 to 255 characters"));
        }
        if let Some(file) = &self.file
            && file.as_os_str().is_empty()
        {
            issues.push(issue(at("file"), "must name a file"));
        }
        if self.consumer.is_some() && self.commit_interval_ms == 0 {
            issues.push(issue(at("commit_interval_ms"), "must be at least 1"));
        }
    }
}

/// The Fluvio source (`type = "fluvio"`): consumes one topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FluvioSourceConfig {
    /// The cluster.
    pub cluster: ClusterConfig,
    /// The topic to consume.
    pub topic: String,
    /// The partitions to consume; absent or empty: all of the topic's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<u32>,
    /// Where to start in a partition with no stored offset.
    #[serde(default)]
    pub start: StartPosition,
    /// Stored offsets; absent: every start begins at `start`.
    #[serde(default)]
    pub offsets: OffsetsConfig,
    /// How a record's key names its reading when the payload does not.
    #[serde(default)]
    pub key: KeyNames,
    /// The plant of readings that name none (in the payload or the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// The unit of readings whose record names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Field paths in the JSON records.
    #[serde(default)]
    pub fields: FieldPaths,
    /// How the time field is written.
    #[serde(default)]
    pub time_format: TimeFormat,
    /// Largest fetch from one partition [bytes]. Default 1 MiB.
    #[serde(default = "default_max_fetch_bytes")]
    pub max_fetch_bytes: u32,
    /// How often the lag (high watermark − next offset) is read from the
    /// cluster [s]; 0: never. Default 10.
    #[serde(default = "default_lag_interval_secs")]
    pub lag_interval_secs: u64,
}

fn default_max_fetch_bytes() -> u32 {
    1024 * 1024
}

fn default_lag_interval_secs() -> u64 {
    10
}

impl FluvioSourceConfig {
    /// A source consuming every partition of `topic` from the beginning,
    /// with no stored offsets.
    pub fn new(cluster: ClusterConfig, topic: impl Into<String>) -> FluvioSourceConfig {
        FluvioSourceConfig {
            cluster,
            topic: topic.into(),
            partitions: Vec::new(),
            start: StartPosition::default(),
            offsets: OffsetsConfig::default(),
            key: KeyNames::default(),
            plant: None,
            unit: None,
            fields: FieldPaths::default(),
            time_format: TimeFormat::default(),
            max_fetch_bytes: default_max_fetch_bytes(),
            lag_interval_secs: default_lag_interval_secs(),
        }
    }

    /// Every problem of the config, each at its key (relative to the
    /// source's table). Empty: the source can start.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        self.cluster.check(&mut issues);
        if let Err(message) = check_topic(&self.topic) {
            issues.push(issue(vec![KeySegment::Key("topic")], message));
        }
        for (index, partition) in self.partitions.iter().enumerate() {
            if self.partitions[..index].contains(partition) {
                issues.push(issue(
                    vec![KeySegment::Key("partitions"), KeySegment::Index(index)],
                    format!("partition {partition} is listed twice"),
                ));
            }
        }
        self.offsets.check(&mut issues);
        if let Some(plant) = &self.plant
            && plant.trim().is_empty()
        {
            issues.push(issue(vec![KeySegment::Key("plant")], "must not be empty"));
        }
        self.fields.check(&mut issues);
        if self.max_fetch_bytes < 1024 || self.max_fetch_bytes > i32::MAX as u32 {
            issues.push(issue(
                vec![KeySegment::Key("max_fetch_bytes")],
                format!("must be 1024..={}", i32::MAX),
            ));
        }
        issues
    }
}

/// A Fluvio topic name: 1 to 63 lowercase letters, digits and `-`,
/// starting and ending with a letter or digit.
fn check_topic(topic: &str) -> Result<(), String> {
    let valid = !topic.is_empty()
        && topic.len() <= MAX_TOPIC_NAME
        && topic
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !topic.starts_with('-')
        && !topic.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{topic}` is not a Fluvio topic name: 1 to {MAX_TOPIC_NAME} lowercase letters, \
             digits and `-`, not starting or ending with `-`"
        ))
    }
}

/// Record compression of the sink.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompressionConfig {
    #[default]
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

/// What the sink waits for before a record counts as delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryConfig {
    /// The cluster acknowledges each batch; failed batches are retried.
    #[default]
    AtLeastOnce,
    /// Sent once, not acknowledged: a record can be lost, never duplicated.
    AtMostOnce,
}

/// The Fluvio sink (`type = "fluvio"`): produces records (readings, alerts,
/// rows of any named stream) as JSON objects to a topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FluvioSinkConfig {
    /// The cluster.
    pub cluster: ClusterConfig,
    /// The topic to produce to (it must exist).
    pub topic: String,
    /// The key of each record: text and `{field}` placeholders filled from
    /// the record's top-level fields. Records with one key go to one
    /// partition, in order. Default `{plant}/{tag}`; empty: no key.
    #[serde(default = "default_key_template")]
    pub key: String,
    /// How long a batch may wait to fill before it is sent [ms]. Default 100.
    #[serde(default = "default_linger_ms")]
    pub linger_ms: u64,
    /// Largest batch [bytes]. Default 16 KiB.
    #[serde(default = "default_batch_size_bytes")]
    pub batch_size_bytes: usize,
    /// Compression of the batches.
    #[serde(default)]
    pub compression: CompressionConfig,
    /// Delivery guarantee.
    #[serde(default)]
    pub delivery: DeliveryConfig,
    /// Time allowed for the cluster to acknowledge a batch [ms]. Default 5000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_key_template() -> String {
    "{plant}/{tag}".into()
}

fn default_linger_ms() -> u64 {
    100
}

fn default_batch_size_bytes() -> usize {
    16 * 1024
}

fn default_timeout_ms() -> u64 {
    5000
}

impl FluvioSinkConfig {
    /// A sink producing to `topic` with every other key at its default.
    pub fn new(cluster: ClusterConfig, topic: impl Into<String>) -> FluvioSinkConfig {
        FluvioSinkConfig {
            cluster,
            topic: topic.into(),
            key: default_key_template(),
            linger_ms: default_linger_ms(),
            batch_size_bytes: default_batch_size_bytes(),
            compression: CompressionConfig::default(),
            delivery: DeliveryConfig::default(),
            timeout_ms: default_timeout_ms(),
        }
    }

    /// Every problem of the config, each at its key (relative to the sink's table).
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        self.cluster.check(&mut issues);
        if let Err(message) = check_topic(&self.topic) {
            issues.push(issue(vec![KeySegment::Key("topic")], message));
        }
        if !self.key.is_empty()
            && let Err(message) = NameTemplate::parse(&self.key)
        {
            issues.push(issue(vec![KeySegment::Key("key")], message));
        }
        if self.batch_size_bytes < 1024 {
            issues.push(issue(
                vec![KeySegment::Key("batch_size_bytes")],
                "must be at least 1024",
            ));
        }
        if self.timeout_ms == 0 {
            issues.push(issue(
                vec![KeySegment::Key("timeout_ms")],
                "must be at least 1",
            ));
        }
        issues
    }
}

fn issue(path: Vec<KeySegment>, message: impl Into<String>) -> ConfigIssue {
    ConfigIssue {
        path,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(issues: &[ConfigIssue]) -> Vec<String> {
        issues.iter().map(ConfigIssue::key).collect()
    }

    #[test]
    fn the_smallest_source_is_valid_with_defaults() {
        let config = FluvioSourceConfig::new(ClusterConfig::new("127.0.0.1:9003"), "steam");
        assert_eq!(config.validate(), vec![]);
        assert_eq!(config.fields.tag, "tag");
        assert_eq!(config.offsets.commit_interval_ms, 1000);
    }

    #[test]
    fn endpoints_need_a_host_and_a_port() {
        for endpoint in ["localhost", ":9003", "h:0", "h:99999", "h:x", ""] {
            assert!(check_endpoint(endpoint).is_err(), "{endpoint}");
        }
        for endpoint in ["localhost:9003", "10.0.0.1:1", "[::1]:9003"] {
            assert_eq!(check_endpoint(endpoint), Ok(()), "{endpoint}");
        }
    }

    #[test]
    fn topic_names_follow_fluvio() {
        for topic in ["steam", "steam-readings-2", "a"] {
            assert_eq!(check_topic(topic), Ok(()), "{topic}");
        }
        let long = "a".repeat(64);
        for topic in [
            "",
            "Steam",
            "steam_readings",
            "-steam",
            "steam-",
            "a/b",
            &long,
        ] {
            assert!(check_topic(topic).is_err(), "{topic}");
        }
    }

    #[test]
    fn every_bad_value_is_reported_at_its_key() {
        let mut config = FluvioSourceConfig::new(ClusterConfig::new("nohost"), "Steam");
        config.cluster.connect_timeout_secs = 0;
        config.partitions = vec![0, 1, 0];
        config.offsets.consumer = Some(" ".into());
        config.offsets.commit_interval_ms = 0;
        config.plant = Some(String::new());
        config.fields.value = String::new();
        config.fields.time = "a..b".into();
        config.max_fetch_bytes = 10;
        assert_eq!(
            keys(&config.validate()),
            [
                "cluster.endpoint",
                "cluster.connect_timeout_secs",
                "topic",
                "partitions[2]",
                "offsets.consumer",
                "offsets.commit_interval_ms",
                "plant",
                "fields.time",
                "fields.value",
                "max_fetch_bytes",
            ]
        );
    }

    #[test]
    fn sink_problems_are_reported_at_their_keys() {
        let mut sink = FluvioSinkConfig::new(ClusterConfig::new("h:9003"), "alerts");
        assert_eq!(sink.validate(), vec![]);
        sink.key = "{plant".into();
        sink.batch_size_bytes = 0;
        sink.timeout_ms = 0;
        sink.topic = "Alerts".into();
        assert_eq!(
            keys(&sink.validate()),
            ["topic", "key", "batch_size_bytes", "timeout_ms"]
        );
    }
}
