//! `[sinks.<id>]`: where streams go. Each sink names its `type` and the
//! streams it subscribes to in `inputs`.
//!
//! - `type = "jsonl"`: one JSON Lines file per stream in `dir`.
//! - `type = "parquet"`: one Parquet file set per stream in `dir`.
//! - `type = "console"`: the terminal.
//! - `type = "clickhouse"`: one table per stream in a ClickHouse database
//!   (see [`steamflow_sink_clickhouse::ClickHouseConfig`] for its keys).
//! - `type = "alerts"`: alert routing to webhook, Slack, PagerDuty, e-mail
//!   and MQTT channels ([`AlertsSinkConfig`]; inputs: `alerts` and views
//!   whose rows are alerts, see [`super::views`]).
//! - `type = "mqtt"`: each record published as JSON to an MQTT broker
//!   ([`MqttSink`]).
//!
//! An input is a stream name (see [`super::BUILTIN_STREAMS`]), a source id
//! (that source's raw readings), `window_aggregates.<window id>`, or a
//! prefix ending in `*` that matches at least one of those.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
pub use steamflow_sink_alerts::AlertsSinkConfig;
use steamflow_source_mqtt::{ConnectionConfig, KeySegment, MqttSinkConfig, Qos};

use super::Checker;
use super::diagnostic::KeyPath;
use super::load::{Collector, Value};

/// One sink.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SinkConfig {
    /// JSON Lines files.
    Jsonl(JsonlSink),
    /// Parquet files.
    Parquet(ParquetSink),
    /// The terminal.
    Console(ConsoleSink),
    /// ClickHouse tables.
    Clickhouse(ClickHouseSink),
    /// Alert routing to the people on call.
    Alerts(AlertsSinkConfig),
    /// An MQTT broker.
    Mqtt(Box<MqttSink>),
}

impl SinkConfig {
    /// The `type` values a sink may have.
    pub const TYPES: &'static [&'static str] = &[
        "jsonl",
        "parquet",
        "console",
        "clickhouse",
        "alerts",
        "mqtt",
    ];

    /// Reads the table of a sink of type `kind`; `None` for an unknown type,
    /// `Some(None)` when the table has errors (already reported).
    pub(crate) fn load(
        collector: &mut Collector<'_>,
        kind: &str,
        value: &Value<'_>,
        path: &KeyPath,
    ) -> Option<Option<Self>> {
        Some(match kind {
            "jsonl" => collector.deserialize(value, path).map(SinkConfig::Jsonl),
            "parquet" => collector.deserialize(value, path).map(SinkConfig::Parquet),
            "console" => collector.deserialize(value, path).map(SinkConfig::Console),
            "clickhouse" => collector
                .deserialize(value, path)
                .map(SinkConfig::Clickhouse),
            "alerts" => collector.deserialize(value, path).map(SinkConfig::Alerts),
            "mqtt" => collector
                .deserialize(value, path)
                .map(|sink| SinkConfig::Mqtt(Box::new(sink))),
            _ => return None,
        })
    }

    /// The streams it subscribes to.
    pub fn inputs(&self) -> &[String] {
        match self {
            SinkConfig::Jsonl(s) => &s.inputs,
            SinkConfig::Parquet(s) => &s.inputs,
            SinkConfig::Console(s) => &s.inputs,
            SinkConfig::Clickhouse(s) => &s.inputs,
            SinkConfig::Alerts(s) => &s.inputs,
            SinkConfig::Mqtt(s) => &s.inputs,
        }
    }

    /// The streams it subscribes to, to edit.
    pub fn inputs_mut(&mut self) -> &mut Vec<String> {
        match self {
            SinkConfig::Jsonl(s) => &mut s.inputs,
            SinkConfig::Parquet(s) => &mut s.inputs,
            SinkConfig::Console(s) => &mut s.inputs,
            SinkConfig::Clickhouse(s) => &mut s.inputs,
            SinkConfig::Alerts(s) => &mut s.inputs,
            SinkConfig::Mqtt(s) => &mut s.inputs,
        }
    }
}

