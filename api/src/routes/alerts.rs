//! Alerts and their acknowledgement.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{Ack, AckError, ApiState};

/// Filters of the alerts route.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Only this plant.
    pub plant: Option<String>,
    /// `firing` or `resolved`.
    pub kind: Option<String>,
}

/// An acknowledgement.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// The alert's dedup key (`rule/plant/asset`).
    pub dedup_key: String,
    /// What the acknowledger is doing about it.
    #[serde(default)]
    pub note: Option<String>,
}

/// The latest record of each alert (firing or resolved), with who
/// acknowledged it and when.
#[utoipa::path(get, path = "/api/v1/alerts", params(AlertQuery),
    responses((status = 200, description = "The latest record of each alert", body = [Object]),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission")),
    security(("bearer" = [])), tag = "alerts")]
pub async fn list(
    State(state): State<ApiState>,
    Query(query): Query<AlertQuery>,
) -> Json<Vec<Value>> {
    let alerts = state
        .live()
        .current("alerts", query.plant.as_deref(), 1)
        .into_iter()
        .filter(|alert| {
            query
                .kind
                .as_deref()
                .is_none_or(|kind| alert.get("kind").and_then(Value::as_str) == Some(kind))
        })
        .map(|alert| with_ack(&state, alert.as_ref().clone()))
        .collect();
    Json(alerts)
}

fn with_ack(state: &ApiState, mut alert: Value) -> Value {
    let key = alert
        .get("dedup_key")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let (Some(key), Value::Object(fields)) = (key, &mut alert) {
        let ack = state.ack(&key).map_or(Value::Null, |ack| json!(ack));
        fields.insert("acknowledged".into(), ack);
    }
    alert
}

/// Acknowledges a firing alert: the alert router stops escalating it and
/// the acknowledgement (who, when, note) shows on the alert.
#[utoipa::path(post, path = "/api/v1/alerts/ack", request_body = AckRequest,
    responses((status = 200, description = "The acknowledged alert", body = Object),
              (status = 400, description = "Malformed request"),
              (status = 401, description = "Missing, expired or forged token"),
              (status = 403, description = "The role lacks the permission (admin or operator needed)"),
              (status = 404, description = "No alert with that dedup key"),
              (status = 409, description = "The alert has resolved")),
    security(("bearer" = [])), tag = "alerts")]
pub async fn acknowledge(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(request): Json<AckRequest>,
) -> Result<Json<Value>, ApiError> {
    let alert = state
        .live()
        .current("alerts", None, 1)
        .into_iter()
        .find(|alert| alert.get("dedup_key").and_then(Value::as_str) == Some(&request.dedup_key))
        .ok_or_else(|| {
            ApiError::NotFound(format!("no alert with dedup key `{}`", request.dedup_key))
        })?;
    if alert.get("kind").and_then(Value::as_str) == Some("resolved") {
        return Err(ApiError::Conflict(format!(
            "alert `{}` has resolved; nothing to acknowledge",
            request.dedup_key
        )));
    }
    if let Some(router) = state.acknowledger() {
        router
            .acknowledge(
                &request.dedup_key,
                &caller.claims.sub,
                request.note.as_deref(),
            )
            .map_err(|error| match error {
                AckError::Unknown(_) => ApiError::NotFound(error.to_string()),
                AckError::Failed(_) => ApiError::Unavailable(error.to_string()),
            })?;
    }
    let at_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        });
    state.record_ack(
        &request.dedup_key,
        Ack {
            by: caller.claims.sub.clone(),
            at_ms,
            note: request.note,
        },
    );
    Ok(Json(with_ack(&state, alert.as_ref().clone())))
}
