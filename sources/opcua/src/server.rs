//! An OPC UA server for the plant simulator: every tag is a Double variable
//! `ns=2;s=<tag>` in the folder `Objects/<folder>`, updated from a stream
//! of readings (value, quality as status code, event time as source
//! timestamp), with a bounded in-memory history per tag for HistoryRead raw.
//!
//! Endpoints: security None always; with a PKI folder also Basic256Sha256
//! Sign and SignAndEncrypt (the server's certificate is created there once).
//! Users: anonymous unless turned off, plus the configured user names.
//! The simulator's server trusts every client certificate: it is a demo
//! and test peer, not a plant's gatekeeper.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use opcua::crypto::SecurityPolicy;
use opcua::server::address_space::{
    AccessLevel, AddressSpace, NodeType, ObjectBuilder, VariableBuilder,
};
use opcua::server::diagnostics::NamespaceMetadata;
use opcua::server::node_manager::memory::{
    InMemoryNodeManager, InMemoryNodeManagerBuilder, InMemoryNodeManagerImpl,
};
use opcua::server::node_manager::{HistoryNode, RequestContext, ServerContext};
use opcua::server::{
    ANONYMOUS_USER_TOKEN_ID, ContinuationPoint, ServerBuilder, ServerHandle, ServerUserToken,
};
use opcua::sync::RwLock;
use opcua::types::{
    DataTypeId, DataValue, DateTime, HistoryData, MessageSecurityMode, NodeId, ObjectId,
    ReadRawModifiedDetails, StatusCode, TimestampsToReturn, Variant,
};
use steamflow_operators::reading::{Reading, Tag, UnitLabel};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::Error;
use crate::convert::opcua_time;

/// The namespace URI of the tag variables.
pub const NAMESPACE_URI: &str = "urn:steamflow:plant";

/// A tag the server exposes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagSpec {
    pub tag: String,
    pub unit: Option<String>,
}

impl From<(Tag, UnitLabel)> for TagSpec {
    fn from((tag, unit): (Tag, UnitLabel)) -> TagSpec {
        TagSpec {
            tag: tag.to_string(),
            unit: Some(unit.to_string()).filter(|u| !u.is_empty()),
        }
    }
}

impl From<&str> for TagSpec {
    fn from(tag: &str) -> TagSpec {
        TagSpec {
            tag: tag.to_owned(),
            unit: None,
        }
    }
}

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Address to listen on; port 0 picks a free one ([`RunningServer::endpoint_url`] tells which).
    pub bind: SocketAddr,
    /// Host name in the endpoint URLs; default: the bind address.
    pub host: Option<String>,
    /// Name of the folder under Objects holding the variables.
    pub folder: String,
    /// PKI folder of the server; enables the Basic256Sha256 endpoints.
    pub pki_dir: Option<PathBuf>,
    /// Accept anonymous sessions.
    pub allow_anonymous: bool,
    /// Accepted user names and passwords.
    pub users: Vec<(String, String)>,
    /// Values kept per tag for HistoryRead; 0 turns history off.
    pub history_depth: usize,
}

impl ServerOptions {
    pub fn new(bind: SocketAddr) -> ServerOptions {
        ServerOptions {
            bind,
            host: None,
            folder: "steamflow".to_owned(),
            pki_dir: None,
            allow_anonymous: true,
            users: Vec::new(),
            history_depth: 3600,
        }
    }
}

/// Serves `tags` on `bind` (security None, anonymous), updating them from
/// `rx` until `shutdown` or until `rx` closes. The tags are owned so the
/// future can be spawned.
pub async fn serve(
    bind: SocketAddr,
    tags: Vec<TagSpec>,
    rx: mpsc::Receiver<Vec<Reading>>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    serve_with(ServerOptions::new(bind), tags, rx, shutdown).await
}

/// [`serve`] with options.
pub async fn serve_with(
    options: ServerOptions,
    tags: Vec<TagSpec>,
    mut rx: mpsc::Receiver<Vec<Reading>>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let server = start(options, &tags).await?;
    tracing::info!(
        endpoint = server.endpoint_url(),
        tags = tags.len(),
        "OPC UA server up"
    );
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            batch = rx.recv() => match batch {
                Some(readings) => { server.update(&readings); }
                None => break,
            },
        }
    }
    server.stop().await;
    Ok(())
}

