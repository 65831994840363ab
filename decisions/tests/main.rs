//! Integration tests of steamflow-decisions through its public API: one
//! test binary, a module per concern.

mod front_exact;
mod recommendations;
