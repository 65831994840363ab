//! Peers, a cuttable TCP proxy and event helpers for the OPC UA tests.
//! Every wait is bounded; every child process is killed on drop.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use steamflow_operators::reading::Reading;
use steamflow_source_core::testing::{free_port, python, require};
use steamflow_source_core::{DecodeError, Gap, SourceEvent};
use steamflow_source_opcua::config::NodeConfig;
use steamflow_source_opcua::{CancellationToken, Error, OpcUaConfig};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Longest wait for anything a test expects.
pub const WAIT: Duration = Duration::from_secs(30);

/// The asyncua peer script. The crate folder is read when the test runs
/// (cargo sets it), not baked in when it is built: a test binary reused
/// from a build cache may have been built in another checkout.
pub fn peer_script() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
            PathBuf::from,
        )
        .join("tests/peers/asyncua_server.py")
}

/// The venv's Python with asyncua, or `None` (skipped with a reason, failed under CI).
pub fn asyncua_python(test: &str) -> Option<PathBuf> {
    require(python(), "Python with asyncua (.venv)", test)
}

/// A running asyncua server.
pub struct Asyncua {
    child: Child,
    pub port: u16,
    pub url: String,
    pub pki: PathBuf,
}

/// How to start the asyncua peer.
#[derive(Clone)]
pub struct PeerOptions {
    pub security: &'static str,
    pub user: Option<&'static str>,
    pub generation: u32,
    pub period_ms: u32,
}

impl Default for PeerOptions {
    fn default() -> Self {
        PeerOptions {
            security: "none",
            user: None,
            generation: 0,
            period_ms: 100,
        }
    }
}

impl Asyncua {
    pub async fn start(python: &Path, pki: &Path, port: u16, options: &PeerOptions) -> Asyncua {
        let mut command = Command::new(python);
        command
            .arg(peer_script())
            .args(["--port", &port.to_string()])
            .arg("--pki")
            .arg(pki)
            .args(["--security", options.security])
            .args(["--generation", &options.generation.to_string()])
            .args(["--period-ms", &options.period_ms.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(user) = options.user {
            command.args(["--user", user]);
        }
        let mut child = command.spawn().expect("start the asyncua peer");
        let stdout = child.stdout.take().expect("peer stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("READY") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready, Ok(true), "asyncua peer did not start on port {port}");
        // Keep reading stdout so the pipe never fills.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Asyncua {
            child,
            port,
            url: format!("opc.tcp://127.0.0.1:{port}/"),
            pki: pki.to_path_buf(),
        }
    }

    /// The server certificate the peer created (DER).
    pub fn certificate(&self) -> PathBuf {
        self.pki.join("server_cert.der")
    }

    /// Kills the peer at once, as a crash would.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
        let _ = tokio::time::timeout(WAIT, self.child.wait()).await;
    }
}

/// A TCP proxy on loopback that can drop every connection and refuse new
/// ones for a while: a network outage between client and server.
pub struct Proxy {
    pub port: u16,
    down: Arc<AtomicBool>,
    cut: Arc<tokio::sync::Notify>,
    task: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy addr").port();
        let down = Arc::new(AtomicBool::new(false));
        let cut = Arc::new(tokio::sync::Notify::new());
        let task = tokio::spawn(accept(listener, target, down.clone(), cut.clone()));
        Proxy {
            port,
            down,
            cut,
            task,
        }
    }

    /// Drops the open connections and refuses new ones for `outage`.
    pub async fn outage(&self, outage: Duration) {
        self.down.store(true, Ordering::SeqCst);
        self.cut.notify_waiters();
        tokio::time::sleep(outage).await;
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept(
    listener: TcpListener,
    target: SocketAddr,
    down: Arc<AtomicBool>,
    cut: Arc<tokio::sync::Notify>,
) {
    let mut pipes = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((mut client, _)) = accepted else { continue };
                if down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                pipes.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
            _ = cut.notified() => pipes.abort_all(),
        }
    }
}

