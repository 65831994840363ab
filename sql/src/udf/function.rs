//! One steam function as a DataFusion scalar UDF: a [`Kernel`] applied row
//! by row over Float64 arrays.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, Float64Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_float64_array;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::steam::{Kernel, OutOfRange};

/// How many rows a function could not compute (its inputs out of range),
/// since the process started. Also exported as the metrics counter
/// `sql_udf_errors_total{function=...}`.
#[derive(Debug, Default)]
pub struct ErrorCount(AtomicU64);

impl ErrorCount {
    /// The count so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, name: &'static str, n: u64) {
        if n > 0 {
            self.0.fetch_add(n, Ordering::Relaxed);
            metrics::counter!("sql_udf_errors_total", "function" => name).increment(n);
        }
    }
}

/// A steam function: its name, arity, kernel and documentation.
#[derive(Debug)]
pub struct SteamFunction {
    name: &'static str,
    arity: usize,
    kernel: Kernel,
    signature: Signature,
    documentation: Documentation,
    errors: Arc<ErrorCount>,
}

impl SteamFunction {
    /// A function of `arity` Float64 arguments (integers and decimals are
    /// coerced), deterministic, returning Float64.
    pub(super) fn new(
        name: &'static str,
        arity: usize,
        kernel: Kernel,
        documentation: Documentation,
    ) -> Self {
        SteamFunction {
            name,
            arity,
            kernel,
            signature: Signature::uniform(arity, vec![DataType::Float64], Volatility::Immutable),
            documentation,
            errors: Arc::new(ErrorCount::default()),
        }
    }

    /// The function's SQL name.
    pub fn name_str(&self) -> &'static str {
        self.name
    }

    /// The function's error count.
    pub fn errors(&self) -> Arc<ErrorCount> {
        Arc::clone(&self.errors)
    }

    /// Applies the kernel over equally long Float64 arrays: NULL where any
    /// input is NULL, NULL and one counted error where the kernel finds
    /// the inputs out of range.
    pub fn evaluate(&self, columns: &[&Float64Array], rows: usize) -> Float64Array {
        let mut out = Float64Builder::with_capacity(rows);
        let mut errors = 0;
        let mut row = [0.0; MAX_ARITY];
        let args = &mut row[..self.arity.min(MAX_ARITY)];
        for index in 0..rows {
            let mut null = false;
            for (slot, column) in args.iter_mut().zip(columns) {
                if column.is_null(index) {
                    null = true;
                    break;
                }
                *slot = column.value(index);
            }
            if null {
                out.append_null();
                continue;
            }
            match (self.kernel)(args) {
                Ok(value) => out.append_option(value),
                Err(OutOfRange) => {
                    errors += 1;
                    out.append_null();
                }
            }
        }
        self.errors.add(self.name, errors);
        out.finish()
    }
}

/// The most arguments a steam function takes.
pub(super) const MAX_ARITY: usize = 5;

impl PartialEq for SteamFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for SteamFunction {}

impl Hash for SteamFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for SteamFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.args.len() != self.arity {
            return exec_err!(
                "{} takes {} arguments, got {}",
                self.name,
                self.arity,
                args.args.len()
            );
        }
        let arrays: Vec<ArrayRef> = ColumnarValue::values_to_arrays(&args.args)?;
        let rows = arrays.first().map_or(args.number_rows, |array| array.len());
        let columns = arrays
            .iter()
            .map(|array| as_float64_array(array))
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(Arc::new(
            self.evaluate(&columns, rows),
        )))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}
