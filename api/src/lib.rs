//! The HTTP API in front of a running steamflow pipeline.
//!
//! Every route under `/api/v1` checks a JWT bearer token and the caller's
//! role before it runs (see [`auth`]): current balances, trap statuses,
//! leaks, losses and recommendations, alerts and their acknowledgement,
//! reports, SQL queries, pipeline health, and the OpenAPI description of
//! all of them. The probes `/health` and `/ready` and the Prometheus
//! `/metrics` page are served by the pipeline's own listener, unauthenticated,
//! so that orchestrators and scrapers need no token.
//!
//! What the routes return comes from a [`LiveState`] that the pipeline feeds
//! with each stream's updates as they settle, and from optional engines the
//! run wires in ([`SqlEngine`], [`ReportStore`], [`AlertAcknowledger`],
//! [`HealthSource`]). [`serve`] listens on plain TCP or TLS (rustls).
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use steamflow_api::{ApiConfig, ApiState, LiveState, router, serve};
//!
//! let config: ApiConfig = serde_json::from_str(
//!     r#"{"listen": "127.0.0.1:8686",
//!         "auth": {"algorithm": "HS256", "secret": "a shared secret of at least 32 bytes"}}"#,
//! )?;
//! let live = Arc::new(LiveState::default());
//! // The pipeline feeds `live` with each stream's settled updates.
//! live.apply_fields("balances", 60_000, r#""plant":"north","window_end":60000"#, 1)?;
//! let state = ApiState::new(&config.auth, live)?;
//! let shutdown = tokio_util::sync::CancellationToken::new();
//! serve(&config, router(state), shutdown).await?;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod config;
mod error;
pub mod live;
mod openapi;
pub mod routes;
mod serve;
mod state;

pub use auth::{Claims, Permission, Role, Verifier};
pub use config::{ApiConfig, AuthConfig, JwtAlgorithm, TlsConfig};
pub use error::ApiError;
pub use live::{Current, LiveState};
pub use openapi::openapi;
pub use routes::{ROUTES, RouteSpec, router};
pub use serve::{Listener, ServeError, serve};
pub use state::{
    Ack, AckError, AlertAcknowledger, ApiState, ApiStateBuilder, HealthSource, ReportStore,
    SqlEngine, SqlError,
};
