//! The error every calculator of [`crate::analysis`] and [`crate::economics`]
//! returns, and the input checks they share.

use crate::if97::If97Error;

/// Why a calculation has no answer. Every calculator checks its inputs and
/// returns one of these instead of panicking or returning NaN.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalcError {
    /// An input is NaN or infinite (or a result overflowed).
    #[error("{name} is not a finite number")]
    NotFinite {
        /// The input's name, with its unit.
        name: &'static str,
    },
    /// An input is finite but outside the range the calculation allows.
    #[error("{name} = {value} is out of range: it must be {expected}")]
    OutOfRange {
        /// The input's name, with its unit.
        name: &'static str,
        /// The value given, in that unit.
        value: f64,
        /// The allowed range, in words.
        expected: &'static str,
    },
    /// The inputs are each valid but do not fit together.
    #[error("{0}")]
    Inconsistent(String),
    /// A steam-table evaluation failed.
    #[error("steam properties: {0}")]
    If97(#[from] If97Error),
    /// An iteration that should always converge did not.
    #[error("{what} did not converge")]
    NoConvergence {
        /// What was being solved.
        what: &'static str,
    },
}

/// Result of a calculation.
pub type Result<T> = std::result::Result<T, CalcError>;

/// The value if it is finite.
pub(crate) fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(CalcError::NotFinite { name })
    }
}

fn check(name: &'static str, value: f64, ok: bool, expected: &'static str) -> Result<f64> {
    let value = finite(name, value)?;
    if ok {
        Ok(value)
    } else {
        Err(CalcError::OutOfRange {
            name,
            value,
            expected,
        })
    }
}

/// The value if it is finite and > 0.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    check(name, value, value > 0.0, "greater than zero")
}

/// The value if it is finite and ≥ 0.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    check(name, value, value >= 0.0, "zero or more")
}

/// The value if it lies in [0, 1].
pub(crate) fn fraction(name: &'static str, value: f64) -> Result<f64> {
    check(name, value, (0.0..=1.0).contains(&value), "between 0 and 1")
}

/// The value if it lies in (0, 1].
pub(crate) fn positive_fraction(name: &'static str, value: f64) -> Result<f64> {
    check(
        name,
        value,
        value > 0.0 && value <= 1.0,
        "greater than 0 and at most 1",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_refuse_what_they_should() {
        assert!(finite("x", f64::NAN).is_err());
        assert!(positive("x", 0.0).is_err());
        assert!(positive("x", -1.0).is_err());
        assert!(positive("x", f64::INFINITY).is_err());
        assert_eq!(positive("x", 2.0), Ok(2.0));
        assert_eq!(non_negative("x", 0.0), Ok(0.0));
        assert!(fraction("x", 1.01).is_err());
        assert!(positive_fraction("x", 0.0).is_err());
        assert_eq!(positive_fraction("x", 1.0), Ok(1.0));
    }

    #[test]
    fn messages_name_the_input() {
        let err = positive("orifice diameter [m]", -1.0).unwrap_err();
        assert!(err.to_string().contains("orifice diameter [m] = -1"));
    }
}
