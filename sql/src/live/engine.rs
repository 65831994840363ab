//! Views over live tables, evaluated on demand and turned into streams of
//! updates: each evaluation runs every view over the tables as they are
//! and returns what changed in its result since the previous evaluation.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::TableReference;
use datafusion::prelude::SessionContext;

use super::LiveTables;
use crate::error::{Result, SqlError};
use crate::session::new_session;
use crate::views::{ViewError, ViewErrors, ViewSpec, register_views};

/// What changed in one view's result: `rows[i]` entered the result
/// (`diffs[i]` > 0, that many more times) or left it (`diffs[i]` < 0).
/// Retractions come first, sorted, then insertions in the result's order:
/// a sink that replaces values sees the old one go before the new arrives.
#[derive(Clone, Debug)]
pub struct ViewDelta {
    /// The view.
    pub view: String,
    /// The changed rows, in the view's [output schema](ViewEngine::output_schema).
    pub rows: RecordBatch,
    /// One diff per row.
    pub diffs: Vec<i64>,
}

/// The outcome of one [`ViewEngine::evaluate`].
#[derive(Debug, Default)]
pub struct Evaluation {
    /// The views whose result changed, in the engine's view order.
    pub deltas: Vec<ViewDelta>,
    /// The views that failed this time (a runtime error such as an
    /// integer division by zero); their previous result is kept, so the
    /// next successful evaluation reports every change since then.
    pub errors: Vec<ViewError>,
}

/// A view's last result, as row-format keys and their multiplicities.
#[derive(Debug)]
struct LiveView {
    name: String,
    schema: SchemaRef,
    converter: RowConverter,
    previous: HashMap<Box<[u8]>, i64>,
}

/// Views over a [`LiveTables`], planned once, evaluated as often as the
/// pipeline asks (typically after each settled time, when windows close).
pub struct ViewEngine {
    ctx: SessionContext,
    views: Vec<LiveView>,
}

impl std::fmt::Debug for ViewEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewEngine")
            .field("views", &self.views)
            .finish_non_exhaustive()
    }
}

impl ViewEngine {
    /// Plans `views` against the declared streams of `tables` (a view may
    /// read other views, in any order). Every view that does not plan —
    /// bad SQL, an unknown table or column, a type error, a column type
    /// that cannot be compared — is reported, named, in
    /// [`SqlError::Views`]; nothing is read.
    pub async fn new(tables: &LiveTables, views: Vec<ViewSpec>) -> Result<ViewEngine> {
        let ctx = new_session();
        tables.register(&ctx)?;
        let mut errors = register_views(&ctx, &views).await;
        let mut planned = Vec::with_capacity(views.len());
        for view in views {
            if errors.iter().any(|error| error.name == view.name) {
                continue;
            }
            match plan(&ctx, &view.name).await {
                Ok(live) => planned.push(live),
                Err(message) => errors.push(ViewError {
                    name: view.name,
                    message,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(SqlError::Views(ViewErrors(errors)));
        }
        Ok(ViewEngine {
            ctx,
            views: planned,
        })
    }

    /// The session the views live in (the live tables and the views are
    /// its tables).
    pub fn session(&self) -> &SessionContext {
        &self.ctx
    }

    /// The views' names, in evaluation order (the order given).
    pub fn views(&self) -> Vec<&str> {
        self.views.iter().map(|view| view.name.as_str()).collect()
    }

    /// The columns of `view`'s result.
    pub fn output_schema(&self, view: &str) -> Option<SchemaRef> {
        self.views
            .iter()
            .find(|live| live.name == view)
            .map(|live| Arc::clone(&live.schema))
    }

    /// Runs every view over the tables as they are now and returns, per
    /// view, what changed since its previous successful evaluation (the
    /// first evaluation inserts the whole result). A view that fails is
    /// reported in [`Evaluation::errors`]; the others go on.
    pub async fn evaluate(&mut self) -> Evaluation {
        let mut evaluation = Evaluation::default();
        for view in &mut self.views {
            match run(&self.ctx, view).await {
                Ok(Some(delta)) => evaluation.deltas.push(delta),
                Ok(None) => {}
                Err(message) => evaluation.errors.push(ViewError {
                    name: view.name.clone(),
                    message,
                }),
            }
        }
        evaluation
    }
}

/// The output schema of a registered view and an empty previous result.
async fn plan(ctx: &SessionContext, name: &str) -> Result<LiveView, String> {
    let frame = ctx
        .table(TableReference::bare(name))
        .await
        .map_err(|e| e.to_string())?;
    let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
    let fields = schema
        .fields()
        .iter()
        .map(|field| SortField::new(field.data_type().clone()))
        .collect();
    let converter = RowConverter::new(fields).map_err(|e| e.to_string())?;
    Ok(LiveView {
        name: name.to_owned(),
        schema,
        converter,
        previous: HashMap::new(),
    })
}

/// Runs `view` and diffs its result against the previous one.
async fn run(ctx: &SessionContext, view: &mut LiveView) -> Result<Option<ViewDelta>, String> {
    let batches = ctx
        .table(TableReference::bare(view.name.as_str()))
        .await
        .map_err(|e| e.to_string())?
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    // The new result as keys with multiplicities, keys in result order.
    let mut counts: HashMap<Box<[u8]>, i64> = HashMap::new();
    let mut order: Vec<Box<[u8]>> = Vec::new();
    for batch in &batches {
        let rows = view
            .converter
            .convert_columns(batch.columns())
            .map_err(|e| e.to_string())?;
        for row in rows.iter() {
            let key: &[u8] = row.as_ref();
            match counts.get_mut(key) {
                Some(count) => *count += 1,
                None => {
                    counts.insert(Box::from(key), 1);
                    order.push(Box::from(key));
                }
            }
        }
    }
    let mut retracted: Vec<(&[u8], i64)> = view
        .previous
        .iter()
        .filter_map(|(key, &old)| {
            let new = counts.get(key).copied().unwrap_or(0);
            (new < old).then_some((key.as_ref(), new - old))
        })
        .collect();
    retracted.sort_unstable();
    let inserted = order.iter().filter_map(|key| {
        let old = view.previous.get(key).copied().unwrap_or(0);
        let new = counts.get(key).copied().unwrap_or(0);
        (new > old).then_some((key.as_ref(), new - old))
    });
    let changes: Vec<(&[u8], i64)> = retracted.into_iter().chain(inserted).collect();
    if changes.is_empty() {
        view.previous = counts;
        return Ok(None);
    }
    let parser = view.converter.parser();
    let columns = view
        .converter
        .convert_rows(changes.iter().map(|(key, _)| parser.parse(key)))
        .map_err(|e| e.to_string())?;
    let rows =
        RecordBatch::try_new(Arc::clone(&view.schema), columns).map_err(|e| e.to_string())?;
    let diffs = changes.iter().map(|(_, diff)| *diff).collect();
    let delta = ViewDelta {
        view: view.name.clone(),
        rows,
        diffs,
    };
    view.previous = counts;
    Ok(Some(delta))
}