/// A PKI folder for a client. All but the test of first creation reuse one
/// certificate made once per test run, so they do not each create an RSA key.
pub fn client_pki(dir: &Path) -> PathBuf {
    static SHARED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let shared = SHARED.get_or_init(|| {
        let path =
            std::env::temp_dir().join(format!("steamflow-opcua-client-{}", std::process::id()));
        steamflow_source_opcua::pki::prepare(&path, "steamflow", "urn:steamflow:opcua-client")
            .expect("shared client certificate");
        path
    });
    let pki = dir.join("pki");
    for file in [
        steamflow_source_opcua::pki::OWN_CERTIFICATE,
        steamflow_source_opcua::pki::OWN_PRIVATE_KEY,
    ] {
        let to = pki.join(file);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("pki dir");
        std::fs::copy(shared.join(file), &to).expect("copy client certificate");
    }
    pki
}

/// A node bound to tag `tag` (plant from the source).
pub fn node(node_id: &str, tag: &str) -> NodeConfig {
    NodeConfig {
        node_id: node_id.to_owned(),
        tag: tag.to_owned(),
        plant: None,
        unit: None,
        mode: None,
        publishing_interval_ms: None,
        sampling_interval_ms: None,
        queue_size: None,
        deadband_absolute: None,
        deadband_percent: None,
        poll_interval_ms: None,
        history_backfill: None,
    }
}

/// A polled node.
pub fn polled(node_id: &str, tag: &str, interval_ms: u64) -> NodeConfig {
    NodeConfig {
        mode: Some(steamflow_source_opcua::Mode::Poll),
        poll_interval_ms: Some(interval_ms),
        ..node(node_id, tag)
    }
}

/// A config with quick intervals for tests.
pub fn config(url: &str, pki: &Path, nodes: Vec<NodeConfig>) -> OpcUaConfig {
    let mut config = OpcUaConfig::new(url, nodes);
    config.plant = Some("test".into());
    config.pki_dir = pki.to_path_buf();
    config.publishing_interval_ms = 100;
    config.sampling_interval_ms = Some(50);
    config.request_timeout_ms = 5_000;
    config.keep_alive_interval_ms = 1_000;
    config.reconnect.initial_ms = 100;
    config.reconnect.max_ms = 1_000;
    config
}

/// A running source and what it sent.
pub struct Running {
    pub events: mpsc::Receiver<SourceEvent>,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<Result<(), Error>>,
}

impl Running {
    pub fn start(config: OpcUaConfig) -> Running {
        let (tx, events) = mpsc::channel(4096);
        let shutdown = CancellationToken::new();
        let task = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { steamflow_source_opcua::run(config, "opc", tx, shutdown).await }
        });
        Running {
            events,
            shutdown,
            task,
        }
    }

    /// Receives events until `done` says so, or panics after `WAIT`.
    pub async fn until(
        &mut self,
        what: &str,
        mut done: impl FnMut(&SourceEvent) -> bool,
    ) -> Vec<SourceEvent> {
        let mut seen = Vec::new();
        let result = tokio::time::timeout(WAIT, async {
            while let Some(event) = self.events.recv().await {
                let finished = done(&event);
                seen.push(event);
                if finished {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(
            result,
            Ok(true),
            "waited for {what}; events so far: {:#?}",
            summarize(&seen)
        );
        seen
    }

    /// Stops the source; it must end cleanly and quickly.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let ended = tokio::time::timeout(WAIT, self.task).await;
        match ended {
            Ok(Ok(Ok(()))) => {}
            other => panic!("source did not stop cleanly: {other:?}"),
        }
    }
}

/// The readings in some events.
pub fn readings(events: &[SourceEvent]) -> Vec<Reading> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Batch(batch) => Some(batch.readings.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The decode errors in some events.
pub fn errors(events: &[SourceEvent]) -> Vec<DecodeError> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Batch(batch) => Some(batch.errors.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The gaps in some events.
pub fn gaps(events: &[SourceEvent]) -> Vec<Gap> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Gap(gap) => Some(gap.clone()),
            _ => None,
        })
        .collect()
}

/// A short description of events, for failure messages.
pub fn summarize(events: &[SourceEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            SourceEvent::Batch(b) => format!(
                "batch: {} readings {:?}, errors {:?}",
                b.readings.len(),
                b.readings
                    .iter()
                    .take(6)
                    .map(|r| (r.tag.to_string(), r.value, r.quality))
                    .collect::<Vec<_>>(),
                b.errors
                    .iter()
                    .map(|e| (e.reason, e.message.clone()))
                    .collect::<Vec<_>>()
            ),
            other => format!("{other:?}"),
        })
        .collect()
}

/// A fresh loopback port.
pub fn port() -> u16 {
    free_port()
}
