//! Alert routing: the `alerts` stream's notifications to the people on
//! call — generic webhooks, Slack incoming webhooks, PagerDuty Events API
//! v2, e-mail over SMTP and MQTT.
//!
//! - **Routing** ([`RouteConfig`]): by severity, plant, rule and alert
//!   kind (the rule's condition) to channels; every matching route applies.
//! - **De-duplication**: one open alert per de-duplication key
//!   (`rule/plant/asset`); the same key firing again while open is not
//!   sent again.
//! - **Grouping**: notices for one channel within `group_window_secs` go
//!   out as one message (one e-mail, one Slack post, one webhook call;
//!   PagerDuty takes one event per alert).
//! - **Rate limits**: a token bucket per channel; a message over the limit
//!   waits for its token, in order.
//! - **Escalation**: an alert still open and not acknowledged
//!   `escalate_after_secs` after it was sent goes to the route's
//!   `escalate_to` channels; [`AlertRouter::acknowledge`] stops it.
//! - **Resolution**: a resolved alert is announced to every channel that
//!   was told it fired (PagerDuty: a `resolve` event); one withdrawn by a
//!   late reading (a retracted firing) likewise, as `withdrawn`.
//! - **Retries**: 5xx, 429, timeouts and refused connections are retried
//!   with exponential backoff and full jitter; other 4xx (and SMTP 5xx)
//!   are refused and not retried. Failures are counted in
//!   `component_errors_total` / `component_discarded_events_total` with
//!   `component_id="<sink>.<channel>"`, and never stop the dataflow.
//!
//! The config reference is in [`config`].

pub mod alert;
mod bucket;
mod channel;
pub mod config;
pub mod notice;
mod router;
mod runtime;
pub mod stats;
mod validate;

pub use alert::{Alert, AlertUpdate};
pub use bucket::TokenBucket;
pub use channel::DeliveryError;
pub use config::{
    AlertsSinkConfig, ChannelConfig, EmailConfig, MqttChannelConfig, PagerDutyConfig, RateLimit,
    RetryConfig, RouteConfig, Secret, SlackConfig, SmtpTls, WebhookConfig,
};
pub use notice::{Message, Notice, Status};
pub use router::{AckError, Acknowledgement, OpenAlert, Router};
pub use runtime::{AlertRouter, StartError};
pub use stats::{ChannelStats, Count, RouterStats};
pub use validate::{ConfigIssue, Segment};

/// Locks a mutex, taking the data of a poisoned one (a panicked holder
/// left nothing half-written that matters here).
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}
