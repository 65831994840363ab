//! The reports a run has written.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::error::ApiError;
use crate::state::ApiState;

/// Each report a run has written: kind, period and where it is.
#[utoipa::path(get, path = "/api/v1/reports",
    responses((status = 200, description = "The reports", body = [Object]),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "reports")]
pub async fn list(State(state): State<ApiState>) -> Json<Vec<Value>> {
    Json(
        state
            .reports()
            .map(|reports| reports.list())
            .unwrap_or_default(),
    )
}

/// One report as JSON (`daily`, `weekly`, `monthly` or `annual`).
#[utoipa::path(get, path = "/api/v1/reports/{kind}",
    params(("kind" = String, Path, description = "daily, weekly, monthly or annual")),
    responses((status = 200, description = "The report", body = Object),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission"),
              (status = 404, description = "No report of that kind")),
    security(("bearer" = [])), tag = "reports")]
pub async fn one(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .reports()
        .and_then(|reports| reports.get(&kind))
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no {kind} report in this run")))
}
