pub mod calc;
pub mod dataflow_dev;
pub mod demo;
pub mod report;
pub mod run;
pub mod simulate;
pub mod validate;
