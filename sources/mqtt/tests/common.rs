//! Real peers for the tests: a mosquitto broker per test on a free loopback
//! port (killed on drop), mosquitto_pub/mosquitto_sub as independent
//! clients, and helpers that wait for events — every wait bounded.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use steamflow_operators::reading::Reading;
use steamflow_source_core::testing::{find_program, free_port, require};
use steamflow_source_core::{DecodeError, Gap, SourceEvent};
use steamflow_source_mqtt::{ConnectionConfig, MqttSourceConfig, SubscriptionConfig};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The programs a test needs, or `None` (skipped, or a failure under CI).
pub struct Tools {
    pub mosquitto: PathBuf,
    pub mosquitto_pub: PathBuf,
    pub mosquitto_sub: PathBuf,
    pub mosquitto_passwd: PathBuf,
}

pub fn tools(test: &str) -> Option<Tools> {
    let what = "the mosquitto broker and clients (Debian: mosquitto, mosquitto-clients)";
    Some(Tools {
        mosquitto: require(find_program("mosquitto"), what, test)?,
        mosquitto_pub: require(find_program("mosquitto_pub"), what, test)?,
        mosquitto_sub: require(find_program("mosquitto_sub"), what, test)?,
        mosquitto_passwd: require(find_program("mosquitto_passwd"), what, test)?,
    })
}

/// A mosquitto broker on 127.0.0.1:`port`, configured by `mosquitto.conf`
/// in its own folder.
pub struct Broker {
    pub port: u16,
    pub dir: tempfile::TempDir,
    program: PathBuf,
    child: Option<Child>,
}

impl Broker {
    /// An anonymous broker.
    pub fn start(tools: &Tools) -> Broker {
        Self::start_with(tools, "allow_anonymous true\n")
    }

