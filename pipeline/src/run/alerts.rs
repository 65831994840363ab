//! The `alerts` sink: the `alerts` stream's updates, as they are made,
//! handed to the sink's [`AlertRouter`] with the rule's condition (for
//! routes by alert kind). The router delivers on its own thread: a slow or
//! failing channel never holds up the graph. [`RouterAcknowledger`] hands
//! the API's acknowledgements to the routers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use steamflow_api::{AckError, AlertAcknowledger};
use steamflow_sink_alerts::{AckError as RouterAckError, AlertRouter, AlertUpdate};

use super::status::StreamOutput;
use crate::config::Config;
use crate::dataflow::{RecordSink, SinkRecord, Time};

/// How long a finished run waits for alert channels to deliver.
pub const CLOSE_GRACE: Duration = Duration::from_secs(30);

/// A started alert sink, or why it could not start; and each rule's
/// condition by rule id.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertsKind {
    /// The running router.
    pub router: Result<AlertRouter, String>,
    /// `[alerts.<id>]` → its `condition` (`trap_failure`, ...).
    pub conditions: Arc<BTreeMap<String, String>>,
}

impl AlertsKind {
    /// Starts the router of sink `id`.
    pub fn start(
        id: &str,
        sink: &steamflow_sink_alerts::AlertsSinkConfig,
        config: &Config,
    ) -> Self {
        let conditions = config
            .alerts
            .iter()
            .filter_map(|(rule, spec)| match serde_json::to_value(spec.condition) {
                Ok(serde_json::Value::String(name)) => Some((rule.clone(), name)),
                _ => None,
            })
            .collect();
        AlertsKind {
            router: AlertRouter::start(id, sink).map_err(|e| e.to_string()),
            conditions: Arc::new(conditions),
        }
    }
}

/// The record sink that feeds a router.
pub struct AlertsStream {
    kind: AlertsKind,
    output: Arc<StreamOutput>,
    object: String,
}

impl AlertsStream {
    pub fn new(kind: AlertsKind, output: Arc<StreamOutput>) -> Self {
        AlertsStream {
            kind,
            output,
            object: String::new(),
        }
    }
}

impl RecordSink for AlertsStream {
    fn write(&mut self, _time: Time, diff: isize, record: &dyn SinkRecord) {
        let Ok(router) = &self.kind.router else {
            return;
        };
        self.object.clear();
        self.object.push('{');
        record.write_fields(&mut self.object);
        self.object.push('}');
        match AlertUpdate::from_json(&self.object, diff) {
            Ok(mut update) => {
                update.alert.condition = self.kind.conditions.get(&update.alert.rule).cloned();
                router.submit(update);
                self.output.add_rows(1);
            }
            // Counted by the router as malformed, and logged there.
            Err(_) => router.submit_json(&self.object, diff),
        }
    }

    fn flush(&mut self) {}
}

/// The routers of `sinks`, to close when the run ends.
pub fn routers(sinks: &[super::sinks::SinkSpec]) -> Vec<AlertRouter> {
    sinks
        .iter()
        .filter_map(|s| match &s.kind {
            super::sinks::SinkKind::Alerts(AlertsKind {
                router: Ok(router), ..
            }) => Some(router.clone()),
            _ => None,
        })
        .collect()
}

/// How long an acknowledgement waits for a router's answer.
const ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// The API's acknowledgements, forwarded to the run's alert routers: the
/// acknowledged alert's escalation stops and every channel that was told
/// of it hears who acknowledged it (PagerDuty gets an `acknowledge` event).
pub struct RouterAcknowledger {
    routers: Vec<AlertRouter>,
}

impl RouterAcknowledger {
    /// Forwards to `routers`; `None` when there are none (the API then
    /// only records acknowledgements).
    pub fn over(routers: Vec<AlertRouter>) -> Option<Arc<RouterAcknowledger>> {
        (!routers.is_empty()).then(|| Arc::new(RouterAcknowledger { routers }))
    }

    /// Every router that holds `key` open acknowledges it; unknown when
    /// none does.
    async fn acknowledge_all(&self, key: &str, by: &str) -> Result<(), AckError> {
        let mut acknowledged = false;
        let mut failures = Vec::new();
        for router in &self.routers {
            match tokio::time::timeout(ACK_TIMEOUT, router.acknowledge(key, by)).await {
                Ok(Ok(_)) => acknowledged = true,
                Ok(Err(RouterAckError::NotOpen(_))) => {}
                Ok(Err(error)) => failures.push(error.to_string()),
                Err(_) => failures.push(format!(
                    "the alert router `{}` did not answer within {} s",
                    router.id(),
                    ACK_TIMEOUT.as_secs()
                )),
            }
        }
        match (acknowledged, failures.is_empty()) {
            (true, _) => Ok(()),
            (false, true) => Err(AckError::Unknown(key.to_owned())),
            (false, false) => Err(AckError::Failed(failures.join("; "))),
        }
    }
}

