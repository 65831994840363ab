//! Strategies and assertions shared by the test modules.

use proptest::prelude::*;

/// Any f64 a sensor, a user or a bug might produce: the special values,
/// signed zeros, tiny and huge magnitudes, and ordinary engineering numbers.
pub fn wild_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MIN_POSITIVE),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::EPSILON),
        any::<f64>(),
        -1e4..1e7_f64,
        0.0..1.0_f64,
    ]
}

/// Relative difference, safe at zero.
pub fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}
