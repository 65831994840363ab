//! SQL over the live tables.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::{ApiState, SqlError};

/// Rows returned when the request names no limit.
const DEFAULT_LIMIT: usize = 10_000;

/// A query.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    /// One SQL statement over the live tables (`SELECT …`).
    pub sql: String,
    /// At most this many rows (default 10,000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Runs one SQL statement over the live tables and returns its rows as
/// JSON objects.
#[utoipa::path(post, path = "/api/v1/sql", request_body = SqlRequest,
    responses((status = 200, description = "The rows", body = [Object]),
              (status = 400, description = "The query is wrong (syntax, table, column, types)"),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission (admin, engineer or api_client)"),
              (status = 503, description = "This run has no SQL engine")),
    security(("bearer" = [])), tag = "sql")]
pub async fn query(
    State(state): State<ApiState>,
    Json(request): Json<SqlRequest>,
) -> Result<Json<Vec<Map<String, Value>>>, ApiError> {
    let engine = state
        .sql()
        .ok_or_else(|| ApiError::Unavailable("this run has no SQL engine".into()))?;
    engine
        .query(&request.sql, request.limit.unwrap_or(DEFAULT_LIMIT))
        .await
        .map(Json)
        .map_err(|error| match error {
            SqlError::Invalid(message) => ApiError::BadRequest(message),
            SqlError::Failed(message) => ApiError::Unavailable(message),
        })
}
