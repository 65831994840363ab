//! The client where no cluster is: a closed loopback port (connection
//! refused) and a port where something that is not Fluvio accepts and
//! hangs up. Every wait is bounded; none of these needs a cluster.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use steamflow_source_core::testing::free_port;
use steamflow_source_core::{BackoffConfig, SourceEvent};
use steamflow_source_fluvio::{
    ClusterConfig, Error, FluvioSink, FluvioSinkConfig, FluvioSourceConfig, check, run,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Longest any step here may take before the test fails.
const BOUND: Duration = Duration::from_secs(60);

fn cluster(port: u16) -> ClusterConfig {
    let mut cluster = ClusterConfig::new(format!("127.0.0.1:{port}"));
    cluster.connect_timeout_secs = 3;
    cluster.backoff = BackoffConfig {
        initial_ms: 10,
        max_ms: 50,
    };
    cluster
}

/// A listener that accepts connections and closes them at once, counting them.
fn hang_up_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_a_closed_port_as_unreachable() {
    let port = free_port();
    let config = FluvioSourceConfig::new(cluster(port), "steam");
    let result = tokio::time::timeout(BOUND, check(&config))
        .await
        .expect("the check ends within its connect timeout");
    let error = result.expect_err("nothing listens there");
    assert!(
        matches!(error, Error::Unreachable { .. } | Error::Timeout(_)),
        "{error:?}"
    );
    let message = error.to_string();
    eprintln!("check: {message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_a_server_that_is_not_fluvio() {
    let (port, accepted) = hang_up_server();
    let config = FluvioSourceConfig::new(cluster(port), "steam");
    let result = tokio::time::timeout(BOUND, check(&config))
        .await
        .expect("the check ends within its connect timeout");
    let error = result.expect_err("a server that hangs up is no cluster");
    assert!(
        matches!(error, Error::Unreachable { .. } | Error::Timeout(_)),
        "{error:?}"
    );
    eprintln!("check: {error}");
    assert!(accepted.load(Ordering::SeqCst) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sink_reports_a_closed_port() {
    let config = FluvioSinkConfig::new(cluster(free_port()), "alerts");
    let result = tokio::time::timeout(BOUND, FluvioSink::start(&config, "sink1"))
        .await
        .expect("start ends within its connect timeout");
    let error = result.err().expect("nothing listens there");
    assert!(
        matches!(error, Error::Unreachable { .. } | Error::Timeout(_)),
        "{error:?}"
    );
}

/// The source keeps retrying with backoff, reports the outage once (not
/// once per attempt), and stops cleanly when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_source_retries_with_backoff_and_reports_the_outage_once() {
    let (port, accepted) = hang_up_server();
    let config = FluvioSourceConfig::new(cluster(port), "steam");
    let (tx, mut rx) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run(config, "fluvio1", tx, shutdown.clone()));

    let first = tokio::time::timeout(BOUND, rx.recv())
        .await
        .expect("an event within the bound");
    match first {
        Some(SourceEvent::Disconnected { source, reason }) => {
            assert_eq!(source, "fluvio1");
            eprintln!("disconnected: {reason}");
            assert!(!reason.is_empty());
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    tokio::time::timeout(BOUND, async {
        while accepted.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the source tries again and again");
    assert!(
        rx.try_recv().is_err(),
        "one outage, one Disconnected: no event per attempt"
    );

    shutdown.cancel();
    let result = tokio::time::timeout(BOUND, task)
        .await
        .expect("the source stops when asked")
        .expect("the source task does not panic");
    assert!(result.is_ok(), "{result:?}");
}

/// A corrupt offset file stops the source before it connects: starting
/// over from `start` would silently replay or skip records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_offset_file_stops_the_source_with_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("offsets.json");
    std::fs::write(&path, b"{\"topic\": ").expect("write the offset file");
    let mut config = FluvioSourceConfig::new(cluster(free_port()), "steam");
    config.offsets.file = Some(path.clone());
    let (tx, _rx) = mpsc::channel(16);
    let result = tokio::time::timeout(BOUND, run(config, "f", tx, CancellationToken::new()))
        .await
        .expect("the source fails at once");
    let error = result.expect_err("the offset file is corrupt");
    assert!(matches!(error, Error::Offsets(_)), "{error:?}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
}

/// An invalid config is refused before anything connects, every issue named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_config_is_refused_at_start() {
    let mut config = FluvioSourceConfig::new(ClusterConfig::new("nohost"), "Steam");
    config.fields.value = String::new();
    let (tx, _rx) = mpsc::channel(16);
    let error = run(config, "f", tx, CancellationToken::new())
        .await
        .expect_err("invalid");
    let message = error.to_string();
    for key in ["cluster.endpoint", "topic", "fields.value"] {
        assert!(message.contains(key), "{key}: {message}");
    }
}

#[cfg(not(feature = "tls"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_without_the_tls_feature_is_a_clear_config_error() {
    use steamflow_source_fluvio::TlsConfig;
    let mut config = FluvioSourceConfig::new(cluster(free_port()), "steam");
    config.cluster.tls = Some(TlsConfig {
        domain: "fluvio.plant.local".into(),
        ca_file: "ca.pem".into(),
        client_cert_file: "client.pem".into(),
        client_key_file: "client.key".into(),
    });
    let (tx, _rx) = mpsc::channel(16);
    let error = run(config, "f", tx, CancellationToken::new())
        .await
        .expect_err("no TLS in this build");
    assert!(error.to_string().contains("feature `tls`"), "{error}");
}

#[cfg(feature = "tls")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_tls_file_is_named_with_its_key() {
    use steamflow_source_fluvio::TlsConfig;
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, b"not checked before connecting").expect("write the CA file");
    let mut config = FluvioSourceConfig::new(cluster(free_port()), "steam");
    config.cluster.tls = Some(TlsConfig {
        domain: "fluvio.plant.local".into(),
        ca_file: ca,
        client_cert_file: dir.path().join("client.pem"),
        client_key_file: dir.path().join("client.key"),
    });
    let error = tokio::time::timeout(BOUND, check(&config))
        .await
        .expect("the check ends at once")
        .expect_err("the client certificate is missing");
    let message = error.to_string();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert!(
        message.contains("cluster.tls.client_cert_file"),
        "{message}"
    );
    assert!(message.contains("client.pem"), "{message}");
}
