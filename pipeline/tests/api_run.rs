//! The authenticated API of a running pipeline: the demo plant simulated at
//! 600× real time by `steamflow run` with `[api.auth]`; `/api/v1` answers
//! with the graph's current results, checks every token and role, and an
//! operator acknowledges a firing alert, and the acknowledgement reaches
//! the alert router (PagerDuty hears it). Every wait is bounded.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use steamflow_source_core::testing::free_port;

const SECRET: &str = "a-test-secret-of-at-least-32-bytes!!";

fn token(role: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": format!("{role}-1"), "exp": now + 600, "roles": [role]}),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

/// One request: status and JSON body (`Null` when the body is not JSON).
fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let code = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((code, serde_json::from_str(body).unwrap_or(Value::Null)))
}

fn until(
    limit: Duration,
    mut probe: impl FnMut() -> Option<(u16, Value)>,
    done: impl Fn(u16, &Value) -> bool,
) -> Option<(u16, Value)> {
    let deadline = Instant::now() + limit;
    let mut last = None;
    while Instant::now() < deadline {
        last = probe();
        if let Some((code, body)) = &last
            && done(*code, body)
        {
            return last;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    last
}

/// The run, killed if the test ends early.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_running_pipeline_serves_its_results_to_the_right_roles() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("steamflow.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[api]\nlisten = \"127.0.0.1:{port}\"\n[api.auth]\nalgorithm = \"HS256\"\nsecret = \"{SECRET}\"\n",
            steamflow::config::DEMO_CONFIG
        ),
    )
    .unwrap();
    let stderr = std::fs::File::create(dir.path().join("stderr.txt")).unwrap();
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_steamflow"))
            .args([
                "run",
                config.to_str().unwrap(),
                "--realtime-factor",
                "300",
                "--quiet",
            ])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap(),
    );
    let viewer = token("viewer");
    let operator = token("operator");

    // Current balances arrive as windows close.
    let balances = until(
        Duration::from_secs(60),
        || request(port, "GET", "/api/v1/balances", Some(&viewer), None),
        |code, body| code == 200 && body.as_array().is_some_and(|b| !b.is_empty()),
    );
    let (_, balances) = balances.expect("the API answered");
    assert_eq!(balances[0]["plant"], "north", "{balances}");
    assert!(balances[0]["mass_closure_pct"].as_f64().is_some());
    // SQL over the live streams, with no view configured: an engineer may,
    // a viewer may not.
    let engineer = token("engineer");
    let sql = json!({"sql": "SELECT plant, count(*) AS windows, min(mass_closure_pct) AS low \
                             FROM balances GROUP BY plant"});
    let rows = until(
        Duration::from_secs(30),
        || {
            request(
                port,
                "POST",
                "/api/v1/sql",
                Some(&engineer),
                Some(sql.clone()),
            )
        },
        |code, body| code == 200 && body.as_array().is_some_and(|rows| !rows.is_empty()),
    );
    let (_, rows) = rows.expect("the SQL route answered");
    assert_eq!(rows[0]["plant"], "north", "{rows}");
    assert!(
        rows[0]["windows"].as_i64().is_some_and(|n| n >= 1),
        "{rows}"
    );
    let (code, _) = request(port, "POST", "/api/v1/sql", Some(&viewer), Some(sql)).unwrap();
    assert_eq!(code, 403);
    // The latest window of each trap.
    let (code, traps) = request(port, "GET", "/api/v1/traps", Some(&viewer), None).unwrap();
    assert_eq!(code, 200);
    assert_eq!(traps.as_array().unwrap().len(), 8, "{traps}");
    // No token, a forged one, a role without the right.
    assert_eq!(
        request(port, "GET", "/api/v1/leaks", None, None).unwrap().0,
        401
    );
    let forged = token("admin").replace('.', ".x");
    assert_eq!(
        request(port, "GET", "/api/v1/leaks", Some(&forged), None)
            .unwrap()
            .0,
        401
    );
    let ack = json!({"dedup_key": "trap_failed/north/t_digester", "note": "crew sent"});
    assert_eq!(
        request(
            port,
            "POST",
            "/api/v1/alerts/ack",
            Some(&viewer),
            Some(ack.clone())
        )
        .unwrap()
        .0,
        403
    );
    // The trap fails open 20 minutes into the simulated hour; its alert fires.
    let firing = until(
        Duration::from_secs(60),
        || {
            request(
                port,
                "GET",
                "/api/v1/alerts?kind=firing",
                Some(&viewer),
                None,
            )
        },
        |_, body| body.to_string().contains("trap_failed/north/t_digester"),
    );
    assert!(firing.is_some_and(|(_, b)| b.to_string().contains("t_digester")));
    let (code, acked) = request(
        port,
        "POST",
        "/api/v1/alerts/ack",
        Some(&operator),
        Some(ack),
    )
    .unwrap();
    assert_eq!(code, 200, "{acked}");
    assert_eq!(acked["acknowledged"]["by"], "operator-1");
    // The probes need no token.
    assert_eq!(
        request(port, "GET", "/health", None, None).map(|r| r.0),
        Some(200)
    );

    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the run did not end");
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default();
    assert!(status.success(), "{log}");
    assert!(log.contains("/api/v1 (bearer tokens)"), "{log}");
}

