//! Requests per second on the API's balances route, over real loopback
//! connections.
//!
//! Run: `cargo bench -p steamflow-api --bench api`
//! (`STEAMFLOW_BENCH_SECS` sets the seconds per case, default 5;
//! `STEAMFLOW_BENCH_CLIENTS` the concurrent connections, default 32).
//!
//! The server is the API as a run serves it: [`router`] over a
//! [`LiveState`] holding the demo plant's balances (one plant, an hour of
//! 1-minute windows: 60 records, each with every field the `balances`
//! stream writes), on a 127.0.0.1 port, its own multi-threaded runtime.
//! Each request carries a viewer's JWT that the guard verifies (HS256)
//! before the handler reads the live state. The clients are keep-alive
//! HTTP/1.1 connections (reqwest) on a second runtime in the same process,
//! each sending its next request as soon as its answer is read; every
//! answer's status and body are checked. Cases:
//!
//! - `GET /api/v1/balances` (the latest window: one record), plain HTTP;
//! - `GET /api/v1/balances?windows=60` (the whole hour: 60 records);
//! - the latest window over HTTPS (rustls, ring).
//!
//! Each case prints requests/s and the latency percentiles of the
//! requests it sent. Clients and server share the machine's cores: the
//! figure is what one machine serves to itself, a lower bound for a
//! server whose clients are elsewhere.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use steamflow_api::{
    ApiConfig, ApiState, AuthConfig, JwtAlgorithm, Listener, LiveState, TlsConfig, router,
};
use tokio_util::sync::CancellationToken;

const SECRET: &str = "bench-secret-of-at-least-thirty-two-bytes";
/// 2025-01-06T06:00:00Z, the demo's start.
const DEMO_START_MS: i64 = 1_736_143_200_000;
const WINDOWS: i64 = 60;
/// Every balance record of the answer holds this once.
const PLANT_FIELD: &[u8] = br#""plant":"north""#;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn auth() -> AuthConfig {
    AuthConfig {
        algorithm: JwtAlgorithm::HS256,
        secret: Some(SECRET.into()),
        public_key_file: None,
        issuer: None,
        audience: None,
        leeway_secs: 30,
    }
}

fn utc(ms: i64) -> String {
    let secs = ms / 1000;
    let (h, m) = (secs / 3600 % 24, secs / 60 % 60);
    format!("2025-01-06T{h:02}:{m:02}:00.000Z")
}

/// The demo plant's balances for an hour of 1-minute windows, as the
/// pipeline feeds them to the API (the `balances` stream's fields).
fn live() -> Arc<LiveState> {
    let live = Arc::new(LiveState::default());
    for minute in 0..WINDOWS {
        let start = DEMO_START_MS + minute * 60_000;
        let end = start + 60_000;
        let drift = minute as f64;
        let fields = format!(
            r#""plant":"north","window_start":{start},"window_start_utc":"{}","window_end":{end},"window_end_utc":"{}","generation_kg_h":{},"flash_recovered_kg_h":212.4,"consumption_kg_h":{},"residual_before_leaks_kg_h":{},"known_losses_kg_h":388.1,"mass_unaccounted_kg_h":{},"mass_closure_pct":{},"mass_closes":true,"energy_input_kw":5480.2,"feedwater_heating_kw":431.7,"useful_output_kw":4690.3,"efficiency":0.856,"energy_closure_pct":99.42,"energy_unaccounted_kw":31.6,"energy_closes":true,"total_loss_kg_h":631.3,"total_loss_kw":487.6,"total_loss_cost_per_year":196024.8,"condensate_produced_kg_h":5320.0,"condensate_returned_kg_h":4618.0,"condensate_recovery_rate":0.868,"flash_vented_kg_h":41.2,"steam_enthalpy_kj_kg":2781.7,"assumptions":["blowdown 3 % of generation","make-up water at 15 °C"]"#,
            utc(start),
            utc(end),
            7212.1 + drift,
            6580.0 + drift,
            632.1 + 0.5 * drift,
            244.0 + 0.5 * drift,
            100.16 + 0.01 * drift,
        );
        live.apply_fields("balances", end, &fields, 1)
            .expect("a balance record");
    }
    live
}

fn token() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "bench", "exp": now + 3600, "roles": ["viewer"]}),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("token")
}