    /// A broker with extra config lines (after the listener line).
    pub fn start_with(tools: &Tools, extra: &str) -> Broker {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let config = format!(
            "listener {port} 127.0.0.1\npersistence false\nlog_dest file {}\nlog_type all\n{extra}",
            dir.path().join("mosquitto.log").display()
        );
        std::fs::write(dir.path().join("mosquitto.conf"), config).expect("write mosquitto.conf");
        let mut broker = Broker {
            port,
            dir,
            program: tools.mosquitto.clone(),
            child: None,
        };
        broker.launch();
        broker
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn launch(&mut self) {
        let child = Command::new(&self.program)
            .arg("-c")
            .arg(self.path("mosquitto.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mosquitto");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen on {} within 10 s; log:\n{}",
                self.port,
                std::fs::read_to_string(self.path("mosquitto.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the broker (no goodbye to clients, sessions forgotten).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills and starts it again on the same port, with no memory of sessions.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    pub fn connection(&self) -> ConnectionConfig {
        let mut broker = ConnectionConfig::new("127.0.0.1", self.port);
        broker.backoff.initial_ms = 50;
        broker.backoff.max_ms = 500;
        broker.keep_alive_secs = 5;
        broker.connect_timeout_secs = 3;
        broker
    }

    /// `mosquitto_pub` one message; `args` such as `["-q", "1", "-r"]`.
    pub fn publish(&self, tools: &Tools, topic: &str, payload: &str, args: &[&str]) {
        let output = Command::new(&tools.mosquitto_pub)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-t",
                topic,
                "-m",
                payload,
            ])
            .args(args)
            .output()
            .expect("run mosquitto_pub");
        assert!(
            output.status.success(),
            "mosquitto_pub failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `mosquitto_pub -l`: one message per line of `lines`, one connection.
    pub fn publish_lines(&self, tools: &Tools, topic: &str, lines: &[String], args: &[&str]) {
        let mut child = Command::new(&tools.mosquitto_pub)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-t",
                topic,
                "-l",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run mosquitto_pub");
        {
            let mut stdin = child.stdin.take().expect("stdin");
            for line in lines {
                writeln!(stdin, "{line}").expect("write to mosquitto_pub");
            }
        }
        let output = child.wait_with_output().expect("mosquitto_pub");
        assert!(
            output.status.success(),
            "mosquitto_pub -l failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// A `mosquitto_sub -v` on `topic`, its lines read on a thread.
    pub fn subscriber(&self, tools: &Tools, topic: &str, args: &[&str]) -> Subscriber {
        let mut child = Command::new(&tools.mosquitto_sub)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-t",
                topic,
                "-v",
            ])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run mosquitto_sub");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std_mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Subscriber { child, lines: rx }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running mosquitto_sub.
pub struct Subscriber {
    child: Child,
    lines: std_mpsc::Receiver<String>,
}

impl Subscriber {
    /// The next output line (`topic payload`), waiting at most `timeout`.
    pub fn line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// Publishes probes on `topic` until this subscriber prints one: then
    /// it is surely subscribed.
    pub fn wait_ready(&self, broker: &Broker, tools: &Tools, probe_topic: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            broker.publish(tools, probe_topic, "probe", &[]);
            if let Some(line) = self.line(Duration::from_millis(200)) {
                assert!(line.starts_with(probe_topic), "unexpected line {line}");
                // Drain further probes.
                while self.line(Duration::from_millis(100)).is_some() {}
                return;
            }
        }
        panic!("mosquitto_sub never subscribed");
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The certificate-less, anonymous source config for `topics`.
pub fn source_config(broker: &Broker, topics: &[&str]) -> MqttSourceConfig {
    MqttSourceConfig::new(
        broker.connection(),
        topics
            .iter()
            .map(|topic| SubscriptionConfig::new(*topic))
            .collect(),
    )
}

/// A source running on the test's runtime, with its events.
pub struct RunningSource {
    pub events: mpsc::Receiver<SourceEvent>,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<Result<(), steamflow_source_mqtt::Error>>,
    /// Everything received so far, in order.
    pub seen: Vec<SourceEvent>,
}

pub fn spawn_source(config: MqttSourceConfig, id: &str) -> RunningSource {
    let (tx, events) = mpsc::channel(64);
    let shutdown = CancellationToken::new();
    let id = id.to_owned();
    let token = shutdown.clone();
    let task =
        tokio::spawn(async move { steamflow_source_mqtt::run(config, &id, tx, token).await });
    RunningSource {
        events,
        shutdown,
        task,
        seen: Vec::new(),
    }
}

impl RunningSource {
    /// Receives events until `done` says so of everything seen, or `timeout`.
    pub async fn wait_until(
        &mut self,
        timeout: Duration,
        what: &str,
        mut done: impl FnMut(&[SourceEvent]) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.seen) {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => self.seen.push(event),
                Ok(None) => panic!("the source ended while waiting for {what}: {:?}", self.seen),
                Err(_) => panic!("timed out waiting for {what}; seen: {:#?}", self.seen),
            }
        }
    }

    /// Waits until `count` readings in total have arrived.
    pub async fn wait_readings(&mut self, count: usize, timeout: Duration) {
        self.wait_until(timeout, &format!("{count} readings"), |seen| {
            readings(seen).len() >= count
        })
        .await;
    }

    /// Waits until connected; then publishes probes on `probe_topic` (which
    /// a subscription must match) until one arrives: the subscriptions are
    /// then in place. The probes are removed from `seen`.
    pub async fn wait_subscribed(&mut self, broker: &Broker, tools: &Tools, probe_topic: &str) {
        self.wait_until(Duration::from_secs(10), "Connected", |seen| {
            seen.iter()
                .any(|e| matches!(e, SourceEvent::Connected { .. }))
        })
        .await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            broker.publish(tools, probe_topic, "-1", &[]);
            let got = tokio::time::timeout(Duration::from_millis(300), async {
                loop {
                    match self.events.recv().await {
                        Some(event) => {
                            let probe = matches!(&event, SourceEvent::Batch(b)
                                if b.readings.iter().any(|r| r.value == -1.0));
                            self.seen.push(event);
                            if probe {
                                return;
                            }
                        }
                        None => return,
                    }
                }
            })
            .await;
            if got.is_ok() {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never subscribed: {:?}",
                self.seen
            );
        }
        // Late probes may still come: give them a moment, then forget them.
        tokio::time::sleep(Duration::from_millis(100)).await;
        while let Ok(event) = self.events.try_recv() {
            self.seen.push(event);
        }
        for event in &mut self.seen {
            if let SourceEvent::Batch(batch) = event {
                batch.readings.retain(|r| r.value != -1.0);
            }
        }
    }

    /// Stops the source and waits for it to end.
    pub async fn stop(mut self) -> Vec<SourceEvent> {
        self.shutdown.cancel();
        let result = tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .expect("the source stops within 5 s")
            .expect("the source task does not panic");
        assert!(result.is_ok(), "{result:?}");
        while let Ok(event) = self.events.try_recv() {
            self.seen.push(event);
        }
        self.seen
    }
}

pub fn readings(events: &[SourceEvent]) -> Vec<&Reading> {
    events
        .iter()
        .filter_map(|event| match event {
            SourceEvent::Batch(batch) => Some(batch.readings.iter()),
            _ => None,
        })
        .flatten()
        .collect()
}

pub fn errors(events: &[SourceEvent]) -> Vec<&DecodeError> {
    events
        .iter()
        .filter_map(|event| match event {
            SourceEvent::Batch(batch) => Some(batch.errors.iter()),
            _ => None,
        })
        .flatten()
        .collect()
}

pub fn gaps(events: &[SourceEvent]) -> Vec<&Gap> {
    events
        .iter()
        .filter_map(|event| match event {
            SourceEvent::Gap(gap) => Some(gap),
            _ => None,
        })
        .collect()
}

pub fn count(events: &[SourceEvent], kind: fn(&SourceEvent) -> bool) -> usize {
    events.iter().filter(|event| kind(event)).count()
}

pub fn is_connected(event: &SourceEvent) -> bool {
    matches!(event, SourceEvent::Connected { .. })
}

pub fn is_disconnected(event: &SourceEvent) -> bool {
    matches!(event, SourceEvent::Disconnected { .. })
}

/// Writes `text` to `path`.
pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write file");
}
