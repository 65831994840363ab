//! Peers and harness: the pymodbus server process, a running source with
//! bounded waits for its events, and config builders.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use steamflow_source_core::testing::{free_port, python, require};
use steamflow_source_core::{BackoffConfig, SourceBatch, SourceEvent};
use steamflow_source_modbus::{
    ByteOrder, DataType, DeviceConfig, Error, ModbusConfig, RegisterType, TagConfig,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The pymodbus server script. The crate folder is read when the test
/// runs (cargo sets it), not baked in when it is built: a test binary
/// reused from a build cache may have been built in another checkout.
fn script() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("tests/peers/pymodbus_server.py")
}

/// One request the pymodbus peer received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Req {
    pub unit: u8,
    pub function: u8,
    pub address: u16,
    pub count: u16,
}

/// A pymodbus server process serving a spec (see the script's docs).
pub struct PyModbus {
    python: PathBuf,
    pub port: u16,
    args: Vec<String>,
    child: Option<Child>,
    lines: Arc<Mutex<Vec<String>>>,
    dir: tempfile::TempDir,
}

impl PyModbus {
    /// Starts the peer, or `None` (test skipped, said why) when Python with
    /// pymodbus is missing outside CI.
    pub async fn start(test: &str, spec: &Value, extra: &[&str]) -> Option<PyModbus> {
        let python = require(python(), "the Python venv with pymodbus (.venv)", test)?;
        let dir = tempfile::tempdir().expect("a temp dir");
        let spec_path = dir.path().join("spec.json");
        std::fs::write(&spec_path, spec.to_string()).expect("the spec is written");
        let port = free_port();
        let mut args = vec![
            script().display().to_string(),
            "--port".into(),
            port.to_string(),
            "--spec".into(),
            spec_path.display().to_string(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let mut peer = PyModbus {
            python,
            port,
            args,
            child: None,
            lines: Arc::default(),
            dir,
        };
        peer.spawn().await;
        Some(peer)
    }

    /// Starts the process and waits (at most 30 s) until it listens.
    pub async fn spawn(&mut self) {
        let stderr = File::create(self.dir.path().join("stderr.txt")).expect("a log file");
        let mut child = Command::new(&self.python)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("python starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = Arc::clone(&self.lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        self.child = Some(child);
        let started = Instant::now();
        loop {
            let ready = format!("READY {}", self.port);
            if self.lines().contains(&ready) {
                // A restart prints READY again: forget this one.
                self.lines().retain(|l| *l != ready);
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("pymodbus peer exited ({status}): {}", self.stderr_tail());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "pymodbus peer not ready after 30 s: {}",
                self.stderr_tail()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn lines(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("stderr.txt")).unwrap_or_default();
        let start = text.len().saturating_sub(2000);
        text.get(start..).unwrap_or_default().to_owned()
    }

    /// Kills the process (as a crash would).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Req> {
        self.lines()
            .iter()
            .filter_map(|line| {
                let mut fields = line.strip_prefix("REQ ")?.split(' ');
                Some(Req {
                    unit: fields.next()?.parse().ok()?,
                    function: fields.next()?.parse().ok()?,
                    address: fields.next()?.parse().ok()?,
                    count: fields.next()?.parse().ok()?,
                })
            })
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.lines().retain(|l| !l.starts_with("REQ "));
    }
}

impl Drop for PyModbus {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One typed value for the pymodbus spec.
pub fn spec_value(
    table: &str,
    address: u16,
    data_type: DataType,
    order: ByteOrder,
    value: f64,
) -> Value {
    let integer = !matches!(data_type, DataType::Float32 | DataType::Float64);
    json!({
        "table": table,
        "address": address,
        "type": data_type.as_str(),
        "order": order.as_str(),
        "value": if integer { json!(value as i64) } else { json!(value) },
    })
}

/// One bit for the pymodbus spec.
pub fn spec_bit(table: &str, address: u16, value: bool) -> Value {
    json!({ "table": table, "address": address, "value": value })
}

/// A spec of units and their values.
pub fn spec(units: &[(u8, Vec<Value>)]) -> Value {
    let devices: Vec<Value> = units
        .iter()
        .map(|(unit, values)| json!({ "unit": unit, "values": values }))
        .collect();
    json!({ "devices": devices })
}

/// A register tag.
pub fn tag(
    name: &str,
    kind: RegisterType,
    address: u16,
    data_type: DataType,
    order: ByteOrder,
) -> TagConfig {
    let mut tag = TagConfig::new(name, kind, address);
    tag.data_type = Some(data_type);
    tag.byte_order = order;
    tag
}

/// A source of one device at 127.0.0.1:`port`, plant "north", quick
/// polls and backoff.
pub fn config(port: u16, tags: Vec<TagConfig>) -> ModbusConfig {
    let mut device = DeviceConfig::new("127.0.0.1", port);
    device.poll_interval_ms = 200;
    device.timeout_ms = 1000;
    device.tags = tags;
    ModbusConfig {
        plant: Some("north".into()),
        backoff: BackoffConfig {
            initial_ms: 50,
            max_ms: 400,
        },
        devices: vec![device],
    }
}

/// A running source and its events.
pub struct Source {
    rx: mpsc::Receiver<SourceEvent>,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), Error>>>,
    /// Every event received, in order.
    pub seen: Vec<SourceEvent>,
}

impl Source {
    pub fn start(config: ModbusConfig) -> Source {
        let (tx, rx) = mpsc::channel(64);
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let task =
            tokio::spawn(
                async move { steamflow_source_modbus::run(&config, "plc", tx, token).await },
            );
        Source {
            rx,
            shutdown,
            task: Some(task),
            seen: Vec::new(),
        }
    }

    /// The next event, within `within`.
    pub async fn next(&mut self, within: Duration) -> SourceEvent {
        match tokio::time::timeout(within, self.rx.recv()).await {
            Ok(Some(event)) => {
                self.seen.push(event.clone());
                event
            }
            Ok(None) => panic!("the source ended; events: {:#?}", self.seen),
            Err(_) => panic!(
                "no event within {within:?}; events so far: {:#?}",
                self.seen
            ),
        }
    }

    /// Events until one matches (returned), within `within` in all.
    pub async fn until(
        &mut self,
        within: Duration,
        mut matches: impl FnMut(&SourceEvent) -> bool,
    ) -> SourceEvent {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.next(left).await;
            if matches(&event) {
                return event;
            }
        }
    }

    /// The next batch.
    pub async fn batch(&mut self, within: Duration) -> SourceBatch {
        match self
            .until(within, |e| matches!(e, SourceEvent::Batch(_)))
            .await
        {
            SourceEvent::Batch(batch) => batch,
            _ => unreachable!(),
        }
    }

    /// The next batch with a reading of every one of `tags`.
    pub async fn batch_with(&mut self, within: Duration, tags: &[&str]) -> SourceBatch {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let batch = self.batch(left).await;
            if tags
                .iter()
                .all(|t| batch.readings.iter().any(|r| r.tag.as_str() == *t))
            {
                return batch;
            }
        }
    }

    /// Stops the source and returns what `run` returned.
    pub async fn stop(mut self) -> Result<(), Error> {
        self.shutdown.cancel();
        let task = self.task.take().expect("running");
        match tokio::time::timeout(Duration::from_secs(5), task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => panic!("the source task failed: {join}"),
            Err(_) => panic!("the source did not stop within 5 s of shutdown"),
        }
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The value of `tag` in a batch.
pub fn value(batch: &SourceBatch, tag: &str) -> Option<f64> {
    batch
        .readings
        .iter()
        .find(|r| r.tag.as_str() == tag)
        .map(|r| r.value)
}
