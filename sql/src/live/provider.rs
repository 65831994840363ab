//! The DataFusion table of a live stream: each scan copies the stream's
//! current batches (cheap: Arrow arrays are shared) and reads that copy.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::memory::MemorySourceConfig;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use super::LiveTables;

/// Which of a stream's two tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableKind {
    /// `<stream>`: the consolidated collection.
    Current,
    /// `<stream>_updates`: the recent updates.
    Updates,
}

/// `<stream>` or `<stream>_updates` of a [`LiveTables`].
#[derive(Debug)]
pub(crate) struct LiveTable {
    tables: LiveTables,
    stream: String,
    kind: TableKind,
    schema: SchemaRef,
}

impl LiveTable {
    pub(crate) fn new(
        tables: LiveTables,
        stream: String,
        kind: TableKind,
        schema: SchemaRef,
    ) -> LiveTable {
        LiveTable {
            tables,
            stream,
            kind,
            schema,
        }
    }
}

#[async_trait]
impl TableProvider for LiveTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let batches = match self.kind {
            TableKind::Current => self.tables.current(&self.stream).map(|batch| vec![batch]),
            TableKind::Updates => self.tables.updates(&self.stream),
        }
        .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let exec =
            MemorySourceConfig::try_new_exec(&[batches], self.schema(), projection.cloned())?;
        Ok(exec)
    }
}
