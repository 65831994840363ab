//! Counters of a router and its channels, readable while it runs (the
//! `metrics` facade carries the same numbers to `/metrics`).

use std::sync::atomic::{AtomicU64, Ordering};

use metrics::Counter;

/// A counter that can be read back.
#[derive(Debug, Default)]
pub struct Count(AtomicU64);

impl Count {
    pub(crate) fn increment(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn sub(&self, n: u64) {
        self.0.fetch_sub(n, Ordering::Relaxed);
    }

    /// The count so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the router did with the updates it received.
#[derive(Debug, Default)]
pub struct RouterStats {
    /// Updates of the `alerts` stream received.
    pub received: Count,
    /// Updates that could not be read (a record without its fields).
    pub malformed: Count,
    /// Updates refused because the router's queue was full or it had stopped.
    pub dropped: Count,
    /// Firing events for an alert already open: not paged again.
    pub duplicates: Count,
    /// Alerts that matched no route.
    pub unrouted: Count,
    /// Updates about alerts that are not open (a resolution of an alert
    /// this router never saw fire, a retracted reminder).
    pub ignored: Count,
    /// Alerts escalated for want of an acknowledgement.
    pub escalated: Count,
    /// Acknowledgements accepted.
    pub acknowledged: Count,
}

/// What one channel did.
#[derive(Debug, Default)]
pub struct ChannelStats {
    /// Deliveries the receiver accepted (one request, e-mail or publish).
    pub delivered: Count,
    /// Deliveries given up: refused (4xx), or still failing when retries ran out.
    pub failed: Count,
    /// Attempts that failed and were retried.
    pub retries: Count,
    /// Deliveries that waited for the rate limit.
    pub rate_limited: Count,
    /// Messages waiting in the channel's queue or being delivered.
    pub pending: Count,
}

/// The channel's counters in the metrics registry
/// (`component_*_total{component_id="<sink>.<channel>"}`).
#[derive(Clone)]
pub(crate) struct ChannelMetrics {
    pub sent: Counter,
    pub errors: Counter,
    pub discarded: Counter,
    pub received: Counter,
}

impl ChannelMetrics {
    pub(crate) fn new(component_id: &str) -> Self {
        let m = steamflow_source_core::ComponentMetrics::new(component_id, "alert_channel");
        ChannelMetrics {
            sent: m.sent,
            errors: m.errors,
            discarded: m.discarded,
            received: m.received,
        }
    }
}
