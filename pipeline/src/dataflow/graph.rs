//! The standard graph: ingest → exchange by route → deduplicate → validate
//! → 1-minute windows → rollups, with every result published by name.
//!
//! ```text
//!  Ingest ──readings──▶ exchange_by_route ─▶ deduplicate ─▶ validate ─┬─ accepted ─▶ window_partials ─▶ window_reduce ─┬─▶ rollup 5m ─▶ rollup 15m ─▶ rollup 1h
//!     │                                                                └─ rejected ─┐                                  │
//!     └──dead letters (late, malformed)─────────────────────────────────────────────┴──▶ dead_letters     window_aggregates ◀┘
//! ```
//!
//! Later stages attach to the typed handles of [`Graph`] (for example
//! `graph.window_aggregates`, a differential collection) and publish what
//! they compute in `graph.outputs`.

use std::sync::Arc;

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::Concat;
use timely::dataflow::operators::core::OkErr;
use timely::dataflow::{Scope, StreamVec};

use super::analysis::stage::attach;
use super::analysis::{AnalysisModel, AnalysisStreams};
use super::dedup::{Deduplicate, ExchangeByRoute};
use super::ingest::{Ingest, IngestConfig, IngestExt};
use super::key::KeyRegistry;
use super::key_names::LearnNames;
use super::outputs::{OutputError, Outputs, names};
use super::record::{DeadLetter, KeyedReading};
use super::time::{Ticks, Time, WindowSpec, WindowSpecError};
use super::units::UnitPlan;
use super::validate::{Validate, ValidationConfig};
use super::window::{Rollup, WindowCollection, WindowPartials, WindowReduce};

/// Everything the standard graph needs to know.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    /// Watermarks and lateness.
    pub ingest: IngestConfig,
    /// Per-reading checks.
    pub validation: ValidationConfig,
    /// The base windows, computed from readings (tumbling 1 min).
    pub base_window: WindowSpec,
    /// Windows computed from other windows, in order: each from the last
    /// tumbling family before it (or the base) that tiles it.
    pub rollups: Vec<WindowSpec>,
    /// Logical sources per worker.
    pub sources_per_worker: usize,
    /// The unit each tag's readings are converted to.
    pub units: Arc<UnitPlan>,
    /// The analysis stage to attach to the base windows and readings
    /// ([`super::analysis`]); `None`: the graph ends at the windows.
    pub analysis: Option<Arc<AnalysisModel>>,
}

impl Default for GraphConfig {
    /// 1-minute base windows with 5 min, 15 min and 1 h rollups.
    fn default() -> Self {
        let minutes = |m: u64| WindowSpec {
            size_ms: (m * 60_000) as u32,
            slide_ms: (m * 60_000) as u32,
        };
        GraphConfig {
            ingest: IngestConfig {
                ticks: Ticks::new(60_000),
                ..IngestConfig::default()
            },
            validation: ValidationConfig::default(),
            base_window: minutes(1),
            rollups: vec![minutes(5), minutes(15), minutes(60)],
            sources_per_worker: 1,
            units: Arc::new(UnitPlan::default()),
            analysis: None,
        }
    }
}

impl GraphConfig {
    /// For each rollup, the family it is computed from.
    pub fn rollup_plan(&self) -> Result<Vec<(WindowSpec, WindowSpec)>, WindowSpecError> {
        let mut tumbling = vec![self.base_window];
        let mut plan = Vec::new();
        for target in &self.rollups {
            let source = tumbling
                .iter()
                .rev()
                .find(|source| target.tiles_from(**source).is_ok())
                .copied();
            let Some(source) = source else {
                target.tiles_from(self.base_window)?;
                continue;
            };
            plan.push((source, *target));
            if target.is_tumbling() {
                tumbling.push(*target);
            }
        }
        Ok(plan)
    }
}

/// Why the graph cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// A window family cannot be computed.
    #[error(transparent)]
    Window(#[from] WindowSpecError),
    /// Output names clash.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// The built graph: typed handles to its streams and the named outputs.
pub struct Graph<'scope> {
    /// Accepted readings (flagged ones included), exchanged by route.
    pub readings: StreamVec<'scope, Time, KeyedReading>,
    /// Every rejected reading: late or malformed at ingest, duplicates, and
    /// those validation rejected.
    pub dead_letters: StreamVec<'scope, Time, DeadLetter>,
    /// Aggregates of the base windows.
    pub base_aggregates: WindowCollection<'scope>,
    /// Aggregates of every window family: base and rollups.
    pub window_aggregates: WindowCollection<'scope>,
    /// The named streams.
    pub outputs: Outputs<'scope>,
    /// The analysis streams, when `GraphConfig::analysis` is set.
    pub analysis: Option<AnalysisStreams<'scope>>,
}

