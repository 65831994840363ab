//! The network connectors as a run sees them: one type over the protocol
//! crates, so that the rest of the run neither knows nor matches on the
//! protocol.
//!
//! Every connector has the same two entry points — `run(config, id, tx,
//! shutdown)`, which sends [`SourceEvent`]s until `shutdown`, and
//! `check(config)`, a one-shot connection test — and [`Connector`] forwards
//! to them.

use std::fmt::Write as _;

use steamflow_source_core::SourceEvent;
use steamflow_source_http::HttpSourceConfig;
use steamflow_source_modbus::ModbusConfig;
use steamflow_source_mqtt::MqttSourceConfig;
use steamflow_source_opcua::OpcUaConfig;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::SourceConfig;

/// A network source's connector and its config.
#[derive(Clone, Debug, PartialEq)]
pub enum Connector {
    /// Modbus TCP devices, polled.
    Modbus(Box<ModbusConfig>),
    /// Topics of an MQTT broker.
    Mqtt(Box<MqttSourceConfig>),
    /// Readings POSTed to an ingest endpoint.
    Http(Box<HttpSourceConfig>),
    /// An OPC UA server.
    Opcua(Box<OpcUaConfig>),
}

/// What a connection test found.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOutcome {
    /// Everything reachable, authenticated and readable.
    pub ok: bool,
    /// The connector's report, one line per device, subscription or tag.
    pub report: String,
}

impl Connector {
    /// The connector of a source config; `None` for a source that is not a network one.
    pub fn of(config: &SourceConfig) -> Option<Connector> {
        Some(match config {
            SourceConfig::Modbus(c) => Connector::Modbus(Box::new(c.clone())),
            SourceConfig::Mqtt(c) => Connector::Mqtt(Box::new(c.clone())),
            SourceConfig::Http(c) => Connector::Http(Box::new(c.clone())),
            SourceConfig::Opcua(c) => Connector::Opcua(Box::new(c.clone())),
            SourceConfig::Simulator(_) | SourceConfig::File(_) | SourceConfig::Fluvio(_) => {
                return None;
            }
        })
    }

    /// The protocol: `modbus`, `mqtt`, `http`, `opcua` (the source's `type`).
    pub fn kind(&self) -> &'static str {
        match self {
            Connector::Modbus(_) => "modbus",
            Connector::Mqtt(_) => "mqtt",
            Connector::Http(_) => "http",
            Connector::Opcua(_) => "opcua",
        }
    }

    /// Where it connects (or listens), for the terminal.
    pub fn endpoint(&self) -> String {
        match self {
            Connector::Modbus(c) => {
                let devices: Vec<String> = c
                    .devices
                    .iter()
                    .map(|d| format!("{}:{}", d.host, d.port))
                    .collect();
                devices.join(", ")
            }
            Connector::Mqtt(c) => c.broker.address(),
            Connector::Http(c) => format!("listening on {}", c.address),
            Connector::Opcua(c) => c.endpoint_url.clone(),
        }
    }

    /// The plant every reading belongs to, when the config fixes one.
    pub fn plant(&self) -> Option<&str> {
        match self {
            Connector::Modbus(c) => c.plant.as_deref(),
            Connector::Http(c) => c.plant.as_deref(),
            Connector::Opcua(c) => c.plant.as_deref(),
            Connector::Mqtt(_) => None,
        }
    }

    /// Runs the connector as source `id`, sending its events on `tx`, until
    /// `shutdown`. An error is one the connector cannot recover from by
    /// reconnecting (a config it refuses, an address it cannot bind).
    pub async fn run(
        self,
        id: String,
        tx: mpsc::Sender<SourceEvent>,
        shutdown: CancellationToken,
    ) -> Result<(), String> {
        let text = |e: &dyn std::fmt::Display| e.to_string();
        match self {
            Connector::Modbus(c) => steamflow_source_modbus::run(&c, &id, tx, shutdown)
                .await
                .map_err(|e| text(&e)),
            Connector::Mqtt(c) => steamflow_source_mqtt::run(*c, &id, tx, shutdown)
                .await
                .map_err(|e| text(&e)),
            Connector::Http(c) => steamflow_source_http::run(*c, &id, tx, shutdown)
                .await
                .map_err(|e| text(&e)),
            Connector::Opcua(c) => steamflow_source_opcua::run(*c, &id, tx, shutdown)
                .await
                .map_err(|e| text(&e)),
        }
    }

    /// Tests the connection: reachable, authenticated, each tag readable.
    pub async fn check(&self) -> CheckOutcome {
        let outcome = |ok: bool, report: &dyn std::fmt::Display| {
            let mut text = String::new();
            let _ = write!(text, "{report}");
            CheckOutcome {
                ok,
                report: text.trim_end().to_owned(),
            }
        };
        let failed = |error: &dyn std::fmt::Display| CheckOutcome {
            ok: false,
            report: format!("FAIL {error}"),
        };
        match self {
            Connector::Modbus(c) => match steamflow_source_modbus::check(c).await {
                Ok(report) => outcome(report.ok(), &report),
                Err(error) => failed(&error),
            },
            Connector::Mqtt(c) => match steamflow_source_mqtt::check(c).await {
                Ok(report) => outcome(report.ok(), &report),
                Err(error) => failed(&error),
            },
            Connector::Http(c) => match steamflow_source_http::check(c).await {
                Ok(report) => outcome(true, &report),
                Err(error) => failed(&error),
            },
            Connector::Opcua(c) => match steamflow_source_opcua::check(c).await {
                Ok(report) => outcome(report.ok(), &report),
                Err(error) => failed(&error),
            },
        }
    }
}
