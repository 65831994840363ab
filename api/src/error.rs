//! Errors as HTTP answers: a status, a JSON body `{"error", "message"}`
//! and, for 401, the `WWW-Authenticate` challenge of RFC 6750 §3.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::WWW_AUTHENTICATE;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::{AuthError, Permission, Role};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, or a token that does not verify (401).
    #[error("{0}")]
    Unauthorized(AuthError),
    /// A valid token whose roles lack the route's permission (403).
    #[error("the `{}` permission is needed; the token grants roles {roles:?}", needed.name())]
    Forbidden {
        /// What the route needs.
        needed: Permission,
        /// What the token grants.
        roles: Vec<Role>,
    },
    /// The request is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// Nothing by that name (404).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// This run has no engine for the request (503).
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(AuthError::Missing) => "unauthorized",
            ApiError::Unauthorized(_) => "invalid_token",
            ApiError::Forbidden { .. } => "insufficient_scope",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Json(json!({ "error": self.code(), "message": self.to_string() }));
        let mut response = (status, body).into_response();
        if let ApiError::Unauthorized(reason) = &self {
            // RFC 6750 §3: no error attribute when no token was sent.
            let challenge = match reason {
                AuthError::Missing => r#"Bearer realm="steamflow""#.to_string(),
                other => format!(
                    r#"Bearer realm="steamflow", error="invalid_token", error_description="{}""#,
                    other.to_string().replace('"', "'")
                ),
            };
            if let Ok(value) = challenge.parse() {
                response.headers_mut().insert(WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}
