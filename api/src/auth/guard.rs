//! The guard in front of every route: a valid token whose roles grant the
//! route's permission, or 401 / 403 before the handler runs.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;

use super::jwt::{AuthError, Claims};
use super::role::Permission;
use crate::error::ApiError;
use crate::state::ApiState;

/// The verified caller, put into the request's extensions for handlers.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The token's claims.
    pub claims: Arc<Claims>,
}

/// Checks the bearer token and that one of its roles grants `permission`;
/// on success the handler runs with a [`Caller`] extension.
pub async fn guard(
    State((state, permission)): State<(ApiState, Permission)>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer(&request).ok_or(ApiError::Unauthorized(AuthError::Missing))?;
    let claims = state
        .verifier()
        .verify(token)
        .map_err(ApiError::Unauthorized)?;
    let roles = claims.steamflow_roles();
    if !roles.iter().any(|role| role.allows(permission)) {
        return Err(ApiError::Forbidden {
            needed: permission,
            roles: roles.into_iter().collect(),
        });
    }
    request.extensions_mut().insert(Caller {
        claims: Arc::new(claims),
    });
    Ok(next.run(request).await)
}

/// The token of an `Authorization: Bearer <token>` header (scheme
/// case-insensitive, RFC 6750 §2.1).
fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