/// A server that runs until [`RunningServer::stop`] (or drop).
pub struct RunningServer {
    handle: ServerHandle,
    nodes: Arc<InMemoryNodeManager<PlantNodes>>,
    endpoint_url: String,
    local_addr: SocketAddr,
    task: Option<JoinHandle<Result<(), String>>>,
}

/// Starts a server exposing `tags`.
pub async fn start(options: ServerOptions, tags: &[TagSpec]) -> Result<RunningServer, Error> {
    let listener = TcpListener::bind(options.bind)
        .await
        .map_err(|e| Error::Server(format!("cannot listen on {}: {e}", options.bind)))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| Error::Server(e.to_string()))?;
    let host = options
        .host
        .clone()
        .unwrap_or_else(|| local_addr.ip().to_string());
    let builder = server_builder(&options, &host, local_addr.port())?.with_node_manager(
        InMemoryNodeManagerBuilder::new(PlantNodesBuilder {
            folder: options.folder.clone(),
            tags: tags.to_vec(),
            history_depth: options.history_depth,
        }),
    );
    let (server, handle) = builder.build().map_err(Error::Server)?;
    let nodes = handle
        .node_managers()
        .get_of_type::<InMemoryNodeManager<PlantNodes>>()
        .ok_or_else(|| Error::Server("the plant node manager is missing".into()))?;
    if nodes.inner().namespace != 2 {
        return Err(Error::Server(format!(
            "tags landed in namespace {} instead of 2",
            nodes.inner().namespace
        )));
    }
    let task = tokio::spawn(server.run_with(listener));
    Ok(RunningServer {
        handle,
        nodes,
        endpoint_url: format!("opc.tcp://{host}:{}/", local_addr.port()),
        local_addr,
        task: Some(task),
    })
}

fn server_builder(options: &ServerOptions, host: &str, port: u16) -> Result<ServerBuilder, Error> {
    let mut builder = ServerBuilder::new()
        .application_name("steamflow simulator")
        .application_uri("urn:steamflow:simulator")
        .product_uri("urn:steamflow")
        .host(host.to_owned())
        .port(port)
        .discovery_urls(vec![format!("opc.tcp://{host}:{port}/")])
        .trust_client_certs(true)
        .diagnostics_enabled(false)
        .max_sessions(100);
    builder = match &options.pki_dir {
        Some(dir) => builder.pki_dir(dir.clone()).create_sample_keypair(true),
        None => builder.create_sample_keypair(false),
    };
    let mut user_ids: Vec<String> = Vec::new();
    if options.allow_anonymous {
        user_ids.push(ANONYMOUS_USER_TOKEN_ID.to_owned());
    }
    for (i, (user, password)) in options.users.iter().enumerate() {
        let id = format!("user{i}");
        builder = builder.add_user_token(
            id.clone(),
            ServerUserToken::user_pass(user.as_str(), password.as_str()),
        );
        user_ids.push(id);
    }
    if user_ids.is_empty() {
        return Err(Error::Server(
            "no anonymous access and no users: nobody could connect".into(),
        ));
    }
    let ids: Vec<&str> = user_ids.iter().map(String::as_str).collect();
    builder = builder.add_endpoint(
        "none",
        (
            "/",
            SecurityPolicy::None,
            MessageSecurityMode::None,
            ids.as_slice(),
        ),
    );
    if options.pki_dir.is_some() {
        builder = builder
            .add_endpoint(
                "basic256sha256_sign",
                (
                    "/",
                    SecurityPolicy::Basic256Sha256,
                    MessageSecurityMode::Sign,
                    ids.as_slice(),
                ),
            )
            .add_endpoint(
                "basic256sha256_sign_encrypt",
                (
                    "/",
                    SecurityPolicy::Basic256Sha256,
                    MessageSecurityMode::SignAndEncrypt,
                    ids.as_slice(),
                ),
            );
    }
    let limits = builder.limits_mut();
    limits.subscriptions.max_monitored_items_per_sub = 100_000;
    limits.subscriptions.max_queued_notifications = 1_000;
    limits.subscriptions.min_publishing_interval_ms = 10.0;
    limits.subscriptions.min_sampling_interval_ms = 10.0;
    limits.operational.max_monitored_items_per_call = 10_000;
    limits.operational.max_nodes_per_read = 100_000;
    limits.max_message_size = 64 * 1024 * 1024;
    limits.max_chunk_count = 1024;
    limits.max_array_length = 1_000_000;
    Ok(builder.subscription_poll_interval_ms(10))
}

