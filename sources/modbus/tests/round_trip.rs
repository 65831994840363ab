//! Round trips through our own tokio-modbus server: every type and byte
//! order, exceptions for unmapped addresses, and the simulated plant served
//! and read back through the source.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use steamflow_operators::reading::{PlantId, Quality, Reading, Tag};
use steamflow_simulator::synthetic::{self, PlantSize};
use steamflow_simulator::{PlantSimulator, SimulatorConfig};
use steamflow_source_modbus::ByteOrder::{self, Abcd, Badc, Cdab, Dcba};
use steamflow_source_modbus::DataType::{Float32, Float64, Int16, Int32, Uint16, Uint32};
use steamflow_source_modbus::RegisterType::{Coil, DiscreteInput, Holding, Input};
use steamflow_source_modbus::server::{ModbusServer, client_config, layout};
use steamflow_source_modbus::{RegisterType, TagConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::{Source, tag, value};

const WAIT: Duration = Duration::from_secs(10);

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn reading(plant: &str, tag: &str, value: f64) -> Reading {
    Reading {
        time_ms: 0,
        plant: PlantId::from(plant),
        tag: Tag::from(tag),
        value,
        quality: Quality::Good,
        unit: None,
    }
}

/// A served map and the server running it; dropped token stops it.
struct Served {
    port: u16,
    tx: mpsc::Sender<Vec<Reading>>,
    stats: std::sync::Arc<steamflow_source_modbus::server::ServerStats>,
    shutdown: CancellationToken,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn serve(tags: &[TagConfig]) -> Served {
    let server = ModbusServer::bind(loopback(), tags).await.expect("binds");
    let port = server.local_addr().expect("an address").port();
    let stats = server.stats();
    let (tx, rx) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    tokio::spawn(server.run(rx, shutdown.clone()));
    Served {
        port,
        tx,
        stats,
        shutdown,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_and_order_round_trips_through_our_server() {
    let orders: [ByteOrder; 4] = [Abcd, Dcba, Badc, Cdab];
    let mut tags = Vec::new();
    let mut expected = Vec::new();
    let mut address = 0u16;
    let kinds: [(RegisterType, u8); 2] = [(Holding, 1), (Input, 3)];
    for (kind, unit) in kinds {
        for (data_type, sent, read) in [
            (Int16, -1234.4, -1234.0),
            (Uint16, 40_000.6, 40_001.0),
            (Int32, -2_000_000_000.0, -2_000_000_000.0),
            (Uint32, 4_000_000_000.0, 4_000_000_000.0),
            (Float32, 0.1, f64::from(0.1f32)),
            (Float64, 0.1, 0.1),
        ] {
            for order in orders {
                let name = format!(
                    "{}.{}.{}",
                    kind.as_str(),
                    data_type.as_str(),
                    order.as_str()
                );
                let mut t = tag(&name, kind, address, data_type, order);
                t.unit_id = Some(unit);
                tags.push(t);
                expected.push((name, sent, read));
                address += data_type.width();
            }
        }
    }
    // Scaled: 57.3 served as int16 with scale 0.1 is raw 573.
    let mut scaled = tag("scaled", Holding, 1000, Int16, Abcd);
    scaled.scale = 0.1;
    scaled.unit_id = Some(1);
    tags.push(scaled);
    expected.push(("scaled".into(), 57.3, 57.300000000000004));
    tags.push(TagConfig::new("coil", Coil, 5));
    expected.push(("coil".into(), 1.0, 1.0));
    tags.push(TagConfig::new("input_bit", DiscreteInput, 6));
    expected.push(("input_bit".into(), 0.0, 0.0));

    let served = serve(&tags).await;
    let batch: Vec<Reading> = expected
        .iter()
        .map(|(name, sent, _)| reading("north", name, *sent))
        .collect();
    served
        .tx
        .send(batch)
        .await
        .expect("the server takes values");

    let mut config = crate::support::config(served.port, tags);
    config.devices[0].poll_interval_ms = 100;
    let mut source = Source::start(config);
    let batch = source.batch_with(WAIT, &["scaled", "coil"]).await;
    assert!(batch.errors.is_empty(), "{:#?}", batch.errors);
    for (name, _, read) in &expected {
        assert_eq!(value(&batch, name), Some(*read), "{name}");
    }

    // A new value reaches the next polls.
    served
        .tx
        .send(vec![reading("north", "holding.float64.CDAB", -7.25)])
        .await
        .expect("the server takes values");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let batch = source.batch(WAIT).await;
        if value(&batch, "holding.float64.CDAB") == Some(-7.25) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the new value never arrived"
        );
    }
    // 2 tables on 2 units, 24 tags each, all adjacent, plus 3 more requests a poll.
    assert!(served.stats.requests.load(Ordering::Relaxed) >= 5);
    assert_eq!(served.stats.exceptions.load(Ordering::Relaxed), 0);
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_server_refuses_unmapped_addresses_like_a_plc() {
    let served_tags = vec![
        tag("a", Holding, 0, Uint16, Abcd),
        tag("b", Holding, 1, Uint16, Abcd),
        tag("c", Holding, 3, Uint16, Abcd),
    ];
    let served = serve(&served_tags).await;
    served
        .tx
        .send(vec![
            reading("north", "a", 1.0),
            reading("north", "b", 2.0),
            reading("north", "c", 3.0),
        ])
        .await
        .expect("the server takes values");
    // The client also asks for holding 2 (unmapped) and bridges the holes.
    let mut client_tags = served_tags.clone();
    client_tags.push(tag("hole", Holding, 2, Uint16, Abcd));
    let mut wrong_unit = tag("wrong_unit", Holding, 0, Uint16, Abcd);
    wrong_unit.unit_id = Some(5);
    client_tags.push(wrong_unit);
    let mut config = crate::support::config(served.port, client_tags);
    config.devices[0].max_gap = 10;
    let mut source = Source::start(config);
    let batch = source.batch_with(WAIT, &["a", "c"]).await;
    assert_eq!(value(&batch, "a"), Some(1.0));
    assert_eq!(value(&batch, "b"), Some(2.0));
    assert_eq!(value(&batch, "c"), Some(3.0));
    let mut errors: Vec<(&str, bool)> = batch
        .errors
        .iter()
        .map(|e| {
            (
                e.reason,
                e.message.contains("exception 02") || e.message.contains("exception 0B"),
            )
        })
        .collect();
    errors.sort_unstable();
    assert_eq!(
        errors,
        [("modbus_exception", true), ("modbus_exception", true)]
    );
    assert!(
        batch
            .errors
            .iter()
            .any(|e| e.message.contains("wrong_unit") && e.message.contains("0B"))
    );
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_plant_is_served_and_read_back() {
    let size = PlantSize {
        headers: 1,
        consumers_per_header: 2,
        traps_per_consumer: 1,
        segments_per_consumer: 1,
    };
    let plant = synthetic::plant("north", &size);
    let mut sim = PlantSimulator::new("north", &plant, &SimulatorConfig::new("north"))
        .expect("the synthetic plant simulates");
    let names = sim.tags();
    let map = layout(
        "north",
        names
            .iter()
            .map(|(tag, unit)| (tag.as_str(), Some(unit.as_str()))),
        1,
        0,
    )
    .expect("the plant fits");
    assert_eq!(map.len(), names.len());

    let served = serve(&map).await;
    let first = sim.next_batch().expect("a first sample");
    served
        .tx
        .send(first.readings.clone())
        .await
        .expect("served");

    let mut config = client_config("127.0.0.1", served.port, map.clone());
    config.devices[0].poll_interval_ms = 100;
    let mut source = Source::start(config);
    // Wait until the poll sees the batch (the server may apply it after the first poll).
    let wanted = first.readings.last().expect("readings").clone();
    let deadline = tokio::time::Instant::now() + WAIT;
    let batch = loop {
        let batch = source.batch(WAIT).await;
        if value(&batch, wanted.tag.as_str()) == Some(f64::from(wanted.value as f32)) {
            break batch;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the simulated values never arrived"
        );
    };
    assert_eq!(batch.readings.len(), names.len());
    assert!(batch.errors.is_empty(), "{:#?}", batch.errors);
    for sent in &first.readings {
        let read = batch
            .readings
            .iter()
            .find(|r| r.tag == sent.tag)
            .expect("every simulated tag is read");
        assert_eq!(read.plant.as_str(), "north");
        assert_eq!(read.unit, sent.unit, "{}", sent.tag);
        if sent.quality != Quality::Bad {
            assert_eq!(read.value, f64::from(sent.value as f32), "{}", sent.tag);
        }
    }
    // 2 registers per tag, 62 tags per request.
    let per_poll = names.len().div_ceil(62);
    assert_eq!(served.stats.exceptions.load(Ordering::Relaxed), 0);
    assert!(served.stats.requests.load(Ordering::Relaxed) as usize >= per_poll);
    source.stop().await.expect("stops cleanly");
}
