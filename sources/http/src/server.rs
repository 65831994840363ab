//! The ingest server: `POST <path>` (default `/ingest`) with readings as a
//! JSON array (`Content-Type: application/json`) or NDJSON
//! (`application/x-ndjson`), authorised by `Authorization: Bearer <token>`.
//!
//! | answer | when |
//! |--------|------|
//! | 200 `{"accepted": n, "rejected": 0, "errors": []}` | every item was accepted |
//! | 200 `{"accepted": n, "rejected": m, "errors": [{"line": 3, "reason": "missing_field", "message": "no tag"}, …]}` | some items were bad: the good ones are accepted, do not resend them |
//! | 422 (same body, `accepted: 0`) | every item was bad |
//! | 400 `{"error": "bad_json", "message": …}` | the body is not JSON at all; nothing accepted |
//! | 401 `{"error": "unauthorized", …}` + `WWW-Authenticate: Bearer` | no token or a wrong one |
//! | 413 `{"error": "too_large", …}` | the body is over `max_body_bytes` |
//! | 415 `{"error": "unsupported_media_type", …}` | another content type or a content encoding |
//! | 503 `{"error": "busy", …}` + `Retry-After` | the pipeline's queue stayed full for `queue_timeout_ms`; nothing accepted, retry later |
//!
//! Errors name NDJSON items by `line` (from 1) and JSON-array items by
//! `index` (from 0); at most `max_reported_errors` are listed, all are
//! counted. Rejected items also go to the pipeline as dead letters
//! ([`DecodeError`]s). `GET /health` answers 200 without a token.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::json;
use steamflow_operators::reading::PlantId;
use steamflow_source_core::{ComponentMetrics, DecodeError, SourceBatch, SourceEvent};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::HttpSourceConfig;
use crate::error::Error;
use crate::line::{BodyError, Decoded, Position, decode_json, decode_ndjson};

/// Content types of NDJSON bodies (the first is the usual one).
pub const NDJSON_TYPES: &[&str] = &[
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/jsonlines",
];

struct Shared {
    id: String,
    token: Vec<u8>,
    plant: Option<PlantId>,
    max_body_bytes: usize,
    queue_timeout: Duration,
    retry_after_secs: u64,
    max_reported_errors: usize,
    tx: mpsc::Sender<SourceEvent>,
    metrics: ComponentMetrics,
}

/// A bound ingest server, not yet serving.
pub struct HttpSource {
    listener: TcpListener,
    router: Router,
    shared: Arc<Shared>,
}

impl HttpSource {
    /// Validates the config and binds the address.
    pub async fn bind(
        config: &HttpSourceConfig,
        id: &str,
        tx: mpsc::Sender<SourceEvent>,
    ) -> Result<HttpSource, Error> {
        let issues = config.validate();
        if !issues.is_empty() {
            return Err(Error::config(&issues));
        }
        let listener = TcpListener::bind(config.address)
            .await
            .map_err(|source| Error::Bind {
                address: config.address,
                source,
            })?;
        let shared = Arc::new(Shared {
            id: id.to_owned(),
            token: config.token.as_bytes().to_vec(),
            plant: config.plant.as_deref().map(PlantId::from),
            max_body_bytes: config.max_body_bytes,
            queue_timeout: Duration::from_millis(config.queue_timeout_ms),
            retry_after_secs: config.retry_after_secs,
            max_reported_errors: config.max_reported_errors,
            tx,
            metrics: ComponentMetrics::new(id, "http"),
        });
        let router = Router::new()
            .route(&config.path, post(ingest))
            .route("/health", get(health))
            .with_state(Arc::clone(&shared));
        Ok(HttpSource {
            listener,
            router,
            shared,
        })
    }

    /// The bound address (the port, when the config asked for port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        self.listener.local_addr().map_err(Error::Serve)
    }

    /// Serves until `shutdown` is cancelled; requests under way finish first.
    pub async fn serve(self, shutdown: CancellationToken) -> Result<(), Error> {
        let _ = self
            .shared
            .tx
            .send(SourceEvent::Connected {
                source: self.shared.id.clone(),
            })
            .await;
        let app = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
            .map_err(Error::Serve)
    }
}

/// Runs the ingest server until `shutdown` is cancelled.
pub async fn run(
    config: HttpSourceConfig,
    id: &str,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    HttpSource::bind(&config, id, tx)
        .await?
        .serve(shutdown)
        .await
}

async fn health() -> Response {
    json_response(StatusCode::OK, &json!({"status": "ok"}))
}

async fn ingest(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refusal) = authorize(&shared, &headers) {
        shared.metrics.errors.increment(1);
        return refusal.into_response();
    }
    let ndjson = match body_kind(&headers) {
        Ok(ndjson) => ndjson,
        Err(refusal) => return refusal.into_response(),
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > shared.max_body_bytes as u64) {
        return too_large(&shared);
    }
    let bytes = match Limited::new(body, shared.max_body_bytes).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return too_large(&shared);
        }
        Err(error) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "bad_body",
                &format!("the body could not be read: {error}"),
            );
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return error_response(StatusCode::BAD_REQUEST, "bad_json", "the body is not UTF-8");
    };
    let decoded = if ndjson {
        decode_ndjson(text, shared.plant.as_ref())
    } else {
        match decode_json(text, shared.plant.as_ref()) {
            Ok(decoded) => decoded,
            Err(BodyError(rejection)) => {
                shared.metrics.errors.increment(1);
                return error_response(
                    StatusCode::BAD_REQUEST,
                    rejection.reason,
                    &rejection.message,
                );
            }
        }
    };
    accept(&shared, peer, decoded).await
}

