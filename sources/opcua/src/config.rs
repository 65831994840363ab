//! `[sources.<id>]` with `type = "opcua"`: an OPC UA server, its security,
//! and the nodes read from it, each bound to a plant tag.
//!
//! ```toml
//! [sources.boilerhouse]
//! type = "opcua"
//! endpoint_url = "opc.tcp://plc1.plant.local:4840"
//! plant = "north"
//! security_policy = "basic256sha256"
//! security_mode = "sign_and_encrypt"
//! pki_dir = "/var/lib/steamflow/pki/boilerhouse"
//! username = "steamflow"
//! password = "${OPCUA_PASSWORD}"
//!
//! [[sources.boilerhouse.nodes]]
//! node_id = "ns=2;s=Boiler1.SteamFlow"
//! tag = "north.boiler1.flow"
//! unit = "t/h"
//! deadband_absolute = 0.05
//!
//! [[sources.boilerhouse.nodes]]
//! node_id = "ns=2;i=1042"
//! tag = "north.header.pressure"
//! unit = "barg"
//! mode = "poll"
//! poll_interval_ms = 5000
//! ```

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use steamflow_operators::reading::{PlantId, Tag, UnitLabel};
use steamflow_source_core::BackoffConfig;

/// An OPC UA source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpcUaConfig {
    /// The server's endpoint, `opc.tcp://host:port[/path]`.
    pub endpoint_url: String,
    /// The plant of nodes that name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// `none` (default), `basic256sha256`, `aes128_sha256_rsa_oaep` or
    /// `aes256_sha256_rsa_pss`. Anything but `none` needs `security_mode`
    /// `sign` or `sign_and_encrypt`.
    #[serde(default)]
    pub security_policy: SecurityPolicy,
    /// `none` (default), `sign` or `sign_and_encrypt`.
    #[serde(default)]
    pub security_mode: SecurityMode,
    /// The PKI folder: `own/cert.der` and `private/private.pem` hold this
    /// client's certificate and key, created on the first start and kept;
    /// `trusted/` holds the server certificates trusted (`.der` or `.pem`,
    /// any file name); `rejected/` receives the certificates of servers that
    /// were refused, to be moved to `trusted/` by whoever vouches for them.
    #[serde(default = "default_pki_dir")]
    pub pki_dir: PathBuf,
    /// The application name in this client's certificate and session.
    #[serde(default = "default_application_name")]
    pub application_name: String,
    /// The application URI in this client's certificate.
    #[serde(default = "default_application_uri")]
    pub application_uri: String,
    /// Trust a server certificate that is not in `trusted/` yet and store
    /// it there (trust on first use). Off by default. With
    /// `server_certificate_thumbprint` set only the pinned certificate is trusted.
    #[serde(default)]
    pub auto_trust: bool,
    /// Pin the server certificate: its SHA-1 thumbprint as 40 hex digits
    /// (colons and spaces allowed). A server presenting another certificate
    /// is refused even if it is trusted. Needs `security_mode` other than `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_certificate_thumbprint: Option<String>,
    /// User name; absent means anonymous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password, from `${ENV_VAR}`; required with `username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Which timestamp of a value becomes the reading's event time:
    /// `source` (default; the device's, else the server's) or `server`
    /// (the server's, else the device's). Without either, the time received.
    #[serde(default)]
    pub timestamp: TimestampSource,
    /// How nodes are read unless a node says otherwise: `subscribe` (default) or `poll`.
    #[serde(default)]
    pub mode: Mode,
    /// Default publishing interval of subscriptions [ms].
    #[serde(default = "default_publishing_interval_ms")]
    pub publishing_interval_ms: u64,
    /// Default sampling interval of monitored items [ms]; absent: the
    /// publishing interval; 0: as fast as the server samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling_interval_ms: Option<u64>,
    /// Default queue size of monitored items (values kept by the server between publishes).
    #[serde(default = "default_queue_size")]
    pub queue_size: u32,
    /// Default read interval of polled nodes [ms].
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Fill a gap after a reconnect from the server's history (HistoryRead
    /// raw) for the nodes whose access level allows it. On by default.
    #[serde(default = "yes")]
    pub history_backfill: bool,
    /// Most values read back per node and gap.
    #[serde(default = "default_history_max_values")]
    pub history_max_values: u32,
    /// Most notifications the server may put in one publish response; bounds
    /// the memory a burst can take. Keep it near the default: with
    /// async-opcua 0.19 publish responses of a few thousand notifications
    /// dropped the session (BadDecodingError) on loopback, while 1000 ran
    /// at 150 000 notifications/s.
    #[serde(default = "default_max_notifications")]
    pub max_notifications_per_publish: u32,
    /// Timeout of each request, and of connecting [ms].
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Session timeout asked of the server [ms].
    #[serde(default = "default_session_timeout_ms")]
    pub session_timeout_ms: u64,
    /// Interval of keep-alive reads [ms]; three failures in a row drop the
    /// session and start a reconnect.
    #[serde(default = "default_keep_alive_interval_ms")]
    pub keep_alive_interval_ms: u64,
    /// Reconnect delays: exponential with full jitter.
    #[serde(default)]
    pub reconnect: BackoffConfig,
    /// The nodes read, each bound to a tag.
    pub nodes: Vec<NodeConfig>,
}

