//! Floats that JSON cannot spell.
//!
//! JSON has no NaN or infinity; serde_json writes them as `null`, which loses
//! ±∞. A row field marked
//! `#[serde(serialize_with = "steamflow_sink_jsonl::float::serialize")]`
//! is written as a number when finite and as the string `"NaN"`, `"inf"` or
//! `"-inf"` otherwise — the spelling Rust's `f64` parser (and the file source)
//! reads back.

use serde::Serializer;

/// The string of a non-finite float, `None` for a finite one.
pub fn non_finite_text(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value == f64::INFINITY {
        Some("inf")
    } else if value == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

/// Serializes a float as a number, or as `"NaN"`/`"inf"`/`"-inf"`.
pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    match non_finite_text(*value) {
        Some(text) => serializer.serialize_str(text),
        None => serializer.serialize_f64(*value),
    }
}

/// As [`serialize`], for an optional float (`None` is `null`).
pub fn serialize_option<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serialize(value, serializer),
        None => serializer.serialize_none(),
    }
}
