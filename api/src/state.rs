//! What the handlers share: the token verifier, the live state, the
//! acknowledgements made through the API, and the engines a run wires in.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::{AuthError, Verifier};
use crate::config::AuthConfig;
use crate::live::LiveState;

/// Runs SQL over the live tables (the `sql` crate's DataFusion session).
#[async_trait::async_trait]
pub trait SqlEngine: Send + Sync {
    /// The rows of `sql`, at most `limit` of them, as JSON objects.
    async fn query(&self, sql: &str, limit: usize) -> Result<Vec<Map<String, Value>>, SqlError>;
}

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// The query is wrong (syntax, unknown table or column, types): 400.
    #[error("{0}")]
    Invalid(String),
    /// The query is right but could not run: 503.
    #[error("{0}")]
    Failed(String),
}

/// The reports a run has written.
pub trait ReportStore: Send + Sync {
    /// A summary of each report: kind, period, where it is.
    fn list(&self) -> Vec<Value>;
    /// The report of `kind` (`daily`, `weekly`, `monthly`, `annual`) as JSON.
    fn get(&self, kind: &str) -> Option<Value>;
}

/// Forwards an acknowledgement to the alert router (it stops escalation).
pub trait AlertAcknowledger: Send + Sync {
    /// Acknowledges the alert with `dedup_key` on behalf of `by`.
    fn acknowledge(&self, dedup_key: &str, by: &str, note: Option<&str>) -> Result<(), AckError>;
}

/// Why an acknowledgement failed.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    /// No alert with that dedup key is firing.
    #[error("no firing alert with dedup key `{0}`")]
    Unknown(String),
    /// The router could not take it.
    #[error("the alert router refused the acknowledgement: {0}")]
    Failed(String),
}

/// The pipeline's health in detail (sources, sinks, lag).
pub trait HealthSource: Send + Sync {
    /// A JSON description of every component's state.
    fn health(&self) -> Value;
}

/// An acknowledgement made through the API.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ack {
    /// The token's subject.
    pub by: String,
    /// When [ms since the epoch].
    pub at_ms: i64,
    /// Free text from the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Adds the engines a run has to an [`ApiState`].
pub struct ApiStateBuilder {
    inner: Inner,
}

impl ApiStateBuilder {
    /// The SQL engine behind `POST /api/v1/sql`.
    pub fn sql(mut self, engine: Arc<dyn SqlEngine>) -> Self {
        self.inner.sql = Some(engine);
        self
    }

    /// The report store behind `/api/v1/reports`.
    pub fn reports(mut self, reports: Arc<dyn ReportStore>) -> Self {
        self.inner.reports = Some(reports);
        self
    }

    /// The alert router that acknowledgements are forwarded to.
    pub fn acknowledger(mut self, acknowledger: Arc<dyn AlertAcknowledger>) -> Self {
        self.inner.acknowledger = Some(acknowledger);
        self
    }

    /// The health source behind `/api/v1/health`.
    pub fn health(mut self, health: Arc<dyn HealthSource>) -> Self {
        self.inner.health = Some(health);
        self
    }

    /// The state, ready to share.
    pub fn build(self) -> ApiState {
        ApiState {
            inner: Arc::new(self.inner),
        }
    }
}

/// The shared state of the API's handlers; cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    inner: Arc<Inner>,
}

struct Inner {
    verifier: Verifier,
    live: Arc<LiveState>,
    sql: Option<Arc<dyn SqlEngine>>,
    reports: Option<Arc<dyn ReportStore>>,
    acknowledger: Option<Arc<dyn AlertAcknowledger>>,
    health: Option<Arc<dyn HealthSource>>,
    acks: RwLock<HashMap<String, Ack>>,
}

impl ApiState {
    /// State with a verifier for `auth` over `live` and no engines; see
    /// [`ApiState::builder`] to add them.
    pub fn new(auth: &AuthConfig, live: Arc<LiveState>) -> Result<ApiState, AuthError> {
        Ok(ApiState::builder(auth, live)?.build())
    }

    /// A builder with a verifier for `auth` over `live`.
    pub fn builder(auth: &AuthConfig, live: Arc<LiveState>) -> Result<ApiStateBuilder, AuthError> {
        Ok(ApiStateBuilder {
            inner: Inner {
                verifier: Verifier::new(auth)?,
                live,
                sql: None,
                reports: None,
                acknowledger: None,
                health: None,
                acks: RwLock::new(HashMap::new()),
            },
        })
    }

    pub(crate) fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The live state the routes read.
    pub fn live(&self) -> &Arc<LiveState> {
        &self.inner.live
    }

    pub(crate) fn sql(&self) -> Option<&Arc<dyn SqlEngine>> {
        self.inner.sql.as_ref()
    }

    pub(crate) fn reports(&self) -> Option<&Arc<dyn ReportStore>> {
        self.inner.reports.as_ref()
    }

    pub(crate) fn acknowledger(&self) -> Option<&Arc<dyn AlertAcknowledger>> {
        self.inner.acknowledger.as_ref()
    }

    pub(crate) fn health(&self) -> Option<&Arc<dyn HealthSource>> {
        self.inner.health.as_ref()
    }

    pub(crate) fn ack(&self, dedup_key: &str) -> Option<Ack> {
        let acks = self.inner.acks.read().unwrap_or_else(|e| e.into_inner());
        acks.get(dedup_key).cloned()
    }

    pub(crate) fn record_ack(&self, dedup_key: &str, ack: Ack) {
        let mut acks = self.inner.acks.write().unwrap_or_else(|e| e.into_inner());
        acks.insert(dedup_key.to_string(), ack);
    }
}
