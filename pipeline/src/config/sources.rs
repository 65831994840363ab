//! `[sources.<id>]`: where readings come from. Each table names its `type`;
//! the other keys are the type's own.
//!
//! - `type = "simulator"`: a simulated plant ([`SimulatorConfig`]) with its
//!   fault schedule in `[[sources.<id>.faults]]`.
//! - `type = "file"`: replay of a historian export ([`FileSource`]).
//! - `type = "modbus"`: Modbus TCP devices polled for their register maps
//!   ([`ModbusConfig`]).
//! - `type = "mqtt"`: topics of an MQTT broker ([`MqttSourceConfig`]).
//! - `type = "http"`: readings POSTed to an ingest endpoint ([`HttpSourceConfig`]).
//! - `type = "fluvio"`: a topic of a Fluvio cluster ([`FluvioSourceConfig`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use steamflow_operators::reading::parse_utc_ms;
use steamflow_simulator::SimulatorConfig;
use steamflow_source_fluvio::FluvioSourceConfig;
use steamflow_source_http::HttpSourceConfig;
use steamflow_source_modbus::{ModbusConfig, PathSegment};
use steamflow_source_mqtt::{KeySegment, MqttSourceConfig};

use super::Checker;
use super::diagnostic::KeyPath;
use super::load::{Collector, Value};

/// One source of readings.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SourceConfig {
    /// A simulated plant.
    Simulator(SimulatorConfig),
    /// A CSV, JSON Lines or Parquet file of readings.
    File(FileSource),
    /// Modbus TCP devices, polled.
    Modbus(ModbusConfig),
    /// Topics of an MQTT broker, decoded by topic templates and field paths.
    Mqtt(MqttSourceConfig),
    /// JSON / NDJSON readings POSTed with a bearer token.
    Http(HttpSourceConfig),
    /// An OPC UA server.
    Opcua(steamflow_source_opcua::OpcUaConfig),
    /// Partitions of a Fluvio topic, JSON records decoded by field paths.
    Fluvio(FluvioSourceConfig),
}

impl SourceConfig {
    /// The `type` values a source may have.
    pub const TYPES: &'static [&'static str] = &[
        "simulator",
        "file",
        "modbus",
        "mqtt",
        "http",
        "opcua",
        "fluvio",
    ];

    /// Reads the table of a source of type `kind`; `None` for an unknown type,
    /// `Some(None)` when the table has errors (already reported).
    pub(crate) fn load(
        collector: &mut Collector<'_>,
        kind: &str,
        value: &Value<'_>,
        path: &KeyPath,
    ) -> Option<Option<Self>> {
        Some(match kind {
            "simulator" => collector
                .deserialize(value, path)
                .map(SourceConfig::Simulator),
            "file" => collector.deserialize(value, path).map(SourceConfig::File),
            "modbus" => collector.deserialize(value, path).map(SourceConfig::Modbus),
            "mqtt" => collector.deserialize(value, path).map(SourceConfig::Mqtt),
            "http" => collector.deserialize(value, path).map(SourceConfig::Http),
            "opcua" => collector.deserialize(value, path).map(SourceConfig::Opcua),
            "fluvio" => collector.deserialize(value, path).map(SourceConfig::Fluvio),
            _ => return None,
        })
    }
}

/// Formats a file source can replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Comma-separated with a header row: `time,plant,tag,value,quality,unit`.
    Csv,
    /// One JSON object per line with the same fields.
    Jsonl,
    /// Apache Parquet with the same columns.
    Parquet,
}

/// Replay of a file of readings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    /// The file; relative paths are relative to the config file's folder.
    pub path: PathBuf,
    /// Its format; by default taken from the extension (.csv, .jsonl/.ndjson, .parquet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<FileFormat>,
    /// Replay speed as a multiple of real time (1.0: as recorded); absent: as fast as possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime_factor: Option<f64>,
    /// The plant of rows that name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
}

impl FileSource {
    /// The format: as configured, else from the file's extension.
    pub fn format(&self) -> Option<FileFormat> {
        self.format.or_else(|| format_of(&self.path))
    }
}

/// The format a file's extension implies.
pub fn format_of(path: &Path) -> Option<FileFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "csv" => Some(FileFormat::Csv),
        "jsonl" | "ndjson" => Some(FileFormat::Jsonl),
        "parquet" => Some(FileFormat::Parquet),
        _ => None,
    }
}

