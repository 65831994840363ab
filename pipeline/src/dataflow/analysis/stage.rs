//! One plant's window, analysed: the order of the calculations, the state
//! a plant carries from window to window, and the dataflow operators that
//! run it per plant and attach it to the standard graph.

use std::sync::Arc;

use differential_dataflow::collection::vec::Collection as VecCollection;

use super::alerts::{AlertRecord, AlertState, ThresholdAlerts, WindowResults};
use super::balance::{BalanceRecord, LossRecord, balance_before_leaks};
use super::features::{FeatureState, SteamState, window_features};
use super::leaks::{LeakRecord, LeakState};
use super::model::{AnalysisModel, PlantModel, WindowView};
use super::sequence::Sequence;
use super::traps::{TrapStatus, assess_traps};
use crate::config::AnalysisConfig;
use crate::dataflow::aggregate::Aggregate;
use crate::dataflow::graph::{Graph, GraphConfig};
use crate::dataflow::outputs::{OutputError, names};
use crate::dataflow::time::{Time, WindowSpec};
use crate::dataflow::window::WindowCollection;

/// What one plant carries from one window to the next: the moving
/// averages, the leak detectors and the alert state machines.
#[derive(Clone, Debug, PartialEq)]
pub struct PlantState {
    features: FeatureState,
    leaks: LeakState,
    alerts: AlertState,
}

impl PlantState {
    /// The state before a plant's first window.
    pub fn new(plant: &PlantModel, settings: &AnalysisConfig) -> Result<PlantState, String> {
        let sensors = plant
            .plant
            .segments
            .iter()
            .enumerate()
            .filter(|(_, s)| s.acoustic_tag.is_some())
            .map(|(index, _)| index);
        Ok(PlantState {
            features: FeatureState::default(),
            leaks: LeakState::new(sensors, &settings.leaks)?,
            alerts: AlertState::default(),
        })
    }
}

/// Everything the stage emits for one plant and window.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlantOutput {
    /// A row of `steam_states`.
    SteamState(SteamState),
    /// A row of `trap_statuses`.
    Trap(TrapStatus),
    /// A row of `balances`.
    Balance(BalanceRecord),
    /// A row of `losses`.
    Loss(LossRecord),
    /// A row of `leaks`.
    Leak(LeakRecord),
    /// A row of `alerts`.
    Alert(AlertRecord),
}

/// Analyses one plant's window (`parts`: its tags' aggregates by slot),
/// advancing `state`. The order per window:
///
/// 1. every trap assessed ([`assess_traps`]);
/// 2. the balance before leaks, with each trap's steam loss;
/// 3. the leak detectors fed (balance residual, when plausible; acoustic
///    levels) and fused;
/// 4. the balance with the window's leaks, and its loss breakdown;
/// 5. the steam states, with moving averages and rates of change;
/// 6. the window-level alert rules observed.
///
/// A window in which none of the plant's tags has a value has no output
/// and leaves the state as it is.
pub fn analyze_window(
    plant: &PlantModel,
    settings: &AnalysisConfig,
    state: &mut PlantState,
    window_start_ms: u64,
    window_end_ms: u64,
    parts: &[(u32, Aggregate)],
) -> Vec<PlantOutput> {
    let view = WindowView::new(plant, parts);
    if view.is_empty() {
        return Vec::new();
    }
    let id = plant.id.as_str();
    let (start, end) = (window_start_ms, window_end_ms);
    let traps = assess_traps(&view);
    let before = balance_before_leaks(&view, &traps, &settings.balance);
    let residual = before
        .as_ref()
        .ok()
        .filter(|b| plausible(b))
        .map(|b| b.residual_before_leaks);
    let leaks = state.leaks.step(&view, end, residual, &settings.leaks);
    let balance = before.ok().map(|b| b.with_leaks(&leaks).unwrap_or(b));
    let mut features = window_features(&view, start, end, &traps, balance.as_ref());
    state
        .features
        .step(&mut features, settings.features.moving_average_windows);
    let alerts = state.alerts.step(
        &plant.rules,
        &WindowResults {
            view: &view,
            window_start_ms: start,
            window_end_ms: end,
            traps: &traps,
            balance: balance.as_ref(),
            leaks: &leaks,
        },
    );
    let mut out: Vec<PlantOutput> = features.into_iter().map(PlantOutput::SteamState).collect();
    out.extend(plant.plant.traps.iter().zip(&traps).map(|(trap, a)| {
        PlantOutput::Trap(TrapStatus::new(id, &trap.id, trap.trap_type, start, end, a))
    }));
    if let Some(b) = &balance {
        out.push(PlantOutput::Balance(BalanceRecord::new(id, start, end, b)));
        out.extend(
            LossRecord::of(id, start, end, b)
                .into_iter()
                .map(PlantOutput::Loss),
        );
    }
    out.extend(
        leaks
            .iter()
            .map(|leak| PlantOutput::Leak(LeakRecord::new(id, start, end, leak))),
    );
    out.extend(alerts.into_iter().map(PlantOutput::Alert));
    out
}

