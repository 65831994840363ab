pub mod calc;
pub mod dataflow_dev;
