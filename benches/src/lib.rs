//! Shared helpers of the benchmarks live here as they grow.
