//! Queries for the pipeline's HTTP API (`POST /api/v1/sql`): read-only,
//! bounded in rows, answered as JSON objects, and an error that tells a
//! wrong query (the caller's fault, HTTP 400) from one that could not run
//! (HTTP 503).
//!
//! The pipeline implements the API's `SqlEngine` with [`query_json`] over
//! a session holding its [live tables](crate::live) and views:
//!
//! ```
//! use serde_json::{Map, Value};
//! use steamflow_api::{SqlEngine, SqlError};
//! use steamflow_sql::api::{QueryError, query_json};
//! use steamflow_sql::datafusion::prelude::SessionContext;
//!
//! struct LiveSql {
//!     ctx: SessionContext,
//! }
//!
//! #[async_trait::async_trait]
//! impl SqlEngine for LiveSql {
//!     async fn query(&self, sql: &str, limit: usize) -> Result<Vec<Map<String, Value>>, SqlError> {
//!         query_json(&self.ctx, sql, limit).await.map_err(|e| match e {
//!             QueryError::Invalid(m) => SqlError::Invalid(m),
//!             QueryError::Failed(m) => SqlError::Failed(m),
//!         })
//!     }
//! }
//! ```

use datafusion::arrow::error::ArrowError;
use datafusion::error::DataFusionError;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::SessionContext;
use serde_json::{Map, Value};

use crate::json::json_rows;

/// Why a query over the API got no rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The query is wrong: syntax, an unknown table or column, a type
    /// error, a statement that would change the session, or data it
    /// cannot compute (an integer division by zero, a failed cast).
    #[error("{0}")]
    Invalid(String),
    /// The query is right but could not run (resources, I/O, an internal error).
    #[error("{0}")]
    Failed(String),
}

/// Runs one read-only statement (`SELECT`, `WITH`, `SHOW`, `DESCRIBE`,
/// `EXPLAIN`; no `CREATE`, `INSERT`, `SET`) and returns at most `limit`
/// rows as JSON objects (see [`crate::json`] for the values).
pub async fn query_json(
    ctx: &SessionContext,
    sql: &str,
    limit: usize,
) -> Result<Vec<Map<String, Value>>, QueryError> {
    let read_only = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let frame = ctx
        .sql_with_options(sql, read_only)
        .await
        .map_err(|e| QueryError::Invalid(e.to_string()))?
        .limit(0, Some(limit))
        .map_err(|e| QueryError::Invalid(e.to_string()))?;
    let batches = frame.collect().await.map_err(classify)?;
    json_rows(&batches).map_err(|e| QueryError::Failed(e.to_string()))
}

/// An error met while running a planned query: the data's fault or the engine's.
fn classify(error: DataFusionError) -> QueryError {
    let message = error.to_string();
    match error.find_root() {
        DataFusionError::ArrowError(arrow, _)
            if matches!(
                arrow.as_ref(),
                ArrowError::DivideByZero
                    | ArrowError::CastError(_)
                    | ArrowError::ComputeError(_)
                    | ArrowError::InvalidArgumentError(_)
                    | ArrowError::ArithmeticOverflow(_)
                    | ArrowError::ParseError(_)
            ) =>
        {
            QueryError::Invalid(message)
        }
        DataFusionError::Plan(_)
        | DataFusionError::SchemaError(..)
        | DataFusionError::SQL(..)
        | DataFusionError::NotImplemented(_)
        | DataFusionError::Execution(_) => QueryError::Invalid(message),
        _ => QueryError::Failed(message),
    }
}
