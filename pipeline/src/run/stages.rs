//! The streams a run publishes on top of the standard graph (which
//! attaches the analysis stage itself, from [`GraphConfig::analysis`]):
//! the aggregates of each configured window, `window_aggregates.<id>`.
//!
//! Each is a filter over every window aggregate, and timely hands each
//! consumer of a stream its own copy of the data, so a window's stream is
//! built only when something reads it.
//!
//! [`GraphConfig::analysis`]: crate::dataflow::GraphConfig::analysis

use crate::dataflow::{Graph, names};

use super::plan::Plan;

/// The name of a configured window's stream.
pub fn window_stream(id: &str) -> String {
    format!("{}.{id}", names::WINDOW_AGGREGATES)
}

/// Publishes the streams `wanted` asks for.
pub fn attach(
    graph: &mut Graph<'_>,
    plan: &Plan,
    wanted: impl Fn(&str) -> bool,
) -> anyhow::Result<()> {
    for window in &plan.windows {
        let name = window_stream(&window.id);
        if !wanted(&name) {
            continue;
        }
        let spec = window.spec;
        let only = graph
            .window_aggregates
            .clone()
            .filter(move |(key, _)| key.spec == spec);
        graph.outputs.publish(&name, only)?;
    }
    Ok(())
}