/// One node read from the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// The node id in OPC UA text form: `ns=2;s=Boiler1.Flow`, `ns=3;i=1042`,
    /// `ns=1;g=<guid>`, `ns=1;b=<base64>`.
    pub node_id: String,
    /// The tag its readings carry.
    pub tag: String,
    /// The plant, if not the source's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// The unit its readings carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `subscribe` or `poll`; absent: the source's `mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Publishing interval of its subscription [ms] (subscribe only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishing_interval_ms: Option<u64>,
    /// Sampling interval [ms] (subscribe only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling_interval_ms: Option<u64>,
    /// Queue size (subscribe only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_size: Option<u32>,
    /// Report a change only when the value moves by more than this, in the
    /// value's own unit (subscribe only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadband_absolute: Option<f64>,
    /// Report a change only when the value moves by more than this percentage
    /// of the node's EURange (subscribe only; the server must know the range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadband_percent: Option<f64>,
    /// Read interval [ms] (poll only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_ms: Option<u64>,
    /// Backfill gaps of this node from history; absent: the source's `history_backfill`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_backfill: Option<bool>,
}

/// How a node is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A monitored item in a subscription: the server reports changes.
    #[default]
    Subscribe,
    /// A Read request at a fixed interval.
    Poll,
}

/// Message security policies (OPC UA Part 7 security policy profiles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityPolicy {
    #[default]
    None,
    #[serde(rename = "basic256sha256")]
    Basic256Sha256,
    #[serde(rename = "aes128_sha256_rsa_oaep")]
    Aes128Sha256RsaOaep,
    #[serde(rename = "aes256_sha256_rsa_pss")]
    Aes256Sha256RsaPss,
}

impl SecurityPolicy {
    pub(crate) fn to_opcua(self) -> opcua::crypto::SecurityPolicy {
        use opcua::crypto::SecurityPolicy as P;
        match self {
            SecurityPolicy::None => P::None,
            SecurityPolicy::Basic256Sha256 => P::Basic256Sha256,
            SecurityPolicy::Aes128Sha256RsaOaep => P::Aes128Sha256RsaOaep,
            SecurityPolicy::Aes256Sha256RsaPss => P::Aes256Sha256RsaPss,
        }
    }

    /// The name in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityPolicy::None => "none",
            SecurityPolicy::Basic256Sha256 => "basic256sha256",
            SecurityPolicy::Aes128Sha256RsaOaep => "aes128_sha256_rsa_oaep",
            SecurityPolicy::Aes256Sha256RsaPss => "aes256_sha256_rsa_pss",
        }
    }
}

/// Message security modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityMode {
    #[default]
    None,
    Sign,
    SignAndEncrypt,
}

impl SecurityMode {
    pub(crate) fn to_opcua(self) -> opcua::types::MessageSecurityMode {
        use opcua::types::MessageSecurityMode as M;
        match self {
            SecurityMode::None => M::None,
            SecurityMode::Sign => M::Sign,
            SecurityMode::SignAndEncrypt => M::SignAndEncrypt,
        }
    }

    /// The name in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityMode::None => "none",
            SecurityMode::Sign => "sign",
            SecurityMode::SignAndEncrypt => "sign_and_encrypt",
        }
    }
}

/// Which timestamp becomes the event time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampSource {
    /// The source (device) timestamp, else the server timestamp.
    #[default]
    Source,
    /// The server timestamp, else the source timestamp.
    Server,
}

/// A secret string (a password): never printed, serialized as asterisks.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(secret.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"********\"")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("********")
    }
}

