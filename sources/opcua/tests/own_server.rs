//! Round trip through our own server: the simulator's serving path and the
//! client, over None and Basic256Sha256, with history backfill.

use std::time::Duration;

use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_core::SourceEvent;
use steamflow_source_opcua::server::{self, RunningServer, ServerOptions, TagSpec};
use steamflow_source_opcua::{CancellationToken, SecurityMode, SecurityPolicy, check};
use tokio::sync::mpsc;

use crate::support::*;

fn reading(tag: &str, time_ms: i64, value: f64, quality: Quality) -> Reading {
    Reading {
        time_ms,
        plant: "sim".into(),
        tag: tag.into(),
        value,
        quality,
        unit: None,
    }
}

/// Feeds `tags` with a value per 50 ms until the token is cancelled.
fn feed(server: std::sync::Arc<RunningServer>, tags: Vec<&'static str>, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut n = 0u32;
        let start = steamflow_source_opcua::convert::now_ms();
        while !stop.is_cancelled() {
            n += 1;
            let time = start + i64::from(n) * 50;
            let batch: Vec<Reading> = tags
                .iter()
                .map(|tag| {
                    let quality = if tag.ends_with("suspect") {
                        Quality::Uncertain
                    } else {
                        Quality::Good
                    };
                    reading(tag, time, f64::from(n), quality)
                })
                .collect();
            server.update(&batch);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

#[tokio::test]
async fn round_trip_through_our_server() {
    let tags: Vec<TagSpec> = ["plant.flow", "plant.pressure", "plant.suspect"]
        .into_iter()
        .map(TagSpec::from)
        .collect();
    let server = std::sync::Arc::new(
        server::start(ServerOptions::new(([127, 0, 0, 1], 0).into()), &tags)
            .await
            .unwrap(),
    );
    let stop = CancellationToken::new();
    feed(
        server.clone(),
        vec![
            "plant.flow",
            "plant.pressure",
            "plant.suspect",
            "not.served",
        ],
        stop.clone(),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        server.endpoint_url(),
        &client_pki(dir.path()),
        vec![
            node(&RunningServer::node_id("plant.flow"), "flow"),
            polled(&RunningServer::node_id("plant.pressure"), "pressure", 100),
            node(&RunningServer::node_id("plant.suspect"), "suspect"),
        ],
    );
    let report = check(&config).await.unwrap();
    assert!(report.ok(), "{report}");
    assert!(report.nodes.iter().all(|n| n.history), "{report}");
    let mut source = Running::start(config);
    let mut seen = Vec::new();
    let events = source
        .until("values of all three tags", |e| {
            seen.push(e.clone());
            let r = readings(&seen);
            ["flow", "pressure", "suspect"].iter().all(|t| {
                r.iter()
                    .filter(|x| x.tag.as_str() == *t && x.value.is_finite())
                    .count()
                    >= 5
            })
        })
        .await;
    let all = readings(&events);
    for r in all.iter().filter(|r| r.value.is_finite()) {
        let expected = if r.tag.as_str() == "suspect" {
            Quality::Uncertain
        } else {
            Quality::Good
        };
        assert_eq!(r.quality, expected, "{r:?}");
        // Event time is the reading's own time: value n was stamped start + 50 n.
        assert_eq!(r.value.fract(), 0.0);
    }
    let flow: Vec<&Reading> = all
        .iter()
        .filter(|r| r.tag.as_str() == "flow" && r.value.is_finite())
        .collect();
    assert!(
        flow.windows(2)
            .all(|w| w[1].time_ms - w[0].time_ms == 50 * (w[1].value - w[0].value) as i64),
        "{flow:?}"
    );
    source.stop().await;
    stop.cancel();
}

#[tokio::test]
async fn sign_and_encrypt_against_our_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = ServerOptions::new(([127, 0, 0, 1], 0).into());
    options.pki_dir = Some(dir.path().join("server-pki"));
    options.allow_anonymous = false;
    options.users = vec![("op".into(), "pw".into())];
    let (tx, rx) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    // serve() is what the simulator calls; find its port by binding first.
    let port = port();
    let serving = tokio::spawn(server::serve_with(
        ServerOptions {
            bind: ([127, 0, 0, 1], port).into(),
            ..options
        },
        vec![TagSpec::from("plant.flow")],
        rx,
        shutdown.clone(),
    ));
    let url = format!("opc.tcp://127.0.0.1:{port}/");
    let mut config = config(
        &url,
        &client_pki(dir.path()),
        vec![node("ns=2;s=plant.flow", "flow")],
    );
    config.security_policy = SecurityPolicy::Basic256Sha256;
    config.security_mode = SecurityMode::SignAndEncrypt;
    config.auto_trust = true;
    config.username = Some("op".into());
    config.password = Some(steamflow_source_opcua::config::Secret::new("pw"));
    let feeder = tokio::spawn(async move {
        for n in 1..=400 {
            let now = steamflow_source_opcua::convert::now_ms();
            if tx
                .send(vec![reading(
                    "plant.flow",
                    now,
                    f64::from(n),
                    Quality::Good,
                )])
                .await
                .is_err()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    // Wait for the server to listen.
    let mut report = None;
    for _ in 0..50 {
        let r = check(&config).await.unwrap();
        if r.reachable {
            report = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let report = report.expect("server reachable");
    assert!(report.authenticated, "{report}");
    let mut source = Running::start(config);
    let mut seen = Vec::new();
    source
        .until("encrypted readings", |e| {
            seen.push(e.clone());
            readings(&seen)
                .iter()
                .filter(|r| r.value.is_finite())
                .count()
                >= 5
        })
        .await;
    source.stop().await;
    shutdown.cancel();
    feeder.abort();
    let ended = tokio::time::timeout(WAIT, serving).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "{ended:?}");
}

/// A network outage against our server: its history fills the gap.
#[tokio::test]
async fn our_server_backfills_an_outage() {
    let tags = vec![TagSpec::from("plant.flow")];
    let server = std::sync::Arc::new(
        server::start(ServerOptions::new(([127, 0, 0, 1], 0).into()), &tags)
            .await
            .unwrap(),
    );
    let stop = CancellationToken::new();
    feed(server.clone(), vec!["plant.flow"], stop.clone());
    let proxy = Proxy::start(server.local_addr()).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("opc.tcp://127.0.0.1:{}/", proxy.port);
    let config = config(
        &url,
        &client_pki(dir.path()),
        vec![node("ns=2;s=plant.flow", "flow")],
    );
    let mut source = Running::start(config);
    let mut before = Vec::new();
    source
        .until("readings", |e| {
            before.push(e.clone());
            readings(&before)
                .iter()
                .filter(|r| r.value.is_finite())
                .count()
                >= 3
        })
        .await;
    proxy.outage(Duration::from_millis(1000)).await;
    let events = source
        .until("the gap", |e| matches!(e, SourceEvent::Gap(_)))
        .await;
    let gap = gaps(&events).pop().unwrap();
    assert!(gap.backfilled, "{gap:?}");
    let after = source
        .until(
            "live values",
            |e| matches!(e, SourceEvent::Batch(b) if !b.readings.is_empty()),
        )
        .await;
    let values: Vec<f64> = readings(&[before, events, after].concat())
        .iter()
        .filter(|r| r.value.is_finite())
        .map(|r| r.value)
        .collect();
    assert!(
        values.windows(2).all(|w| w[1] == w[0] + 1.0),
        "every value once, in order: {values:?}"
    );
    source.stop().await;
    stop.cancel();
}

/// An absolute deadband thins the changes the server reports; a queue
/// keeps every change between publishes.
#[tokio::test]
async fn deadband_and_queue_reach_the_server() {
    let tags = vec![TagSpec::from("plant.flow"), TagSpec::from("plant.level")];
    let server = std::sync::Arc::new(
        server::start(ServerOptions::new(([127, 0, 0, 1], 0).into()), &tags)
            .await
            .unwrap(),
    );
    let stop = CancellationToken::new();
    feed(
        server.clone(),
        vec!["plant.flow", "plant.level"],
        stop.clone(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut thinned = node("ns=2;s=plant.flow", "flow");
    thinned.deadband_absolute = Some(2.5);
    let mut queued = node("ns=2;s=plant.level", "level");
    queued.publishing_interval_ms = Some(500);
    queued.queue_size = Some(50);
    let config = config(
        server.endpoint_url(),
        &client_pki(dir.path()),
        vec![thinned, queued],
    );
    let mut source = Running::start(config);
    let mut seen = Vec::new();
    let events = source
        .until("thinned and queued values", |e| {
            seen.push(e.clone());
            let r = readings(&seen);
            r.iter()
                .filter(|x| x.tag.as_str() == "flow" && x.value.is_finite())
                .count()
                >= 5
                && r.iter()
                    .filter(|x| x.tag.as_str() == "level" && x.value.is_finite())
                    .count()
                    >= 20
        })
        .await;
    let values = |tag: &str| -> Vec<f64> {
        readings(&events)
            .iter()
            .filter(|r| r.tag.as_str() == tag && r.value.is_finite())
            .map(|r| r.value)
            .collect()
    };
    let flow = values("flow");
    assert!(
        flow.windows(2).all(|w| w[1] - w[0] > 2.5),
        "deadband 2.5: {flow:?}"
    );
    let level = values("level");
    assert!(
        level.windows(2).all(|w| w[1] == w[0] + 1.0),
        "queue keeps every change: {level:?}"
    );
    // Publishing every 500 ms: each batch of level values holds several changes.
    let batches_with_level = events
        .iter()
        .filter(|e| matches!(e, SourceEvent::Batch(b) if b.readings.iter().any(|r| r.tag.as_str() == "level")))
        .count();
    assert!(
        batches_with_level * 3 < level.len(),
        "{batches_with_level} batches for {} values",
        level.len()
    );
    source.stop().await;
    stop.cancel();
}
