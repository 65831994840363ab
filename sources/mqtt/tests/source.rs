//! The source against a real mosquitto: QoS levels, wildcards and topic
//! templates, retained messages, payload shapes, malformed payloads, and a
//! second publisher (rumqttc) besides mosquitto_pub.

use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Outgoing, Packet, QoS};
use steamflow_operators::reading::Quality;
use steamflow_source_mqtt::{PayloadFormat, Qos, RetainedPolicy, SubscriptionConfig, TimeFormat};

use crate::common::*;

const SEED_TOPIC: &str = "steam/{plant}/traps/{tag}/status";
const PROBE: &str = "steam/probe/traps/probe/status";
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_qos_level_delivers_readings_named_by_the_topic() {
    let Some(tools) = tools("every_qos_level_delivers_readings_named_by_the_topic") else {
        return;
    };
    let broker = Broker::start(&tools);
    for level in 0..=2u8 {
        let mut config = source_config(&broker, &[SEED_TOPIC]);
        config.subscriptions[0].qos = Qos::try_from(level).unwrap();
        let mut source = spawn_source(config, &format!("qos{level}"));
        source.wait_subscribed(&broker, &tools, PROBE).await;
        let payload = format!(
            r#"{{"time": "2025-01-01T00:00:0{level}Z", "value": {}.5, "quality": "good", "unit": "dB"}}"#,
            60 + level
        );
        broker.publish(
            &tools,
            &format!("steam/north/traps/T-10{level}/status"),
            &payload,
            &["-q", &level.to_string()],
        );
        source.wait_readings(1, WAIT).await;
        let seen = source.stop().await;
        let readings = readings(&seen);
        assert_eq!(readings.len(), 1, "QoS {level}: {readings:?}");
        let reading = readings[0];
        assert_eq!(reading.plant.as_str(), "north");
        assert_eq!(reading.tag.as_str(), format!("T-10{level}"));
        assert_eq!(reading.value, f64::from(60 + level) + 0.5);
        assert_eq!(reading.time_ms, 1_735_689_600_000 + i64::from(level) * 1000);
        assert_eq!(reading.quality, Quality::Good);
        assert_eq!(reading.unit.as_ref().map(|u| u.as_str()), Some("dB"));
        assert!(errors(&seen).is_empty(), "{:?}", errors(&seen));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcards_route_each_topic_to_its_subscription() {
    let Some(tools) = tools("wildcards_route_each_topic_to_its_subscription") else {
        return;
    };
    let broker = Broker::start(&tools);
    let mut generation = SubscriptionConfig::new("steam/{plant}/{network}/generation");
    generation.tag = "{network}.generation".into();
    generation.unit = Some("kg/h".into());
    let mut everything = SubscriptionConfig::new("plant/#");
    everything.plant = "south".into();
    everything.tag = "{topic}".into();
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.subscriptions.push(generation);
    config.subscriptions.push(everything);
    let mut source = spawn_source(config, "wild");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    broker.publish(
        &tools,
        "steam/north/traps/T-7/status",
        r#"{"value": 1}"#,
        &["-q", "1"],
    );
    broker.publish(&tools, "steam/north/hp/generation", "2", &["-q", "1"]);
    broker.publish(&tools, "plant/a/b/c", "3", &["-q", "1"]);
    // Matches no subscription: not delivered at all.
    broker.publish(&tools, "steam/north/traps/T-7/other", "4", &["-q", "1"]);
    broker.publish(&tools, "plant", "5", &["-q", "1"]);
    source.wait_readings(4, WAIT).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = source.stop().await;
    let mut got: Vec<_> = readings(&seen)
        .iter()
        .map(|r| {
            (
                r.plant.to_string(),
                r.tag.to_string(),
                r.value,
                r.unit.as_ref().map(|u| u.to_string()),
            )
        })
        .collect();
    got.sort_by(|a, b| a.2.total_cmp(&b.2));
    assert_eq!(
        got,
        [
            ("north".into(), "T-7".into(), 1.0, None),
            (
                "north".into(),
                "hp.generation".into(),
                2.0,
                Some("kg/h".into())
            ),
            ("south".into(), "plant/a/b/c".into(), 3.0, None),
            // `plant/#` matches its parent level `plant` too (MQTT 4.7.1.2).
            ("south".into(), "plant".into(), 5.0, None),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retained_messages_are_flagged_or_discarded() {
    let Some(tools) = tools("retained_messages_are_flagged_or_discarded") else {
        return;
    };
    let broker = Broker::start(&tools);
    broker.publish(
        &tools,
        "steam/north/traps/T-1/status",
        r#"{"value": 11, "quality": "good"}"#,
        &["-q", "1", "-r"],
    );
    // Flag (the default): the kept value arrives with quality uncertain.
    let mut source = spawn_source(source_config(&broker, &[SEED_TOPIC]), "retained-flag");
    source.wait_readings(1, WAIT).await;
    source.wait_subscribed(&broker, &tools, PROBE).await;
    broker.publish(
        &tools,
        "steam/north/traps/T-1/status",
        r#"{"value": 12, "quality": "good"}"#,
        &["-q", "1"],
    );
    source.wait_readings(2, WAIT).await;
    let seen = source.stop().await;
    let got: Vec<_> = readings(&seen)
        .iter()
        .map(|r| (r.value, r.quality))
        .collect();
    assert_eq!(got, [(11.0, Quality::Uncertain), (12.0, Quality::Good)]);

    // Discard: only the live message arrives.
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.subscriptions[0].retained = RetainedPolicy::Discard;
    let mut source = spawn_source(config, "retained-discard");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    broker.publish(
        &tools,
        "steam/north/traps/T-1/status",
        r#"{"value": 13}"#,
        &["-q", "1"],
    );
    source.wait_readings(1, WAIT).await;
    let seen = source.stop().await;
    let got: Vec<_> = readings(&seen).iter().map(|r| r.value).collect();
    assert_eq!(got, [13.0]);

    // Accept: the kept value keeps its quality.
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.subscriptions[0].retained = RetainedPolicy::Accept;
    let mut source = spawn_source(config, "retained-accept");
    source.wait_readings(1, WAIT).await;
    let seen = source.stop().await;
    assert_eq!(readings(&seen)[0].quality, Quality::Good);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_payloads_become_decode_errors_and_the_rest_flows() {
    let Some(tools) = tools("malformed_payloads_become_decode_errors_and_the_rest_flows") else {
        return;
    };
    let broker = Broker::start(&tools);
    let mut source = spawn_source(source_config(&broker, &[SEED_TOPIC]), "malformed");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    let lines: Vec<String> = [
        r#"{"value": 1}"#,
        r#"{"value": 2"#,
        r#"{"value": 3}"#,
        r#"{"reading": 4}"#,
        r#"{"value": "four"}"#,
        r#"{"value": 5, "time": "soon"}"#,
        r#"{"value": 6, "quality": "great"}"#,
        r#"[{"value": 7}, {"value": {}}]"#,
        r#"{"value": 8}"#,
    ]
    .iter()
    .map(|line| line.to_string())
    .collect();
    broker.publish_lines(&tools, "steam/north/traps/T-9/status", &lines, &["-q", "1"]);
    source
        .wait_until(WAIT, "4 readings and 6 errors", |seen| {
            readings(seen).len() >= 4 && errors(seen).len() >= 6
        })
        .await;
    let seen = source.stop().await;
    let values: Vec<_> = readings(&seen).iter().map(|r| r.value).collect();
    assert_eq!(values, [1.0, 3.0, 7.0, 8.0]);
    let reasons: Vec<_> = errors(&seen).iter().map(|e| e.reason).collect();
    assert_eq!(
        reasons,
        [
            "bad_json",
            "missing_field",
            "wrong_type",
            "bad_time",
            "bad_quality",
            "wrong_type"
        ]
    );
    for error in errors(&seen) {
        assert_eq!(error.source, "malformed");
        assert!(
            error.origin.starts_with("steam/north/traps/T-9/status"),
            "{error:?}"
        );
        assert!(!error.payload.is_empty());
        assert!(!error.message.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payload_arrays_field_paths_and_plain_numbers() {
    let Some(tools) = tools("payload_arrays_field_paths_and_plain_numbers") else {
        return;
    };
    let broker = Broker::start(&tools);
    let mut batch = SubscriptionConfig::new("steam/{plant}/{network}/generation");
    batch.fields.readings = "points".into();
    batch.fields.tag = "name".into();
    batch.fields.time = "/meta/ts".into();
    batch.fields.value = "v".into();
    batch.time_format = TimeFormat::UnixS;
    let mut plain = SubscriptionConfig::new("raw/{plant}/{tag}");
    plain.format = PayloadFormat::Number;
    plain.unit = Some("barg".into());
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.subscriptions.push(batch);
    config.subscriptions.push(plain);
    let mut source = spawn_source(config, "shapes");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    let points = r#"{"points": [
        {"name": "hp.flow", "v": 1200.5, "meta": {"ts": 1735689600}},
        {"name": "hp.pressure", "v": 10.2, "meta": {"ts": 1735689600.25}}
    ]}"#;
    broker.publish(&tools, "steam/north/hp/generation", points, &["-q", "1"]);
    broker.publish(&tools, "raw/north/PT-1", " 9.75 ", &["-q", "1"]);
    source.wait_readings(3, WAIT).await;
    let seen = source.stop().await;
    let got: Vec<_> = readings(&seen)
        .iter()
        .map(|r| {
            (
                r.tag.to_string(),
                r.value,
                r.time_ms,
                r.unit.as_ref().map(|u| u.to_string()),
            )
        })
        .collect();
    assert_eq!(got[0], ("hp.flow".into(), 1200.5, 1_735_689_600_000, None));
    assert_eq!(
        got[1],
        ("hp.pressure".into(), 10.2, 1_735_689_600_250, None)
    );
    assert_eq!(got[2].0, "PT-1");
    assert_eq!(got[2].1, 9.75);
    assert_eq!(got[2].3.as_deref(), Some("barg"));
    // Plain numbers carry the receive time: within the test's minute.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - got[2].2).abs() < 60_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rumqttc_publisher_at_qos_2_is_read_in_order() {
    let Some(tools) = tools("a_rumqttc_publisher_at_qos_2_is_read_in_order") else {
        return;
    };
    let broker = Broker::start(&tools);
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.subscriptions[0].qos = Qos::EXACTLY_ONCE;
    let mut source = spawn_source(config, "qos2");
    source.wait_subscribed(&broker, &tools, PROBE).await;

    let mut options = MqttOptions::new("test-publisher", "127.0.0.1", broker.port);
    options.set_keep_alive(Duration::from_secs(5));
    // mosquitto takes at most max_inflight_messages (20) unconfirmed QoS 1/2
    // messages from a client and drops the rest while acknowledging them.
    options.set_inflight(20);
    let (client, mut eventloop) = AsyncClient::new(options, 100);
    let count = 200;
    let publisher = tokio::spawn(async move {
        for i in 0..count {
            let payload = format!(
                r#"{{"value": {i}, "time": {}}}"#,
                1_735_689_600_000i64 + i64::from(i)
            );
            client
                .publish(
                    "steam/east/traps/T-2/status",
                    QoS::ExactlyOnce,
                    false,
                    payload,
                )
                .await
                .expect("queue the publish");
        }
        client
    });
    let mut completed = 0;
    let deadline = tokio::time::Instant::now() + WAIT;
    while completed < count {
        match tokio::time::timeout_at(deadline, eventloop.poll()).await {
            Ok(Ok(Event::Incoming(Packet::PubComp(_)))) => completed += 1,
            Ok(Ok(Event::Outgoing(Outgoing::Disconnect))) => break,
            Ok(Ok(_)) => {}
            Ok(Err(error)) => panic!("publisher: {error}"),
            Err(_) => panic!("publisher: only {completed} of {count} completed"),
        }
    }
    let _client = publisher.await.expect("publisher task");
    source.wait_readings(count as usize, WAIT).await;
    let seen = source.stop().await;
    let values: Vec<_> = readings(&seen).iter().map(|r| r.value).collect();
    let expected: Vec<_> = (0..count).map(f64::from).collect();
    assert_eq!(values, expected, "exactly once and in order");
}