fn default_pki_dir() -> PathBuf {
    PathBuf::from("pki/opcua")
}
fn default_application_name() -> String {
    "steamflow".to_owned()
}
fn default_application_uri() -> String {
    "urn:steamflow:opcua-client".to_owned()
}
fn default_publishing_interval_ms() -> u64 {
    1000
}
fn default_queue_size() -> u32 {
    10
}
fn default_poll_interval_ms() -> u64 {
    1000
}
fn default_history_max_values() -> u32 {
    10_000
}
fn default_max_notifications() -> u32 {
    1_000
}
fn default_request_timeout_ms() -> u64 {
    10_000
}
fn default_session_timeout_ms() -> u64 {
    60_000
}
fn default_keep_alive_interval_ms() -> u64 {
    5_000
}
fn yes() -> bool {
    true
}

impl OpcUaConfig {
    /// A config with defaults for everything but the endpoint and the nodes.
    pub fn new(endpoint_url: impl Into<String>, nodes: Vec<NodeConfig>) -> OpcUaConfig {
        OpcUaConfig {
            endpoint_url: endpoint_url.into(),
            plant: None,
            security_policy: SecurityPolicy::None,
            security_mode: SecurityMode::None,
            pki_dir: default_pki_dir(),
            application_name: default_application_name(),
            application_uri: default_application_uri(),
            auto_trust: false,
            server_certificate_thumbprint: None,
            username: None,
            password: None,
            timestamp: TimestampSource::Source,
            mode: Mode::Subscribe,
            publishing_interval_ms: default_publishing_interval_ms(),
            sampling_interval_ms: None,
            queue_size: default_queue_size(),
            poll_interval_ms: default_poll_interval_ms(),
            history_backfill: true,
            history_max_values: default_history_max_values(),
            max_notifications_per_publish: default_max_notifications(),
            request_timeout_ms: default_request_timeout_ms(),
            session_timeout_ms: default_session_timeout_ms(),
            keep_alive_interval_ms: default_keep_alive_interval_ms(),
            reconnect: BackoffConfig::default(),
            nodes,
        }
    }

    /// Every problem of the config, each with its key; empty when it is sound.
    pub fn check(&self) -> Vec<ConfigIssue> {
        match self.resolve() {
            Ok(_) => Vec::new(),
            Err(issues) => issues,
        }
    }

    /// The config checked and resolved: node ids parsed, defaults applied.
    pub fn resolve(&self) -> Result<Resolved, Vec<ConfigIssue>> {
        let mut issues = Vec::new();
        self.check_connection(&mut issues);
        let pin = self.pin(&mut issues);
        if self.nodes.is_empty() {
            issues.push(ConfigIssue::top("nodes", "at least one node is needed"));
        }
        let mut seen = HashSet::new();
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for (index, node) in self.nodes.iter().enumerate() {
            if !seen.insert(node.node_id.trim()) {
                issues.push(ConfigIssue::node(
                    index,
                    "node_id",
                    format!("node `{}` is listed twice", node.node_id),
                ));
            }
            if let Some(resolved) = self.resolve_node(index, node, &mut issues) {
                nodes.push(resolved);
            }
        }
        if issues.is_empty() {
            Ok(Resolved {
                nodes,
                server_thumbprint: pin,
            })
        } else {
            Err(issues)
        }
    }

    fn check_connection(&self, issues: &mut Vec<ConfigIssue>) {
        if !self.endpoint_url.starts_with("opc.tcp://") || self.endpoint_url.len() <= 10 {
            issues.push(ConfigIssue::top(
                "endpoint_url",
                format!(
                    "`{}` is not an OPC UA endpoint: expected opc.tcp://host:port",
                    self.endpoint_url
                ),
            ));
        }
        match (self.security_policy, self.security_mode) {
            (SecurityPolicy::None, SecurityMode::None) => {}
            (SecurityPolicy::None, _) => issues.push(ConfigIssue::top(
                "security_mode",
                "sign and sign_and_encrypt need a security_policy other than none",
            )),
            (_, SecurityMode::None) => issues.push(ConfigIssue::top(
                "security_mode",
                "a security_policy other than none needs security_mode sign or sign_and_encrypt",
            )),
            _ => {}
        }
        match (&self.username, &self.password) {
            (Some(user), Some(_)) if user.is_empty() => {
                issues.push(ConfigIssue::top("username", "must not be empty"))
            }
            (Some(_), None) => {
                issues.push(ConfigIssue::top("password", "username needs a password"))
            }
            (None, Some(_)) => {
                issues.push(ConfigIssue::top("username", "password needs a username"))
            }
            _ => {}
        }
        if self.application_uri.is_empty() {
            issues.push(ConfigIssue::top("application_uri", "must not be empty"));
        }
        let positive = [
            ("publishing_interval_ms", self.publishing_interval_ms),
            ("poll_interval_ms", self.poll_interval_ms),
            ("request_timeout_ms", self.request_timeout_ms),
            ("session_timeout_ms", self.session_timeout_ms),
            ("keep_alive_interval_ms", self.keep_alive_interval_ms),
            ("history_max_values", u64::from(self.history_max_values)),
            (
                "max_notifications_per_publish",
                u64::from(self.max_notifications_per_publish),
            ),
        ];
        for (key, value) in positive {
            if value == 0 {
                issues.push(ConfigIssue::top(key, "must be greater than 0"));
            }
        }
        if self.reconnect.max_ms < self.reconnect.initial_ms {
            issues.push(ConfigIssue::top(
                "reconnect",
                "max_ms must not be smaller than initial_ms",
            ));
        }
    }

