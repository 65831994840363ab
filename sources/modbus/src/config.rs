//! `[sources.<id>]` with `type = "modbus"`: the devices to poll and the
//! register map of each.
//!
//! ```toml
//! [sources.boiler_house]
//! type = "modbus"
//! plant = "north"
//!
//! [[sources.boiler_house.devices]]
//! host = "10.1.2.3"
//! port = 502
//! unit_id = 1
//! poll_interval_ms = 1000
//!
//! [[sources.boiler_house.devices.tags]]
//! tag = "boiler1.steam_flow"
//! register_type = "holding"
//! address = 0            # 0-based, as sent on the wire
//! data_type = "float32"
//! byte_order = "CDAB"
//! unit = "kg/h"
//!
//! [[sources.boiler_house.devices.tags]]
//! tag = "boiler1.pressure"
//! unit_id = 2            # another unit behind the same gateway
//! register_type = "input"
//! address = 10
//! data_type = "int16"
//! scale = 0.01           # value = raw * scale + offset
//! unit = "barg"
//! ```
//!
//! # Addresses
//!
//! `address` is the **0-based protocol address** that goes into the request
//! on the wire: holding register `address = 0` is the first holding
//! register, which many device manuals call "register 1" or "40001". The
//! Modicon 5- and 6-digit references (`40001`, `300001`) are not understood:
//! `address = 40001` reads wire address 40001. A device whose manual
//! numbers registers from 1 can say `address_base = 1`; its addresses are
//! then those of the manual and the wire address is `address - 1`
//! (`address = 0` is refused). Messages and dead-letter records always name
//! the wire address.
//!
//! # Byte orders
//!
//! A 32- or 64-bit value spans 2 or 4 registers. With the value's bytes
//! named A (most significant) to D (or H), `byte_order` says how they lie
//! in the registers, in register order:
//!
//! | `byte_order` | 32-bit registers | 64-bit registers        | 16-bit | meaning                                  |
//! |--------------|------------------|-------------------------|--------|------------------------------------------|
//! | `ABCD`       | `AB CD`          | `AB CD EF GH`           | `AB`   | big-endian (the Modbus default)          |
//! | `CDAB`       | `CD AB`          | `GH EF CD AB`           | `AB`   | low word first, bytes big-endian         |
//! | `BADC`       | `BA DC`          | `BA DC FE HG`           | `BA`   | high word first, bytes swapped           |
//! | `DCBA`       | `DC BA`          | `HG FE DC BA`           | `BA`   | little-endian                            |
//!
//! That is: `CDAB` and `DCBA` reverse the order of the registers, `BADC`
//! and `DCBA` swap the two bytes of every register (so they also apply to
//! 16-bit values).

use serde::{Deserialize, Serialize};
use steamflow_source_core::BackoffConfig;

/// A Modbus TCP source: one or more devices, each polled on its own
/// connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModbusConfig {
    /// The plant of tags (and devices) that name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// Reconnect delays after a lost or refused connection (exponential,
    /// with full jitter): `{ initial_ms = 200, max_ms = 30000 }`.
    #[serde(default)]
    pub backoff: BackoffConfig,
    /// The devices (`[[sources.<id>.devices]]`).
    pub devices: Vec<DeviceConfig>,
}

/// One Modbus TCP endpoint (a PLC, a meter, a gateway): one TCP connection
/// that carries the requests of all its unit ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    /// A name for messages and dead letters; by default `host:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Host name or IP address.
    pub host: String,
    /// TCP port (Modbus TCP: 502).
    #[serde(default = "default_port")]
    pub port: u16,
    /// The unit id (slave id) of tags that name none. Gateways route by it;
    /// a plain TCP device usually ignores it (or wants 1, 0 or 255).
    #[serde(default = "default_unit_id")]
    pub unit_id: u8,
    /// The plant of this device's tags that name none (else the source's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// Time between the starts of two polls [ms]. A poll that takes longer
    /// delays the next one; polls never overlap.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Longest wait for a connection or for the answer to one request [ms].
    /// A request that times out fails its tags (reason `timeout`) and the
    /// connection is replaced at once (a late answer would otherwise be
    /// taken for the next request's); a poll in which nothing answers is a
    /// lost connection (reconnect with backoff, gap reported).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Most registers one read of holding or input registers may ask for
    /// (the protocol allows 1..=125).
    #[serde(default = "default_max_registers")]
    pub max_registers_per_request: u16,
    /// Most coils or discrete inputs one read may ask for (the protocol
    /// allows 1..=2000).
    #[serde(default = "default_max_coils")]
    pub max_coils_per_request: u16,
    /// Most unused addresses (registers, or bits for coils and discrete
    /// inputs) one request may bridge to read two tags together. 0 reads
    /// only adjacent (or overlapping) tags together. A bridged hole that
    /// the device refuses (exception 02) costs one split of that request,
    /// once per connection.
    #[serde(default)]
    pub max_gap: u16,
    /// Whether the `address`es of this device count from 0 (the wire
    /// address, the default) or from 1 (as some manuals number registers;
    /// the wire address is then `address - 1`).
    #[serde(default)]
    pub address_base: u8,
    /// The register map (`[[sources.<id>.devices.tags]]`).
    pub tags: Vec<TagConfig>,
}

