//! `udf_errors(name)`: how many rows a steam function could not compute.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, UInt64Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{
    ColumnarValue, DocSection, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::function::ErrorCount;

/// The error counts of the steam functions, by name.
pub type ErrorCounts = Arc<BTreeMap<String, Arc<ErrorCount>>>;

/// `udf_errors('steam_h_pt')`: the rows that function returned NULL for
/// because their inputs were out of range, since the process started
/// (NULL for a name that is not a steam function).
#[derive(Debug)]
pub struct UdfErrorsFunction {
    counts: ErrorCounts,
    signature: Signature,
    documentation: Documentation,
}

impl UdfErrorsFunction {
    /// Reads `counts`.
    pub fn new(counts: ErrorCounts) -> Self {
        let section = DocSection {
            include: true,
            label: "Steam-system calculations",
            description: None,
        };
        UdfErrorsFunction {
            counts,
            signature: Signature::uniform(1, vec![DataType::Utf8], Volatility::Volatile),
            documentation: Documentation::builder(
                section,
                "Rows a steam function returned NULL for because their inputs were out of range (outside IF97, NaN, …), since the process started.",
                "udf_errors(function_name)",
            )
            .with_argument("function_name", "A steam function's name, e.g. 'steam_h_pt'.")
            .build(),
        }
    }
}

impl PartialEq for UdfErrorsFunction {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for UdfErrorsFunction {}

impl Hash for UdfErrorsFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "udf_errors".hash(state);
    }
}

impl ScalarUDFImpl for UdfErrorsFunction {
    fn name(&self) -> &str {
        "udf_errors"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let mut out = UInt64Builder::with_capacity(args.number_rows);
        if let Some(array) = arrays.first() {
            let names = as_string_array(array)?;
            for index in 0..names.len() {
                if names.is_null(index) {
                    out.append_null();
                } else {
                    out.append_option(self.counts.get(names.value(index)).map(|count| count.get()));
                }
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}