/// A mass balance off by more than this is broken data, not a leak \[%\].
pub const IMPLAUSIBLE_CLOSURE_PCT: f64 = 50.0;

/// True when the balance's mass closure is within
/// [`IMPLAUSIBLE_CLOSURE_PCT`] of 100 %. A window outside it (a meter
/// reading absurd values that validation let through) is still reported,
/// but the leak detector sees it as missing: one absurd residual would
/// otherwise dominate its estimate for hours.
fn plausible(balance: &steamflow_operators::analysis::plant_balance::PlantBalance) -> bool {
    (balance.mass.closure_percent - 100.0).abs() <= IMPLAUSIBLE_CLOSURE_PCT
}

/// The analysis streams, as typed differential collections.
pub struct AnalysisStreams<'scope> {
    /// `steam_states`.
    pub steam_states: VecCollection<'scope, Time, SteamState, isize>,
    /// `trap_statuses`.
    pub trap_statuses: VecCollection<'scope, Time, TrapStatus, isize>,
    /// `balances`.
    pub balances: VecCollection<'scope, Time, BalanceRecord, isize>,
    /// `losses`.
    pub losses: VecCollection<'scope, Time, LossRecord, isize>,
    /// `leaks`.
    pub leaks: VecCollection<'scope, Time, LeakRecord, isize>,
    /// `alerts` (window-level; [`AnalysisStage::attach_analysis`] adds the
    /// per-reading ones).
    pub alerts: VecCollection<'scope, Time, AlertRecord, isize>,
}

/// Per-plant analysis of window aggregates.
pub trait AnalyzePlants<'scope> {
    /// Analyses every plant of `model` in every `base` window: the
    /// aggregates of `base` windows whose tag a plant binds are exchanged by
    /// plant and run through [`analyze_window`] in window order, exactly
    /// under late updates ([`Sequence::sequence`] with the graph's allowed
    /// lateness).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use steamflow::config::{Config, DEMO_CONFIG};
    /// use steamflow::dataflow::analysis::{AnalysisModel, AnalyzePlants};
    /// use steamflow::dataflow::{Aggregate, TagKey, WindowKey, WindowSpec};
    /// use differential_dataflow::input::Input;
    /// use timely::dataflow::operators::{Capture, capture::Extract};
    ///
    /// let config = Config::from_toml(DEMO_CONFIG, "demo.toml", &|_: &str| None).unwrap();
    /// let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    /// let minute = WindowSpec::tumbling(60_000).unwrap();
    /// // Three equal readings of a tag in the first minute.
    /// let window = |tag: &str, value: f64| {
    ///     let key = TagKey::of("north", tag);
    ///     let mut agg = Aggregate::of(10_000, value);
    ///     agg.add(20_000, value);
    ///     agg.add(30_000, value);
    ///     (WindowKey { key, spec: minute, start_ms: 0 }, agg)
    /// };
    /// // One minute of the digester trap: hot inlet, loud: steam blows through.
    /// let aggregates = vec![
    ///     window("north.digester.pressure", 9.8),
    ///     window("north.t_digester.inlet_temperature", 183.0),
    ///     window("north.t_digester.acoustic", 85.0),
    /// ];
    /// let captured = timely::example(move |scope| {
    ///     let windows = scope.new_collection_from(aggregates).1;
    ///     windows.analyze_plants(model, minute, 300_000).trap_statuses.inner.capture()
    /// });
    /// let traps: Vec<_> = captured.extract().into_iter().flat_map(|(_, d)| d).collect();
    /// let digester = traps.iter().find(|(t, _, _)| t.trap == "t_digester").unwrap();
    /// assert_eq!(digester.0.state.as_str(), "blown_open");
    /// assert!(digester.0.loss_kg_h.get() > 50.0);
    /// // Every trap of the plant has a row; those without data are unknown.
    /// assert_eq!(traps.len(), 8);
    /// ```
    fn analyze_plants(
        self,
        model: Arc<AnalysisModel>,
        base: WindowSpec,
        allowed_lateness_ms: u64,
    ) -> AnalysisStreams<'scope>;
}

