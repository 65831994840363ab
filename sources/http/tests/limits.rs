//! Body size limit (declared and streamed), back-pressure (503 with
//! Retry-After instead of buffering), the check, and a clean stop.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use steamflow_source_core::testing::free_port;
use steamflow_source_http::{Error, HttpSourceConfig, check};

use crate::common::*;

fn ndjson(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            format!(
                r#"{{"time": {}, "plant": "n", "tag": "t{i}", "value": {i}}}"#,
                1_735_689_600_000i64 + i as i64
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A raw HTTP/1.1 request with a chunked body (no Content-Length): the
/// limit must hold while streaming too. Returns the status line.
fn chunked_post(address: std::net::SocketAddr, body: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!(
        "POST /ingest HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for chunk in body.as_bytes().chunks(256) {
        request.push_str(&format!(
            "{:x}\r\n{}\r\n",
            chunk.len(),
            String::from_utf8_lossy(chunk)
        ));
    }
    request.push_str("0\r\n\r\n");
    // The server may answer and close before reading everything.
    let _ = stream.write_all(request.as_bytes());
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_answered_413() {
    let mut server = start(8, |config| config.max_body_bytes = 2048).await;
    let small = ndjson(10);
    let large = ndjson(100);
    assert!(small.len() < 2048 && large.len() > 2048);
    let (status, json) = server.post("application/x-ndjson", large.clone()).await;
    assert_eq!(status, 413, "{json}");
    assert_eq!(json["error"], "too_large");
    let address = server.address;
    let status_line = tokio::task::spawn_blocking(move || chunked_post(address, &large))
        .await
        .expect("raw request");
    assert!(status_line.contains(" 413 "), "{status_line}");
    assert!(server.no_event());
    let (status, json) = server.post("application/x-ndjson", small.clone()).await;
    assert_eq!((status, json["accepted"].as_u64()), (200, Some(10)));
    let status_line = tokio::task::spawn_blocking(move || chunked_post(address, &small))
        .await
        .expect("raw request");
    assert!(status_line.contains(" 200 "), "{status_line}");
    server.next_event().await;
    server.next_event().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pipeline_queue_is_answered_503_with_retry_after() {
    let mut server = start(1, |config| {
        config.queue_timeout_ms = 100;
        config.retry_after_secs = 3;
    })
    .await;
    let body = ndjson(5);
    let (status, _) = server.post("application/x-ndjson", body.clone()).await;
    assert_eq!(status, 200, "the queue has room for one batch");
    // Nobody consumes: the next request waits 100 ms, then is turned away.
    let response = server
        .client
        .post(server.url("/ingest"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/x-ndjson")
        .body(body.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("3")
    );
    let (_, json) = answer(response).await;
    assert_eq!(json["error"], "busy");
    // Once the pipeline takes the first batch, requests are accepted again.
    let first = server.next_event().await;
    assert!(
        matches!(first, steamflow_source_core::SourceEvent::Batch(ref b) if b.readings.len() == 5)
    );
    let (status, _) = server.post("application/x-ndjson", body).await;
    assert_eq!(status, 200);
    server.next_event().await;
    assert!(server.no_event(), "the refused batch was not kept");
    server.stop().await;
}

#[tokio::test]
async fn the_check_binds_the_address_or_says_why_not() {
    let port = free_port();
    let config = HttpSourceConfig::new(format!("127.0.0.1:{port}").parse().unwrap(), TOKEN);
    let report = check(&config).await.expect("a free port can be bound");
    assert_eq!(report.address.port(), port);
    assert!(report.to_string().contains("/ingest"));

    let server = start(1, |_| {}).await;
    let taken = HttpSourceConfig::new(server.address, TOKEN);
    assert!(matches!(check(&taken).await, Err(Error::Bind { .. })));
    let weak = HttpSourceConfig::new(format!("127.0.0.1:{port}").parse().unwrap(), "short");
    let error = check(&weak)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("token"), "{error}");
    server.stop().await;
}

#[tokio::test]
async fn run_serves_until_shutdown() {
    let port = free_port();
    let config = HttpSourceConfig::new(format!("127.0.0.1:{port}").parse().unwrap(), TOKEN);
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(steamflow_source_http::run(
        config,
        "ingest",
        tx,
        shutdown.clone(),
    ));
    let connected = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
    assert!(matches!(
        connected,
        Ok(Some(steamflow_source_core::SourceEvent::Connected { .. }))
    ));
    let response = crate::common::client()
        .post(format!("http://127.0.0.1:{port}/ingest"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/x-ndjson")
        .body(ndjson(3))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    shutdown.cancel();
    let ended = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "{ended:?}");
}