/// One tag: where its value lies, how to decode and scale it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagConfig {
    /// The point id of the readings.
    pub tag: String,
    /// The plant; by default the device's, else the source's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// The unit id; by default the device's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<u8>,
    /// Which of the four Modbus tables holds the value.
    pub register_type: RegisterType,
    /// The first register (or bit) of the value: the 0-based address on
    /// the wire (see `address_base` of the device).
    pub address: u16,
    /// How the registers encode the value. Required for holding and input
    /// registers; coils and discrete inputs are `bool` (1.0 or 0.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<DataType>,
    /// Register and byte order of multi-byte values (`ABCD` by default).
    #[serde(default, skip_serializing_if = "ByteOrder::is_default")]
    pub byte_order: ByteOrder,
    /// value = raw × `scale` + `offset`.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub scale: f64,
    /// value = raw × `scale` + `offset`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub offset: f64,
    /// The unit of the scaled value (`"kg/h"`, `"barg"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The four Modbus tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterType {
    /// Holding registers, read with function 03.
    Holding,
    /// Input registers, read with function 04.
    Input,
    /// Coils, read with function 01.
    Coil,
    /// Discrete inputs, read with function 02.
    DiscreteInput,
}

impl RegisterType {
    /// Whether the table holds bits (coils, discrete inputs) rather than registers.
    pub fn is_bits(self) -> bool {
        matches!(self, RegisterType::Coil | RegisterType::DiscreteInput)
    }

    /// The protocol's limit on one read of this table.
    pub fn protocol_max_per_request(self) -> u16 {
        if self.is_bits() { 2000 } else { 125 }
    }

    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            RegisterType::Holding => "holding",
            RegisterType::Input => "input",
            RegisterType::Coil => "coil",
            RegisterType::DiscreteInput => "discrete_input",
        }
    }
}

/// How registers encode a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataType {
    /// Signed 16-bit integer, one register.
    Int16,
    /// Unsigned 16-bit integer, one register.
    Uint16,
    /// Signed 32-bit integer, two registers.
    Int32,
    /// Unsigned 32-bit integer, two registers.
    Uint32,
    /// IEEE 754 single precision, two registers.
    Float32,
    /// IEEE 754 double precision, four registers.
    Float64,
    /// One coil or discrete input: 1.0 (on) or 0.0 (off).
    Bool,
}

impl DataType {
    /// How many registers (or bits, for `bool`) the value occupies.
    pub fn width(self) -> u16 {
        match self {
            DataType::Int16 | DataType::Uint16 | DataType::Bool => 1,
            DataType::Int32 | DataType::Uint32 | DataType::Float32 => 2,
            DataType::Float64 => 4,
        }
    }

    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Int16 => "int16",
            DataType::Uint16 => "uint16",
            DataType::Int32 => "int32",
            DataType::Uint32 => "uint32",
            DataType::Float32 => "float32",
            DataType::Float64 => "float64",
            DataType::Bool => "bool",
        }
    }
}

/// Order of registers and bytes of a value (see the module docs for the table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ByteOrder {
    /// Big-endian: high register first, high byte first.
    #[default]
    #[serde(rename = "ABCD", alias = "abcd")]
    Abcd,
    /// Little-endian: low register first, low byte first.
    #[serde(rename = "DCBA", alias = "dcba")]
    Dcba,
    /// High register first, bytes of each register swapped.
    #[serde(rename = "BADC", alias = "badc")]
    Badc,
    /// Low register first, bytes of each register big-endian ("word swap").
    #[serde(rename = "CDAB", alias = "cdab")]
    Cdab,
}

impl ByteOrder {
    /// Whether the registers of a value come low word first.
    pub fn low_word_first(self) -> bool {
        matches!(self, ByteOrder::Cdab | ByteOrder::Dcba)
    }