impl<'scope> AnalyzePlants<'scope> for WindowCollection<'scope> {
    fn analyze_plants(
        self,
        model: Arc<AnalysisModel>,
        base: WindowSpec,
        allowed_lateness_ms: u64,
    ) -> AnalysisStreams<'scope> {
        let window_ms = u64::from(base.size_ms);
        let locate = Arc::clone(&model);
        let windows = self.flat_map(move |(window, agg)| {
            let located = (window.spec == base)
                .then(|| locate.locate(window.key))
                .flatten();
            located.map(|(plant, slot)| (plant, (window.start_ms, (slot, agg))))
        });
        let init_model = Arc::clone(&model);
        let outputs = windows.sequence(
            "PlantAnalysis",
            window_ms,
            allowed_lateness_ms,
            move |plant: &u32| {
                init_model
                    .plant(*plant)
                    .and_then(|p| PlantState::new(p, &init_model.config).ok())
            },
            move |plant: &u32, state: &mut Option<PlantState>, start, parts| match (
                model.plant(*plant),
                state.as_mut(),
            ) {
                (Some(p), Some(s)) => analyze_window(
                    p,
                    &model.config,
                    s,
                    start,
                    start.saturating_add(window_ms),
                    parts,
                ),
                _ => Vec::new(),
            },
        );
        AnalysisStreams {
            steam_states: outputs.clone().flat_map(|o| match o {
                PlantOutput::SteamState(r) => Some(r),
                _ => None,
            }),
            trap_statuses: outputs.clone().flat_map(|o| match o {
                PlantOutput::Trap(r) => Some(r),
                _ => None,
            }),
            balances: outputs.clone().flat_map(|o| match o {
                PlantOutput::Balance(r) => Some(r),
                _ => None,
            }),
            losses: outputs.clone().flat_map(|o| match o {
                PlantOutput::Loss(r) => Some(r),
                _ => None,
            }),
            leaks: outputs.clone().flat_map(|o| match o {
                PlantOutput::Leak(r) => Some(r),
                _ => None,
            }),
            alerts: outputs.flat_map(|o| match o {
                PlantOutput::Alert(r) => Some(r),
                _ => None,
            }),
        }
    }
}

/// Attaches the analysis stage to the standard graph.
pub trait AnalysisStage<'scope> {
    /// Adds the analysis of every plant of `model` to the graph and
    /// publishes its streams — `steam_states`, `trap_statuses`,
    /// `balances`, `losses`, `leaks` and `alerts` (window-level and
    /// per-reading events) — in `self.outputs`. `config` is the graph's:
    /// its base window and allowed lateness. Call it before subscribing
    /// sinks. (Setting `GraphConfig::analysis` instead attaches the stage
    /// inside `steamflow_graph`, for drivers that only see the outputs;
    /// doing both publishes the names twice, an error.)
    ///
    /// ```
    /// use std::sync::Arc;
    /// use steamflow::config::{Config, DEMO_CONFIG};
    /// use steamflow::dataflow::analysis::{AnalysisModel, AnalysisStage};
    /// use steamflow::dataflow::{BuildGraph, GraphConfig, KeyRegistry, names};
    ///
    /// let config = Config::from_toml(DEMO_CONFIG, "demo.toml", &|_: &str| None).unwrap();
    /// let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    /// timely::execute_directly(move |worker| {
    ///     worker.dataflow::<u64, _, _>(|scope| {
    ///         let graph_config = GraphConfig::default();
    ///         let (_ingest, mut graph) = scope
    ///             .steamflow_graph(graph_config.clone(), KeyRegistry::new())
    ///             .unwrap();
    ///         graph.attach_analysis(model, &graph_config).unwrap();
    ///         let published: Vec<&str> = graph.outputs.names().collect();
    ///         for name in [names::BALANCES, names::LEAKS, names::ALERTS, names::STEAM_STATES] {
    ///             assert!(published.contains(&name));
    ///         }
    ///     });
    /// });
    /// ```
    fn attach_analysis(
        &mut self,
        model: Arc<AnalysisModel>,
        config: &GraphConfig,
    ) -> Result<AnalysisStreams<'scope>, OutputError>;
}

impl<'scope> AnalysisStage<'scope> for Graph<'scope> {
    fn attach_analysis(
        &mut self,
        model: Arc<AnalysisModel>,
        config: &GraphConfig,
    ) -> Result<AnalysisStreams<'scope>, OutputError> {
        attach(
            self,
            model,
            config.base_window,
            config.ingest.allowed_lateness_ms,
        )
    }
}

/// Attaches the analysis of `model` to `graph` over its `base` windows and
/// publishes the streams (what [`AnalysisStage::attach_analysis`] and a
/// [`GraphConfig`] with `analysis` set do).
pub(crate) fn attach<'scope>(
    graph: &mut Graph<'scope>,
    model: Arc<AnalysisModel>,
    base: WindowSpec,
    allowed_lateness_ms: u64,
) -> Result<AnalysisStreams<'scope>, OutputError> {
    let mut streams =
        graph
            .base_aggregates
            .clone()
            .analyze_plants(Arc::clone(&model), base, allowed_lateness_ms);
    let per_reading = graph.readings.clone().threshold_alerts(Arc::clone(&model));
    streams.alerts = streams.alerts.concat(per_reading);
    let outputs = &mut graph.outputs;
    outputs.publish(names::STEAM_STATES, streams.steam_states.clone())?;
    outputs.publish(names::TRAP_STATUSES, streams.trap_statuses.clone())?;
    outputs.publish(names::BALANCES, streams.balances.clone())?;
    outputs.publish(names::LOSSES, streams.losses.clone())?;
    outputs.publish(names::LEAKS, streams.leaks.clone())?;
    outputs.publish(names::ALERTS, streams.alerts.clone())?;
    let recommendations = super::recommendations::recommendations(
        &model,
        &streams.trap_statuses,
        &streams.leaks,
        &streams.balances,
    );
    outputs.publish(names::RECOMMENDATIONS, recommendations)?;
    Ok(streams)
}
