//! The config that reads a served plant back (`simulate --serve
//! --config-out`): the simulated config with its simulator sources replaced
//! by one network source, `live`, bound to the served tags — OPC UA node
//! ids, the Modbus register map, or the MQTT topic template. The sources
//! of the other protocols served are written below it as comments, ready
//! to swap in (reading the same plant twice would count every reading
//! twice).

use indexmap::IndexMap;
use steamflow_source_modbus::config::{ModbusConfig, TagConfig};
use steamflow_source_modbus::server::client_config;
use steamflow_source_mqtt::{ConnectionConfig, MqttSourceConfig, SubscriptionConfig};
use steamflow_source_opcua::OpcUaConfig;
use steamflow_source_opcua::config::NodeConfig;

use super::Running;
use super::serve::Protocol;
use crate::config::{Config, SourceConfig, env};

/// Id of the network source of the written config.
pub const LIVE_SOURCE: &str = "live";

/// The source config of each protocol served.
#[derive(Debug, Default)]
pub(super) struct Endpoints {
    pub(super) opcua: Option<OpcUaConfig>,
    pub(super) modbus: Option<ModbusConfig>,
    pub(super) mqtt: Option<MqttSourceConfig>,
}

impl Endpoints {
    fn source(&self, protocol: Protocol) -> Option<SourceConfig> {
        match protocol {
            Protocol::Opcua => self.opcua.clone().map(SourceConfig::Opcua),
            Protocol::Modbus => self.modbus.clone().map(SourceConfig::Modbus),
            Protocol::Mqtt => self.mqtt.clone().map(SourceConfig::Mqtt),
        }
    }
}

/// The OPC UA source of the served tags: each node `ns=2;s=<tag>`.
pub(super) fn opcua(endpoint_url: &str, sims: &[Running]) -> OpcUaConfig {
    let nodes = sims
        .iter()
        .flat_map(|running| {
            let plant = running.sim.plant_id().to_string();
            running
                .sim
                .tags()
                .into_iter()
                .map(move |(tag, unit)| NodeConfig {
                    node_id: format!("ns=2;s={}", tag.as_str()),
                    tag: tag.to_string(),
                    plant: Some(plant.clone()),
                    unit: Some(unit.to_string()).filter(|u| !u.is_empty()),
                    mode: None,
                    publishing_interval_ms: None,
                    sampling_interval_ms: None,
                    queue_size: None,
                    deadband_absolute: None,
                    deadband_percent: None,
                    poll_interval_ms: None,
                    history_backfill: None,
                })
        })
        .collect();
    OpcUaConfig::new(endpoint_url, nodes)
}

/// The Modbus source of the served register map.
pub(super) fn modbus(host: &str, port: u16, map: Vec<TagConfig>) -> ModbusConfig {
    client_config(host, port, map)
}

/// The MQTT source of readings published on `topic` (a template naming
/// `{plant}` and `{tag}`).
pub(super) fn mqtt(broker: ConnectionConfig, topic: &str) -> anyhow::Result<MqttSourceConfig> {
    let source = MqttSourceConfig::new(broker, vec![SubscriptionConfig::new(topic)]);
    let issues = source.validate();
    if let Some(issue) = issues.first() {
        anyhow::bail!("--mqtt-topic `{topic}`: {}", issue.message);
    }
    Ok(source)
}

/// The config text: `config` reading the plant through `via`, checked by
/// reading it back.
pub(super) fn write(
    config: &Config,
    sims: &[Running],
    endpoints: &Endpoints,
    via: Protocol,
) -> anyhow::Result<String> {
    let simulated: Vec<&str> = sims.iter().map(|s| s.source.as_str()).collect();
    let live = endpoints
        .source(via)
        .ok_or_else(|| anyhow::anyhow!("{} is not served", via.as_str()))?;
    let mut out = config.clone();
    let mut sources = IndexMap::new();
    sources.insert(LIVE_SOURCE.to_owned(), live);
    for (id, source) in &config.sources {
        if simulated.contains(&id.as_str()) {
            continue;
        }
        if id == LIVE_SOURCE {
            anyhow::bail!("the config has a source `{LIVE_SOURCE}` already");
        }
        sources.insert(id.clone(), source.clone());
    }
    out.sources = sources;
    for sink in out.sinks.values_mut() {
        let inputs = sink.inputs_mut();
        for input in inputs
            .iter_mut()
            .filter(|i| simulated.contains(&i.as_str()))
        {
            *input = LIVE_SOURCE.to_owned();
        }
        inputs.dedup();
    }
    let mut text = format!(
        "# Written by `steamflow simulate --serve`: reads the simulated plant\n\
         # over {} while the simulator serves it.\n\n",
        via.as_str()
    );
    let body = out.to_toml()?;
    Config::from_toml(&body, "the written config", &env::process_env)
        .map_err(|error| anyhow::anyhow!("the written config does not load: {error}"))?;
    text.push_str(&body);
    for other in [Protocol::Opcua, Protocol::Modbus, Protocol::Mqtt] {
        let Some(source) = endpoints.source(other).filter(|_| other != via) else {
            continue;
        };
        text.push_str(&format!(
            "\n# To read the plant over {} instead, replace [sources.{LIVE_SOURCE}] with:\n#\n",
            other.as_str()
        ));
        let mut table = toml::Table::new();
        table.insert(LIVE_SOURCE.to_owned(), toml::Value::try_from(&source)?);
        let mut wrapper = toml::Table::new();
        wrapper.insert("sources".to_owned(), toml::Value::Table(table));
        for line in toml::to_string_pretty(&wrapper)?.lines() {
            text.push_str(if line.is_empty() { "#" } else { "# " });
            text.push_str(line);
            text.push('\n');
        }
    }
    Ok(text)
}
