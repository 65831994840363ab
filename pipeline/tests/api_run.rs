//! The authenticated API of a running pipeline: the demo plant simulated at
//! 600× real time by `steamflow run` with `[api.auth]`; `/api/v1` answers
//! with the graph's current results, checks every token and role, and an
//! operator acknowledges a firing alert. Every wait is bounded.

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
