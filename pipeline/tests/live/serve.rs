//! `steamflow simulate --serve`: what each protocol serves is what the
//! simulator produced (recorded with `--out`), as an independent client
//! reads it through the config `--config-out` wrote.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use steamflow::config::{Config, SourceConfig};
use steamflow_source_core::SourceEvent;
use steamflow_source_core::testing::{free_port, python, require};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::peers::{Broker, logs, mosquitto, scratch, served_values, steamflow, wait_for_file};

/// Whether `read` equals one of the values served for its tag (NaN too).
fn was_served(served: &BTreeMap<String, Vec<f64>>, tag: &str, read: f64, as_f32: bool) -> bool {
    let narrow = |v: f64| if as_f32 { f64::from(v as f32) } else { v };
    served.get(tag).is_some_and(|values| {
        values
            .iter()
            .any(|&v| narrow(v) == read || (v.is_nan() && read.is_nan()))
    })
}

#[test]
fn modbus_registers_hold_the_simulated_values() {
    let dir = scratch("serve-modbus");
    let port = free_port().to_string();
    let bind = format!("127.0.0.1:{port}");
    let mut sim = steamflow(
        &[
            "simulate",
            "--serve",
            "modbus",
            "--modbus-bind",
            &bind,
            "--config-out",
            "live.toml",
            "--out",
            "rec",
            "--duration",
            "8",
            "--no-faults",
            "--quiet",
        ],
        &dir,
        "simulate",
    );
    wait_for_file(&dir.join("live.toml"), Duration::from_secs(60), || {
        logs(&dir, "simulate")
    });
    let config = Config::load(&dir.join("live.toml")).unwrap_or_else(|e| panic!("{e}"));
    let Some(SourceConfig::Modbus(modbus)) = config.sources.get("live") else {
        panic!(
            "the written config reads the plant over Modbus: {:?}",
            config.sources.keys()
        );
    };
    let tags = modbus.devices.iter().map(|d| d.tags.len()).sum::<usize>();
    assert_eq!(
        tags, 50,
        "every tag of the demo plant is in the register map"
    );
    // One poll of every register through steamflow's Modbus client. (No
    // faults: a reading the network delays leaves its register at 0.)
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let readings = runtime.block_on(async {
        let (tx, mut rx) = mpsc::channel(64);
        let stop = CancellationToken::new();
        let client = tokio::spawn({
            let (modbus, stop) = (modbus.clone(), stop.clone());
            async move { steamflow_source_modbus::run(&modbus, "live", tx, stop).await }
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let mut readings = Vec::new();
        while readings.len() < tags {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(SourceEvent::Batch(batch))) => {
                    assert!(batch.errors.is_empty(), "{:?}", batch.errors);
                    readings.extend(batch.readings);
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        stop.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), client).await;
        readings
    });
    assert!(readings.len() >= tags, "{} readings", readings.len());
    let status = sim.wait(Duration::from_secs(60));
    assert!(status.success(), "{}", logs(&dir, "simulate"));
    let (served, _) = served_values(&dir.join("rec/readings.csv"));
    for reading in &readings {
        assert_eq!(reading.plant.as_str(), "north");
        assert!(
            was_served(&served, reading.tag.as_str(), reading.value, true),
            "{} = {} was never served: {:?}",
            reading.tag.as_str(),
            reading.value,
            served.get(reading.tag.as_str())
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads every node of the written config once all have a value; prints
/// `tag value` lines.
const ASYNCUA_READ: &str = r#"
import asyncio, sys, tomllib
from asyncua import Client

async def main(config, limit):
    with open(config, "rb") as f:
        source = tomllib.load(f)["sources"]["live"]
    async with Client(url=source["endpoint_url"], timeout=10) as client:
        nodes = [(n["tag"], client.get_node(n["node_id"])) for n in source["nodes"]]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            values = []
            for tag, node in nodes:
                try:
                    values.append((tag, await node.read_value()))
                except Exception:
                    values.append((tag, None))
            if all(v is not None for _, v in values) or loop.time() > deadline:
                break
            await asyncio.sleep(0.2)
        for tag, value in values:
            print(tag, repr(value))

asyncio.run(main(sys.argv[1], float(sys.argv[2])))
"#;

#[test]
fn opcua_variables_hold_the_simulated_values_for_asyncua() {
    let test = "opcua_variables_hold_the_simulated_values_for_asyncua";
    let Some(python) = require(python(), "Python with asyncua (STEAMFLOW_PYTHON)", test) else {
        return;
    };
    let dir = scratch("serve-opcua");
    let bind = format!("127.0.0.1:{}", free_port());
    let mut sim = steamflow(
        &[
            "simulate",
            "--serve",
            "opcua",
            "--opcua-bind",
            &bind,
            "--config-out",
            "live.toml",
            "--out",
            "rec",
            "--duration",
            "10",
            "--quiet",
        ],
        &dir,
        "simulate",
    );
    wait_for_file(&dir.join("live.toml"), Duration::from_secs(60), || {
        logs(&dir, "simulate")
    });
    let script = dir.join("read.py");
    std::fs::write(&script, ASYNCUA_READ).unwrap();
    let output = Command::new(&python)
        .arg(&script)
        .arg(dir.join("live.toml"))
        .arg("8")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let status = sim.wait(Duration::from_secs(60));
    assert!(status.success(), "{}", logs(&dir, "simulate"));
    let (served, _) = served_values(&dir.join("rec/readings.csv"));
    let read: Vec<(&str, &str)> = stdout.lines().filter_map(|l| l.split_once(' ')).collect();
    assert_eq!(read.len(), 50, "{stdout}");
    for (tag, value) in read {
        let value: f64 = match value {
            "nan" => f64::NAN,
            other => other
                .parse()
                .unwrap_or_else(|_| panic!("{tag}: `{other}` is not a number")),
        };
        assert!(
            was_served(&served, tag, value, false),
            "{tag} = {value} was never served: {:?}",
            served.get(tag)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The text of a top-level number field of a JSON object, in Rust's
/// shortest form.
fn number_text(json: &str, field: &str) -> String {
    let key = format!("\"{field}\":");
    let start = json.find(&key).map(|i| i + key.len()).unwrap();
    let text: String = json[start..]
        .chars()
        .take_while(|c| !matches!(c, ',' | '}'))
        .collect();
    text.trim().parse::<f64>().unwrap().to_string()
}

#[test]
fn mqtt_messages_are_the_simulated_readings() {
    let Some(tools) = mosquitto("mqtt_messages_are_the_simulated_readings") else {
        return;
    };
    let dir = scratch("serve-mqtt");
    let broker = Broker::start(&tools, &dir);
    let subscriber = broker.subscriber(&tools, "steam/#", "steam/probe");
    let url = format!("mqtt://127.0.0.1:{}", broker.port);
    let mut sim = steamflow(
        &[
            "simulate",
            "--serve",
            "mqtt",
            "--mqtt-broker",
            &url,
            "--config-out",
            "live.toml",
            "--out",
            "rec",
            "--duration",
            "4",
            "--speed",
            "2",
            "--quiet",
        ],
        &dir,
        "simulate",
    );
    let status = sim.wait(Duration::from_secs(60));
    assert!(status.success(), "{}", logs(&dir, "simulate"));
    let config = Config::load(&dir.join("live.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        config.sources.get("live"),
        Some(SourceConfig::Mqtt(_))
    ));
    let csv = std::fs::read_to_string(dir.join("rec/readings.csv")).unwrap();
    let mut expected: Vec<(String, String, String)> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[0].to_owned(), f[2].to_owned(), f[3].to_owned())
        })
        .collect();
    let messages = subscriber.take(expected.len(), Duration::from_secs(20));
    let mut received: Vec<(String, String, String)> = messages
        .iter()
        .map(|(topic, payload)| {
            let json: serde_json::Value = serde_json::from_str(payload).unwrap();
            let tag = json["tag"].as_str().unwrap().to_owned();
            assert_eq!(topic, &format!("steam/north/tags/{tag}"));
            assert_eq!(json["plant"], "north");
            let value = match &json["value"] {
                serde_json::Value::Null => "NaN".to_owned(),
                // The number as written: serde_json's parser may be off by an ulp.
                _ => number_text(payload, "value"),
            };
            (json["time"].as_str().unwrap().to_owned(), tag, value)
        })
        .collect();
    // Infinite values travel as null, as NaN does.
    for row in &mut expected {
        if row.2.contains("inf") {
            row.2 = "NaN".to_owned();
        }
        // The same number in its shortest form (JSON writes 20.0, the CSV 20).
        if let Ok(v) = row.2.parse::<f64>()
            && v.is_finite()
        {
            row.2 = v.to_string();
        }
    }
    expected.sort();
    received.sort();
    assert_eq!(received.len(), expected.len());
    assert_eq!(received, expected);
    let _ = std::fs::remove_dir_all(&dir);
}