impl Checker<'_> {
    pub(crate) fn check_source(&mut self, id: &str, source: &SourceConfig) {
        let path = KeyPath::root().key("sources").key(id);
        match source {
            SourceConfig::Simulator(sim) => self.check_simulator(&path, sim),
            SourceConfig::File(file) => self.check_file(&path, file),
            SourceConfig::Modbus(modbus) => self.check_modbus(&path, modbus),
            SourceConfig::Mqtt(mqtt) => {
                for issue in mqtt.validate() {
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
            SourceConfig::Http(http) => {
                for issue in http.validate() {
                    self.issue(path.key(issue.key), issue.message);
                }
                if let Some(plant) = &http.plant {
                    self.plant_reference(&path.key("plant"), plant);
                }
            }
            SourceConfig::Fluvio(fluvio) => {
                // Its issues carry key paths as the MQTT source's do.
                for issue in fluvio.validate() {
                    let key = issue
                        .path
                        .iter()
                        .fold(path.clone(), |key, segment| match segment {
                            KeySegment::Key(name) => key.key(name),
                            KeySegment::Index(index) => key.index(*index),
                        });
                    self.issue(key, issue.message);
                }
                if let Some(plant) = &fluvio.plant {
                    self.plant_reference(&path.key("plant"), plant);
                }
            }
            SourceConfig::Opcua(opcua) => {
                for issue in opcua.check() {
                    let key = match issue.node {
                        Some(index) => path.key("nodes").index(index).key(issue.key),
                        None => path.key(issue.key),
                    };
                    self.issue(key, issue.message);
                }
            }
        }
    }

    fn check_modbus(&mut self, path: &KeyPath, modbus: &ModbusConfig) {
        for issue in modbus.issues(None) {
            let key = issue
                .path
                .iter()
                .fold(path.clone(), |key, segment| match segment {
                    PathSegment::Key(name) => key.key(name),
                    PathSegment::Index(index) => key.index(*index),
                });
            self.issue(key, issue.message);
        }
        if let Some(plant) = &modbus.plant {
            self.plant_reference(&path.key("plant"), plant);
        }
        for (d, device) in modbus.devices.iter().enumerate() {
            let device_path = path.key("devices").index(d);
            if let Some(plant) = &device.plant {
                self.plant_reference(&device_path.key("plant"), plant);
            }
            for (t, tag) in device.tags.iter().enumerate() {
                if let Some(plant) = &tag.plant {
                    self.plant_reference(&device_path.key("tags").index(t).key("plant"), plant);
                }
            }
        }
    }

    fn check_simulator(&mut self, path: &KeyPath, sim: &SimulatorConfig) {
        if sim.sample_interval_ms == 0 {
            self.issue(path.key("sample_interval_ms"), "must be greater than 0");
        }
        if sim.duration_secs == 0 {
            self.issue(path.key("duration_secs"), "must be greater than 0");
        }
        if let Err(error) = parse_utc_ms(&sim.start_time) {
            self.issue(path.key("start_time"), error.to_string());
        }
        let variation = [
            ("daily_swing_pct", sim.variation.daily_swing_pct, 100.0),
            ("demand_wander_pct", sim.variation.demand_wander_pct, 100.0),
            ("flow_noise_pct", sim.variation.flow_noise_pct, 100.0),
            (
                "pressure_noise_bar",
                sim.variation.pressure_noise_bar,
                100.0,
            ),
            (
                "temperature_noise_k",
                sim.variation.temperature_noise_k,
                100.0,
            ),
            ("acoustic_noise_db", sim.variation.acoustic_noise_db, 100.0),
        ];
        for (key, value, max) in variation {
            if !(value.is_finite() && (0.0..=max).contains(&value)) {
                self.issue(
                    path.key("variation").key(key),
                    format!("must be between 0 and {max}, found {value}"),
                );
            }
        }
        let plant = self.plant_reference(&path.key("plant"), &sim.plant);
        for (i, fault) in sim.faults.iter().enumerate() {
            let fault_path = path.key("faults").index(i);
            for issue in fault.check(plant) {
                let key = if issue.key.is_empty() {
                    fault_path.clone()
                } else {
                    fault_path.key(issue.key)
                };
                self.issue(key, issue.message);
            }
            if fault.start_secs >= sim.duration_secs {
                self.issue(
                    fault_path.key("start_secs"),
                    format!(
                        "starts at {} s, after the run ends ({} s)",
                        fault.start_secs, sim.duration_secs
                    ),
                );
            }
        }
    }

    fn check_file(&mut self, path: &KeyPath, file: &FileSource) {
        if file.path.as_os_str().is_empty() {
            self.issue(path.key("path"), "must name a file");
        } else if file.format().is_none() {
            self.issue(
                path.key("path"),
                format!("cannot tell the format of `{}` from its extension: set `format` (csv, jsonl, parquet)", file.path.display()),
            );
        }
        if let Some(factor) = file.realtime_factor
            && !(factor.is_finite() && factor > 0.0)
        {
            self.issue(
                path.key("realtime_factor"),
                format!("must be a number greater than 0, found {factor}"),
            );
        }
        if let Some(plant) = &file.plant {
            self.plant_reference(&path.key("plant"), plant);
        }
    }
}
