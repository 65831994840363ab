pub mod calc;
pub mod validate;
