//! The streams a run publishes on top of the standard graph (which
//! attaches the analysis stage itself, from [`GraphConfig::analysis`]):
//! the aggregates of each configured window, `window_aggregates.<id>`.
//!
//! [`GraphConfig::analysis`]: crate::dataflow::GraphConfig::analysis

use crate::config::Config;
use crate::dataflow::Graph;

use super::plan::Plan;

/// Builds the stages on `graph` and publishes their streams.
pub fn attach(graph: &mut Graph<'_>, config: &Config, plan: &Plan) -> anyhow::Result<()> {
    publish_windows(graph, plan)?;
    let _ = config;
    Ok(())
}

/// Publishes `window_aggregates.<id>`: the aggregates of one configured window.
fn publish_windows(graph: &mut Graph<'_>, plan: &Plan) -> anyhow::Result<()> {
    for window in &plan.windows {
        let spec = window.spec;
        let only = graph
            .window_aggregates
            .clone()
            .filter(move |(key, _)| key.spec == spec);
        graph.outputs.publish(
            &format!(
                "{}.{}",
                crate::dataflow::names::WINDOW_AGGREGATES,
                window.id
            ),
            only,
        )?;
    }
    Ok(())
}
