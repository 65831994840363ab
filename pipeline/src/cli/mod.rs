pub mod calc;
pub mod simulate;
pub mod validate;
