//! MQTT: notices published to a real mosquitto broker, read back with
//! mosquitto_sub.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use steamflow_source_core::testing::{find_program, require};

use crate::common::{Broker, Peer, router, update};

#[test]
fn mqtt_receives_firing_then_resolve() {
    let test = "mqtt_receives_firing_then_resolve";
    let what = "mosquitto_sub and mosquitto_pub (Debian: mosquitto-clients)";
    let Some(sub) = require(find_program("mosquitto_sub"), what, test) else {
        return;
    };
    let Some(publish) = require(find_program("mosquitto_pub"), what, test) else {
        return;
    };
    let Some(broker) = Broker::start(test) else {
        return;
    };
    let port = broker.port.to_string();
    let port = port.as_str();
    let subscriber = Peer::spawn(Command::new(sub).args([
        "-h",
        "127.0.0.1",
        "-p",
        port,
        "-q",
        "1",
        "-v",
        "-t",
        "steam/#",
    ]));
    // The subscription is in place once a probe comes back.
    loop {
        let _ = Command::new(&publish)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                port,
                "-t",
                "steam/probe",
                "-m",
                "probe",
            ])
            .status();
        match subscriber.lines.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if line.starts_with("steam/probe") => break,
            Ok(_) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(error) => panic!("mosquitto_sub ended: {error}"),
        }
    }
    let router = router(&format!(
        r#"
inputs = ["alerts"]
group_window_secs = 0
[channels.broker]
type = "mqtt"
broker = {{ host = "127.0.0.1", port = {port} }}
topic = "steam/{{plant}}/alerts/{{status}}"
qos = 1
[[routes]]
channels = ["broker"]
"#
    ));
    router.submit(update("firing", "north", "T-101", "high"));
    router.submit(update("resolved", "north", "T-101", "high"));
    let mut got = Vec::new();
    while got.len() < 2 {
        let line = subscriber.line("an alert on MQTT");
        if line.starts_with("steam/probe") {
            continue;
        }
        let (topic, payload) = line.split_once(' ').expect("topic and payload");
        let payload: Value = serde_json::from_str(payload).expect("JSON payload");
        got.push((topic.to_owned(), payload));
    }
    router.close(Duration::from_secs(5));
    assert_eq!(got[0].0, "steam/north/alerts/firing");
    assert_eq!(got[1].0, "steam/north/alerts/resolved");
    for (_, payload) in &got {
        assert_eq!(payload["dedup_key"], "trap_failed/north/T-101");
        assert_eq!(payload["channel"], "broker");
        assert_eq!(payload["severity"], "high");
    }
    assert_eq!(
        router
            .channel_stats("broker")
            .expect("channel")
            .delivered
            .get(),
        2
    );
}
