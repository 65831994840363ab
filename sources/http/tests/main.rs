//! Integration tests of the HTTP ingest source: real HTTP requests
//! (reqwest, and raw HTTP/1.1 over a socket) against the server on a free
//! loopback port.

mod common;
mod ingest;
mod limits;
