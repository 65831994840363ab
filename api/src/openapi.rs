//! The OpenAPI description, derived from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "steamflow",
        description = "Current results of a running steamflow pipeline. Every route needs a \
                       JWT bearer token with a role that grants the route's permission: \
                       read (every role), acknowledge (admin, operator), query (admin, \
                       engineer, api_client), report (admin, engineer)."
    ),
    paths(
        routes::streams::balances,
        routes::streams::traps,
        routes::streams::leaks,
        routes::streams::losses,
        routes::streams::recommendations,
        routes::alerts::list,
        routes::alerts::acknowledge,
        routes::reports::list,
        routes::reports::one,
        routes::sql::query,
        routes::health::health,
        routes::health::openapi_json,
    ),
    components(schemas(routes::AckRequest, routes::SqlRequest)),
    modifiers(&BearerJwt)
)]
struct ApiDoc;

struct BearerJwt;

impl Modify for BearerJwt {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The API's OpenAPI description.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
