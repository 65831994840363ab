//! `[api]`: the HTTP endpoints of a run.
//!
//! - `/metrics` (Prometheus text), `/health` and `/ready`, unauthenticated
//!   so that scrapers and orchestrators need no token;
//! - with `[api.auth]`, the authenticated API under `/api/v1` (current
//!   balances, traps, leaks, losses, recommendations, alerts and their
//!   acknowledgement, reports, SQL, health, the OpenAPI description): every
//!   route checks a JWT bearer token and the caller's role (admin,
//!   operator, engineer, viewer, api_client);
//! - with `[api.tls]`, all of it over HTTPS (rustls).
//!
//! ```toml
//! [api]
//! listen = "127.0.0.1:8686"        # the default; `steamflow run --listen` overrides it
//! history_windows = 60             # windows kept per plant for /api/v1 (default 60)
//!
//! [api.auth]
//! algorithm = "HS256"              # or RS256/384/512, ES256/384, EdDSA with public_key_file
//! secret = "${STEAMFLOW_JWT_SECRET}"
//! issuer = "https://login.example.com/"   # optional: required `iss`
//! audience = "steamflow"                  # optional: required `aud`
//!
//! [api.tls]
//! cert_file = "/etc/steamflow/api.crt"
//! key_file = "/etc/steamflow/api.key"
//! ```
//!
//! Without `[api]` (and without `--listen`) a run serves nothing.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use steamflow_api::{AuthConfig, TlsConfig};

use super::Checker;
use super::diagnostic::KeyPath;

/// The address of the API a run serves.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8686);

/// The `[api]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Address and port to listen on (default `127.0.0.1:8686`; port 0: any free port).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Serve HTTPS with this certificate.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// Verify bearer tokens this way and serve the authenticated `/api/v1`
    /// routes; without it only `/metrics`, `/health` and `/ready` are served.
    #[serde(default)]
    pub auth: Option<AuthConfig>,
    /// Windows kept per plant of each windowed result for `/api/v1`.
    #[serde(default = "default_history")]
    pub history_windows: usize,
}

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN
}

fn default_history() -> usize {
    steamflow_api::live::DEFAULT_HISTORY
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            listen: DEFAULT_LISTEN,
            tls: None,
            auth: None,
            history_windows: default_history(),
        }
    }
}

impl Checker<'_> {
    /// The key material must match the algorithm; the history must hold a window.
    pub(crate) fn check_api(&mut self, api: &ApiConfig) {
        let path = KeyPath::root().key("api");
        if api.history_windows == 0 {
            self.issue(path.key("history_windows"), "must be at least 1");
        }
        let Some(auth) = &api.auth else {
            return;
        };
        let full = steamflow_api::ApiConfig {
            listen: api.listen,
            tls: api.tls.clone(),
            auth: auth.clone(),
        };
        for issue in full.issues() {
            let key = issue
                .key
                .split('.')
                .fold(path.clone(), |key, segment| key.key(segment));
            self.issue(key, issue.message);
        }
    }
}
