//! The DataFusion session every SQL entry point uses: information schema on
//! (`SHOW TABLES`, `SHOW FUNCTIONS`, `information_schema.routines`) and the
//! steam functions registered.

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::Result;
use crate::udf;

/// A session with the steam functions and the information schema.
pub fn new_session() -> SessionContext {
    let config = SessionConfig::new().with_information_schema(true);
    let ctx = SessionContext::new_with_config(config);
    udf::register(&ctx);
    ctx
}

/// The rows of a statement and their schema (known even with no rows).
#[derive(Clone, Debug)]
pub struct Answer {
    /// The result's columns.
    pub schema: SchemaRef,
    /// The result's rows.
    pub batches: Vec<RecordBatch>,
}

impl Answer {
    /// How many rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The rows as a text table with a header, or `(no rows)`.
    pub fn pretty(&self) -> Result<String> {
        if self.rows() == 0 {
            let names: Vec<&str> = self
                .schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            return Ok(format!("(no rows; columns: {})", names.join(", ")));
        }
        Ok(pretty_format_batches(&self.batches)
            .map_err(datafusion::error::DataFusionError::from)?
            .to_string())
    }
}

/// Plans and runs one statement, collecting its result.
pub async fn query(ctx: &SessionContext, sql: &str) -> Result<Answer> {
    let frame = ctx.sql(sql).await?;
    let schema = Arc::clone(frame.schema().inner());
    let batches = frame.collect().await?;
    Ok(Answer { schema, batches })
}

/// Table names of the session's default schema, sorted.
pub fn table_names(ctx: &SessionContext) -> Vec<String> {
    let state = ctx.state();
    let options = &state.config().options().catalog;
    let mut names = ctx
        .catalog(&options.default_catalog)
        .and_then(|catalog| catalog.schema(&options.default_schema))
        .map(|schema| schema.table_names())
        .unwrap_or_default();
    names.sort();
    names
}

/// Every scalar and aggregate function the session knows, sorted.
pub fn function_names(ctx: &SessionContext) -> Vec<String> {
    let state = ctx.state();
    let mut names: Vec<String> = state
        .scalar_functions()
        .keys()
        .chain(state.aggregate_functions().keys())
        .chain(state.window_functions().keys())
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}
