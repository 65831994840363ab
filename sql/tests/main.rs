//! Integration tests of steamflow-sql (one binary, modules by subject).

mod folder;
mod http;
mod introspection;
mod live;
mod remote;
mod udfs;
