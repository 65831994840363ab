//! The HTTP API of a run: `/metrics` (Prometheus text), `/health` and
//! `/ready`, on one [`axum::Router`] that later endpoints add their routes to.
//!
//! | route | answer |
//! |---|---|
//! | `GET /metrics` | the component counters of DESIGN.md, labelled by `component_id` and `component_kind`: `component_received_events_total`, `component_sent_events_total`, `component_errors_total`, `component_discarded_events_total`, `component_reconnects_total`, `component_lag_seconds` |
//! | `GET /health` | `200 ok` while the run is up |
//! | `GET /ready` | `200 ready` once every network source connected at least once, else `503` with the sources still waiting |
//!
//! The counters are those the connectors keep through the `metrics` facade;
//! [`install_metrics`] installs the Prometheus recorder that collects them
//! (once per process, before the connectors start).

pub mod api;
pub mod sql;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio_util::sync::CancellationToken;

use crate::run::status::Status;

/// What the handlers read.
#[derive(Clone)]
pub struct ApiState {
    /// The run's counters and sources.
    pub status: Arc<Status>,
    /// The Prometheus recorder's view.
    pub metrics: PrometheusHandle,
}

/// Installs the process's Prometheus recorder (the first call does; later
/// calls return the same handle). `Err` when another recorder is installed.
pub fn install_metrics() -> anyhow::Result<PrometheusHandle> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new().install_recorder()?;
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// The routes of the run's API.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .with_state(state)
}

/// A bound API server, before it serves.
pub struct ApiServer {
    listener: tokio::net::TcpListener,
}

impl ApiServer {
    /// Binds `listen` (port 0: any free port).
    pub async fn bind(listen: SocketAddr) -> anyhow::Result<ApiServer> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot serve the API on {listen}: {e}"))?;
        Ok(ApiServer { listener })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves `router` until `shutdown`.
    pub async fn serve(self, router: Router, shutdown: CancellationToken) -> std::io::Result<()> {
        axum::serve(self.listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
    }
}

async fn metrics(State(state): State<ApiState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn health() -> &'static str {
    "ok\n"
}

async fn ready(State(state): State<ApiState>) -> Response {
    if state.status.ready() {
        return (StatusCode::OK, "ready\n").into_response();
    }
    let waiting: Vec<String> = state
        .status
        .sources()
        .into_iter()
        .filter(|s| s.live && !s.connected_once)
        .map(|s| s.id)
        .collect();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "waiting for the first connection of: {}\n",
            waiting.join(", ")
        ),
    )
        .into_response()
}