impl RunningServer {
    /// `opc.tcp://host:port/`.
    pub fn endpoint_url(&self) -> &str {
        &self.endpoint_url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The node id of a tag, in text form.
    pub fn node_id(tag: &str) -> String {
        format!("ns=2;s={tag}")
    }

    /// Sets the values of the tags in `readings`, notifying subscriptions
    /// and appending to history; readings of unknown tags are skipped.
    /// Returns how many were applied.
    pub fn update(&self, readings: &[Reading]) -> usize {
        let inner = self.nodes.inner();
        let now = DateTime::now();
        let updates: Vec<(NodeId, DataValue)> = readings
            .iter()
            .filter_map(|r| {
                let id = NodeId::new(inner.namespace, r.tag.as_str());
                inner
                    .known
                    .contains_key(&id)
                    .then(|| (id, data_value(r, now)))
            })
            .collect();
        let applied = updates.len();
        if applied < readings.len() {
            tracing::debug!(
                skipped = readings.len() - applied,
                "readings of tags not served"
            );
        }
        if updates.is_empty() {
            return 0;
        }
        inner.record(&updates);
        let result = self.nodes.set_values(
            self.handle.subscriptions(),
            updates.iter().map(|(id, value)| (id, None, value.clone())),
        );
        if let Err(status) = result {
            tracing::warn!(%status, "OPC UA server update failed");
            return 0;
        }
        applied
    }

    /// Stops the server and waits for it to close its connections.
    pub async fn stop(mut self) {
        self.handle.cancel();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.handle.cancel();
    }
}

fn data_value(reading: &Reading, now: DateTime) -> DataValue {
    DataValue {
        value: Some(Variant::Double(reading.value)),
        status: Some(StatusCode::from(reading.quality.opcua_status())),
        source_timestamp: Some(opcua_time(reading.time_ms)),
        server_timestamp: Some(now),
        ..DataValue::default()
    }
}

struct PlantNodesBuilder {
    folder: String,
    tags: Vec<TagSpec>,
    history_depth: usize,
}

impl opcua::server::node_manager::memory::InMemoryNodeManagerImplBuilder for PlantNodesBuilder {
    type Impl = PlantNodes;