/// An HTTP server on 127.0.0.1 that records every request's path and
/// JSON body (a PagerDuty Events API stand-in: it answers 202).
struct Receiver {
    port: u16,
    requests: std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    fn start() -> Receiver {
        use axum::body::Bytes;
        use axum::extract::State;
        use axum::http::{StatusCode, Uri};
        type Log = std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>;
        async fn record(State(log): State<Log>, uri: Uri, body: Bytes) -> StatusCode {
            let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
            log.push((uri.path().to_owned(), body));
            StatusCode::ACCEPTED
        }
        let requests: Log = Default::default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = axum::Router::new()
            .fallback(record)
            .with_state(std::sync::Arc::clone(&requests));
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            port,
            requests,
            _runtime: runtime,
        }
    }

    /// The bodies received on `path` so far.
    fn bodies(&self, path: &str) -> Vec<Value> {
        let log = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        log.iter()
            .filter(|(p, _)| p == path)
            .map(|(_, body)| body.clone())
            .collect()
    }

    /// Waits (bounded) until a body on `path` satisfies `wanted`.
    fn wait_for(&self, path: &str, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Some(body) = self.bodies(path).into_iter().find(&wanted) {
                return Some(body);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

#[test]
fn an_operators_acknowledgement_reaches_pagerduty() {
    let receiver = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("steamflow.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[api]\nlisten = \"127.0.0.1:{port}\"\n[api.auth]\nalgorithm = \"HS256\"\nsecret = \"{SECRET}\"\n\
             [sinks.oncall]\ntype = \"alerts\"\ninputs = [\"alerts\"]\ngroup_window_secs = 0\n\
             channels.pager = {{ type = \"pagerduty\", routing_key = \"test-routing-key\", url = \"http://127.0.0.1:{}/pagerduty\" }}\n\
             routes = [{{ rules = [\"trap_failed\"], channels = [\"pager\"] }}]\n",
            steamflow::config::DEMO_CONFIG,
            receiver.port
        ),
    )
    .unwrap();
    let stderr = std::fs::File::create(dir.path().join("stderr.txt")).unwrap();
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_steamflow"))
            .args([
                "run",
                config.to_str().unwrap(),
                "--realtime-factor",
                "100",
                "--quiet",
            ])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap(),
    );
    let key = "trap_failed/north/t_digester";
    let log = || std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default();

    // The trap fails open 20 minutes into the simulated hour: PagerDuty is paged.
    let trigger = receiver.wait_for("/pagerduty", |event| {
        event["event_action"] == "trigger" && event["dedup_key"] == key
    });
    assert!(trigger.is_some(), "no trigger for {key}: {}", log());

    // A viewer may not acknowledge; an unknown key is not found.
    let ack = json!({"dedup_key": key, "note": "crew sent"});
    let viewer = token("viewer");
    let operator = token("operator");
    let as_viewer = request(
        port,
        "POST",
        "/api/v1/alerts/ack",
        Some(&viewer),
        Some(ack.clone()),
    );
    assert_eq!(as_viewer.map(|r| r.0), Some(403));
    let unknown = json!({"dedup_key": "trap_failed/north/no_such_trap"});
    let as_unknown = request(
        port,
        "POST",
        "/api/v1/alerts/ack",
        Some(&operator),
        Some(unknown),
    );
    assert_eq!(as_unknown.map(|r| r.0), Some(404));

    // The operator's acknowledgement reaches the router, which tells PagerDuty.
    let acked = until(
        Duration::from_secs(60),
        || {
            request(
                port,
                "POST",
                "/api/v1/alerts/ack",
                Some(&operator),
                Some(ack.clone()),
            )
        },
        |code, _| code == 200,
    );
    let (code, body) = acked.expect("the API answered");
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["acknowledged"]["by"], "operator-1");
    let event = receiver.wait_for("/pagerduty", |event| event["event_action"] == "acknowledge");
    let event = event.unwrap_or_else(|| panic!("no acknowledge event: {}", log()));
    assert_eq!(event["dedup_key"], key);
    assert_eq!(event["routing_key"], "test-routing-key");

    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the run did not end");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{}", log());
    // Acknowledged once: a second acknowledgement is not sent again.
    let acknowledges = receiver
        .bodies("/pagerduty")
        .into_iter()
        .filter(|event| event["event_action"] == "acknowledge")
        .count();
    assert_eq!(acknowledges, 1);
}
