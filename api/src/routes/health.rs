//! The pipeline's health in detail, and the API's own description.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::state::ApiState;

/// Every component's state (sources connected, lag, sink backlogs) and
/// what the API holds.
#[utoipa::path(get, path = "/api/v1/health",
    responses((status = 200, description = "Component health", body = Object),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "health")]
pub async fn health(State(state): State<ApiState>) -> Json<Value> {
    let components = state.health().map_or(Value::Null, |health| health.health());
    Json(json!({
        "components": components,
        "streams": state.live().streams(),
        "records_held": state.live().len(),
    }))
}

/// The OpenAPI 3.1 description of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json",
    responses((status = 200, description = "OpenAPI description", body = Object),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "health")]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::openapi())
}