    /// Whether the two bytes of each register are swapped.
    pub fn swap_bytes(self) -> bool {
        matches!(self, ByteOrder::Badc | ByteOrder::Dcba)
    }

    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            ByteOrder::Abcd => "ABCD",
            ByteOrder::Dcba => "DCBA",
            ByteOrder::Badc => "BADC",
            ByteOrder::Cdab => "CDAB",
        }
    }

    fn is_default(&self) -> bool {
        *self == ByteOrder::Abcd
    }
}

fn default_port() -> u16 {
    502
}
fn default_unit_id() -> u8 {
    1
}
fn default_poll_interval_ms() -> u64 {
    1000
}
fn default_timeout_ms() -> u64 {
    1000
}
fn default_max_registers() -> u16 {
    125
}
fn default_max_coils() -> u16 {
    2000
}
fn one() -> f64 {
    1.0
}
fn is_one(value: &f64) -> bool {
    *value == 1.0
}
fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

impl DeviceConfig {
    /// A device at `host:port` with the defaults and no tags.
    pub fn new(host: impl Into<String>, port: u16) -> DeviceConfig {
        DeviceConfig {
            name: None,
            host: host.into(),
            port,
            unit_id: default_unit_id(),
            plant: None,
            poll_interval_ms: default_poll_interval_ms(),
            timeout_ms: default_timeout_ms(),
            max_registers_per_request: default_max_registers(),
            max_coils_per_request: default_max_coils(),
            max_gap: 0,
            address_base: 0,
            tags: Vec::new(),
        }
    }

    /// The name in messages: `name`, else `host:port`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("{}:{}", self.host, self.port),
        }
    }

    /// The limit on one request of `kind`, as configured.
    pub fn max_per_request(&self, kind: RegisterType) -> u16 {
        if kind.is_bits() {
            self.max_coils_per_request
        } else {
            self.max_registers_per_request
        }
    }
}

impl TagConfig {
    /// A tag with the defaults: `data_type` none (bool for bit tables),
    /// `ABCD`, scale 1, offset 0.
    pub fn new(tag: impl Into<String>, register_type: RegisterType, address: u16) -> TagConfig {
        TagConfig {
            tag: tag.into(),
            plant: None,
            unit_id: None,
            register_type,
            address,
            data_type: None,
            byte_order: ByteOrder::Abcd,
            scale: 1.0,
            offset: 0.0,
            unit: None,
        }
    }

    /// The data type: as configured, else `bool` for coils and discrete
    /// inputs; `None` for registers without one (a config error).
    pub fn effective_data_type(&self) -> Option<DataType> {
        match self.data_type {
            Some(data_type) => Some(data_type),
            None if self.register_type.is_bits() => Some(DataType::Bool),
            None => None,
        }
    }
}

/// A step of the key path of a [`ConfigIssue`], relative to the source's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// A table key.
    Key(&'static str),
    /// An array index.
    Index(usize),
}

/// A config error: where (a key path below `[sources.<id>]`) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigIssue {
    pub path: Vec<PathSegment>,
    pub message: String,
}

impl std::fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, segment) in self.path.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => write!(f, "{key}")?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl ModbusConfig {
    /// Every error of the config, with its key path. Empty when the config
    /// can run. `known_plants`, if given, are the plants of the config file;
    /// a plant not among them is an error.
    pub fn issues(&self, known_plants: Option<&[&str]>) -> Vec<ConfigIssue> {
        let mut issues = Issues::default();
        if self.backoff.max_ms < self.backoff.initial_ms {
            issues.push(
                vec![PathSegment::Key("backoff"), PathSegment::Key("max_ms")],
                "must be at least `initial_ms`",
            );
        }
        if self.devices.is_empty() {
            issues.push(
                vec![PathSegment::Key("devices")],
                "a modbus source needs at least one device",
            );
        }
        let mut seen = std::collections::HashMap::new();
        for (d, device) in self.devices.iter().enumerate() {
            let at = |key: &'static str| {
                vec![
                    PathSegment::Key("devices"),
                    PathSegment::Index(d),
                    PathSegment::Key(key),
                ]
            };
            check_device(device, &at, &mut issues);
            for (t, tag) in device.tags.iter().enumerate() {
                let at = |key: &'static str| {
                    vec![
                        PathSegment::Key("devices"),
                        PathSegment::Index(d),
                        PathSegment::Key("tags"),
                        PathSegment::Index(t),
                        PathSegment::Key(key),
                    ]
                };
                check_tag(device, tag, &at, &mut issues);
                let plant = tag
                    .plant
                    .as_deref()
                    .or(device.plant.as_deref())
                    .or(self.plant.as_deref());
                match plant {
                    None => issues.push(
                        at("plant"),
                        "no plant: set `plant` on the tag, its device or the source",
                    ),
                    Some(plant) => {
                        if let Some(known) = known_plants
                            && !known.contains(&plant)
                        {
                            issues.push(at("plant"), format!("unknown plant `{plant}`"));
                        }
                        let key = (plant.to_owned(), tag.tag.clone());
                        if let Some((d0, t0)) = seen.insert(key, (d, t)) {
                            issues.push(
                                at("tag"),
                                format!(
                                    "tag `{}` of plant `{plant}` is also read by devices[{d0}].tags[{t0}]",
                                    tag.tag
                                ),
                            );
                        }
                    }
                }
            }
        }
        issues.0
    }
}

