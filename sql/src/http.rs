//! `POST /sql`: run a query over HTTP. The body is the SQL text; the answer
//! is JSON (an array of row objects) or, when the request's `Accept` header
//! asks for `application/vnd.apache.arrow.stream`, an Arrow IPC stream.
//! A query the engine refuses answers 400 with `{"error": "..."}`.
//!
//! The pipeline's HTTP server mounts [`router`] (its own authentication
//! applies: this route reads data, so a viewer role is enough).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::json::ArrayWriter;
use datafusion::prelude::SessionContext;

use crate::session::{Answer, query};

/// The media type of an Arrow IPC stream.
pub const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";

/// A router with `POST /sql` over `ctx`.
pub fn router(ctx: Arc<SessionContext>) -> Router {
    Router::new().route("/sql", post(run)).with_state(ctx)
}

async fn run(State(ctx): State<Arc<SessionContext>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(sql) = std::str::from_utf8(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "the body must be SQL text in UTF-8",
        );
    };
    let answer = match query(&ctx, sql).await {
        Ok(answer) => answer,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let wants_arrow = headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains(ARROW_STREAM));
    let encoded = if wants_arrow {
        arrow_ipc(&answer).map(|body| (ARROW_STREAM, body))
    } else {
        json_rows(&answer.batches).map(|body| ("application/json", body))
    };
    match encoded {
        Ok((media_type, body)) => {
            let mut response = body.into_response();
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
            response
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The rows as a JSON array of objects (NULLs as JSON null).
pub fn json_rows(batches: &[RecordBatch]) -> Result<Vec<u8>, datafusion::arrow::error::ArrowError> {
    let mut writer = ArrayWriter::new(Vec::new());
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    let mut out = writer.into_inner();
    if out.is_empty() {
        out.extend_from_slice(b"[]");
    }
    Ok(out)
}

/// The answer as an Arrow IPC stream (its schema first, even with no rows).
pub fn arrow_ipc(answer: &Answer) -> Result<Vec<u8>, datafusion::arrow::error::ArrowError> {
    let mut writer = StreamWriter::try_new(Vec::new(), &answer.schema)?;
    for batch in &answer.batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    writer.into_inner()
}
