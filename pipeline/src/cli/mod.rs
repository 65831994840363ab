pub mod calc;
pub mod dataflow_dev;
pub mod simulate;
pub mod validate;