    fn pin(&self, issues: &mut Vec<ConfigIssue>) -> Option<String> {
        let text = self.server_certificate_thumbprint.as_ref()?;
        if self.security_mode == SecurityMode::None {
            issues.push(ConfigIssue::top(
                "server_certificate_thumbprint",
                "pinning needs security_mode sign or sign_and_encrypt: without security the certificate proves nothing",
            ));
        }
        match normalize_thumbprint(text) {
            Some(hex) => Some(hex),
            None => {
                issues.push(ConfigIssue::top(
                    "server_certificate_thumbprint",
                    "expected a SHA-1 thumbprint: 40 hex digits",
                ));
                None
            }
        }
    }

    fn resolve_node(
        &self,
        index: usize,
        node: &NodeConfig,
        issues: &mut Vec<ConfigIssue>,
    ) -> Option<ResolvedNode> {
        let before = issues.len();
        let node_id = match opcua::types::NodeId::from_str(node.node_id.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                issues.push(ConfigIssue::node(
                    index,
                    "node_id",
                    format!(
                        "`{}` is not a node id: expected ns=<index>;s=<name> (or i=, g=, b=)",
                        node.node_id
                    ),
                ));
                None
            }
        };
        if node.tag.trim().is_empty() {
            issues.push(ConfigIssue::node(index, "tag", "must not be empty"));
        }
        let plant = node.plant.as_ref().or(self.plant.as_ref());
        if plant.is_none_or(|p| p.trim().is_empty()) {
            issues.push(ConfigIssue::node(
                index,
                "plant",
                "no plant: set it here or on the source",
            ));
        }
        let acquisition = self.acquisition(index, node, issues);
        if issues.len() > before {
            return None;
        }
        Some(ResolvedNode {
            node_id: node_id?,
            text: node.node_id.trim().to_owned(),
            plant: PlantId::from(plant?.as_str()),
            tag: Tag::from(node.tag.as_str()),
            unit: node.unit.as_deref().map(UnitLabel::from),
            acquisition: acquisition?,
            backfill: node.history_backfill.unwrap_or(self.history_backfill),
        })
    }

    fn acquisition(
        &self,
        index: usize,
        node: &NodeConfig,
        issues: &mut Vec<ConfigIssue>,
    ) -> Option<Acquisition> {
        match node.mode.unwrap_or(self.mode) {
            Mode::Poll => {
                let subscribe_keys = [
                    (
                        "publishing_interval_ms",
                        node.publishing_interval_ms.is_some(),
                    ),
                    ("sampling_interval_ms", node.sampling_interval_ms.is_some()),
                    ("queue_size", node.queue_size.is_some()),
                    ("deadband_absolute", node.deadband_absolute.is_some()),
                    ("deadband_percent", node.deadband_percent.is_some()),
                ];
                for (key, set) in subscribe_keys {
                    if set {
                        issues.push(ConfigIssue::node(
                            index,
                            key,
                            "applies to subscribed nodes only; this node is polled",
                        ));
                    }
                }
                let interval_ms = node.poll_interval_ms.unwrap_or(self.poll_interval_ms);
                if interval_ms == 0 {
                    issues.push(ConfigIssue::node(
                        index,
                        "poll_interval_ms",
                        "must be greater than 0",
                    ));
                    return None;
                }
                Some(Acquisition::Poll { interval_ms })
            }
            Mode::Subscribe => {
                if node.poll_interval_ms.is_some() {
                    issues.push(ConfigIssue::node(
                        index,
                        "poll_interval_ms",
                        "applies to polled nodes only (mode = \"poll\")",
                    ));
                }
                let publishing_interval_ms = node
                    .publishing_interval_ms
                    .unwrap_or(self.publishing_interval_ms);
                if publishing_interval_ms == 0 {
                    issues.push(ConfigIssue::node(
                        index,
                        "publishing_interval_ms",
                        "must be greater than 0",
                    ));
                }
                let deadband = self.deadband(index, node, issues);
                Some(Acquisition::Subscribe {
                    publishing_interval_ms,
                    sampling_interval_ms: node
                        .sampling_interval_ms
                        .or(self.sampling_interval_ms)
                        .unwrap_or(publishing_interval_ms),
                    queue_size: node.queue_size.unwrap_or(self.queue_size).max(1),
                    deadband,
                })
            }
        }
    }

    fn deadband(&self, index: usize, node: &NodeConfig, issues: &mut Vec<ConfigIssue>) -> Deadband {
        match (node.deadband_absolute, node.deadband_percent) {
            (Some(_), Some(_)) => {
                issues.push(ConfigIssue::node(
                    index,
                    "deadband_percent",
                    "give deadband_absolute or deadband_percent, not both",
                ));
                Deadband::None
            }
            (Some(value), None) if !(value.is_finite() && value >= 0.0) => {
                issues.push(ConfigIssue::node(
                    index,
                    "deadband_absolute",
                    "must be a finite number >= 0",
                ));
                Deadband::None
            }
            (None, Some(value)) if !(value.is_finite() && (0.0..=100.0).contains(&value)) => {
                issues.push(ConfigIssue::node(
                    index,
                    "deadband_percent",
                    "must be between 0 and 100",
                ));
                Deadband::None
            }
            (Some(value), None) => Deadband::Absolute(value),
            (None, Some(value)) => Deadband::Percent(value),
            (None, None) => Deadband::None,
        }
    }
}

