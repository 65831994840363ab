//! Peers of the live tests: a mosquitto broker on a free loopback port,
//! `mosquitto_sub` read on a thread, the `steamflow` binary as a child —
//! each killed on drop, every wait bounded.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use steamflow_source_core::testing::{find_program, free_port, require};

/// A fresh folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("steamflow-live-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A child process killed on drop.
pub struct Guard(pub Option<Child>);

impl Guard {
    /// Waits for the child to exit, at most `limit`; its exit status.
    pub fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let child = self.0.as_mut().expect("a child");
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the child did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `steamflow <args>` in `dir`, stdout and stderr to files there.
pub fn steamflow(args: &[&str], dir: &Path, log: &str) -> Guard {
    let out = std::fs::File::create(dir.join(format!("{log}.out"))).unwrap();
    let err = std::fs::File::create(dir.join(format!("{log}.err"))).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    Guard(Some(child))
}

/// What a `steamflow` child printed, for failure messages.
pub fn logs(dir: &Path, log: &str) -> String {
    let read =
        |ext: &str| std::fs::read_to_string(dir.join(format!("{log}.{ext}"))).unwrap_or_default();
    format!("stdout:\n{}\nstderr:\n{}", read("out"), read("err"))
}

/// Waits until `path` exists, at most `limit`.
pub fn wait_for_file(path: &Path, limit: Duration, why: impl Fn() -> String) {
    let deadline = Instant::now() + limit;
    while !path.is_file() {
        assert!(
            Instant::now() < deadline,
            "{} not written within {limit:?}\n{}",
            path.display(),
            why()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The mosquitto programs, or `None` (skipped, or a failure under CI).
pub struct Mosquitto {
    broker: PathBuf,
    sub: PathBuf,
    publish: PathBuf,
}

pub fn mosquitto(test: &str) -> Option<Mosquitto> {
    let what = "the mosquitto broker and clients (Debian: mosquitto, mosquitto-clients)";
    Some(Mosquitto {
        broker: require(find_program("mosquitto"), what, test)?,
        sub: require(find_program("mosquitto_sub"), what, test)?,
        publish: require(find_program("mosquitto_pub"), what, test)?,
    })
}

/// A broker on 127.0.0.1, anonymous, without persistence.
pub struct Broker {
    pub port: u16,
    _process: Guard,
}

impl Broker {
    pub fn start(tools: &Mosquitto, dir: &Path) -> Broker {
        let port = free_port();
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
        )
        .unwrap();
        let child = Command::new(&tools.broker)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let process = Guard(Some(child));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Broker {
            port,
            _process: process,
        }
    }

    /// A `mosquitto_sub -v -q 1` on `filter`, subscribed when this returns
    /// (a probe message published on `probe` came through).
    pub fn subscriber(&self, tools: &Mosquitto, filter: &str, probe: &str) -> Subscriber {
        let mut child = Command::new(&tools.sub)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-t",
                filter,
                "-v",
                "-q",
                "1",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let subscriber = Subscriber {
            lines: rx,
            _process: Guard(Some(child)),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(
                Instant::now() < deadline,
                "mosquitto_sub did not subscribe within 10 s"
            );
            let status = Command::new(&tools.publish)
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-t",
                    probe,
                    "-m",
                    "probe",
                ])
                .status()
                .unwrap();
            assert!(status.success(), "mosquitto_pub failed");
            if let Ok(line) = subscriber.lines.recv_timeout(Duration::from_millis(300)) {
                assert!(line.starts_with(probe), "{line}");
                return subscriber;
            }
        }
    }

    /// The retained message of `topic`, if any within `limit`.
    pub fn retained(&self, tools: &Mosquitto, topic: &str, limit: Duration) -> Option<String> {
        let output = Command::new(&tools.sub)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-t",
                topic,
                "-C",
                "1",
                "-W",
                &limit.as_secs().max(1).to_string(),
                "--retained-only",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        (!text.is_empty()).then_some(text)
    }
}

/// Lines of a `mosquitto_sub -v`: `topic payload`.
pub struct Subscriber {
    lines: mpsc::Receiver<String>,
    _process: Guard,
}

impl Subscriber {
    /// Messages (topic, payload) until `count` arrived or `limit` passed.
    pub fn take(&self, count: usize, limit: Duration) -> Vec<(String, String)> {
        let deadline = Instant::now() + limit;
        let mut out = Vec::new();
        while out.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.lines.recv_timeout(left) else {
                break;
            };
            if let Some((topic, payload)) = line.split_once(' ') {
                out.push((topic.to_owned(), payload.to_owned()));
            }
        }
        out
    }
}

/// The readings of a `readings.csv`: (tag, values served) and the row count.
pub fn served_values(path: &Path) -> (BTreeMap<String, Vec<f64>>, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert!(fields.len() >= 5, "{line}");
        let value: f64 = fields[3].parse().unwrap_or(f64::NAN);
        values.entry(fields[2].to_owned()).or_default().push(value);
        rows += 1;
    }
    (values, rows)
}