#[derive(Default)]
struct Issues(Vec<ConfigIssue>);

impl Issues {
    fn push(&mut self, path: Vec<PathSegment>, message: impl Into<String>) {
        self.0.push(ConfigIssue {
            path,
            message: message.into(),
        });
    }
}

fn check_device(
    device: &DeviceConfig,
    at: &dyn Fn(&'static str) -> Vec<PathSegment>,
    issues: &mut Issues,
) {
    if device.host.trim().is_empty() {
        issues.push(at("host"), "must name a host");
    }
    if device.port == 0 {
        issues.push(at("port"), "must be a TCP port (1..=65535)");
    }
    if device.poll_interval_ms == 0 {
        issues.push(at("poll_interval_ms"), "must be greater than 0");
    }
    if device.timeout_ms == 0 {
        issues.push(at("timeout_ms"), "must be greater than 0");
    }
    if !(1..=125).contains(&device.max_registers_per_request) {
        issues.push(
            at("max_registers_per_request"),
            format!(
                "must be between 1 and 125 (the protocol's limit), found {}",
                device.max_registers_per_request
            ),
        );
    }
    if !(1..=2000).contains(&device.max_coils_per_request) {
        issues.push(
            at("max_coils_per_request"),
            format!(
                "must be between 1 and 2000 (the protocol's limit), found {}",
                device.max_coils_per_request
            ),
        );
    }
    if device.address_base > 1 {
        issues.push(
            at("address_base"),
            format!(
                "must be 0 (wire addresses) or 1 (addresses counted from 1), found {}",
                device.address_base
            ),
        );
    }
    if device.tags.is_empty() {
        issues.push(at("tags"), "a device needs at least one tag");
    }
}

fn check_tag(
    device: &DeviceConfig,
    tag: &TagConfig,
    at: &dyn Fn(&'static str) -> Vec<PathSegment>,
    issues: &mut Issues,
) {
    if tag.tag.trim().is_empty() {
        issues.push(at("tag"), "must name the tag");
    }
    let Some(data_type) = tag.effective_data_type() else {
        issues.push(
            at("data_type"),
            format!(
                "{} registers need a data_type (int16, uint16, int32, uint32, float32, float64)",
                tag.register_type.as_str()
            ),
        );
        return;
    };
    match (tag.register_type.is_bits(), data_type == DataType::Bool) {
        (true, false) => {
            issues.push(
                at("data_type"),
                format!(
                    "{}s hold single bits: data_type must be bool, found {}",
                    tag.register_type.as_str(),
                    data_type.as_str()
                ),
            );
            return;
        }
        (false, true) => {
            issues.push(
                at("data_type"),
                "bool is for coils and discrete inputs; registers need int16, uint16, int32, uint32, float32 or float64",
            );
            return;
        }
        _ => {}
    }
    if device.address_base == 1 && tag.address == 0 {
        issues.push(
            at("address"),
            "the device counts addresses from 1 (address_base = 1): 0 is not an address",
        );
    }
    let wire = u32::from(tag.address).saturating_sub(u32::from(device.address_base.min(1)));
    let last = wire + u32::from(data_type.width()) - 1;
    if last > 65_535 {
        issues.push(
            at("address"),
            format!(
                "a {} at wire address {wire} runs past the last address (65535)",
                data_type.as_str()
            ),
        );
    }
    if !tag.scale.is_finite() || tag.scale == 0.0 {
        issues.push(
            at("scale"),
            format!("must be a finite number other than 0, found {}", tag.scale),
        );
    }
    if !tag.offset.is_finite() {
        issues.push(
            at("offset"),
            format!("must be a finite number, found {}", tag.offset),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ModbusConfig {
        match toml::from_str(text) {
            Ok(config) => config,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn the_documented_example_parses_and_is_valid() {
        let config = parse(
            r#"
            plant = "north"
            [[devices]]
            host = "10.1.2.3"
            [[devices.tags]]
            tag = "boiler1.steam_flow"
            register_type = "holding"
            address = 0
            data_type = "float32"
            byte_order = "CDAB"
            unit = "kg/h"
            [[devices.tags]]
            tag = "boiler1.pressure"
            unit_id = 2
            register_type = "input"
            address = 10
            data_type = "int16"
            scale = 0.01
            [[devices.tags]]
            tag = "boiler1.running"
            register_type = "coil"
            address = 3
            "#,
        );
        assert_eq!(config.issues(None), vec![]);
        let device = &config.devices[0];
        assert_eq!(device.port, 502);
        assert_eq!(device.unit_id, 1);
        assert_eq!(device.max_registers_per_request, 125);
        assert_eq!(device.max_coils_per_request, 2000);
        assert_eq!(device.tags[0].byte_order, ByteOrder::Cdab);
        assert_eq!(device.tags[2].effective_data_type(), Some(DataType::Bool));
        assert_eq!(device.tags[1].scale, 0.01);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let error = toml::from_str::<ModbusConfig>(
            r#"
            [[devices]]
            host = "h"
            tags = []
            adress_base = 1
            "#,
        );
        assert!(error.is_err());
    }

    #[test]
    fn config_errors_name_their_key() {
        let config = parse(
            r#"
            [[devices]]
            host = ""
            poll_interval_ms = 0
            max_registers_per_request = 126
            address_base = 1
            [[devices.tags]]
            tag = "a"
            plant = "p"
            register_type = "holding"
            address = 0
            data_type = "float32"
            [[devices.tags]]
            tag = "b"
            plant = "p"
            register_type = "holding"
            address = 5
            [[devices.tags]]
            tag = "c"
            plant = "p"
            register_type = "coil"
            address = 5
            data_type = "int16"
            [[devices.tags]]
            tag = "d"
            register_type = "holding"
            address = 65535
            data_type = "float64"
            scale = 0.0
            [[devices.tags]]
            tag = "a"
            plant = "p"
            register_type = "input"
            address = 9
            data_type = "bool"
            "#,
        );
        let issues: Vec<String> = config.issues(None).iter().map(|i| i.to_string()).collect();
        let expect = [
            "devices[0].host: must name a host",
            "devices[0].poll_interval_ms: must be greater than 0",
            "devices[0].max_registers_per_request: must be between 1 and 125",
            "devices[0].tags[0].address: the device counts addresses from 1",
            "devices[0].tags[1].data_type: holding registers need a data_type",
            "devices[0].tags[2].data_type: coils hold single bits",
            "devices[0].tags[3].address: a float64 at wire address 65534 runs past",
            "devices[0].tags[3].scale: must be a finite number other than 0",
            "devices[0].tags[3].plant: no plant",
            "devices[0].tags[4].data_type: bool is for coils",
            "devices[0].tags[4].tag: tag `a` of plant `p` is also read by devices[0].tags[0]",
        ];
        for expected in expect {
            assert!(
                issues.iter().any(|i| i.starts_with(expected)),
                "missing `{expected}` in {issues:#?}"
            );
        }
        assert_eq!(issues.len(), expect.len(), "{issues:#?}");
    }

    #[test]
    fn unknown_plants_are_reported() {
        let mut config = ModbusConfig {
            plant: Some("south".into()),
            backoff: BackoffConfig::default(),
            devices: vec![DeviceConfig::new("h", 502)],
        };
        config.devices[0]
            .tags
            .push(TagConfig::new("x", RegisterType::Coil, 0));
        assert_eq!(config.issues(Some(&["south"])), vec![]);
        let issues = config.issues(Some(&["north"]));
        assert_eq!(issues.len(), 1);
        assert_eq!(
            issues[0].to_string(),
            "devices[0].tags[0].plant: unknown plant `south`"
        );
    }

    #[test]
    fn serializes_back_to_what_it_parsed() {
        let mut config = ModbusConfig {
            plant: Some("north".into()),
            backoff: BackoffConfig::default(),
            devices: vec![DeviceConfig::new("127.0.0.1", 5020)],
        };
        let mut tag = TagConfig::new("t", RegisterType::Input, 7);
        tag.data_type = Some(DataType::Float64);
        tag.byte_order = ByteOrder::Dcba;
        tag.scale = 2.0;
        config.devices[0].tags.push(tag);
        let text = toml::to_string(&config).unwrap_or_default();
        assert!(text.contains("byte_order = \"DCBA\""), "{text}");
        assert_eq!(parse(&text), config);
    }
}
