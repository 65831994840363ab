//! Real local receivers for the channels: an HTTP server that records
//! every request (webhook, Slack, PagerDuty), aiosmtpd as the SMTP server
//! and mosquitto as the MQTT broker — each on a free loopback port,
//! stopped on drop, every wait bounded.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::Value;
use steamflow_sink_alerts::{AlertRouter, AlertUpdate, AlertsSinkConfig};
use steamflow_source_core::testing::{find_program, free_port, python, require};

/// Longest wait for anything a test expects.
pub const WAIT: Duration = Duration::from_secs(20);

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Default)]
struct Log {
    requests: Vec<Recorded>,
    /// Statuses to answer with, in order; then 202 for `/pagerduty*`, 200 otherwise.
    script: VecDeque<u16>,
}

type Shared = Arc<Mutex<Log>>;

fn lock(log: &Shared) -> std::sync::MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(|p| p.into_inner())
}

/// An HTTP server on 127.0.0.1 that records every request's path,
/// headers and JSON body and answers as scripted.
pub struct HttpReceiver {
    pub port: u16,
    log: Shared,
    runtime: Option<tokio::runtime::Runtime>,
}

async fn record_request(
    State(log): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let path = uri.path().to_owned();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut log = lock(&log);
    log.requests.push(Recorded {
        path: path.clone(),
        headers,
        body,
    });
    let default = if path.starts_with("/pagerduty") {
        202
    } else {
        200
    };
    let code = log.script.pop_front().unwrap_or(default);
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl HttpReceiver {
    pub fn start() -> HttpReceiver {
        Self::start_on(0)
    }

    /// On `port` (0: any free one).
    pub fn start_on(port: u16) -> HttpReceiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("receiver runtime");
        let log: Shared = Arc::default();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .expect("bind the receiver");
        let port = listener.local_addr().expect("receiver address").port();
        let app = axum::Router::new()
            .fallback(record_request)
            .with_state(Arc::clone(&log));
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HttpReceiver {
            port,
            log,
            runtime: Some(runtime),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The next requests get these statuses.
    pub fn respond_with(&self, statuses: &[u16]) {
        lock(&self.log).script.extend(statuses);
    }

    /// The requests to `path` so far.
    pub fn requests(&self, path: &str) -> Vec<Recorded> {
        lock(&self.log)
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Waits until `path` got at least `n` requests; returns them all.
    pub fn wait_for(&self, path: &str, n: usize) -> Vec<Recorded> {
        let deadline = Instant::now() + WAIT;
        loop {
            let got = self.requests(path);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{path}: {} request(s) within {WAIT:?}, expected {n}: {got:#?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for HttpReceiver {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Waits until `done()` holds, failing with `what` after [`WAIT`].
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "not within {WAIT:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A router from a TOML table (the `[sinks.<id>]` body).
pub fn router(toml_text: &str) -> AlertRouter {
    let config: AlertsSinkConfig = toml::from_str(toml_text).expect("alert sink config");
    AlertRouter::start("oncall", &config).expect("router starts")
}

/// An `alerts` stream record, as the JSON Lines sink writes it.
pub fn stream_record(kind: &str, plant: &str, asset: &str, severity: &str) -> String {
    serde_json::json!({
        "plant": plant,
        "rule": "trap_failed",
        "asset": asset,
        "dedup_key": format!("trap_failed/{plant}/{asset}"),
        "kind": kind,
        "severity": severity,
        "scope": "window",
        "event_time": 1_767_225_600_000_i64,
        "event_time_utc": "2026-01-01T00:00:00.000Z",
        "fired_at": 1_767_225_600_000_i64,
        "fired_at_utc": "2026-01-01T00:00:00.000Z",
        "value": 0.92,
        "window_start": 1_767_225_540_000_i64,
        "window_start_utc": "2026-01-01T23:59:00.000Z",
        "message": format!("trap {asset} blown open (confidence 0.92)"),
    })
    .to_string()
}

pub fn update(kind: &str, plant: &str, asset: &str, severity: &str) -> AlertUpdate {
    let mut update = AlertUpdate::from_json(&stream_record(kind, plant, asset, severity), 1)
        .expect("a well-formed record");
    update.alert.condition = Some("trap_failure".into());
    update
}

/// The notices of a webhook request, each as `"<status> <dedup_key>"`.
pub fn notices(request: &Recorded) -> Vec<String> {
    request.body["notices"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|n| {
                    format!(
                        "{} {}",
                        n["status"].as_str().unwrap_or_default(),
                        n["dedup_key"].as_str().unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The peer scripts (read when the test runs, not when it was built).
pub fn peer(name: &str) -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("tests/peers")
        .join(name)
}

/// A child process killed on drop, its stdout lines on a channel.
pub struct Peer {
    child: Child,
    pub lines: std_mpsc::Receiver<String>,
}

impl Peer {
    pub fn spawn(command: &mut Command) -> Peer {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the peer");
        let (tx, lines) = std_mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Peer { child, lines }
    }

    /// The next line, within [`WAIT`].
    pub fn line(&self, what: &str) -> String {
        self.lines
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// aiosmtpd on a free port (`tests/peers/smtp_receiver.py`), printing each
/// e-mail as a JSON line; it accepts AUTH only for `user`/`password`.
pub fn smtp_receiver(test: &str, user: &str, password: &str) -> Option<(Peer, u16)> {
    let python = require(python(), "the Python venv with aiosmtpd", test)?;
    let has_aiosmtpd = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let found = has_aiosmtpd.then_some(python);
    let python = require(found, "aiosmtpd in the Python venv", test)?;
    let port = free_port();
    let peer = Peer::spawn(
        Command::new(python)
            .arg(peer("smtp_receiver.py"))
            .arg(port.to_string())
            .arg(user)
            .arg(password),
    );
    let ready = peer.line("SMTP receiver start");
    assert_eq!(ready, "ready", "the SMTP receiver did not start");
    Some((peer, port))
}

/// A mosquitto broker on a free port.
pub struct Broker {
    pub port: u16,
    _dir: tempfile::TempDir,
    child: Child,
}

impl Broker {
    pub fn start(test: &str) -> Option<Broker> {
        let what = "the mosquitto broker and clients (Debian: mosquitto, mosquitto-clients)";
        let mosquitto = require(find_program("mosquitto"), what, test)?;
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let conf = dir.path().join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
        )
        .expect("write mosquitto.conf");
        let child = Command::new(mosquitto)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mosquitto");
        wait_until("mosquitto listens", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Some(Broker {
            port,
            _dir: dir,
            child,
        })
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a future to completion on a throw-away runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}