    fn build(self, context: ServerContext, address_space: &mut AddressSpace) -> PlantNodes {
        let namespace = {
            let mut type_tree = context.type_tree.write();
            type_tree.namespaces_mut().add_namespace(NAMESPACE_URI)
        };
        address_space.add_namespace(NAMESPACE_URI, namespace);
        // The folder has a numeric id, so no tag name can collide with it.
        let folder = NodeId::new(namespace, 1u32);
        ObjectBuilder::new(&folder, self.folder.as_str(), self.folder.as_str())
            .is_folder()
            .organized_by(ObjectId::ObjectsFolder)
            .insert(address_space);
        let mut access = AccessLevel::CURRENT_READ;
        if self.history_depth > 0 {
            access |= AccessLevel::HISTORY_READ;
        }
        let mut known = HashMap::new();
        for spec in &self.tags {
            let id = NodeId::new(namespace, spec.tag.as_str());
            if known.contains_key(&id) {
                continue;
            }
            let mut builder = VariableBuilder::new(&id, spec.tag.as_str(), spec.tag.as_str())
                .data_type(DataTypeId::Double)
                .value(Variant::Empty)
                .access_level(access)
                .user_access_level(access)
                .historizing(self.history_depth > 0)
                .organized_by(folder.clone());
            if let Some(unit) = &spec.unit {
                builder = builder.description(unit.as_str());
            }
            builder.insert(address_space);
            if let Some(NodeType::Variable(variable)) = address_space.find_mut(&id) {
                variable.set_data_value(DataValue {
                    value: None,
                    status: Some(StatusCode::BadWaitingForInitialData),
                    source_timestamp: Some(DateTime::now()),
                    server_timestamp: Some(DateTime::now()),
                    ..DataValue::default()
                });
            }
            known.insert(id, ());
        }
        PlantNodes {
            namespace,
            known,
            history_depth: self.history_depth,
            history: RwLock::new(HashMap::new()),
        }
    }
}

/// The tag variables and their history.
pub struct PlantNodes {
    namespace: u16,
    known: HashMap<NodeId, ()>,
    history_depth: usize,
    /// Values per node in arrival order (the simulator's event times rise).
    history: RwLock<HashMap<NodeId, VecDeque<DataValue>>>,
}

/// Where a paged history read goes on: the source time of the next value.
struct HistoryCursor {
    next_ticks: i64,
}

impl PlantNodes {
    fn record(&self, updates: &[(NodeId, DataValue)]) {
        if self.history_depth == 0 {
            return;
        }
        let mut history = self.history.write();
        for (id, value) in updates {
            let values = history.entry(id.clone()).or_default();
            if values.len() == self.history_depth {
                values.pop_front();
            }
            values.push_back(value.clone());
        }
    }

    fn read_raw(&self, details: &ReadRawModifiedDetails, node: &mut HistoryNode) {
        let ticks = |v: &DataValue| v.source_timestamp.map(|t| t.checked_ticks()).unwrap_or(0);
        let start = match node
            .continuation_point()
            .and_then(|c| c.get::<HistoryCursor>())
        {
            Some(cursor) => cursor.next_ticks,
            None => details.start_time.checked_ticks(),
        };
        let end = if details.end_time.is_null() {
            i64::MAX
        } else {
            details.end_time.checked_ticks()
        };
        if start > end {
            // Backward reads are not needed by steamflow and not offered.
            node.set_status(StatusCode::BadHistoryOperationUnsupported);
            return;
        }
        let limit = match details.num_values_per_node {
            0 => usize::MAX,
            n => n as usize,
        };
        let history = self.history.read();
        let in_range: Vec<&DataValue> = history
            .get(node.node_id())
            .map(|values| {
                values
                    .iter()
                    .filter(|v| (start..=end).contains(&ticks(v)))
                    .collect()
            })
            .unwrap_or_default();
        let page: Vec<DataValue> = in_range.iter().take(limit).map(|v| (*v).clone()).collect();
        if let Some(next) = in_range.get(limit) {
            node.set_next_continuation_point(Some(ContinuationPoint::new(Box::new(
                HistoryCursor {
                    next_ticks: ticks(next),
                },
            ))));
        }
        node.set_status(StatusCode::Good);
        node.set_result(HistoryData {
            data_values: Some(page),
        });
    }
}

#[async_trait]
impl InMemoryNodeManagerImpl for PlantNodes {
    async fn init(&self, _address_space: &mut AddressSpace, _context: ServerContext) {}

    fn name(&self) -> &str {
        "steamflow-plant"
    }

    fn namespaces(&self) -> Vec<NamespaceMetadata> {
        vec![NamespaceMetadata {
            is_namespace_subset: Some(false),
            namespace_uri: NAMESPACE_URI.to_owned(),
            namespace_index: self.namespace,
            ..Default::default()
        }]
    }

    async fn history_read_raw_modified(
        &self,
        _context: &RequestContext,
        details: &ReadRawModifiedDetails,
        nodes: &mut [&mut &mut HistoryNode],
        _timestamps_to_return: TimestampsToReturn,
    ) -> Result<(), StatusCode> {
        if details.is_read_modified {
            return Err(StatusCode::BadHistoryOperationUnsupported);
        }
        for node in nodes.iter_mut() {
            self.read_raw(details, node);
        }
        Ok(())
    }
}
