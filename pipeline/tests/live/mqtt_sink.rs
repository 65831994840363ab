//! `[sinks.<id>] type = "mqtt"`: `steamflow run` publishes the alerts
//! stream to a real broker, one message per alert record the JSON Lines
//! sink writes, on the topic filled from each record, retained when asked.

use std::path::Path;
use std::time::Duration;

use super::peers::{Broker, logs, mosquitto, scratch, steamflow};

/// Ten minutes of the demo plant's HP header pressure, falling below the
/// `hp_pressure_low` threshold (8 barg for 30 s) after two minutes.
fn write_csv(path: &Path) {
    let mut csv = String::from("time,plant,tag,value,quality,unit\n");
    for s in 0..600_i64 {
        let time = 1_736_143_200_000_i64 + s * 1000;
        let pressure = if s < 120 { 10.0 } else { 7.0 };
        csv.push_str(&format!(
            "{time},north,north.hp.pressure,{pressure},good,barg\n"
        ));
    }
    std::fs::write(path, csv).unwrap();
}

/// The demo plant and its alert rules, read from the CSV, with a JSON
/// Lines sink and an MQTT sink of the alerts.
fn write_config(dir: &Path, port: u16) {
    let demo = steamflow::config::DEMO_CONFIG;
    let start = demo.find("[plants.north]").unwrap();
    let end = demo.find("[sinks.files]").unwrap();
    let config = format!(
        "[sources.historian]\ntype = \"file\"\npath = \"readings.csv\"\n\n{}\n\
         [sinks.files]\ntype = \"jsonl\"\ninputs = [\"alerts\"]\ndir = \"out\"\n\n\
         [sinks.pager]\ntype = \"mqtt\"\ninputs = [\"alerts\"]\n\
         topic = \"steam/{{plant}}/alerts/{{rule}}\"\nqos = 1\nretain = true\n\
         broker = {{ host = \"127.0.0.1\", port = {port} }}\n",
        &demo[start..end]
    );
    std::fs::write(dir.join("steamflow.toml"), config).unwrap();
}

#[test]
fn alerts_are_published_to_the_broker() {
    let Some(tools) = mosquitto("alerts_are_published_to_the_broker") else {
        return;
    };
    let dir = scratch("mqtt-sink");
    let broker = Broker::start(&tools, &dir);
    let subscriber = broker.subscriber(&tools, "steam/#", "steam/probe");
    write_csv(&dir.join("readings.csv"));
    write_config(&dir, broker.port);
    let mut run = steamflow(&["run", "steamflow.toml", "--quiet"], &dir, "run");
    let status = run.wait(Duration::from_secs(120));
    assert!(status.success(), "{}", logs(&dir, "run"));
    let written: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("out/alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|update: &serde_json::Value| update["diff"].as_i64() > Some(0))
        .collect();
    assert!(
        written
            .iter()
            .any(|a| a["rule"] == "hp_pressure_low" && a["kind"] == "firing"),
        "the threshold alert fires: {written:?}"
    );
    let messages = subscriber.take(written.len() + 1, Duration::from_secs(10));
    assert_eq!(
        messages.len(),
        written.len(),
        "one message per alert: {messages:?}"
    );
    let key = |a: &serde_json::Value| {
        format!(
            "{}/{}/{}/{}",
            a["rule"], a["asset"], a["kind"], a["event_time"]
        )
    };
    let mut published = Vec::new();
    for (topic, payload) in &messages {
        let alert: serde_json::Value = serde_json::from_str(payload).unwrap();
        assert_eq!(alert["stream"], "alerts");
        assert_eq!(
            topic,
            &format!("steam/north/alerts/{}", alert["rule"].as_str().unwrap())
        );
        published.push(key(&alert));
    }
    let mut expected: Vec<String> = written.iter().map(key).collect();
    published.sort();
    expected.sort();
    assert_eq!(published, expected);
    // Retained: a subscriber that comes later gets the rule's last alert.
    let retained = broker
        .retained(
            &tools,
            "steam/north/alerts/hp_pressure_low",
            Duration::from_secs(5),
        )
        .expect("a retained alert");
    assert!(
        retained.contains("\"rule\":\"hp_pressure_low\""),
        "{retained}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
