//! OPC UA notifications per second through a subscription, on loopback:
//! our server (the simulator's) updates every tag as fast as it can, the
//! steamflow OPC UA source subscribes to all of them and counts the
//! readings that reach its event channel.
//!
//! `cargo bench -p steamflow-benches --bench opcua [-- <tags> <seconds>]`
//! (defaults: 1000 tags, 10 s per security mode).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_core::SourceEvent;
use steamflow_source_opcua::config::NodeConfig;
use steamflow_source_opcua::server::{self, RunningServer, ServerOptions, TagSpec};
use steamflow_source_opcua::{CancellationToken, OpcUaConfig, SecurityMode, SecurityPolicy};
use tokio::sync::mpsc;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let tags: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!("OPC UA subscription throughput, {tags} tags, {seconds} s per run, loopback");
    for (policy, mode) in [
        (SecurityPolicy::None, SecurityMode::None),
        (SecurityPolicy::Basic256Sha256, SecurityMode::SignAndEncrypt),
    ] {
        let result = runtime.block_on(measure(tags, Duration::from_secs(seconds), policy, mode));
        println!(
            "{:>16}/{:<16} updates {:>10.0}/s   notifications {:>10.0}/s   ({} readings, {} batches)",
            policy.as_str(),
            mode.as_str(),
            result.updates as f64 / result.elapsed,
            result.readings as f64 / result.elapsed,
            result.readings,
            result.batches
        );
    }
}

struct Measured {
    updates: u64,
    readings: u64,
    batches: u64,
    elapsed: f64,
}

async fn measure(
    count: usize,
    duration: Duration,
    policy: SecurityPolicy,
    mode: SecurityMode,
) -> Measured {
    let dir = tempfile::tempdir().expect("temp dir");
    let names: Vec<String> = (0..count).map(|i| format!("bench.tag{i:05}")).collect();
    let specs: Vec<TagSpec> = names.iter().map(|n| TagSpec::from(n.as_str())).collect();
    let mut options = ServerOptions::new(([127, 0, 0, 1], 0).into());
    options.history_depth = 0;
    if mode != SecurityMode::None {
        options.pki_dir = Some(dir.path().join("server"));
    }
    let server = Arc::new(server::start(options, &specs).await.expect("start server"));

    let nodes: Vec<NodeConfig> = names
        .iter()
        .map(|n| NodeConfig {
            node_id: RunningServer::node_id(n),
            tag: n.clone(),
            plant: None,
            unit: None,
            mode: None,
            publishing_interval_ms: None,
            sampling_interval_ms: None,
            queue_size: None,
            deadband_absolute: None,
            deadband_percent: None,
            poll_interval_ms: None,
            history_backfill: None,
        })
        .collect();
    let mut config = OpcUaConfig::new(server.endpoint_url(), nodes);
    config.plant = Some("bench".into());
    config.pki_dir = dir.path().join("client");
    config.security_policy = policy;
    config.security_mode = mode;
    config.auto_trust = true;
    config.publishing_interval_ms = 50;
    config.sampling_interval_ms = Some(0);
    config.queue_size = 100;
    config.max_notifications_per_publish = std::env::var("MAX_NOTIF")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);

    let (tx, mut rx) = mpsc::channel(1024);
    let shutdown = CancellationToken::new();
    let source = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { steamflow_source_opcua::run(config, "bench", tx, shutdown).await }
    });

    let updates = Arc::new(AtomicU64::new(0));
    let stop = CancellationToken::new();
    let feeder = tokio::spawn({
        let server = server.clone();
        let updates = updates.clone();
        let stop = stop.clone();
        async move {
            let mut time = steamflow_source_opcua::convert::now_ms();
            let mut round = 0u64;
            while !stop.is_cancelled() {
                time += 1;
                round += 1;
                let batch: Vec<Reading> = names
                    .iter()
                    .map(|n| Reading {
                        time_ms: time,
                        plant: "bench".into(),
                        tag: n.as_str().into(),
                        value: round as f64,
                        quality: Quality::Good,
                        unit: None,
                    })
                    .collect();
                let applied = server.update(&batch);
                updates.fetch_add(applied as u64, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        }
    });
    // Wait until values flow, then measure.
    let warm = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(event) = rx.recv().await {
            match event {
                SourceEvent::Batch(ref b) if !b.readings.is_empty() => return true,
                SourceEvent::Batch(_) | SourceEvent::Connected { .. } => {}
                other => eprintln!("{other:?}"),
            }
        }
        false
    })
    .await;
    assert_eq!(warm, Ok(true), "no values reached the source");

    let start = Instant::now();
    let (mut readings, mut batches) = (0u64, 0u64);
    let updates_at_start = updates.load(Ordering::Relaxed);
    while start.elapsed() < duration {
        match tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            Ok(Some(SourceEvent::Batch(batch))) => {
                readings += batch.readings.len() as u64;
                batches += 1;
            }
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => break,
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let produced = updates.load(Ordering::Relaxed) - updates_at_start;
    stop.cancel();
    let _ = feeder.await;
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), source).await;
    if let Ok(server) = Arc::try_unwrap(server) {
        server.stop().await;
    }
    Measured {
        updates: produced,
        readings,
        batches,
        elapsed,
    }
}
