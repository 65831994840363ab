//! Coalescing, counted on the pymodbus side: N adjacent tags take the
//! expected number of requests, holes and caps split them, `max_gap`
//! bridges holes, unit ids never share a request. Also the `--check` report.

use std::time::Duration;

use steamflow_source_modbus::ByteOrder::Abcd;
use steamflow_source_modbus::DataType::{Float32, Uint16};
use steamflow_source_modbus::RegisterType::{Coil, Holding};
use steamflow_source_modbus::{TagConfig, check};

use crate::support::{PyModbus, Req, config, spec, spec_bit, spec_value, tag};

/// The requests of one check (one poll), once the peer has printed them.
async fn requests_of_check(
    peer: &PyModbus,
    config: &steamflow_source_modbus::ModbusConfig,
) -> (Vec<Req>, steamflow_source_modbus::CheckReport) {
    peer.clear_requests();
    let report = tokio::time::timeout(Duration::from_secs(10), check(config))
        .await
        .expect("the check ends")
        .expect("the config is valid");
    tokio::time::sleep(Duration::from_millis(150)).await;
    (peer.requests(), report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adjacent_tags_are_read_in_as_few_requests_as_the_caps_allow() {
    // 100 float32 at holding 0..200, 2500 coils, 3 registers on unit 2,
    // and two registers with a 3-register hole at 300 and 304.
    let mut unit1 = Vec::new();
    let mut tags = Vec::new();
    for i in 0..100u16 {
        unit1.push(spec_value("hr", 2 * i, Float32, Abcd, f64::from(i) + 0.5));
        tags.push(tag(&format!("f{i}"), Holding, 2 * i, Float32, Abcd));
    }
    for i in 0..2500u16 {
        unit1.push(spec_bit("co", i, i % 3 == 0));
        tags.push(TagConfig::new(format!("c{i}"), Coil, i));
    }
    for address in [300, 304] {
        unit1.push(spec_value("hr", address, Uint16, Abcd, f64::from(address)));
        tags.push(tag(&format!("h{address}"), Holding, address, Uint16, Abcd));
    }
    let mut unit2 = Vec::new();
    for i in 0..3u16 {
        unit2.push(spec_value("hr", i, Uint16, Abcd, 7.0));
        let mut t = tag(&format!("u2_{i}"), Holding, i, Uint16, Abcd);
        t.unit_id = Some(2);
        tags.push(t);
    }
    let Some(peer) = PyModbus::start(
        "adjacent_tags_are_read_in_as_few_requests",
        &spec(&[(1, unit1), (2, unit2)]),
        &[],
    )
    .await
    else {
        return;
    };

    let config = config(peer.port, tags);
    let (requests, report) = requests_of_check(&peer, &config).await;
    assert!(report.ok(), "{report}");
    let tuples: Vec<(u8, u8, u16, u16)> = requests
        .iter()
        .map(|r| (r.unit, r.function, r.address, r.count))
        .collect();
    assert_eq!(
        tuples,
        [
            // 200 registers in pairs, at most 125 a request: 62 pairs, then 38.
            (1, 3, 0, 124),
            (1, 3, 124, 76),
            // The hole at 301..304 is not bridged.
            (1, 3, 300, 1),
            (1, 3, 304, 1),
            (1, 1, 0, 2000),
            (1, 1, 2000, 500),
            (2, 3, 0, 3),
        ]
    );
    assert_eq!(report.devices[0].requests, 7);
    let f99 = report.devices[0]
        .tags
        .iter()
        .find(|t| t.tag == "f99")
        .expect("f99 is checked");
    assert_eq!(f99.result, Ok(99.5));
    let c2498 = report.devices[0]
        .tags
        .iter()
        .find(|t| t.tag == "c2498")
        .expect("c2498");
    assert_eq!(c2498.result, Ok(0.0));
    let c2496 = report.devices[0]
        .tags
        .iter()
        .find(|t| t.tag == "c2496")
        .expect("c2496");
    assert_eq!(c2496.result, Ok(1.0));

    // Smaller caps, and a gap the device can bridge? It cannot: 301..303
    // are undefined, so the bridged request is refused and split once.
    let mut capped = config.clone();
    capped.devices[0].max_registers_per_request = 50;
    capped.devices[0].max_coils_per_request = 1000;
    capped.devices[0].max_gap = 3;
    let (requests, report) = requests_of_check(&peer, &capped).await;
    assert!(report.ok(), "{report}");
    let holding: Vec<(u16, u16)> = requests
        .iter()
        .filter(|r| r.unit == 1 && r.function == 3)
        .map(|r| (r.address, r.count))
        .collect();
    assert_eq!(
        holding,
        [
            (0, 50),
            (50, 50),
            (100, 50),
            (150, 50),
            (300, 5),
            (300, 1),
            (304, 1)
        ]
    );
    let coils = requests.iter().filter(|r| r.function == 1).count();
    assert_eq!(coils, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_unreachable_devices_and_unreadable_tags() {
    let values = vec![spec_value("hr", 0, Uint16, Abcd, 42.0)];
    let Some(peer) = PyModbus::start(
        "check_reports_unreachable_devices",
        &spec(&[(1, values)]),
        &[],
    )
    .await
    else {
        return;
    };
    let mut config = config(
        peer.port,
        vec![
            tag("good", Holding, 0, Uint16, Abcd),
            tag("missing", Holding, 7, Uint16, Abcd),
        ],
    );
    let mut absent = steamflow_source_modbus::DeviceConfig::new(
        "127.0.0.1",
        steamflow_source_core::testing::free_port(),
    );
    absent.name = Some("absent".into());
    absent.timeout_ms = 500;
    absent.tags = vec![tag("nowhere", Holding, 0, Uint16, Abcd)];
    config.devices.push(absent);
    let report = tokio::time::timeout(Duration::from_secs(10), check(&config))
        .await
        .expect("the check ends")
        .expect("the config is valid");
    assert!(!report.ok());
    let plc = &report.devices[0];
    assert!(plc.connection.is_ok());
    assert_eq!(plc.tags[0].result, Ok(42.0));
    assert!(matches!(&plc.tags[1].result, Err(("modbus_exception", m)) if m.contains("02")));
    let absent = &report.devices[1];
    assert_eq!(absent.device, "absent");
    assert!(absent.connection.is_err());
    assert!(matches!(&absent.tags[0].result, Err(("not_read", _))));
    let text = report.to_string();
    assert!(text.contains("absent: UNREACHABLE"), "{text}");
    assert!(text.contains("ok    north/good = 42"), "{text}");
    assert!(text.contains("FAIL  north/missing"), "{text}");

    // An invalid config is refused before any connection.
    config.devices[0].poll_interval_ms = 0;
    assert!(check(&config).await.is_err());
}
