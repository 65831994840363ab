//! Errors of the IF97 functions: every failure is a value, never a sentinel.

/// Why an IAPWS-IF97 evaluation has no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum If97Error {
    /// An input is NaN or infinite.
    #[error("{quantity} is not a finite number")]
    NotFinite {
        /// The input's name, with its unit (for example `"pressure [MPa]"`).
        quantity: &'static str,
    },
    /// An input lies outside the range of validity of IAPWS-IF97.
    #[error("{quantity} = {value} is outside the range of IAPWS-IF97 ({range})")]
    OutOfRange {
        /// The input's name, with its unit.
        quantity: &'static str,
        /// The value given, in that unit.
        value: f64,
        /// The range that applies, in words.
        range: &'static str,
    },
    /// The inputs are each in range but no state of IF97 has both.
    #[error("no IAPWS-IF97 state has {0}")]
    NoSolution(String),
}

/// Result of an IF97 evaluation.
pub type Result<T> = std::result::Result<T, If97Error>;

/// Rejects NaN and infinities with the input's name.
#[inline]
pub(crate) fn finite(quantity: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(If97Error::NotFinite { quantity })
    }
}