/// One measurement: `clients` connections requesting `path` for `secs`.
struct Case<'a> {
    name: &'a str,
    path: &'a str,
    /// Records each answer must hold.
    records: usize,
    /// The server's TLS files and the CA certificate (PEM) clients trust.
    tls: Option<(TlsConfig, String)>,
}

fn client(clients: usize, ca: Option<&str>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().pool_max_idle_per_host(clients);
    if let Some(ca) = ca {
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from_pem_slice(ca.as_bytes()).expect("pem"))
            .expect("root");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        builder = builder.tls_backend_preconfigured(config);
    }
    builder.build().expect("client")
}

async fn request(client: &reqwest::Client, url: &str, token: &str, records: usize) {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "GET {url}");
    let body = response.bytes().await.expect("body");
    // A count of the records' first field, cheaper for the client (which
    // shares the cores with the server) than parsing the JSON.
    let held = body
        .windows(PLANT_FIELD.len())
        .filter(|w| *w == PLANT_FIELD)
        .count();
    assert_eq!(held, records, "GET {url}");
}

fn run(case: &Case, server: &tokio::runtime::Runtime, secs: u64, clients: usize) {
    let config = ApiConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        tls: case.tls.as_ref().map(|(config, _)| config.clone()),
        auth: auth(),
    };
    let stop = CancellationToken::new();
    let port = server.block_on(async {
        let listener = Listener::bind(config.listen, config.tls.as_ref())
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let app = router(ApiState::new(&auth(), live()).expect("state"));
        tokio::spawn(listener.serve(app, stop.clone()));
        port
    });
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("client runtime");
    let scheme = if case.tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://localhost:{port}{}", case.path);
    let (requests, elapsed, mut latencies) = load.block_on(async {
        let client = client(clients, case.tls.as_ref().map(|(_, ca)| ca.as_str()));
        let token = token();
        // Open (and for TLS, handshake) every connection before timing.
        let warm: Vec<_> = (0..clients)
            .map(|_| {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                let records = case.records;
                tokio::spawn(async move { request(&client, &url, &token, records).await })
            })
            .collect();
        for task in warm {
            task.await.expect("warm-up");
        }
        let running = Arc::new(AtomicBool::new(true));
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                let (running, records) = (Arc::clone(&running), case.records);
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    while running.load(Ordering::Relaxed) {
                        let sent = Instant::now();
                        request(&client, &url, &token, records).await;
                        latencies.push(sent.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(secs)).await;
        running.store(false, Ordering::Relaxed);
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.expect("client task"));
        }
        let elapsed = started.elapsed().as_secs_f64();
        (latencies.len(), elapsed, latencies)
    });
    stop.cancel();
    latencies.sort();
    let ms = |p: f64| {
        let index = ((latencies.len().saturating_sub(1)) as f64 * p).round() as usize;
        latencies
            .get(index)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{:<36} {:>8.0} req/s   p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms   ({requests} requests, {clients} connections)",
        case.name,
        requests as f64 / elapsed,
        ms(0.5),
        ms(0.9),
        ms(0.99),
        ms(1.0),
    );
}

fn main() {
    let secs = env_or("STEAMFLOW_BENCH_SECS", 5);
    let clients = usize::try_from(env_or("STEAMFLOW_BENCH_CLIENTS", 32)).unwrap_or(32);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    println!(
        "steamflow API, {} cores; JWT (HS256) verified per request; {secs} s per case",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("certificate");
    let cert_file = dir.path().join("api.crt");
    let key_file = dir.path().join("api.key");
    std::fs::write(&cert_file, certified.cert.pem()).expect("write cert");
    std::fs::write(&key_file, certified.signing_key.serialize_pem()).expect("write key");
    let cases = [
        Case {
            name: "http  GET /api/v1/balances",
            path: "/api/v1/balances",
            records: 1,
            tls: None,
        },
        Case {
            name: "http  GET /api/v1/balances?windows=60",
            path: "/api/v1/balances?windows=60",
            records: WINDOWS as usize,
            tls: None,
        },
        Case {
            name: "https GET /api/v1/balances",
            path: "/api/v1/balances",
            records: 1,
            tls: Some((
                TlsConfig {
                    cert_file,
                    key_file,
                },
                certified.cert.pem(),
            )),
        },
    ];
    for case in &cases {
        run(case, &server, secs, clients);
    }
}
