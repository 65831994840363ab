pub mod calc;
pub mod dataflow_dev;
pub mod demo;
pub mod run;
pub mod simulate;
pub mod sql;
pub mod validate;