impl AlertAcknowledger for RouterAcknowledger {
    fn acknowledge(&self, dedup_key: &str, by: &str, _note: Option<&str>) -> Result<(), AckError> {
        let work = self.acknowledge_all(dedup_key, by);
        // Called from an API handler: on a multi-threaded runtime (the
        // run's) the worker steps aside while it waits; anywhere else the
        // wait gets a thread and a runtime of its own.
        match tokio::runtime::Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| handle.block_on(work))
            }
            _ => std::thread::scope(|scope| {
                scope
                    .spawn(|| {
                        tokio::runtime::Builder::new_current_thread()
                            .enable_time()
                            .build()
                            .map_err(|e| AckError::Failed(format!("no runtime: {e}")))?
                            .block_on(work)
                    })
                    .join()
                    .unwrap_or_else(|_| {
                        Err(AckError::Failed("the acknowledgement panicked".into()))
                    })
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use steamflow_operators::alerting::{AlertEvent, AlertKey, EventKind, Severity};

    use super::*;
    use crate::config::DEMO_CONFIG;
    use crate::dataflow::analysis::{AlertRecord, AlertScope};
    use crate::dataflow::{KeyRegistry, OutputRecord};

    /// The router reads the `alerts` stream's records as the graph writes them.
    #[test]
    fn an_alerts_record_reads_as_a_router_update() {
        let event = AlertEvent {
            key: AlertKey::new("traps", "north", "T-101"),
            severity: Severity::High,
            kind: EventKind::Resolved,
            time_ms: 120_000,
            value: 0.4,
            fired_at_ms: 60_000,
            message: "trap T-101 back to normal".into(),
        };
        let record = AlertRecord::new(&event, AlertScope::Window, Some(60_000));
        let mut object = String::from("{");
        record.write_fields(&KeyRegistry::new(), &mut object);
        object.push('}');
        let update = AlertUpdate::from_json(&object, -1).expect("readable");
        assert_eq!(update.kind, EventKind::Resolved);
        assert_eq!(update.diff, -1);
        let alert = update.alert;
        assert_eq!(alert.dedup_key, "traps/north/T-101");
        assert_eq!(
            (
                alert.plant.as_str(),
                alert.rule.as_str(),
                alert.asset.as_str()
            ),
            ("north", "traps", "T-101")
        );
        assert_eq!(alert.severity, Severity::High);
        assert_eq!((alert.fired_at_ms, alert.event_time_ms), (60_000, 120_000));
        assert_eq!(alert.value, Some(0.4));
        assert_eq!(alert.message, "trap T-101 back to normal");
    }

    const ONCALL: &str = r#"
[sinks.oncall]
type = "alerts"
inputs = ["alerts"]
channels.pager = { type = "pagerduty", routing_key = "${PD_KEY}", url = "http://127.0.0.1:9/" }
routes = [{ severities = ["critical"], conditions = ["trap_failure"], channels = ["pager"] }]
"#;

    #[test]
    fn an_alerts_sink_loads_with_its_secret_from_the_environment() {
        let text = format!("{DEMO_CONFIG}\n{ONCALL}");
        let env = |name: &str| (name == "PD_KEY").then(|| "k3y".to_owned());
        let config = Config::from_toml(&text, "test.toml", &env).expect("valid");
        let Some(crate::config::sinks::SinkConfig::Alerts(sink)) = config.sinks.get("oncall")
        else {
            panic!("an alerts sink");
        };
        let Some(steamflow_sink_alerts::ChannelConfig::Pagerduty(pager)) =
            sink.channels.get("pager")
        else {
            panic!("a PagerDuty channel");
        };
        assert_eq!(pager.routing_key.expose(), "k3y");
    }

    #[test]
    fn an_alerts_sink_error_names_its_key() {
        let text = format!("{DEMO_CONFIG}\n{ONCALL}")
            .replace("channels = [\"pager\"]", "channels = [\"paper\"]")
            .replace(
                "inputs = [\"alerts\"]\nchannels",
                "inputs = [\"leaks\"]\nchannels",
            );
        let env = |_: &str| Some("k3y".to_owned());
        let Err(errors) = Config::from_toml(&text, "test.toml", &env) else {
            panic!("refused");
        };
        let paths: Vec<String> = errors
            .diagnostics
            .iter()
            .map(|d| d.path.to_string())
            .collect();
        assert!(
            paths.contains(&"sinks.oncall.routes[0].channels[0]".to_owned()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"sinks.oncall.inputs[0]".to_owned()),
            "{paths:?}"
        );
    }
}