/// A thumbprint as lower-case hex without separators, if it is 40 hex digits.
pub(crate) fn normalize_thumbprint(text: &str) -> Option<String> {
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (hex.len() == 40 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

/// A problem in the config: the key (inside the source table, or inside
/// `nodes[node]`) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    /// The index in `nodes`, when the key is a node's.
    pub node: Option<usize>,
    pub key: &'static str,
    pub message: String,
}

impl ConfigIssue {
    fn top(key: &'static str, message: impl Into<String>) -> ConfigIssue {
        ConfigIssue {
            node: None,
            key,
            message: message.into(),
        }
    }

    fn node(index: usize, key: &'static str, message: impl Into<String>) -> ConfigIssue {
        ConfigIssue {
            node: Some(index),
            key,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.node {
            Some(index) => write!(f, "nodes[{index}].{}: {}", self.key, self.message),
            None => write!(f, "{}: {}", self.key, self.message),
        }
    }
}

/// The config resolved for the client.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub nodes: Vec<ResolvedNode>,
    /// The pinned server thumbprint, lower-case hex.
    pub server_thumbprint: Option<String>,
}

/// One node, its defaults applied.
#[derive(Clone, Debug)]
pub struct ResolvedNode {
    pub node_id: opcua::types::NodeId,
    /// The node id as configured.
    pub text: String,
    pub plant: PlantId,
    pub tag: Tag,
    pub unit: Option<UnitLabel>,
    pub acquisition: Acquisition,
    pub backfill: bool,
}

/// How one node is read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Acquisition {
    Subscribe {
        publishing_interval_ms: u64,
        sampling_interval_ms: u64,
        queue_size: u32,
        deadband: Deadband,
    },
    Poll {
        interval_ms: u64,
    },
}