/// Builds the standard graph in a scope.
pub trait BuildGraph<'scope> {
    /// Adds the graph; returns this worker's input and the graph's handles.
    ///
    /// ```
    /// use steamflow::dataflow::{BuildGraph, GraphConfig, KeyRegistry, SourceId, names, WindowKey, Aggregate};
    /// use steamflow_operators::reading::{Quality, Reading};
    ///
    /// let registry = KeyRegistry::new();
    /// let (windows, captured) = timely::execute_directly(move |worker| {
    ///     let (mut ingest, captured) = worker.dataflow(|scope| {
    ///         let (ingest, graph) = scope.steamflow_graph(GraphConfig::default(), registry).unwrap();
    ///         let captured = graph.outputs.capture::<(WindowKey, Aggregate)>(names::WINDOW_AGGREGATES).unwrap();
    ///         (ingest, captured)
    ///     });
    ///     let readings: Vec<Reading> = (0..120)
    ///         .map(|s| Reading {
    ///             time_ms: 1_000 * s,
    ///             plant: "north".into(),
    ///             tag: "flow".into(),
    ///             value: s as f64,
    ///             quality: Quality::Good,
    ///             unit: None,
    ///         })
    ///         .collect();
    ///     ingest.push(SourceId(0), &readings);
    ///     ingest.close();
    ///     while worker.step_or_park(None) {}
    ///     (captured.contents().len(), captured)
    /// });
    /// // Two 1-minute windows, and one window of each rollup.
    /// assert_eq!(windows, 5);
    /// let first = &captured.contents()[0].0;
    /// assert_eq!((first.0.start_ms, first.1.count, first.1.max), (0, 60, 59.0));
    /// ```
    fn steamflow_graph(
        &self,
        config: GraphConfig,
        registry: Arc<KeyRegistry>,
    ) -> Result<(Ingest, Graph<'scope>), GraphError>;
}

impl<'scope> BuildGraph<'scope> for Scope<'scope, Time> {
    fn steamflow_graph(
        &self,
        config: GraphConfig,
        registry: Arc<KeyRegistry>,
    ) -> Result<(Ingest, Graph<'scope>), GraphError> {
        let plan = config.rollup_plan()?;
        let lateness = config.ingest.allowed_lateness_ms;
        let (mut ingest, ingested) = self.new_ingest(
            config.ingest,
            Arc::clone(&registry),
            config.sources_per_worker,
        );
        ingest.set_units(config.units);
        let (readings, rejected) = ingested
            .readings
            .exchange_by_route()
            .deduplicate(lateness)
            .validate(config.validation)
            .ok_err::<Vec<_>, _, Vec<_>, _, _>(|reading| {
                if reading.is_accepted() {
                    Ok(reading)
                } else {
                    Err(reading.to_dead_letter())
                }
            });
        let dead_letters = ingested.dead_letters.concat(rejected);
        let base_aggregates = readings
            .clone()
            .window_partials(vec![config.base_window])
            .window_reduce(Pipeline, lateness);
        let mut families = vec![(config.base_window, base_aggregates.clone())];
        for (source, target) in plan {
            let from = families
                .iter()
                .find(|(spec, _)| *spec == source)
                .map(|(_, collection)| collection.clone())
                .unwrap_or_else(|| base_aggregates.clone());
            families.push((target, from.rollup(source, target, lateness)));
        }
        let window_aggregates = differential_dataflow::collection::concatenate(
            *self,
            families.into_iter().map(|(_, collection)| collection),
        );
        let learned = ingested.key_names.learn_names(Arc::clone(&registry));
        let mut outputs = Outputs::new(registry);
        outputs.wait_for_names(learned);
        outputs.publish_inserts(names::READINGS, readings.clone())?;
        outputs.publish_inserts(names::DEAD_LETTERS, dead_letters.clone())?;
        outputs.publish(names::WINDOW_AGGREGATES, window_aggregates.clone())?;
        let mut graph = Graph {
            readings,
            dead_letters,
            base_aggregates,
            window_aggregates,
            outputs,
            analysis: None,
        };
        if let Some(model) = config.analysis {
            graph.analysis = Some(attach(&mut graph, model, config.base_window, lateness)?);
        }
        Ok((ingest, graph))
    }
}
