//! The current results of the analysis streams (see [`crate::live`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::state::ApiState;

/// Filters of the stream routes.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Only this plant.
    pub plant: Option<String>,
    /// The last N windows instead of the latest one (windowed streams).
    pub windows: Option<usize>,
    /// Only records whose `state` (traps) equals this.
    pub state: Option<String>,
}

fn current(state: &ApiState, stream: &str, query: &StreamQuery) -> Json<Vec<Arc<Value>>> {
    let mut records =
        state
            .live()
            .current(stream, query.plant.as_deref(), query.windows.unwrap_or(1));
    if let Some(wanted) = &query.state {
        records.retain(|record| record.get("state").and_then(Value::as_str) == Some(wanted));
    }
    Json(records)
}

/// Current mass and energy balance of each plant: generation, consumption,
/// closure (bounds: mass ±5 %, energy ±7 %), losses, condensate recovery.
#[utoipa::path(get, path = "/api/v1/balances", params(StreamQuery),
    responses((status = 200, description = "The latest window's balance per plant", body = [Object]),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "results")]
pub async fn balances(
    State(state): State<ApiState>,
    Query(query): Query<StreamQuery>,
) -> Json<Vec<Arc<Value>>> {
    current(&state, "balances", &query)
}

/// Current state of every trap with its confidence and loss (kg/h, kW, money/yr).
#[utoipa::path(get, path = "/api/v1/traps", params(StreamQuery),
    responses((status = 200, description = "The latest window's status per trap", body = [Object]),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "results")]
pub async fn traps(
    State(state): State<ApiState>,
    Query(query): Query<StreamQuery>,
) -> Json<Vec<Arc<Value>>> {
    current(&state, "trap_statuses", &query)
}

/// Current leaks with size, energy, cost and repair priority.
#[utoipa::path(get, path = "/api/v1/leaks", params(StreamQuery),
    responses((status = 200, description = "Leaks of the latest window", body = [Object]),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "results")]
pub async fn leaks(
    State(state): State<ApiState>,
    Query(query): Query<StreamQuery>,
) -> Json<Vec<Arc<Value>>> {
    current(&state, "leaks", &query)
}

/// Current losses by category (pipe, trap, leak, flash, condensate, unaccounted).
#[utoipa::path(get, path = "/api/v1/losses", params(StreamQuery),
    responses((status = 200, description = "Losses of the latest window by category", body = [Object]),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "results")]
pub async fn losses(
    State(state): State<ApiState>,
    Query(query): Query<StreamQuery>,
) -> Json<Vec<Arc<Value>>> {
    current(&state, "losses", &query)
}

/// The prioritized recommendations that currently apply.
#[utoipa::path(get, path = "/api/v1/recommendations", params(StreamQuery),
    responses((status = 200, description = "Recommendations that apply now", body = [Object]),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "results")]
pub async fn recommendations(
    State(state): State<ApiState>,
    Query(query): Query<StreamQuery>,
) -> Json<Vec<Arc<Value>>> {
    current(&state, "recommendations", &query)
}
