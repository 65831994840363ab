//! Modbus registers per second read through the source from our
//! tokio-modbus server on loopback, requests coalesced.
//!
//! Run: `cargo bench -p steamflow-benches --bench modbus`
//! (`MODBUS_BENCH_SECS` sets the measured time per case, default 3 s).
//!
//! Each case serves a register map from the simulator's server and runs
//! the source on it with `poll_interval_ms = 1`, so that polls follow each
//! other back to back; it counts the readings the source emits and the
//! requests and registers the server answered. Server and source share one
//! process and its two worker threads: the figures are those of a
//! loopback round trip, the client's decoding and the server's encoding
//! together.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use steamflow_source_core::{BackoffConfig, SourceEvent};
use steamflow_source_modbus::server::{ModbusServer, ServerStats};
use steamflow_source_modbus::{
    ByteOrder, DataType, DeviceConfig, ModbusConfig, RegisterType, TagConfig,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

struct Case {
    name: &'static str,
    devices: usize,
    tags_per_device: u16,
    data_type: DataType,
    max_registers_per_request: u16,
}

const CASES: [Case; 4] = [
    Case {
        name: "float32, 1 connection, 10 000 tags",
        devices: 1,
        tags_per_device: 10_000,
        data_type: DataType::Float32,
        max_registers_per_request: 125,
    },
    Case {
        name: "uint16, 1 connection, 10 000 tags",
        devices: 1,
        tags_per_device: 10_000,
        data_type: DataType::Uint16,
        max_registers_per_request: 125,
    },
    Case {
        name: "float32, 4 connections, 2 500 tags each",
        devices: 4,
        tags_per_device: 2_500,
        data_type: DataType::Float32,
        max_registers_per_request: 125,
    },
    Case {
        name: "float32, 1 connection, 1 000 tags, NOT coalesced",
        devices: 1,
        tags_per_device: 1_000,
        data_type: DataType::Float32,
        max_registers_per_request: 2,
    },
];

fn tags(case: &Case) -> Vec<TagConfig> {
    (0..case.tags_per_device)
        .map(|i| {
            let mut tag = TagConfig::new(
                format!("t{i}"),
                RegisterType::Holding,
                i * case.data_type.width(),
            );
            tag.data_type = Some(case.data_type);
            tag.byte_order = ByteOrder::Cdab;
            tag
        })
        .collect()
}

struct Figures {
    polls: u64,
    readings: u64,
    requests: u64,
    registers: u64,
    errors: u64,
    seconds: f64,
}

async fn run_case(case: &Case, measure: Duration) -> Figures {
    let shutdown = CancellationToken::new();
    let mut stats: Vec<Arc<ServerStats>> = Vec::new();
    let mut devices = Vec::new();
    let map = tags(case);
    for d in 0..case.devices {
        let server = ModbusServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), &map)
            .await
            .expect("binds a loopback port");
        let port = server.local_addr().expect("an address").port();
        stats.push(server.stats());
        let (_tx, rx) = mpsc::channel(1);
        tokio::spawn(server.run(rx, shutdown.clone()));
        let mut device = DeviceConfig::new("127.0.0.1", port);
        device.name = Some(format!("bench{d}"));
        // Same map on each device: a plant per device keeps the tags distinct.
        device.plant = Some(format!("plant{d}"));
        device.poll_interval_ms = 1;
        device.max_registers_per_request = case.max_registers_per_request;
        device.tags = map.clone();
        devices.push(device);
    }
    let config = ModbusConfig {
        plant: None,
        backoff: BackoffConfig::default(),
        devices,
    };
    let (tx, mut rx) = mpsc::channel(256);
    let source = {
        let shutdown = shutdown.clone();
        tokio::spawn(
            async move { steamflow_source_modbus::run(&config, "bench", tx, shutdown).await },
        )
    };

    // Warm up: connections open, first polls done.
    let warm_until = Instant::now() + Duration::from_millis(500);
    while Instant::now() < warm_until {
        let _ = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await;
    }
    let served = |stats: &[Arc<ServerStats>]| {
        stats.iter().fold((0, 0), |(requests, values), s| {
            (
                requests + s.requests.load(Ordering::Relaxed),
                values + s.values_served.load(Ordering::Relaxed),
            )
        })
    };
    let (requests0, registers0) = served(&stats);
    let started = Instant::now();
    let (mut polls, mut readings, mut errors) = (0, 0, 0);
    while started.elapsed() < measure {
        match tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            Ok(Some(SourceEvent::Batch(batch))) => {
                polls += 1;
                readings += batch.readings.len() as u64;
                errors += batch.errors.len() as u64;
            }
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => break,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let (requests1, registers1) = served(&stats);
    shutdown.cancel();
    let _ = source.await;
    Figures {
        polls,
        readings,
        requests: requests1 - requests0,
        registers: registers1 - registers0,
        errors,
        seconds,
    }
}

fn main() {
    let measure = Duration::from_secs_f64(
        std::env::var("MODBUS_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3.0),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!(
        "Modbus TCP on loopback, source <- our tokio-modbus server, {} s per case",
        measure.as_secs_f64()
    );
    println!(
        "{:<50} {:>12} {:>12} {:>10} {:>9} {:>10}",
        "case", "registers/s", "readings/s", "requests/s", "polls/s", "regs/req"
    );
    for case in &CASES {
        let figures = runtime.block_on(run_case(case, measure));
        let per_s = |n: u64| n as f64 / figures.seconds;
        println!(
            "{:<50} {:>12.0} {:>12.0} {:>10.0} {:>9.1} {:>10.1}",
            case.name,
            per_s(figures.registers),
            per_s(figures.readings),
            per_s(figures.requests),
            per_s(figures.polls),
            figures.registers as f64 / figures.requests.max(1) as f64,
        );
        if figures.errors > 0 {
            println!(
                "  ({} decode errors: the map should read clean)",
                figures.errors
            );
        }
    }
}
