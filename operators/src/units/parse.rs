//! Parsing user strings such as `"10 barg"`, `"180 °C"` or `"2.5 t/h"`.

/// Why a string is not a quantity of the expected kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct UnitError {
    message: String,
}

/// A quantity that can be read from a `"<number> <unit>"` string.
pub trait ParseQuantity: Sized {
    /// Parses the string, or explains what is wrong and which units are accepted.
    fn parse_quantity(text: &str) -> Result<Self, UnitError>;
}
