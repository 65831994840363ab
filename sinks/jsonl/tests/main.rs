//! Integration tests of the JSON Lines sink, one binary with a module per area.

mod readings;
mod writer;
