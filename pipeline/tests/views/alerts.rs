//! A view whose rows are alerts, routed by an `alerts` sink to a real
//! webhook receiver on loopback.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use serde_json::Value;

use super::harness::{demo, run};

/// An HTTP server on 127.0.0.1 that keeps every JSON body posted to it;
/// stopped on drop.
struct Receiver {
    port: u16,
    bodies: Arc<Mutex<Vec<Value>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Receiver {
    fn start() -> Receiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
            .expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let app = axum::Router::new()
            .fallback(
                |State(bodies): State<Arc<Mutex<Vec<Value>>>>, body: Bytes| async move {
                    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    bodies.lock().unwrap_or_else(|p| p.into_inner()).push(value);
                    "ok"
                },
            )
            .with_state(Arc::clone(&bodies));
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            port,
            bodies,
            runtime: Some(runtime),
        }
    }

    /// Every notice received, as `"<status> <dedup_key>"`, in order.
    fn notices(&self) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .flat_map(|body| body["notices"].as_array().cloned().unwrap_or_default())
            .map(|notice| {
                format!(
                    "{} {}",
                    notice["status"].as_str().unwrap_or_default(),
                    notice["dedup_key"].as_str().unwrap_or_default()
                )
            })
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[test]
fn a_view_of_alerts_fires_when_the_lp_transmitter_goes_silent_and_resolves_when_it_is_back() {
    let receiver = Receiver::start();
    // The demo's LP header transmitter is silent from 40 to 45 minutes:
    // the latest closed minute has no LP pressure window.
    let extra = format!(
        r#"
[views.silent_transmitters]
sql = """
SELECT 'north' AS plant,
       'silent/north/lp' AS dedup_key,
       'north.lp.pressure' AS asset,
       'high' AS severity,
       'the LP header pressure transmitter sent nothing for a minute' AS message
FROM (SELECT max(window_start) AS latest FROM window_aggregates WHERE "window" = '1m') AS l
WHERE l.latest IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM window_aggregates AS w
    WHERE w.tag = 'north.lp.pressure' AND w."window" = '1m' AND w.window_start = l.latest)
"""

[sinks.oncall]
type = "alerts"
inputs = ["silent_transmitters"]
group_window_secs = 0
channels.hook = {{ type = "webhook", url = "http://127.0.0.1:{port}/hook" }}
routes = [{{ severities = ["high"], channels = ["hook"] }}]
"#,
        port = receiver.port
    );
    let config = demo(&extra, 3000);
    // The run ends after the routers delivered (or gave up after a grace period).
    let report = run(&config, &["silent_transmitters"]);
    assert_eq!(
        receiver.notices(),
        ["firing silent/north/lp", "resolved silent/north/lp"],
        "{:?}",
        report.status.warnings()
    );
}
