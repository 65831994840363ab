//! `steamflow run --check` for an OPC UA source: is the server reachable,
//! does it offer the configured security, is its certificate trusted, does
//! it accept the user, and can every configured node be read as a number?

use std::fmt;
use std::time::Duration;

use opcua::types::{AttributeId, QualifiedName, ReadValueId, StatusCode, TimestampsToReturn};

use crate::config::{Acquisition, OpcUaConfig, Resolved};
use crate::convert::{self, numeric};
use crate::{Error, pki, session};

/// What a connection test found.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    pub endpoint_url: String,
    /// The server answered GetEndpoints.
    pub reachable: bool,
    /// Its endpoints, as `policy/mode`.
    pub offered: String,
    /// This client's certificate thumbprint, and whether it was created by this check.
    pub client_certificate: String,
    pub client_certificate_created: bool,
    /// The server certificate's thumbprint on the chosen endpoint, and
    /// whether `trusted/` holds it.
    pub server_certificate: Option<String>,
    pub server_certificate_trusted: bool,
    /// A session was created and activated with the configured identity.
    pub authenticated: bool,
    /// Each node's findings, in config order.
    pub nodes: Vec<NodeCheck>,
    /// The step that failed, if one did.
    pub error: Option<String>,
}

/// One node's findings.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeCheck {
    pub node_id: String,
    pub tag: String,
    /// `subscribe` or `poll`.
    pub mode: &'static str,
    /// Read as a number with a good or uncertain status.
    pub ok: bool,
    /// The value read, if it was a number.
    pub value: Option<f64>,
    /// The status code of the read.
    pub status: String,
    /// The node's access level allows HistoryRead.
    pub history: bool,
    /// What is wrong: `unknown_node`, `wrong_type`, `not_readable`, with words.
    pub problem: Option<String>,
}

impl CheckReport {
    /// Whether everything checked out.
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.authenticated && self.nodes.iter().all(|n| n.ok)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = |ok: bool| if ok { "ok  " } else { "FAIL" };
        writeln!(
            f,
            "{} reachable      {}",
            mark(self.reachable),
            self.endpoint_url
        )?;
        if !self.offered.is_empty() {
            writeln!(f, "     endpoints      {}", self.offered)?;
        }
        writeln!(
            f,
            "     client cert    {}{}",
            self.client_certificate,
            if self.client_certificate_created {
                " (created now)"
            } else {
                ""
            }
        )?;
        if let Some(thumbprint) = &self.server_certificate {
            writeln!(
                f,
                "{} server cert    {thumbprint}",
                mark(self.server_certificate_trusted)
            )?;
        }
        writeln!(
            f,
            "{} session        authenticated and active",
            mark(self.authenticated)
        )?;
        for node in &self.nodes {
            let value = node.value.map(|v| v.to_string()).unwrap_or_default();
            write!(
                f,
                "{} node           {} -> {} ({}) {} {}",
                mark(node.ok),
                node.node_id,
                node.tag,
                node.mode,
                node.status,
                value
            )?;
            if let Some(problem) = &node.problem {
                write!(f, ": {problem}")?;
            }
            writeln!(f)?;
        }
        if let Some(error) = &self.error {
            writeln!(f, "error: {error}")?;
        }
        Ok(())
    }
}

