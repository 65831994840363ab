//! A running ingest server and a client for it.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use steamflow_source_core::SourceEvent;
use steamflow_source_http::{HttpSource, HttpSourceConfig};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const TOKEN: &str = "test-token-0123456789";

pub struct Server {
    pub address: SocketAddr,
    pub events: mpsc::Receiver<SourceEvent>,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<Result<(), steamflow_source_http::Error>>,
    pub client: reqwest::Client,
}

/// Starts a server on a free port with `configure` applied; the queue to
/// the pipeline holds `capacity` events.
pub async fn start(capacity: usize, configure: impl FnOnce(&mut HttpSourceConfig)) -> Server {
    let mut config = HttpSourceConfig::new("127.0.0.1:0".parse().unwrap(), TOKEN);
    configure(&mut config);
    let (tx, mut events) = mpsc::channel(capacity);
    let source = HttpSource::bind(&config, "ingest", tx).await.expect("bind");
    let address = source.local_addr().expect("local address");
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(source.serve(shutdown.clone()));
    let connected = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
    assert!(
        matches!(connected, Ok(Some(SourceEvent::Connected { .. }))),
        "{connected:?}"
    );
    Server {
        address,
        events,
        shutdown,
        task,
        client: client(),
    }
}

/// A plain-HTTP client. Other crates of the workspace turn on reqwest's
/// rustls without a default crypto provider, so one is installed first
/// (building any client needs it, even for `http://`).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// POSTs `body` as `content_type` with the right token.
    pub async fn post(&self, content_type: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let response = self
            .client
            .post(self.url("/ingest"))
            .bearer_auth(TOKEN)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        answer(response).await
    }

    /// The next event, within 5 s.
    pub async fn next_event(&mut self) -> SourceEvent {
        tokio::time::timeout(Duration::from_secs(5), self.events.recv())
            .await
            .expect("an event within 5 s")
            .expect("the server is running")
    }

    /// Whether no event is waiting.
    pub fn no_event(&mut self) -> bool {
        self.events.try_recv().is_err()
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        let result = tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the server stops within 5 s")
            .expect("no panic");
        assert!(result.is_ok(), "{result:?}");
    }
}

/// Status and JSON body of a response.
pub async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text));
    (status, body)
}
