//! `steamflow run` with network sources against real peers: our own Modbus
//! TCP server serving a plant, a mosquitto broker fed by `mosquitto_pub`;
//! `run --check` against live and dead endpoints; `/metrics` and `/ready`
//! scraped during a run. Every wait is bounded.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_core::testing::{find_program, free_port, require};
use steamflow_source_modbus::server::{ModbusServer, layout};
use tokio_util::sync::CancellationToken;

/// The served plant: tags of the demo plant `north` and their steady values
/// (barg, °C, kg/h).
const PLANT: &[(&str, f64)] = &[
    ("north.hp.pressure", 10.0),
    ("north.hp.temperature", 200.0),
    ("north.lp.pressure", 3.0),
    ("north.lp.temperature", 150.0),
    ("north.b1.flow", 9000.0),
];

/// The longest a `steamflow` run may take in these tests.
const RUN_LIMIT: Duration = Duration::from_secs(120);

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("steamflow-live-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The demo plant `north` and a JSON Lines sink of the outputs under test.
fn plant_and_sinks() -> String {
    let demo = steamflow::config::DEMO_CONFIG;
    let start = demo.find("[plants.north]").unwrap();
    let end = demo.find("[alerts.").unwrap();
    format!(
        "{}\n[sinks.files]\ntype = \"jsonl\"\n\
         inputs = [\"window_aggregates\", \"steam_states\", \"dead_letters\"]\ndir = \"out\"\n",
        &demo[start..end]
    )
}

/// A Modbus TCP server on a free loopback port serving [`PLANT`], on its
/// own runtime; stopped on drop.
struct Plc {
    address: SocketAddr,
    tags: Vec<steamflow_source_modbus::TagConfig>,
    shutdown: CancellationToken,
    _runtime: tokio::runtime::Runtime,
}

impl Plc {
    fn start() -> Plc {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let tags = layout("north", PLANT.iter().map(|(tag, _)| (*tag, None)), 1, 0).unwrap();
        let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let server = runtime.block_on(ModbusServer::bind(bind, &tags)).unwrap();
        let address = server.local_addr().unwrap();
        let values = server.values();
        for (tag, value) in PLANT {
            let reading = Reading {
                time_ms: 0,
                plant: "north".into(),
                tag: (*tag).into(),
                value: *value,
                quality: Quality::Good,
                unit: None,
            };
            assert!(values.apply(&reading), "{tag} is served");
        }
        let shutdown = CancellationToken::new();
        let (_feed, rx) = tokio::sync::mpsc::channel(1);
        runtime.spawn(server.run(rx, shutdown.clone()));
        Plc {
            address,
            tags,
            shutdown,
            _runtime: runtime,
        }
    }

    /// A modbus source reading the served tags from `port`.
    fn source(&self, id: &str, port: u16) -> String {
        self.source_of(id, port, |_| true)
    }

    /// A modbus source reading the served tags that `pick` keeps.
    fn source_of(&self, id: &str, port: u16, pick: impl Fn(&str) -> bool) -> String {
        let mut toml = format!(
            "[sources.{id}]\ntype = \"modbus\"\nplant = \"north\"\n\n\
             [[sources.{id}.devices]]\nname = \"plc\"\nhost = \"127.0.0.1\"\nport = {port}\n\
             poll_interval_ms = 200\ntimeout_ms = 1000\n"
        );
        for tag in self.tags.iter().filter(|t| pick(&t.tag)) {
            toml.push_str(&format!(
                "\n[[sources.{id}.devices.tags]]\ntag = \"{}\"\nregister_type = \"holding\"\n\
                 address = {}\ndata_type = \"float32\"\n",
                tag.tag, tag.address
            ));
        }
        toml
    }
}

impl Drop for Plc {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn write_config(dir: &Path, sources: &str) -> PathBuf {
    let path = dir.join("steamflow.toml");
    std::fs::write(&path, format!("{sources}\n{}", plant_and_sinks())).unwrap();
    path
}

/// A `steamflow` process with its output in files (no pipe to fill);
/// killed on drop.
struct Run {
    child: Child,
    dir: PathBuf,
}

impl Run {
    fn start(dir: &Path, args: &[&str]) -> Run {
        let stdout = std::fs::File::create(dir.join("stdout.txt")).unwrap();
        let stderr = std::fs::File::create(dir.join("stderr.txt")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_steamflow"))
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .unwrap();
        Run {
            child,
            dir: dir.to_owned(),
        }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.txt")).unwrap_or_default()
    }

    /// Waits for the end, at most [`RUN_LIMIT`].
    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + RUN_LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "steamflow did not end within {RUN_LIMIT:?}; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` on `port`: the status code and body; `None` while nothing listens.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let code = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((code, body.to_owned()))
}

/// Polls `GET path` until `done` accepts the answer, at most `limit`.
fn get_until(
    port: u16,
    path: &str,
    limit: Duration,
    done: impl Fn(u16, &str) -> bool,
) -> Option<(u16, String)> {
    let deadline = Instant::now() + limit;
    let mut last = None;
    while Instant::now() < deadline {
        last = get(port, path);
        if let Some((code, body)) = &last
            && done(*code, body)
        {
            return last;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    last
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn steamflow(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A plant served over Modbus TCP by our own server, read by `steamflow
/// run` on two workers (one source each: headers, and the rest): windows
/// and steam states of the served tags come out, `/ready` turns 200 once
/// both sources connected and `/metrics` shows their counters.
#[test]
fn a_plant_served_over_modbus_is_analysed_with_metrics_and_readiness() {
    let plc = Plc::start();
    let dir = scratch("modbus");
    let port = plc.address.port();
    let headers = |tag: &str| tag.contains(".hp.") || tag.contains(".lp.");
    let sources = format!(
        "{}\n{}",
        plc.source_of("plc", port, headers),
        plc.source_of("boilers", port, |tag| !headers(tag))
    );
    let config = write_config(&dir, &sources);
    let api = free_port();
    let listen = format!("127.0.0.1:{api}");
    let mut run = Run::start(
        &dir,
        &[
            "run",
            config.to_str().unwrap(),
            "--duration",
            "5s",
            "--listen",
            &listen,
            "--quiet",
            "-w",
            "2",
        ],
    );
    let ready = get_until(api, "/ready", Duration::from_secs(30), |code, _| {
        code == 200
    });
    assert_eq!(
        ready.as_ref().map(|(code, _)| *code),
        Some(200),
        "/ready: {ready:?}; stderr:\n{}",
        run.stderr()
    );
    assert_eq!(get(api, "/health").map(|(code, _)| code), Some(200));
    let metrics = get_until(api, "/metrics", Duration::from_secs(30), |_, body| {
        body.lines().any(|line| {
            line.starts_with("component_received_events_total")
                && line.contains("component_id=\"plc\"")
                && !line.ends_with(" 0")
        })
    });
    let (_, body) = metrics.unwrap_or_default();
    assert!(
        body.contains(
            "component_received_events_total{component_id=\"plc\",component_kind=\"modbus\"}"
        ),
        "/metrics:\n{body}"
    );
    assert!(
        body.contains("component_errors_total") && body.contains("component_reconnects_total"),
        "/metrics:\n{body}"
    );
    let status = run.wait();
    let stderr = run.stderr();
    assert!(status.success(), "exit {status:?}; stderr:\n{stderr}");
    assert!(stderr.contains("source `plc` connected"), "{stderr}");
    assert!(stderr.contains("source `boilers` connected"), "{stderr}");

    let windows = lines(&dir.join("out/window_aggregates.jsonl"));
    for (tag, value) in PLANT {
        let window = windows
            .iter()
            .find(|w| w["tag"] == *tag && w["window"] == "1m")
            .unwrap_or_else(|| panic!("no 1-minute window of {tag} in {windows:?}"));
        assert_eq!(window["plant"], "north");
        // The served float32 values read back exactly.
        assert_eq!(window["min"].as_f64(), Some(*value), "{window}");
        assert_eq!(window["max"].as_f64(), Some(*value), "{window}");
    }
    let states = lines(&dir.join("out/steam_states.jsonl"));
    assert!(
        states.iter().any(|s| s.to_string().contains("hp")),
        "no steam state of header hp: {states:?}"
    );
}

/// `run --check` says which endpoint is unreachable and fails; against the
/// live server it reads each tag and passes.
#[test]
fn run_check_reports_each_modbus_tag_or_why_it_is_unreachable() {
    let plc = Plc::start();
    let dir = scratch("check");
    let live = write_config(&dir, &plc.source("plc", plc.address.port()));
    let output = steamflow(&["run", "--check", live.to_str().unwrap()], &dir);
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("ok    source `plc`"), "{stdout}");
    for (tag, _) in PLANT {
        assert!(stdout.contains(tag), "{tag} not in the report:\n{stdout}");
    }

    let dead_port = free_port();
    let dead = write_config(&dir, &plc.source("plc", dead_port));
    let output = steamflow(&["run", "--check", dead.to_str().unwrap()], &dir);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("FAIL  source `plc`"), "{stderr}");
    assert!(
        stderr.contains(&format!("127.0.0.1:{dead_port}")),
        "the report names the endpoint:\n{stderr}"
    );
    assert!(
        stderr.contains("1 of 1 source failed the check"),
        "{stderr}"
    );
}

/// Readings published with `mosquitto_pub` to a real broker come out as
/// windows when the run is stopped with SIGTERM; a malformed payload lands
/// in the dead letters with its reason.
#[test]
fn readings_over_a_real_mosquitto_broker_reach_windows_and_dead_letters() {
    let test = "readings_over_a_real_mosquitto_broker_reach_windows_and_dead_letters";
    let what = "the mosquitto broker and clients (Debian: mosquitto, mosquitto-clients)";
    let Some(mosquitto) = require(find_program("mosquitto"), what, test) else {
        return;
    };
    let Some(publish) = require(find_program("mosquitto_pub"), what, test) else {
        return;
    };
    let dir = scratch("mqtt");
    let broker = Broker::start(&mosquitto, &dir);
    let config = write_config(
        &dir,
        &format!(
            "[sources.broker]\ntype = \"mqtt\"\n\n[sources.broker.broker]\nhost = \"127.0.0.1\"\n\
             port = {}\nclient_id = \"steamflow-test\"\n\n\
             [[sources.broker.subscriptions]]\ntopic = \"steam/{{plant}}/{{tag}}\"\nqos = 1\n",
            broker.port
        ),
    );
    let api = free_port();
    let listen = format!("127.0.0.1:{api}");
    let mut run = Run::start(
        &dir,
        &[
            "run",
            config.to_str().unwrap(),
            "--listen",
            &listen,
            "--quiet",
        ],
    );
    let ready = get_until(api, "/ready", Duration::from_secs(30), |code, _| {
        code == 200
    });
    assert_eq!(
        ready.as_ref().map(|(code, _)| *code),
        Some(200),
        "/ready: {ready:?}; stderr:\n{}",
        run.stderr()
    );
    // Published for a few seconds: the subscription may settle after the
    // connection, and every message after it counts.
    let publishing = Instant::now() + Duration::from_secs(4);
    while Instant::now() < publishing {
        for (tag, value) in PLANT {
            broker.publish(
                &publish,
                &format!("steam/north/{tag}"),
                &format!("{{\"value\": {value}}}"),
            );
        }
        broker.publish(&publish, "steam/north/north.b1.flow", "{not json");
        std::thread::sleep(Duration::from_millis(200));
    }
    // SIGTERM: a graceful stop that closes the open windows and flushes the sinks.
    let pid = run.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = run.wait();
    let stderr = run.stderr();
    assert!(status.success(), "exit {status:?}; stderr:\n{stderr}");

    let windows = lines(&dir.join("out/window_aggregates.jsonl"));
    for (tag, value) in PLANT {
        let window = windows
            .iter()
            .find(|w| w["tag"] == *tag && w["window"] == "1m")
            .unwrap_or_else(|| panic!("no 1-minute window of {tag} in {windows:?}\n{stderr}"));
        assert_eq!(window["max"].as_f64(), Some(*value), "{window}");
    }
    let dead = lines(&dir.join("out/dead_letters.jsonl"));
    let undecoded = dead
        .iter()
        .find(|d| d["reason"] == "decode")
        .unwrap_or_else(|| panic!("no dead letter of the malformed payload in {dead:?}"));
    assert_eq!(undecoded["tag"], "steam/north/north.b1.flow", "{undecoded}");
    // The connector's own reason is shown and counted.
    assert!(stderr.contains("bad_json"), "{stderr}");
}

/// A mosquitto broker on a free loopback port; killed on drop.
struct Broker {
    port: u16,
    child: Child,
}

impl Broker {
    fn start(program: &Path, dir: &Path) -> Broker {
        let port = free_port();
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\npersistence false\nallow_anonymous true\n"),
        )
        .unwrap();
        let child = Command::new(program)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let broker = Broker { port, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        broker
    }

    fn publish(&self, program: &Path, topic: &str, payload: &str) {
        let output = Command::new(program)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q", "1"])
            .args(["-t", topic, "-m", payload])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "mosquitto_pub: {}",
            text(&output.stderr)
        );
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
