//! The sink against a real mosquitto: records published as JSON to a topic
//! template and read back with mosquitto_sub; retain for late subscribers;
//! a broker restart; and the simulator's `serve` read back by the source.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_mqtt::{Error, MqttSink, MqttSinkConfig, Qos, serve};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::common::*;

const LINE_WAIT: Duration = Duration::from_secs(10);

fn alert(plant: &str, kind: &str, trap: &str) -> Value {
    json!({"plant": plant, "kind": kind, "trap": trap, "severity": 2, "loss_kg_h": 12.5})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_published_as_json_to_their_topics() {
    let Some(tools) = tools("records_are_published_as_json_to_their_topics") else {
        return;
    };
    let broker = Broker::start(&tools);
    let subscriber = broker.subscriber(&tools, "alerts/#", &["-W", "30"]);
    subscriber.wait_ready(&broker, &tools, "alerts/probe");
    for qos in [Qos::AT_MOST_ONCE, Qos::AT_LEAST_ONCE, Qos::EXACTLY_ONCE] {
        let mut config = MqttSinkConfig::new(broker.connection(), "alerts/{plant}/{kind}");
        config.qos = qos;
        let sink = MqttSink::start(
            &config,
            &format!("alerts-qos{}", qos.level()),
            CancellationToken::new(),
        )
        .expect("start the sink");
        let records = [
            alert("north", "trap_failed", "T-1"),
            alert("north", "leak", "T-2"),
            // A `/` in a value would add a topic level: replaced.
            alert("so/uth", "trap_failed", "T-3"),
        ];
        for record in &records {
            sink.send(record).await.expect("send");
        }
        let missing = sink.send(&json!({"plant": "north"})).await;
        assert!(
            matches!(missing, Err(Error::Publish(ref m)) if m.contains("kind")),
            "{missing:?}"
        );
        sink.close(Duration::from_secs(5))
            .await
            .expect("every message confirmed");

        let expected_topics = [
            "alerts/north/trap_failed",
            "alerts/north/leak",
            "alerts/so_uth/trap_failed",
        ];
        for (record, topic) in records.iter().zip(expected_topics) {
            let line = subscriber
                .line(LINE_WAIT)
                .expect("mosquitto_sub prints the message");
            let (got_topic, payload) = line.split_once(' ').expect("topic and payload");
            assert_eq!(got_topic, topic, "QoS {}", qos.level());
            let payload: Value = serde_json::from_str(payload).expect("JSON payload");
            assert_eq!(&payload, record);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retained_records_reach_late_subscribers() {
    let Some(tools) = tools("retained_records_reach_late_subscribers") else {
        return;
    };
    let broker = Broker::start(&tools);
    let mut config = MqttSinkConfig::new(broker.connection(), "state/{plant}/{trap}");
    config.qos = Qos::EXACTLY_ONCE;
    config.retain = true;
    let sink = MqttSink::start(&config, "state", CancellationToken::new()).expect("start");
    sink.send(&alert("north", "trap_failed", "T-1"))
        .await
        .expect("send");
    sink.send(&alert("north", "ok", "T-1")).await.expect("send");
    sink.close(Duration::from_secs(5)).await.expect("confirmed");
    let output = Command::new(&tools.mosquitto_sub)
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &broker.port.to_string(),
            "-t",
            "state/#",
            "-v",
            "-C",
            "1",
            "-W",
            "5",
        ])
        .output()
        .expect("mosquitto_sub");
    let text = String::from_utf8_lossy(&output.stdout);
    let (topic, payload) = text.trim().split_once(' ').expect("one retained message");
    assert_eq!(topic, "state/north/T-1");
    let payload: Value = serde_json::from_str(payload).expect("JSON");
    assert_eq!(payload["kind"], "ok", "the last retained message is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sink_reconnects_after_a_broker_restart() {
    let Some(tools) = tools("the_sink_reconnects_after_a_broker_restart") else {
        return;
    };
    let mut broker = Broker::start(&tools);
    let config = MqttSinkConfig::new(broker.connection(), "alerts/{plant}/{kind}");
    let sink = MqttSink::start(&config, "restart", CancellationToken::new()).expect("start");
    sink.send(&alert("north", "before", "T-1"))
        .await
        .expect("send");
    sink.flush(Duration::from_secs(5))
        .await
        .expect("confirmed before the restart");
    broker.restart();
    let subscriber = broker.subscriber(&tools, "alerts/#", &["-W", "30"]);
    subscriber.wait_ready(&broker, &tools, "alerts/probe");
    // The sink notices the restart on its next exchange and reconnects.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        sink.send(&alert("north", "after", "T-1"))
            .await
            .expect("send");
        if sink.flush(Duration::from_secs(2)).await.is_ok()
            && let Some(line) = subscriber.line(Duration::from_secs(2))
        {
            assert!(line.starts_with("alerts/north/after "), "{line}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no message after the restart: {:?}",
            sink.status()
        );
    }
    assert!(sink.status().connected);
    let _ = sink.close(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_readings_come_back_through_the_source() {
    let Some(tools) = tools("served_readings_come_back_through_the_source") else {
        return;
    };
    let broker = Broker::start(&tools);
    let mut source = spawn_source(
        source_config(&broker, &["steam/{plant}/{tag}"]),
        "roundtrip",
    );
    source
        .wait_subscribed(&broker, &tools, "steam/probe/probe")
        .await;

    let (tx, rx) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    let config = MqttSinkConfig::new(broker.connection(), "steam/{plant}/{tag}");
    let server = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move { serve(&config, "simulator", rx, shutdown).await })
    };
    let sent: Vec<Reading> = (0..50)
        .map(|i| Reading {
            time_ms: 1_735_689_600_000 + i * 1000,
            plant: "north".into(),
            tag: format!("boiler1.flow{}", i % 3).into(),
            value: 1000.0 + i as f64 * 0.5,
            quality: if i % 7 == 0 {
                Quality::Uncertain
            } else {
                Quality::Good
            },
            unit: (i % 2 == 0).then(|| "kg/h".into()),
        })
        .collect();
    for reading in &sent {
        tx.send(reading.clone()).await.expect("serve is running");
    }
    drop(tx);
    let served = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("serve ends when its input ends")
        .expect("no panic");
    assert!(served.is_ok(), "{served:?}");
    source
        .wait_readings(sent.len(), Duration::from_secs(10))
        .await;
    let seen = source.stop().await;
    let got: Vec<Reading> = readings(&seen).into_iter().cloned().collect();
    assert_eq!(got, sent);
}