/// Tests the connection and every configured node without subscribing.
///
/// Returns an error only for a config or PKI folder that cannot work; a
/// server that cannot be reached or refuses us is a report with `error` set.
pub async fn check(config: &OpcUaConfig) -> Result<CheckReport, Error> {
    let resolved = config.resolve().map_err(Error::Config)?;
    let own = pki::prepare(
        &config.pki_dir,
        &config.application_name,
        &config.application_uri,
    )?;
    let mut report = CheckReport {
        endpoint_url: config.endpoint_url.clone(),
        reachable: false,
        offered: String::new(),
        client_certificate: own.thumbprint,
        client_certificate_created: own.created,
        server_certificate: None,
        server_certificate_trusted: false,
        authenticated: false,
        nodes: Vec::new(),
        error: None,
    };
    let mut client = session::build_client(config, "steamflow check")?;
    let endpoints = match session::discover(&client, config).await {
        Ok(endpoints) => endpoints,
        Err(error) => {
            report.error = Some(error.to_string());
            return Ok(report);
        }
    };
    report.reachable = true;
    report.offered = session::describe(&endpoints);
    if let Ok(endpoint) = session::choose(&endpoints, config) {
        report.server_certificate = pki::thumbprint(&endpoint.server_certificate);
        report.server_certificate_trusted =
            pki::is_trusted(&config.pki_dir, &endpoint.server_certificate);
    }
    let live = match session::connect(&mut client, config, &resolved).await {
        Ok(live) => live,
        Err(error) => {
            report.error = Some(error.to_string());
            return Ok(report);
        }
    };
    report.authenticated = true;
    if report.server_certificate.is_some() {
        // Auto-trust or a pin may have stored it while connecting.
        report.server_certificate_trusted =
            pki::is_trusted(&config.pki_dir, &live.endpoint.server_certificate)
                || config.security_mode == crate::SecurityMode::None;
    }
    match read_nodes(&live.session, &resolved, config).await {
        Ok(nodes) => report.nodes = nodes,
        Err(error) => report.error = Some(error),
    }
    live.close(Duration::from_millis(config.request_timeout_ms.min(2000)))
        .await;
    Ok(report)
}

async fn read_nodes(
    session: &opcua::client::Session,
    resolved: &Resolved,
    config: &OpcUaConfig,
) -> Result<Vec<NodeCheck>, String> {
    let ids: Vec<ReadValueId> = resolved
        .nodes
        .iter()
        .flat_map(|node| {
            [AttributeId::Value, AttributeId::UserAccessLevel].map(|attribute| ReadValueId {
                node_id: node.node_id.clone(),
                attribute_id: attribute as u32,
                index_range: Default::default(),
                data_encoding: QualifiedName::null(),
            })
        })
        .collect();
    let timeout = Duration::from_millis(config.request_timeout_ms);
    let values = match tokio::time::timeout(
        timeout,
        session.read(&ids, TimestampsToReturn::Both, 0.0),
    )
    .await
    {
        Ok(Ok(values)) => values,
        Ok(Err(error)) => return Err(format!("Read failed: {error}")),
        Err(_) => return Err("Read timed out".into()),
    };
    let now = convert::now_ms();
    Ok(resolved
        .nodes
        .iter()
        .zip(values.chunks(2))
        .map(|(node, pair)| {
            let value = pair.first().cloned().unwrap_or_default();
            let status = convert::status(&value);
            let history = pair
                .get(1)
                .and_then(|v| v.value.as_ref())
                .is_some_and(|v| matches!(v, opcua::types::Variant::Byte(l) if l & 0x04 != 0));
            let number = value.value.as_ref().and_then(numeric);
            let problem = if status == StatusCode::BadNodeIdUnknown {
                Some(format!(
                    "{}: the server does not know this node",
                    convert::UNKNOWN_NODE
                ))
            } else if status.is_bad() && value.value.is_none() {
                Some(format!("{}: {status}", convert::NOT_READABLE))
            } else {
                convert::to_reading("check", node, &value, config.timestamp, now)
                    .err()
                    .map(|e| format!("{}: {}", e.reason, e.message))
            };
            NodeCheck {
                node_id: node.text.clone(),
                tag: node.tag.to_string(),
                mode: match node.acquisition {
                    Acquisition::Subscribe { .. } => "subscribe",
                    Acquisition::Poll { .. } => "poll",
                },
                ok: problem.is_none() && !status.is_bad(),
                value: number,
                status: status.to_string(),
                history,
                problem,
            }
        })
        .collect())
}
