//! A config's views, planned before anything runs: their queries read,
//! the streams they read declared as live tables with their columns, and
//! every view planned against them (with the views it reads).

use std::collections::BTreeSet;

use steamflow_sql::datafusion::arrow::compute::can_cast_types;
use steamflow_sql::datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use steamflow_sql::live::{LiveTables, ViewEngine};
use steamflow_sql::views::ViewSpec;
use steamflow_sql::{SqlError, new_session};

use super::alerts::AlertColumns;
use super::schema::StreamColumns;
use crate::config::sinks::SinkConfig;
use crate::config::{BUILTIN_STREAMS, Config};
use crate::run::sinks::resolve;

/// The views of a config, their queries read.
#[derive(Clone, Debug)]
pub struct ViewSet {
    /// Each view's name and query, in config order.
    pub specs: Vec<ViewSpec>,
    /// Updates kept by each stream's `<stream>_updates` table (the most
    /// any view asks for).
    pub history_windows: usize,
}

/// Views that planned, over the live tables they read.
pub struct PlannedViews {
    /// The views.
    pub set: ViewSet,
    /// The live tables (every graph stream that is a table).
    pub tables: LiveTables,
    /// The engine, its views planned.
    pub engine: ViewEngine,
    /// The graph streams the views read (directly or through other views).
    pub inputs: Vec<String>,
}

impl ViewSet {
    /// The views of `config`, or each view whose file cannot be read.
    pub fn of(config: &Config) -> Result<ViewSet, Vec<String>> {
        let mut specs = Vec::with_capacity(config.views.len());
        let mut errors = Vec::new();
        for (name, view) in &config.views {
            match view.query(name, &config.base_dir) {
                Ok(sql) => specs.push(ViewSpec {
                    name: name.clone(),
                    sql,
                }),
                Err(error) => errors.push(error.to_string()),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let history_windows = config
            .views
            .values()
            .map(crate::config::ViewConfig::history_windows)
            .max()
            .unwrap_or(crate::config::views::DEFAULT_HISTORY_WINDOWS);
        Ok(ViewSet {
            specs,
            history_windows,
        })
    }

    /// True without views.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Plans every view (on a runtime of its own, without reading data)
    /// against the graph's streams, and checks that the sinks that
    /// subscribe to a view can write it; every problem is returned, each
    /// naming its view.
    pub fn plan(self, config: &Config) -> Result<PlannedViews, Vec<String>> {
        let tables = live_tables(self.history_windows).map_err(|e| vec![e])?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| vec![format!("cannot start the views' runtime: {e}")])?;
        let engine = runtime
            .block_on(ViewEngine::new(&tables, self.specs.clone()))
            .map_err(|error| match error {
                SqlError::Views(errors) => errors.0.iter().map(ToString::to_string).collect(),
                other => vec![format!("views: {other}")],
            })?;
        let mut problems = Vec::new();
        for spec in &self.specs {
            let Some(schema) = engine.output_schema(&spec.name) else {
                continue;
            };
            if let Err(problem) = sink_fields(&schema) {
                problems.push(format!("view {}: {problem}", spec.name));
            }
            for (id, sink) in &config.sinks {
                let (selected, _) = resolve(sink.inputs(), std::slice::from_ref(&spec.name), &[]);
                if selected.is_empty() || !matches!(sink, SinkConfig::Alerts(_)) {
                    continue;
                }
                if let Err(problem) = AlertColumns::of(&schema) {
                    problems.push(format!(
                        "view {}: sink `{id}` routes it as alerts, but {problem}",
                        spec.name
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let inputs = runtime.block_on(streams_read(&self.specs));
        Ok(PlannedViews {
            set: self,
            tables,
            engine,
            inputs,
        })
    }
}

impl PlannedViews {
    /// Feeds every result stream that is a table, not only those the views
    /// read, so that SQL through the API sees them. The per-tag streams
    /// (`readings`, `window_aggregates`) stay out unless a view reads them:
    /// the current state of a stream that never retracts grows with the
    /// run, by every tag in every window for these two (their history is
    /// in the configured sinks).
    pub fn feed_every_stream(&mut self) {
        use crate::dataflow::names::{READINGS, WINDOW_AGGREGATES};
        for stream in self.tables.streams() {
            if stream != READINGS && stream != WINDOW_AGGREGATES && !self.inputs.contains(&stream) {
                self.inputs.push(stream);
            }
        }
        self.inputs.sort();
    }
}

/// Checks the views of `config` as `steamflow validate` and `steamflow
/// run` do: `Ok` with how many views planned, or every problem.
pub fn check(config: &Config) -> Result<usize, Vec<String>> {
    let set = ViewSet::of(config)?;
    let n = set.specs.len();
    if n == 0 {
        return Ok(0);
    }
    set.plan(config).map(|_| n)
}

/// Every graph stream that is a table, declared with its columns.
fn live_tables(history_windows: usize) -> Result<LiveTables, String> {
    let tables = LiveTables::new(history_windows);
    for stream in BUILTIN_STREAMS {
        let Some(columns) = StreamColumns::of(stream) else {
            continue;
        };
        let schema: SchemaRef = std::sync::Arc::new(Schema::new(columns.fields()));
        tables
            .declare(stream, schema)
            .map_err(|e| format!("views: {e}"))?;
    }
    Ok(tables)
}

/// The graph streams `views` read, through the views they read too.
async fn streams_read(views: &[ViewSpec]) -> Vec<String> {
    let ctx = new_session();
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let mut read: BTreeSet<String> = BTreeSet::new();
    for view in views {
        let Ok(statement) = state.sql_to_statement(&view.sql, &dialect) else {
            continue;
        };
        let Ok(references) = state.resolve_table_references(&statement) else {
            continue;
        };
        for reference in references {
            let table = reference.table();
            let stream = table.strip_suffix("_updates").unwrap_or(table);
            if BUILTIN_STREAMS.contains(&stream) && StreamColumns::of(stream).is_some() {
                read.insert(stream.to_owned());
            }
        }
    }
    read.into_iter().collect()
}

/// The type a sink writes a column of type `data_type` as (the types of
/// [`steamflow_sink_parquet::RowAppender`]).
pub fn sink_type(data_type: &DataType) -> DataType {
    use steamflow_sql::datafusion::arrow::datatypes::TimeUnit;
    match data_type {
        DataType::Float64
        | DataType::Int64
        | DataType::UInt64
        | DataType::Int32
        | DataType::UInt32
        | DataType::Boolean
        | DataType::Utf8 => data_type.clone(),
        DataType::Float16
        | DataType::Float32
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => DataType::Float64,
        DataType::Int8 | DataType::Int16 => DataType::Int32,
        DataType::UInt8 | DataType::UInt16 => DataType::UInt32,
        DataType::Timestamp(_, zone) => DataType::Timestamp(TimeUnit::Millisecond, zone.clone()),
        DataType::Date32 | DataType::Date64 => DataType::Timestamp(TimeUnit::Millisecond, None),
        _ => DataType::Utf8,
    }
}

/// The columns sinks write a view's rows as, or why a column cannot be written.
pub fn sink_fields(schema: &Schema) -> Result<Vec<Field>, String> {
    schema
        .fields()
        .iter()
        .map(|field| {
            let to = sink_type(field.data_type());
            if can_cast_types(field.data_type(), &to) {
                Ok(Field::new(field.name(), to, true))
            } else {
                Err(format!(
                    "column `{}` has type {}, which sinks cannot write",
                    field.name(),
                    field.data_type()
                ))
            }
        })
        .collect()
}
