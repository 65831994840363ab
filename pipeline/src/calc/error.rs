//! The one error a calculation reports: a sentence a user can act on.

use std::fmt;

/// Why a calculation gave no answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CalcError(pub String);

impl CalcError {
    pub fn new(message: impl Into<String>) -> CalcError {
        CalcError(message.into())
    }
}

impl fmt::Display for CalcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CalcError {}

impl From<steamflow_operators::if97::If97Error> for CalcError {
    fn from(error: steamflow_operators::if97::If97Error) -> CalcError {
        CalcError(error.to_string())
    }
}

impl From<steamflow_operators::analysis::CalcError> for CalcError {
    fn from(error: steamflow_operators::analysis::CalcError) -> CalcError {
        CalcError(error.to_string())
    }
}
