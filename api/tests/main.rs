//! The API against real requests: the router in process for the
//! permission matrix, and real TCP/TLS listeners on loopback.

mod routes;
mod security;
mod support;
mod tls;
