//! Integration tests of steamflow-operators through its public API: one test
//! binary, a module per concern.

mod if97_consistency;
mod no_panic;
mod support;