/// Hands the decoded items to the pipeline (or answers 503) and reports.
async fn accept(shared: &Shared, peer: SocketAddr, decoded: Vec<Decoded<'_>>) -> Response {
    let received_ms = now_ms();
    let total = decoded.len();
    let mut batch = SourceBatch::default();
    let mut listed = Vec::new();
    for item in decoded {
        match item.result {
            Ok(reading) => batch.readings.push(reading),
            Err(rejection) => {
                if listed.len() < shared.max_reported_errors {
                    let mut entry = serde_json::Map::new();
                    match item.position {
                        Position::Line(line) => entry.insert("line".into(), line.into()),
                        Position::Index(index) => entry.insert("index".into(), index.into()),
                    };
                    entry.insert("reason".into(), rejection.reason.into());
                    entry.insert("message".into(), rejection.message.clone().into());
                    listed.push(serde_json::Value::Object(entry));
                }
                batch.errors.push(DecodeError::new(
                    &shared.id,
                    rejection.reason,
                    rejection.message,
                    format!("{peer} {}", item.position),
                    item.text,
                    received_ms,
                ));
            }
        }
    }
    let accepted = batch.readings.len();
    let rejected = batch.errors.len();
    shared.metrics.received.increment(total as u64);
    if !batch.is_empty() {
        match tokio::time::timeout(shared.queue_timeout, shared.tx.reserve()).await {
            Ok(Ok(permit)) => permit.send(SourceEvent::Batch(batch)),
            Ok(Err(_)) => {
                shared.metrics.discarded.increment(total as u64);
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "shutting_down",
                    "the pipeline is not taking readings",
                );
            }
            Err(_) => {
                shared.metrics.discarded.increment(total as u64);
                let mut response = error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "the pipeline is behind: nothing was accepted, retry later",
                );
                if let Ok(value) = HeaderValue::from_str(&shared.retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                return response;
            }
        }
    }
    shared.metrics.sent.increment(accepted as u64);
    shared.metrics.errors.increment(rejected as u64);
    let status = if accepted == 0 && rejected > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    json_response(
        status,
        &json!({"accepted": accepted, "rejected": rejected, "errors": listed}),
    )
}

/// A request refused before its body is read.
struct Refusal {
    status: StatusCode,
    error: &'static str,
    message: String,
    /// The `WWW-Authenticate` challenge of a 401.
    challenge: Option<&'static str>,
}

impl Refusal {
    fn into_response(self) -> Response {
        let mut response = error_response(self.status, self.error, &self.message);
        if let Some(challenge) = self.challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// Checks `Authorization: Bearer <token>` in constant time.
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), Refusal> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let (message, challenge) = match given {
        None => ("a bearer token is required", "Bearer"),
        // The lengths may differ; `ct_eq` then says no without comparing,
        // which reveals only the length.
        Some(token) if bool::from(token.as_bytes().ct_eq(&shared.token)) => return Ok(()),
        Some(_) => ("the token is not valid", "Bearer error=\"invalid_token\""),
    };
    Err(Refusal {
        status: StatusCode::UNAUTHORIZED,
        error: "unauthorized",
        message: message.to_owned(),
        challenge: Some(challenge),
    })
}

/// Whether the body is NDJSON (else JSON), or the 415 answer.
fn body_kind(headers: &HeaderMap) -> Result<bool, Refusal> {
    if let Some(encoding) = headers.get(header::CONTENT_ENCODING) {
        let encoding = encoding.to_str().unwrap_or("?").trim();
        if !encoding.eq_ignore_ascii_case("identity") {
            return Err(Refusal {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                error: "unsupported_media_type",
                message: format!(
                    "content encoding `{encoding}` is not supported: send the body uncompressed"
                ),
                challenge: None,
            });
        }
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if media_type == "application/json" {
        Ok(false)
    } else if NDJSON_TYPES.contains(&media_type.as_str()) {
        Ok(true)
    } else {
        let shown = if media_type.is_empty() {
            "none"
        } else {
            media_type.as_str()
        };
        Err(Refusal {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error: "unsupported_media_type",
            message: format!(
                "content type `{shown}`: send application/json (an array of readings) or application/x-ndjson (one reading per line)"
            ),
            challenge: None,
        })
    }
}

fn too_large(shared: &Shared) -> Response {
    shared.metrics.errors.increment(1);
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        &format!(
            "the body is over {} bytes: send smaller batches",
            shared.max_body_bytes
        ),
    )
}

fn error_response(status: StatusCode, error: &str, message: &str) -> Response {
    json_response(status, &json!({"error": error, "message": message}))
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}
