//! Tokens, a populated state and a request helper.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use steamflow_api::{ApiState, AuthConfig, JwtAlgorithm, LiveState, Role, router};
use tower::ServiceExt;

pub const SECRET: &str = "test-secret-of-at-least-thirty-two-bytes!";
pub const ISSUER: &str = "https://login.example.test/";
pub const AUDIENCE: &str = "steamflow";

pub fn auth() -> AuthConfig {
    AuthConfig {
        algorithm: JwtAlgorithm::HS256,
        secret: Some(SECRET.into()),
        public_key_file: None,
        issuer: Some(ISSUER.into()),
        audience: Some(AUDIENCE.into()),
        leeway_secs: 0,
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims for `roles`, valid for an hour.
pub fn claims(roles: &[&str]) -> Value {
    json!({
        "sub": "alice",
        "exp": now() + 3600,
        "iat": now(),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "roles": roles,
    })
}

pub fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

pub fn token(role: Role) -> String {
    sign(&claims(&[role.name()]), SECRET)
}

/// A live state with a balance, a trap, a leak, a loss and two alerts.
pub fn live() -> Arc<LiveState> {
    let live = Arc::new(LiveState::default());
    let apply = |stream: &str, time: i64, record: Value, diff: isize| {
        let Value::Object(fields) = record else {
            unreachable!()
        };
        live.apply(stream, time, fields, diff).unwrap();
    };
    for (end, closure) in [(60_000, 99.1), (120_000, 100.4)] {
        apply(
            "balances",
            end,
            json!({"plant": "north", "window_end": end, "mass_closure_pct": closure}),
            1,
        );
    }
    apply(
        "trap_statuses",
        120_000,
        json!({"plant": "north", "trap": "t1", "window_end": 120_000, "state": "blown_open", "loss_kg_h": 306.0}),
        1,
    );
    apply(
        "trap_statuses",
        120_000,
        json!({"plant": "north", "trap": "t2", "window_end": 120_000, "state": "ok", "loss_kg_h": 0.0}),
        1,
    );
    apply(
        "leaks",
        120_000,
        json!({"plant": "north", "location": "s1", "window_end": 120_000, "size_kg_h": 24.0}),
        1,
    );
    apply(
        "losses",
        120_000,
        json!({"plant": "north", "category": "trap", "window_end": 120_000, "loss_kg_h": 306.0}),
        1,
    );
    apply(
        "alerts",
        100_000,
        json!({"plant": "north", "dedup_key": "trap_failed/north/t1", "kind": "firing", "severity": "high"}),
        1,
    );
    apply(
        "alerts",
        90_000,
        json!({"plant": "north", "dedup_key": "leak/north/s9", "kind": "firing", "severity": "high"}),
        1,
    );
    apply(
        "alerts",
        110_000,
        json!({"plant": "north", "dedup_key": "leak/north/s9", "kind": "resolved", "severity": "high"}),
        1,
    );
    live
}

pub fn app() -> Router {
    router(ApiState::new(&auth(), live()).unwrap())
}

/// Sends one request; returns status, headers' WWW-Authenticate and JSON body.
pub async fn send(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, challenge, json)
}
