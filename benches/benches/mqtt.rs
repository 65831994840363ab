//! Readings per second through the MQTT source and the HTTP ingest source,
//! end to end on loopback: a publisher (rumqttc) or client (reqwest) and
//! the connector run in this process, a real mosquitto broker in another;
//! the clock runs from the first message sent to the last reading taken
//! out of the source's channel.
//!
//! Run: `cargo bench -p steamflow-benches --bench mqtt`
//! (`STEAMFLOW_BENCH_MESSAGES` sets the messages per MQTT case, default
//! 100000). Without mosquitto the MQTT cases are skipped with a reason.
//!
//! Cases:
//! - MQTT QoS 0 and QoS 1, one reading per message (`{"time", "value"}`
//!   JSON, plant and tag from the topic `steam/{plant}/traps/{tag}/status`);
//! - MQTT QoS 1, ten readings per message (a JSON array);
//! - HTTP ingest, NDJSON requests of 1000 readings, two clients.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, Event, MqttOptions, QoS};
use steamflow_source_core::SourceEvent;
use steamflow_source_core::testing::{find_program, free_port};
use steamflow_source_http::{HttpSource, HttpSourceConfig};
use steamflow_source_mqtt::{ConnectionConfig, MqttSourceConfig, Qos, SubscriptionConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const T0: i64 = 1_735_689_600_000;

struct Broker {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Broker {
    fn start(program: &PathBuf) -> Broker {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let config = dir.path().join("mosquitto.conf");
        std::fs::write(
            &config,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_type error\n"),
        )
        .expect("write mosquitto.conf");
        let child = Command::new(program)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mosquitto");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Broker {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts readings taken from the source's channel until `expected` or a
/// quiet second; returns (readings, decode errors, time of the last).
async fn consume(mut rx: mpsc::Receiver<SourceEvent>, expected: usize) -> (usize, usize, Instant) {
    let (mut readings, mut errors, mut last) = (0, 0, Instant::now());
    while readings < expected {
        match tokio::time::timeout(Duration::from_secs(2), rx.recv()).await {
            Ok(Some(SourceEvent::Batch(batch))) => {
                readings += batch.readings.len();
                errors += batch.errors.len();
                last = Instant::now();
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    (readings, errors, last)
}

/// One MQTT case: `messages` messages of `per_message` readings at `qos`.
async fn mqtt_case(broker: &Broker, qos: u8, messages: usize, per_message: usize) {
    let mut broker_config = ConnectionConfig::new("127.0.0.1", broker.port);
    broker_config.clean_session = Some(true);
    let mut subscription = SubscriptionConfig::new("steam/{plant}/traps/{tag}/status");
    subscription.qos = Qos::try_from(qos).expect("QoS 0..=2");
    let config = MqttSourceConfig::new(broker_config, vec![subscription]);
    let (tx, mut rx) = mpsc::channel(1024);
    let shutdown = CancellationToken::new();
    let source = tokio::spawn(steamflow_source_mqtt::run(
        config,
        "bench",
        tx,
        shutdown.clone(),
    ));

    let mut options = MqttOptions::new(
        format!("bench-publisher-{qos}-{per_message}"),
        "127.0.0.1",
        broker.port,
    );
    options.set_keep_alive(Duration::from_secs(30));
    // mosquitto's max_inflight_messages: more unacknowledged QoS 1 messages are dropped.
    options.set_inflight(20);
    options.set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut eventloop) = AsyncClient::new(options, 1000);
    let driver = tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    });
    // Wait until the source is subscribed: probe until a reading comes back.
    let qos_level = match qos {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    };
    loop {
        client
            .publish(
                "steam/probe/traps/probe/status",
                QoS::AtMostOnce,
                false,
                "0",
            )
            .await
            .expect("probe");
        match tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            Ok(Some(SourceEvent::Batch(batch))) if !batch.readings.is_empty() => break,
            _ => {}
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    while rx.try_recv().is_ok() {}

    let payloads: Vec<(String, String)> = (0..messages)
        .map(|i| {
            let topic = format!("steam/north/traps/T-{}/status", i % 100);
            let payload = if per_message == 1 {
                format!(r#"{{"time": {}, "value": {}.5}}"#, T0 + i as i64, i % 1000)
            } else {
                let items: Vec<String> = (0..per_message)
                    .map(|k| {
                        format!(
                            r#"{{"time": {}, "value": {}.5}}"#,
                            T0 + (i * per_message + k) as i64,
                            k
                        )
                    })
                    .collect();
                format!("[{}]", items.join(","))
            };
            (topic, payload)
        })
        .collect();
    let expected = messages * per_message;
    let consumer = tokio::spawn(consume(rx, expected));
    let started = Instant::now();
    for (topic, payload) in payloads {
        client
            .publish(topic, qos_level, false, payload)
            .await
            .expect("publish");
    }
    let (readings, errors, last) = consumer.await.expect("consumer");
    let elapsed = last.duration_since(started).as_secs_f64();
    println!(
        "mqtt qos {qos}, {per_message:>2} reading(s)/message: {readings:>8} of {expected} readings in {elapsed:6.2} s = {:>9.0} readings/s ({:>8.0} messages/s){}",
        readings as f64 / elapsed,
        readings as f64 / per_message as f64 / elapsed,
        if errors > 0 {
            format!(", {errors} decode errors")
        } else {
            String::new()
        }
    );
    let _ = client.disconnect().await;
    let _ = tokio::time::timeout(Duration::from_secs(2), driver).await;
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), source).await;
}

async fn http_case(requests: usize, per_request: usize, clients: usize) {
    let token = "bench-token-0123456789";
    let config = HttpSourceConfig::new("127.0.0.1:0".parse().expect("address"), token);
    let (tx, mut rx) = mpsc::channel(64);
    let server = HttpSource::bind(&config, "bench", tx).await.expect("bind");
    let address = server.local_addr().expect("address");
    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(server.serve(shutdown.clone()));
    let _connected = rx.recv().await;
    let body: String = (0..per_request)
        .map(|i| {
            format!(
                r#"{{"time": {}, "plant": "north", "tag": "boiler{}.flow", "value": {}.25, "unit": "t/h"}}"#,
                T0 + i as i64,
                i % 50,
                i
            ) + "\n"
        })
        .collect();
    let expected = requests * per_request;
    let consumer = tokio::spawn(consume(rx, expected));
    let started = Instant::now();
    // reqwest's rustls comes without a default provider in this workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let body = body.clone();
        let url = format!("http://{address}/ingest");
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().build().expect("client");
            for _ in (c..requests).step_by(clients) {
                let response = client
                    .post(&url)
                    .bearer_auth(token)
                    .header("content-type", "application/x-ndjson")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("request");
                assert_eq!(response.status().as_u16(), 200);
            }
        }));
    }
    for task in tasks {
        task.await.expect("client");
    }
    let (readings, errors, last) = consumer.await.expect("consumer");
    let elapsed = last.duration_since(started).as_secs_f64();
    println!(
        "http ingest, NDJSON {per_request} readings/request, {clients} clients: {readings} of {expected} readings in {elapsed:.2} s = {:.0} readings/s ({:.0} requests/s){}",
        readings as f64 / elapsed,
        requests as f64 / elapsed,
        if errors > 0 {
            format!(", {errors} rejected")
        } else {
            String::new()
        }
    );
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), serving).await;
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too:
    // keep that quick.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let messages: usize = std::env::var("STEAMFLOW_BENCH_MESSAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if quick { 1000 } else { 100_000 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        match find_program("mosquitto") {
            None => println!(
                "mqtt: SKIPPED, mosquitto is not installed (run scripts/setup-services.sh)"
            ),
            Some(program) => {
                let broker = Broker::start(&program);
                mqtt_case(&broker, 0, messages, 1).await;
                mqtt_case(&broker, 1, messages, 1).await;
                mqtt_case(&broker, 1, messages / 10, 10).await;
            }
        }
        http_case(if quick { 10 } else { 1000 }, 1000, 2).await;
    });
}
