//! Requests per second on the API's balances route, over real loopback
//! connections: plain HTTP and HTTPS (rustls), keep-alive clients, each
//! request carrying a JWT the guard verifies (HS256) before the handler
//! reads the live state (the demo plant's balances, 60 windows held).
//!
//! Run: `cargo bench -p steamflow-benches --bench api`
//! (`STEAMFLOW_BENCH_SECS` sets the seconds per case, default 5;
//! `STEAMFLOW_BENCH_CLIENTS` the concurrent connections, default 16).

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

/// The demo plant's balance records for an hour of 1-minute windows.
fn live() -> Arc<LiveState> {
    let live = Arc::new(LiveState::default());
    for minute in 0..60_i64 {
        let end = 1_736_143_260_000 + minute * 60_000;
        let record = json!({
            "plant": "north", "window_start": end - 60_000, "window_end": end,
            "generation_kg_h": 7212.1, "consumption_kg_h": 7599.9,
            "mass_closure_pct": 100.16, "mass_closes": true,
            "energy_closure_pct": 99.42, "energy_closes": true,
            "efficiency": 0.924, "total_loss_kg_h": 631.3, "total_loss_kw": 487.6,
            "total_loss_cost_per_year": 196024.8, "condensate_recovery_rate": 0.868,
        });
        let serde_json::Value::Object(fields) = record else {
            unreachable!()
        };
        live.apply("balances", end, fields, 1).expect("record");
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

async fn case(name: &str, tls: Option<(TlsConfig, String)>, secs: u64, clients: u64) {
    let config = ApiConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        tls: tls.as_ref().map(|(config, _)| config.clone()),
        auth: auth(),
    };
    let listener = Listener::bind(config.listen, config.tls.as_ref())
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = CancellationToken::new();
    let app = router(ApiState::new(&auth(), live()).expect("state"));
    tokio::spawn(listener.serve(app, stop.clone()));
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://localhost:{port}/api/v1/balances");
    let mut builder = reqwest::Client::builder().pool_max_idle_per_host(clients as usize);
    if let Some((_, ca)) = &tls {
        let mut roots = rustls::RootCertStore::empty();
        use rustls::pki_types::pem::PemObject;
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
    let client = builder.build().expect("client");
    let token = token();
    // Warm up every connection once.
    for _ in 0..clients {
        let response = client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("warm-up");
        assert_eq!(response.status(), 200);
    }
    let running = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, token, running) = (
                client.clone(),
                url.clone(),
                token.clone(),
                Arc::clone(&running),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while running.load(Ordering::Relaxed) {
                    let sent = Instant::now();
                    let response = client
                        .get(&url)
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("request");
                    let body = response.bytes().await.expect("body");
                    assert!(!body.is_empty());
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
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e3;
    println!(
        "{name:<28} {:>9.0} req/s   p50 {:.2} ms  p99 {:.2} ms   ({} requests, {clients} connections)",
        latencies.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        latencies.len()
    );
    stop.cancel();
}

fn main() {
    let secs = env_or("STEAMFLOW_BENCH_SECS", 5);
    let clients = env_or("STEAMFLOW_BENCH_CLIENTS", 16);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("GET /api/v1/balances (JWT verified per request), {secs} s per case");
        case("http, balances", None, secs, clients).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("certificate");
        let cert_file = dir.path().join("api.crt");
        let key_file = dir.path().join("api.key");
        std::fs::write(&cert_file, certified.cert.pem()).expect("write cert");
        std::fs::write(&key_file, certified.signing_key.serialize_pem()).expect("write key");
        let tls = TlsConfig {
            cert_file,
            key_file,
        };
        case(
            "https (rustls), balances",
            Some((tls, certified.cert.pem())),
            secs,
            clients,
        )
        .await;
    });
}
