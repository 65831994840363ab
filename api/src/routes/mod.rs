//! The routes: one table ([`ROUTES`]) names each route, its method and the
//! permission it needs; [`router`] builds every route from it behind the
//! token guard, so no route can be added without one.

pub(crate) mod alerts;
pub(crate) mod health;
pub(crate) mod reports;
pub(crate) mod sql;
pub(crate) mod streams;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};

use crate::auth::{Permission, guard};
use crate::state::ApiState;

pub use alerts::AckRequest;
pub use sql::SqlRequest;
pub use streams::StreamQuery;

/// What a route does (one handler each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Current mass and energy balance per plant.
    Balances,
    /// Current state of every trap.
    Traps,
    /// Current leaks.
    Leaks,
    /// Current losses by category.
    Losses,
    /// The prioritized recommendations.
    Recommendations,
    /// Alerts, firing and resolved, with acknowledgements.
    Alerts,
    /// Acknowledge a firing alert.
    Acknowledge,
    /// The reports a run has written.
    Reports,
    /// One report.
    Report,
    /// Run SQL over the live tables.
    Sql,
    /// Every component's health.
    Health,
    /// The OpenAPI description.
    OpenApi,
}

/// One route of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path (axum syntax: `{kind}` is a parameter).
    pub path: &'static str,
    /// What the caller's role must grant.
    pub permission: Permission,
    /// The handler.
    pub endpoint: Endpoint,
}

const fn route(
    method: &'static str,
    path: &'static str,
    permission: Permission,
    endpoint: Endpoint,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        permission,
        endpoint,
    }
}

/// Every route of the API (each path once).
pub const ROUTES: &[RouteSpec] = &[
    route(
        "GET",
        "/api/v1/balances",
        Permission::Read,
        Endpoint::Balances,
    ),
    route("GET", "/api/v1/traps", Permission::Read, Endpoint::Traps),
    route("GET", "/api/v1/leaks", Permission::Read, Endpoint::Leaks),
    route("GET", "/api/v1/losses", Permission::Read, Endpoint::Losses),
    route(
        "GET",
        "/api/v1/recommendations",
        Permission::Read,
        Endpoint::Recommendations,
    ),
    route("GET", "/api/v1/alerts", Permission::Read, Endpoint::Alerts),
    route(
        "POST",
        "/api/v1/alerts/ack",
        Permission::Acknowledge,
        Endpoint::Acknowledge,
    ),
    route(
        "GET",
        "/api/v1/reports",
        Permission::Read,
        Endpoint::Reports,
    ),
    route(
        "GET",
        "/api/v1/reports/{kind}",
        Permission::Read,
        Endpoint::Report,
    ),
    route("POST", "/api/v1/sql", Permission::Query, Endpoint::Sql),
    route("GET", "/api/v1/health", Permission::Read, Endpoint::Health),
    route(
        "GET",
        "/api/v1/openapi.json",
        Permission::Read,
        Endpoint::OpenApi,
    ),
];

fn handler(endpoint: Endpoint) -> MethodRouter<ApiState> {
    match endpoint {
        Endpoint::Balances => get(streams::balances),
        Endpoint::Traps => get(streams::traps),
        Endpoint::Leaks => get(streams::leaks),
        Endpoint::Losses => get(streams::losses),
        Endpoint::Recommendations => get(streams::recommendations),
        Endpoint::Alerts => get(alerts::list),
        Endpoint::Acknowledge => post(alerts::acknowledge),
        Endpoint::Reports => get(reports::list),
        Endpoint::Report => get(reports::one),
        Endpoint::Sql => post(sql::query),
        Endpoint::Health => get(health::health),
        Endpoint::OpenApi => get(health::openapi_json),
    }
}

/// The API's router: every route of [`ROUTES`] behind the token guard.
pub fn router(state: ApiState) -> Router {
    ROUTES
        .iter()
        .fold(Router::new(), |router, spec| {
            let guarded = handler(spec.endpoint)
                .route_layer(from_fn_with_state((state.clone(), spec.permission), guard));
            router.route(spec.path, guarded)
        })
        .with_state(state)
}
