//! `[api]`: the HTTP endpoints of a run — `/metrics` (Prometheus text),
//! `/health` and `/ready`.
//!
//! ```toml
//! [api]
//! listen = "127.0.0.1:8686"   # the default; `steamflow run --listen` overrides it
//! ```
//!
//! Without `[api]` (and without `--listen`) a run serves nothing.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// The address of the API a run serves.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8686);

/// The `[api]` table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Address and port to listen on (default `127.0.0.1:8686`; port 0: any free port).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
}

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            listen: DEFAULT_LISTEN,
        }
    }
}