/// A data-change deadband (OPC UA Part 4, 7.22.2 DataChangeFilter).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Deadband {
    None,
    Absolute(f64),
    Percent(f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, tag: &str) -> NodeConfig {
        NodeConfig {
            node_id: id.to_owned(),
            tag: tag.to_owned(),
            plant: None,
            unit: None,
            mode: None,
            publishing_interval_ms: None,
            sampling_interval_ms: None,
            queue_size: None,
            deadband_absolute: None,
            deadband_percent: None,
            poll_interval_ms: None,
            history_backfill: None,
        }
    }

    fn config(nodes: Vec<NodeConfig>) -> OpcUaConfig {
        let mut config = OpcUaConfig::new("opc.tcp://127.0.0.1:4840", nodes);
        config.plant = Some("north".into());
        config
    }

    fn keys(issues: &[ConfigIssue]) -> Vec<String> {
        issues.iter().map(|i| i.to_string()).collect()
    }

    #[test]
    fn toml_with_defaults_resolves() {
        let text = r#"
            endpoint_url = "opc.tcp://plc:4840"
            plant = "north"
            security_policy = "basic256sha256"
            security_mode = "sign_and_encrypt"
            username = "op"
            password = "secret"
            server_certificate_thumbprint = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
            [[nodes]]
            node_id = "ns=2;s=Boiler1.Flow"
            tag = "north.boiler1.flow"
            unit = "t/h"
            deadband_absolute = 0.5
            [[nodes]]
            node_id = "ns=3;i=1042"
            tag = "north.header.pressure"
            mode = "poll"
            poll_interval_ms = 250
        "#;
        let config: OpcUaConfig = toml::from_str(text).unwrap();
        let resolved = config.resolve().unwrap();
        assert_eq!(
            resolved.server_thumbprint.as_deref(),
            Some("abcdef0123456789abcdef0123456789abcdef01")
        );
        assert_eq!(
            resolved.nodes[0].acquisition,
            Acquisition::Subscribe {
                publishing_interval_ms: 1000,
                sampling_interval_ms: 1000,
                queue_size: 10,
                deadband: Deadband::Absolute(0.5)
            }
        );
        assert_eq!(
            resolved.nodes[1].acquisition,
            Acquisition::Poll { interval_ms: 250 }
        );
        assert_eq!(
            resolved.nodes[1].node_id,
            opcua::types::NodeId::new(3, 1042u32)
        );
        assert!(!format!("{config:?}").contains("secret"));
        assert!(!toml::to_string(&config).unwrap().contains("secret"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = r#"
            endpoint_url = "opc.tcp://plc:4840"
            nodes = []
            sampling_rate = 3
        "#;
        assert!(toml::from_str::<OpcUaConfig>(text).is_err());
    }

    #[test]
    fn every_mistake_is_reported_with_its_key() {
        let mut bad_mode = node("ns=2;s=a", "a");
        bad_mode.mode = Some(Mode::Poll);
        bad_mode.deadband_absolute = Some(1.0);
        let mut both = node("ns=2;s=b", "b");
        both.deadband_absolute = Some(1.0);
        both.deadband_percent = Some(1.0);
        let mut poll_key = node("ns=2;s=c", "c");
        poll_key.poll_interval_ms = Some(10);
        let mut config = config(vec![
            bad_mode,
            both,
            poll_key,
            node("nonsense", "d"),
            node("ns=2;s=a", "dup"),
            node("ns=2;s=e", " "),
        ]);
        config.endpoint_url = "http://plc".into();
        config.security_mode = SecurityMode::Sign;
        config.username = Some("op".into());
        config.server_certificate_thumbprint = Some("12".into());
        let issues = keys(&config.check());
        let expected = [
            "endpoint_url: ",
            "security_mode: sign and sign_and_encrypt need",
            "password: username needs a password",
            "server_certificate_thumbprint: expected a SHA-1",
            "nodes[0].deadband_absolute: applies to subscribed nodes only",
            "nodes[1].deadband_percent: give deadband_absolute or deadband_percent",
            "nodes[2].poll_interval_ms: applies to polled nodes only",
            "nodes[3].node_id: `nonsense` is not a node id",
            "nodes[4].node_id: node `ns=2;s=a` is listed twice",
            "nodes[5].tag: must not be empty",
        ];
        for prefix in expected {
            assert!(
                issues.iter().any(|i| i.starts_with(prefix)),
                "missing `{prefix}` in {issues:#?}"
            );
        }
    }

    #[test]
    fn a_node_needs_a_plant_and_a_pin_needs_security() {
        let mut config = config(vec![node("ns=2;s=a", "a")]);
        config.plant = None;
        config.server_certificate_thumbprint =
            Some("abcdef0123456789abcdef0123456789abcdef01".into());
        let issues = keys(&config.check());
        assert!(
            issues.iter().any(|i| i.starts_with("nodes[0].plant")),
            "{issues:?}"
        );
        assert!(
            issues
                .iter()
                .any(|i| i.starts_with("server_certificate_thumbprint: pinning needs")),
            "{issues:?}"
        );
    }

    #[test]
    fn percent_deadband_range_is_checked() {
        let mut n = node("ns=2;s=a", "a");
        n.deadband_percent = Some(150.0);
        let issues = keys(&config(vec![n]).check());
        assert!(issues[0].starts_with("nodes[0].deadband_percent: must be between"));
    }
}