/// JSON Lines: `<dir>/<stream>.jsonl`, one object per line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlSink {
    /// Streams written.
    pub inputs: Vec<String>,
    /// Folder of the files; relative to the config file's folder.
    pub dir: PathBuf,
}

/// Parquet compression codecs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    /// Uncompressed.
    None,
    /// Snappy.
    Snappy,
    /// Zstandard.
    Zstd,
}

/// Parquet: `<dir>/<stream>/part-NNNNN.parquet`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParquetSink {
    /// Streams written.
    pub inputs: Vec<String>,
    /// Folder of the files; relative to the config file's folder.
    pub dir: PathBuf,
    /// Rows per row group.
    #[serde(default = "default_row_group")]
    pub row_group_rows: usize,
    /// Column compression.
    #[serde(default = "default_compression")]
    pub compression: Compression,
}

fn default_row_group() -> usize {
    65_536
}
fn default_compression() -> Compression {
    Compression::Zstd
}

/// ClickHouse: each stream into its table (`window_aggregates.<id>` into
/// `window_aggregates`), through a disk spool in `spool_dir`; its keys are
/// [`ClickHouseConfig`]'s (`inputs` included).
pub use steamflow_sink_clickhouse::ClickHouseConfig as ClickHouseSink;

/// How the console prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsoleFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line.
    Json,
}

/// The terminal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSink {
    /// Streams shown.
    pub inputs: Vec<String>,
    /// How they are printed.
    #[serde(default = "default_console_format")]
    pub format: ConsoleFormat,
}

fn default_console_format() -> ConsoleFormat {
    ConsoleFormat::Text
}

/// MQTT: every record of the inputs published as one JSON object (its
/// fields, plus `stream`: the stream's name) to a topic filled from its
/// fields. Records replaced by a newer version (retractions) are not
/// published: the newer version is.
///
/// ```toml
/// [sinks.pager]
/// type = "mqtt"
/// inputs = ["alerts"]
/// topic = "steam/{plant}/alerts"
/// qos = 1
/// retain = false
/// broker = { host = "broker.plant.local", port = 1883 }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSink {
    /// Streams published.
    pub inputs: Vec<String>,
    /// The broker and how to log in (the keys of an MQTT source's `broker`;
    /// the client id defaults to `steamflow-<sink id>`).
    pub broker: ConnectionConfig,
    /// The topic: text and `{field}` placeholders filled from each record's
    /// top-level fields, such as `steam/{plant}/alerts` or
    /// `steam/{plant}/{stream}`. `/`, `+` and `#` in a value become `_`.
    pub topic: String,
    /// QoS of the messages: 0, 1 (default) or 2.
    #[serde(default)]
    pub qos: Qos,
    /// Publish retained: the broker keeps the last message of each topic
    /// for subscribers that come later (a dashboard's current alerts).
    #[serde(default)]
    pub retain: bool,
    /// QoS 1/2 messages sent ahead of their acknowledgements; default 20.
    /// Keep it at most the broker's limit (mosquitto's
    /// `max_inflight_messages`, 20 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_inflight: Option<u16>,
}

impl MqttSink {
    /// The publisher's settings.
    pub fn publisher(&self) -> MqttSinkConfig {
        let mut config = MqttSinkConfig::new(self.broker.clone(), self.topic.clone());
        config.qos = self.qos;
        config.retain = self.retain;
        if let Some(max_inflight) = self.max_inflight {
            config.max_inflight = max_inflight;
        }
        config
    }
}

