//! Component counters, named as in DESIGN.md and labelled by component id,
//! through the `metrics` facade (the binary installs the Prometheus
//! exporter that serves them on `/metrics`).

use metrics::{Counter, Gauge, counter, gauge};

/// The counters of one component (a source or a sink).
#[derive(Clone)]
pub struct ComponentMetrics {
    /// Readings (or messages) received.
    pub received: Counter,
    /// Readings (or rows) sent on.
    pub sent: Counter,
    /// Errors: decode failures, failed requests, dropped connections.
    pub errors: Counter,
    /// Events dropped on purpose (filtered, over a limit), never silently.
    pub discarded: Counter,
    /// Reconnects after a lost connection.
    pub reconnects: Counter,
    /// Event-time lag of the newest reading behind the wall clock [s].
    pub lag_seconds: Gauge,
}

impl ComponentMetrics {
    pub fn new(component_id: &str, component_kind: &'static str) -> ComponentMetrics {
        let labels = [
            ("component_id", component_id.to_owned()),
            ("component_kind", component_kind.to_owned()),
        ];
        ComponentMetrics {
            received: counter!("component_received_events_total", &labels),
            sent: counter!("component_sent_events_total", &labels),
            errors: counter!("component_errors_total", &labels),
            discarded: counter!("component_discarded_events_total", &labels),
            reconnects: counter!("component_reconnects_total", &labels),
            lag_seconds: gauge!("component_lag_seconds", &labels),
        }
    }
}
