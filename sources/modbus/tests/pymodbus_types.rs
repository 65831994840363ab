//! Every data type in every byte order, from an independent encoder
//! (pymodbus and Python's struct), in holding and input registers, on two
//! unit ids of one connection; coils and discrete inputs; scale and offset;
//! a second device counting addresses from 1.

use std::time::Duration;

use steamflow_operators::reading::Quality;
use steamflow_source_modbus::ByteOrder::{self, Abcd, Badc, Cdab, Dcba};
use steamflow_source_modbus::DataType::{
    self, Bool, Float32, Float64, Int16, Int32, Uint16, Uint32,
};
use steamflow_source_modbus::RegisterType::{Coil, DiscreteInput, Holding, Input};
use steamflow_source_modbus::{DeviceConfig, RegisterType, TagConfig};

use crate::support::{PyModbus, Source, config, spec, spec_bit, spec_value, tag, value};

const ORDERS: [ByteOrder; 4] = [Abcd, Dcba, Badc, Cdab];

/// Values that use every byte of their type (so a swapped byte shows).
fn holding_value(data_type: DataType) -> f64 {
    match data_type {
        Int16 => -12_345.0,
        Uint16 => 54_321.0,
        Int32 => -123_456_789.0,
        Uint32 => 3_000_000_000.0,
        Float32 => 123.456,
        Float64 => -98_765.432_1,
        Bool => 1.0,
    }
}

fn input_value(data_type: DataType) -> f64 {
    match data_type {
        Int16 => 321.0,
        Uint16 => 65_535.0,
        Int32 => 2_147_483_647.0,
        Uint32 => 16_909_060.0, // 0x01020304
        Float32 => -0.156_25,
        Float64 => 1.234_567_890_123e300,
        Bool => 0.0,
    }
}

/// What the connector should read: floats32 through f32.
fn expected(data_type: DataType, value: f64) -> f64 {
    if data_type == Float32 {
        f64::from(value as f32)
    } else {
        value
    }
}

struct Case {
    tag: String,
    expected: f64,
}

/// Tags of every type × order in one table, from `first`, with a one-register
/// hole after each type (so the map takes several requests).
fn table(
    kind: RegisterType,
    unit: u8,
    first: u16,
    value_of: fn(DataType) -> f64,
    tags: &mut Vec<TagConfig>,
    values: &mut Vec<serde_json::Value>,
    cases: &mut Vec<Case>,
) {
    let spec_table = if kind == Holding { "hr" } else { "ir" };
    let mut address = first;
    for data_type in [Int16, Uint16, Int32, Uint32, Float32, Float64] {
        for order in ORDERS {
            let name = format!(
                "u{unit}.{}.{}.{}",
                kind.as_str(),
                data_type.as_str(),
                order.as_str()
            );
            let mut t = tag(&name, kind, address, data_type, order);
            t.unit_id = Some(unit);
            tags.push(t);
            let v = value_of(data_type);
            values.push(spec_value(spec_table, address, data_type, order, v));
            cases.push(Case {
                tag: name,
                expected: expected(data_type, v),
            });
            address += data_type.width();
        }
        address += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_and_byte_order_reads_right() {
    let (mut tags, mut unit1, mut unit2, mut cases) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    table(
        Holding,
        1,
        0,
        holding_value,
        &mut tags,
        &mut unit1,
        &mut cases,
    );
    table(
        Input,
        1,
        100,
        input_value,
        &mut tags,
        &mut unit1,
        &mut cases,
    );
    table(
        Holding,
        2,
        40,
        input_value,
        &mut tags,
        &mut unit2,
        &mut cases,
    );

    // Coils and discrete inputs, across a 16-bit boundary.
    for (address, on) in [(3, true), (4, false), (17, true)] {
        unit1.push(spec_bit("co", address, on));
        tags.push(TagConfig::new(format!("coil{address}"), Coil, address));
        cases.push(Case {
            tag: format!("coil{address}"),
            expected: f64::from(u8::from(on)),
        });
    }
    for (address, on) in [(5, true), (6, false)] {
        unit1.push(spec_bit("di", address, on));
        tags.push(TagConfig::new(
            format!("di{address}"),
            DiscreteInput,
            address,
        ));
        cases.push(Case {
            tag: format!("di{address}"),
            expected: f64::from(u8::from(on)),
        });
    }

    // value = raw × scale + offset
    unit1.push(spec_value("hr", 300, Int16, Abcd, 1234.0));
    let mut scaled = tag("scaled", Holding, 300, Int16, Abcd);
    scaled.scale = 0.1;
    scaled.offset = -10.0;
    scaled.unit = Some("barg".into());
    tags.push(scaled);

    let spec = spec(&[(1, unit1), (2, unit2)]);
    let Some(peer) = PyModbus::start("every_type_and_byte_order_reads_right", &spec, &[]).await
    else {
        return;
    };
    let mut config = config(peer.port, tags);
    // The raw register of `scaled` (wire address 300) through a device
    // that counts addresses from 1.
    let mut one_based = DeviceConfig::new("127.0.0.1", peer.port);
    one_based.address_base = 1;
    one_based.tags = vec![tag("one_based", Holding, 301, Int16, Abcd)];
    config.devices.push(one_based);

    let mut source = Source::start(config);
    let batch = source
        .batch_with(
            Duration::from_secs(10),
            &["u1.holding.int16.ABCD", "scaled"],
        )
        .await;
    assert!(batch.errors.is_empty(), "{:#?}", batch.errors);
    for case in &cases {
        assert_eq!(
            value(&batch, &case.tag),
            Some(case.expected),
            "tag {}",
            case.tag
        );
    }
    let scaled = batch
        .readings
        .iter()
        .find(|r| r.tag.as_str() == "scaled")
        .expect("scaled is read");
    assert!((scaled.value - 113.4).abs() < 1e-9, "{}", scaled.value);
    assert_eq!(scaled.unit.as_ref().map(|u| u.as_str()), Some("barg"));
    assert!(batch.readings.iter().all(|r| r.quality == Quality::Good));
    assert!(batch.readings.iter().all(|r| r.plant.as_str() == "north"));
    // Every reading of a poll carries the poll's time.
    let time = batch.readings[0].time_ms;
    assert!(batch.readings.iter().all(|r| r.time_ms == time));

    let other = source
        .batch_with(Duration::from_secs(10), &["one_based"])
        .await;
    assert_eq!(value(&other, "one_based"), Some(1234.0));
    // Both units were asked over the one connection of the first device.
    let units: std::collections::BTreeSet<u8> = peer.requests().iter().map(|r| r.unit).collect();
    assert_eq!(units, [1, 2].into_iter().collect());
    source.stop().await.expect("stops cleanly");
}