impl Checker<'_> {
    pub(crate) fn check_sink(&mut self, id: &str, sink: &SinkConfig) {
        let path = KeyPath::root().key("sinks").key(id);
        if sink.inputs().is_empty() {
            self.issue(path.key("inputs"), "subscribe to at least one stream");
        }
        let streams = self.streams();
        for (i, input) in sink.inputs().iter().enumerate() {
            let matches = match input.strip_suffix('*') {
                Some(prefix) => streams.iter().any(|s| s.starts_with(prefix)),
                None => streams.iter().any(|s| s == input),
            };
            if !matches {
                self.issue(
                    path.key("inputs").index(i),
                    format!("no stream `{input}` (streams: {})", streams.join(", ")),
                );
            }
        }
        let dir = match sink {
            SinkConfig::Jsonl(s) => Some(&s.dir),
            SinkConfig::Parquet(s) => Some(&s.dir),
            SinkConfig::Clickhouse(s) => Some(&s.spool_dir),
            SinkConfig::Console(_) | SinkConfig::Alerts(_) | SinkConfig::Mqtt(_) => None,
        };
        if dir.is_some_and(|d| d.as_os_str().is_empty()) {
            self.issue(path.key("dir"), "must name a folder");
        }
        if let SinkConfig::Parquet(p) = sink
            && p.row_group_rows == 0
        {
            self.issue(path.key("row_group_rows"), "must be greater than 0");
        }
        if let SinkConfig::Clickhouse(c) = sink {
            for problem in c.problems() {
                self.issue(path.clone(), problem);
            }
        }
        if let SinkConfig::Alerts(alerts) = sink {
            self.check_alerts_sink(&path, alerts);
        }
        if let SinkConfig::Mqtt(mqtt) = sink {
            for issue in mqtt.publisher().validate() {
                let key = issue
                    .path
                    .iter()
                    .fold(path.clone(), |key, segment| match segment {
                        KeySegment::Key(name) => key.key(name),
                        KeySegment::Index(index) => key.index(*index),
                    });
                self.issue(key, issue.message);
            }
        }
    }

    fn check_alerts_sink(&mut self, path: &KeyPath, sink: &AlertsSinkConfig) {
        use steamflow_sink_alerts::Segment;
        for (i, input) in sink.inputs.iter().enumerate() {
            if input != "alerts" && !self.present.views.contains(input) {
                self.issue(
                    path.key("inputs").index(i),
                    format!(
                        "an alerts sink routes the `alerts` stream or a view of alerts, not `{input}`"
                    ),
                );
            }
        }
        for issue in sink.validate() {
            let key = issue
                .path
                .iter()
                .fold(path.clone(), |key, segment| match segment {
                    Segment::Key(name) => key.key(name),
                    Segment::Index(index) => key.index(*index),
                });
            self.issue(key, issue.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, DEMO_CONFIG};

    fn with_sink(table: &str) -> Result<Config, crate::config::diagnostic::ConfigErrors> {
        let text = format!("{DEMO_CONFIG}\n{table}\n");
        Config::from_toml(&text, "test.toml", &|_| None)
    }

    #[test]
    fn a_clickhouse_sink_takes_its_settings_flat_and_refuses_unknown_keys() {
        let config = with_sink(
            "[sinks.ch]\ntype = \"clickhouse\"\ninputs = [\"balances\", \"window_aggregates*\"]\n\
             url = \"http://db:8123\"\nspool_dir = \"spool\"\nbatch_rows = 5000\n\
             retry = { initial_ms = 100, max_ms = 1000 }",
        )
        .expect("valid");
        let Some(SinkConfig::Clickhouse(sink)) = config.sinks.get("ch") else {
            panic!("no clickhouse sink: {:?}", config.sinks);
        };
        assert_eq!(sink.url, "http://db:8123");
        assert_eq!(sink.batch_rows, 5000);
        assert_eq!(sink.retry.max_ms, 1000);
        assert_eq!(sink.database, "steamflow");
        let error = with_sink(
            "[sinks.ch]\ntype = \"clickhouse\"\ninputs = [\"balances\"]\nspool_dir = \"s\"\nbatch_row = 1",
        )
        .expect_err("unknown key");
        assert!(format!("{error:?}").contains("batch_row"), "{error:?}");
        let error = with_sink(
            "[sinks.ch]\ntype = \"clickhouse\"\ninputs = [\"balances\"]\nspool_dir = \"s\"\nurl = \"db:8123\"",
        )
        .expect_err("bad url");
        assert!(format!("{error:?}").contains("http://"), "{error:?}");
    }
}
