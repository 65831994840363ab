//! `steamflow simulate --serve opcua,modbus,mqtt`: the simulated plant,
//! live, over the protocols plants speak — in real time or at `--speed`
//! times real time, from now on, until Ctrl-C or `--duration`.
//!
//! - OPC UA: a server with every tag as a Double variable `ns=2;s=<tag>`
//!   (value, quality as status code, event time as source timestamp, and
//!   an hour of history for HistoryRead), security None, anonymous;
//! - Modbus TCP: a server with each plant's tags as float32 holding
//!   registers (ABCD), two per tag in the plant's order from address 0
//!   (0-based, as on the wire), plant *n* on unit id *n*;
//! - MQTT: every reading published as JSON (`time`, `plant`, `tag`,
//!   `value`, `quality`, `unit`) to a broker, on a topic template.
//!
//! `--config-out` writes the config that reads the served plant back
//! ([`super::live_config`]); `--out` records what was served as the
//! historian files `steamflow simulate` writes.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use steamflow_operators::reading::{Reading, format_utc_ms};
use steamflow_source_modbus::config::TagConfig;
use steamflow_source_modbus::server::{ModbusServer, ServerValues, layout};
use steamflow_source_mqtt::{ConnectionConfig, MqttSink, MqttSinkConfig};
use steamflow_source_opcua::server::{self as opcua_server, RunningServer, ServerOptions, TagSpec};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::live_config::{self, Endpoints};
use super::{CONFIG_FILE, READINGS_FILE, Running, SimulateArgs, csv_row, replay_config};
use crate::config::Config;

/// The protocols the simulator serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Protocol {
    /// An OPC UA server.
    Opcua,
    /// A Modbus TCP server.
    Modbus,
    /// Readings published to an MQTT broker.
    Mqtt,
}

impl Protocol {
    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Opcua => "opcua",
            Protocol::Modbus => "modbus",
            Protocol::Mqtt => "mqtt",
        }
    }
}

/// The options of `steamflow simulate --serve`.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Serve the plant live over these protocols (comma separated: opcua,
    /// modbus, mqtt) instead of writing files; runs until Ctrl-C or
    /// `--duration` (simulated seconds).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub serve: Vec<Protocol>,
    /// Serving: simulated time per real time; 60 plays a minute a second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Serving: address of the OPC UA server.
    #[arg(long, default_value = "127.0.0.1:4840")]
    pub opcua_bind: SocketAddr,
    /// Serving: address of the Modbus TCP server (502, the standard port,
    /// needs root).
    #[arg(long, default_value = "127.0.0.1:5020")]
    pub modbus_bind: SocketAddr,
    /// Serving: the MQTT broker readings are published to,
    /// `mqtt://host[:port]`.
    #[arg(long, default_value = "mqtt://127.0.0.1:1883")]
    pub mqtt_broker: String,
    /// Serving: the topic of each reading; `{plant}` and `{tag}` are
    /// filled in (a `/` in a value becomes `_`).
    #[arg(long, default_value = "steam/{plant}/tags/{tag}")]
    pub mqtt_topic: String,
    /// Serving: write the config that reads the served plant back with
    /// `steamflow run` (through the first protocol of `--serve`; the others
    /// are in it as comments).
    #[arg(long, requires = "serve")]
    pub config_out: Option<PathBuf>,
}

impl Default for ServeArgs {
    fn default() -> ServeArgs {
        ServeArgs {
            serve: Vec::new(),
            speed: 1.0,
            opcua_bind: SocketAddr::from(([127, 0, 0, 1], 4840)),
            modbus_bind: SocketAddr::from(([127, 0, 0, 1], 5020)),
            mqtt_broker: "mqtt://127.0.0.1:1883".to_owned(),
            mqtt_topic: "steam/{plant}/tags/{tag}".to_owned(),
            config_out: None,
        }
    }
}

/// Simulated seconds of a run that only Ctrl-C ends: a century.
pub const FOREVER_SECS: u64 = 100 * 365 * 24 * 3600;
/// Client id of the simulator's MQTT connection.
pub const MQTT_CLIENT_ID: &str = "simulator";
/// Batches of readings waiting for the MQTT publisher before they are
/// counted as not published (the broker is away or slower than the plant).
const MQTT_QUEUE: usize = 1_000;
/// Batches served at most before the config is written even though a tag
/// has no value yet (one held back by a fault).
const ANNOUNCE_AFTER: u64 = 30;
/// How long the end of a run waits for the MQTT queue to drain.
const MQTT_DRAIN: Duration = Duration::from_secs(15);

/// The start of a served run: now, on a whole sample interval, as RFC 3339.
pub fn start_time(interval_ms: u64) -> String {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let interval = u128::from(interval_ms.max(1));
    let start = i64::try_from(now_ms - now_ms % interval).unwrap_or_default();
    format_utc_ms(start)
}

/// Runs the simulators of `config` live over the protocols of `args`.
pub(super) fn run(
    args: &SimulateArgs,
    config: &Config,
    sims: Vec<Running>,
) -> anyhow::Result<ExitCode> {
    let serve = &args.live;
    if !(serve.speed.is_finite() && serve.speed > 0.0) {
        bail!(
            "--speed must be a number greater than 0, found {}",
            serve.speed
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve_all(args, config, sims))
}

/// What the readings go to.
struct Targets {
    opcua: Option<RunningServer>,
    modbus: Option<ServerValues>,
    mqtt: Option<MqttFeed>,
    record: Option<BufWriter<File>>,
}

/// The MQTT publisher task and its queue.
struct MqttFeed {
    tx: mpsc::Sender<Vec<Reading>>,
    /// Readings queued for the publisher.
    queued: u64,
    /// Readings not queued because the queue was full.
    refused: u64,
    /// Readings handed to the broker connection.
    published: Arc<AtomicU64>,
    /// Stops the connection when the drain takes too long.
    stop: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn serve_all(
    args: &SimulateArgs,
    config: &Config,
    mut sims: Vec<Running>,
) -> anyhow::Result<ExitCode> {
    let serve = &args.live;
    // In the order given: the first is the one the written config reads.
    let mut protocols: Vec<Protocol> = Vec::new();
    for protocol in &serve.serve {
        if !protocols.contains(protocol) {
            protocols.push(*protocol);
        }
    }
    let shutdown = CancellationToken::new();
    let mut endpoints = Endpoints::default();
    let mut targets = Targets {
        opcua: None,
        modbus: None,
        mqtt: None,
        record: None,
    };
    let mut lines = Vec::new();
    if protocols.contains(&Protocol::Opcua) {
        let tags = opcua_tags(&sims)?;
        let server = opcua_server::start(ServerOptions::new(serve.opcua_bind), &tags)
            .await
            .with_context(|| format!("cannot serve OPC UA on {}", serve.opcua_bind))?;
        endpoints.opcua = Some(live_config::opcua(
            &client_url(server.local_addr(), "opc.tcp", "/"),
            &sims,
        ));
        lines.push(format!(
            "  OPC UA  {}  {} variables ns=2;s=<tag>",
            server.endpoint_url(),
            tags.len()
        ));
        targets.opcua = Some(server);
    }
    if protocols.contains(&Protocol::Modbus) {
        let map = modbus_map(&sims)?;
        let server = ModbusServer::bind(serve.modbus_bind, &map).await?;
        let addr = server.local_addr().unwrap_or(serve.modbus_bind);
        targets.modbus = Some(server.values());
        // The readings are applied directly; the server's own feed stays empty.
        let (_feed, rx) = mpsc::channel(1);
        let stop = shutdown.clone();
        tokio::spawn(async move {
            if let Err(error) = server.run(rx, stop).await {
                eprintln!("error: {error}");
            }
        });
        endpoints.modbus = Some(live_config::modbus(&client_host(addr), addr.port(), map));
        lines.push(format!(
            "  Modbus  {addr}  float32 holding registers (ABCD), 2 per tag from 0, plant n on unit n"
        ));
    }
    if protocols.contains(&Protocol::Mqtt) {
        let broker = broker(&serve.mqtt_broker)?;
        let sink = MqttSinkConfig::new(broker.clone(), serve.mqtt_topic.clone());
        endpoints.mqtt = Some(live_config::mqtt(broker.clone(), &serve.mqtt_topic)?);
        targets.mqtt = Some(start_mqtt(&sink)?);
        lines.push(format!(
            "  MQTT    mqtt://{}  {}",
            broker.address(),
            serve.mqtt_topic
        ));
    }
    if let Some(dir) = &args.out {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(READINGS_FILE);
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut out = BufWriter::new(file);
        writeln!(out, "time,plant,tag,value,quality,unit")?;
        targets.record = Some(out);
    }
    let tag_count: usize = sims.iter().map(|s| s.sim.tags().len()).sum();
    println!(
        "serving {} tags of {} at {}× real time from {}; Ctrl-C stops",
        tag_count,
        plants(&sims),
        serve.speed,
        sims.first()
            .map(|s| s.settings.start_time.as_str())
            .unwrap_or_default()
    );
    for line in &lines {
        println!("{line}");
    }
    // Written once every tag holds a value (or after ANNOUNCE_AFTER samples,
    // when a fault keeps a tag silent): when it appears, the plant is live
    // and `run --check` finds a value on every node.
    let mut announce = None;
    if let Some(path) = &serve.config_out {
        let first = protocols.first().copied().unwrap_or(Protocol::Opcua);
        announce = Some((
            path.clone(),
            live_config::write(config, &sims, &endpoints, first)?,
        ));
    }
    let ctrl_c = shutdown.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });
    let started = std::time::Instant::now();
    let end_secs = args.duration_secs;
    let served = pace(
        &mut sims,
        &mut targets,
        serve.speed,
        end_secs,
        announce,
        &shutdown,
    )
    .await?;
    let elapsed = started.elapsed().as_secs_f64();
    shutdown.cancel();
    let mut failed = false;
    println!("served {served} readings in {elapsed:.0} s");
    if let Some(server) = targets.opcua.take() {
        server.stop().await;
    }
    if let Some(mqtt) = targets.mqtt.take() {
        failed |= finish_mqtt(mqtt).await;
    }
    if let (Some(mut record), Some(dir)) = (targets.record.take(), &args.out) {
        record.flush()?;
        let path = dir.join(CONFIG_FILE);
        fs::write(&path, replay_config(config, &sims)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!(
            "recorded what was served in {}; replay it with: steamflow run {}",
            dir.join(READINGS_FILE).display(),
            path.display()
        );
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Delivers the simulators' batches in time order, each when its time
/// comes; returns how many readings were served. Readings that the
/// network delays past the end (`end_secs` after the start) arrive at the
/// end: the run stops on time and still serves every reading.
async fn pace(
    sims: &mut [Running],
    targets: &mut Targets,
    speed: f64,
    end_secs: Option<u64>,
    mut announce: Option<(PathBuf, String)>,
    shutdown: &CancellationToken,
) -> anyhow::Result<u64> {
    let origin = Instant::now();
    let first_ms = sims
        .iter()
        .filter_map(|s| s.next.as_ref().map(|b| b.time_ms))
        .min()
        .unwrap_or_default();
    let mut served = 0_u64;
    let mut batches = 0_u64;
    let tag_count: usize = sims.iter().map(|s| s.sim.tags().len()).sum();
    let mut valued = std::collections::HashSet::new();
    let mut line = String::new();
    while let Some(running) = sims
        .iter_mut()
        .filter(|s| s.next.is_some())
        .min_by_key(|s| s.next.as_ref().map(|b| b.time_ms))
    {
        let Some(batch) = running.next.take() else {
            break;
        };
        let mut offset_ms = batch.time_ms.saturating_sub(first_ms);
        if let Some(end) = end_secs {
            offset_ms = offset_ms.min(i64::try_from(end.saturating_mul(1000)).unwrap_or(i64::MAX));
        }
        let offset_secs = offset_ms as f64 / 1000.0 / speed;
        let due = origin + Duration::try_from_secs_f64(offset_secs).unwrap_or(Duration::MAX);
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep_until(due) => {}
        }
        if let Some(server) = &targets.opcua {
            server.update(&batch.readings);
        }
        if let Some(values) = &targets.modbus {
            for reading in &batch.readings {
                values.apply(reading);
            }
        }
        if let Some(mqtt) = &mut targets.mqtt {
            let count = batch.readings.len() as u64;
            if mqtt.tx.try_send(batch.readings.clone()).is_ok() {
                mqtt.queued += count;
            } else {
                if mqtt.refused == 0 {
                    eprintln!(
                        "warning: MQTT: the broker does not keep up; readings are counted as not published"
                    );
                }
                mqtt.refused += count;
            }
        }
        if let Some(record) = &mut targets.record {
            for reading in &batch.readings {
                line.clear();
                csv_row(reading, &mut line);
                record.write_all(line.as_bytes())?;
            }
        }
        served += batch.readings.len() as u64;
        batches += 1;
        if announce.is_some() {
            valued.extend(
                batch
                    .readings
                    .iter()
                    .map(|r| (r.plant.clone(), r.tag.clone())),
            );
        }
        if (valued.len() >= tag_count || batches >= ANNOUNCE_AFTER)
            && let Some((path, text)) = announce.take()
        {
            fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            println!(
                "wrote {}: check it with `steamflow run --check {0}`, run it with `steamflow run {0}`",
                path.display()
            );
        }
        running.next = running.sim.next_batch();
    }
    Ok(served)
}

/// The OPC UA variables: every tag once (two plants may not share a tag).
fn opcua_tags(sims: &[Running]) -> anyhow::Result<Vec<TagSpec>> {
    let mut specs: Vec<TagSpec> = Vec::new();
    let mut owner = std::collections::HashMap::new();
    for running in sims {
        let plant = running.sim.plant_id().as_str();
        for (tag, unit) in running.sim.tags() {
            if let Some(other) = owner.insert(tag.to_string(), plant.to_owned())
                && other != plant
            {
                bail!(
                    "plants `{other}` and `{plant}` both have tag `{}`: OPC UA serves each tag once",
                    tag.as_str()
                );
            }
            specs.push(TagSpec::from((tag, unit)));
        }
    }
    Ok(specs)
}

/// The Modbus register map: plant n (from 1) on unit id n.
fn modbus_map(sims: &[Running]) -> anyhow::Result<Vec<TagConfig>> {
    let mut map = Vec::new();
    for (index, running) in sims.iter().enumerate() {
        let unit_id = u8::try_from(index + 1)
            .ok()
            .filter(|unit| *unit <= 247)
            .context("Modbus serves at most 247 plants (one per unit id)")?;
        let tags = running.sim.tags();
        let named: Vec<(&str, Option<&str>)> = tags
            .iter()
            .map(|(tag, unit)| (tag.as_str(), Some(unit.as_str()).filter(|u| !u.is_empty())))
            .collect();
        map.extend(layout(running.sim.plant_id().as_str(), named, unit_id, 0)?);
    }
    Ok(map)
}

/// The plants served, for messages.
fn plants(sims: &[Running]) -> String {
    let names: Vec<&str> = sims.iter().map(|s| s.sim.plant_id().as_str()).collect();
    match names.as_slice() {
        [one] => format!("plant {one}"),
        _ => format!("plants {}", names.join(", ")),
    }
}

/// The host a client connects to: the bound address, or loopback when
/// bound to every interface.
fn client_host(addr: SocketAddr) -> String {
    let ip = addr.ip();
    if ip.is_unspecified() {
        "127.0.0.1".to_owned()
    } else if ip.is_ipv6() {
        format!("[{ip}]")
    } else {
        ip.to_string()
    }
}

fn client_url(addr: SocketAddr, scheme: &str, path: &str) -> String {
    format!("{scheme}://{}:{}{path}", client_host(addr), addr.port())
}

/// The broker of `mqtt://host[:port]` (also `tcp://`, or no scheme).
pub fn broker(url: &str) -> anyhow::Result<ConnectionConfig> {
    let rest = url
        .strip_prefix("mqtt://")
        .or_else(|| url.strip_prefix("tcp://"))
        .unwrap_or(url);
    if rest.contains("://") {
        bail!("--mqtt-broker `{url}`: only mqtt:// (plain TCP) is offered");
    }
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') => {
            let port: u16 = port
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .with_context(|| format!("--mqtt-broker `{url}`: `{port}` is not a port"))?;
            (host, port)
        }
        _ => (rest, 1883),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        bail!("--mqtt-broker `{url}` names no host");
    }
    Ok(ConnectionConfig::new(host, port))
}

fn start_mqtt(config: &MqttSinkConfig) -> anyhow::Result<MqttFeed> {
    // Its own stop: the queue is drained after the plant stops.
    let stop = CancellationToken::new();
    let sink = MqttSink::start(config, MQTT_CLIENT_ID, stop.clone())?;
    let (tx, mut rx) = mpsc::channel::<Vec<Reading>>(MQTT_QUEUE);
    let published = Arc::new(AtomicU64::new(0));
    let done = Arc::clone(&published);
    let broker = config.broker.address();
    let task = tokio::spawn(async move {
        let mut warned = false;
        while let Some(batch) = rx.recv().await {
            if !warned && let Some(error) = sink.status().last_error {
                eprintln!("warning: MQTT broker {broker}: {error} (retrying)");
                warned = true;
            }
            for reading in &batch {
                sink.send_reading(reading).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }
        sink.close(Duration::from_secs(5)).await?;
        Ok(())
    });
    Ok(MqttFeed {
        tx,
        queued: 0,
        refused: 0,
        published,
        stop,
        task,
    })
}

/// Publishes what is queued (waiting at most [`MQTT_DRAIN`]), then
/// reports; true when readings were not published.
async fn finish_mqtt(feed: MqttFeed) -> bool {
    let MqttFeed {
        tx,
        queued,
        refused,
        published,
        stop,
        mut task,
    } = feed;
    drop(tx);
    let closed = match tokio::time::timeout(MQTT_DRAIN, &mut task).await {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => Err(anyhow::anyhow!("the MQTT publisher failed: {error}")),
        Err(_) => {
            stop.cancel();
            task.abort();
            Err(anyhow::anyhow!(
                "the broker took more than {} s to take the last readings",
                MQTT_DRAIN.as_secs()
            ))
        }
    };
    let published = published.load(Ordering::Relaxed);
    println!("MQTT: published {published} readings");
    let mut lost = false;
    let unpublished = refused + queued.saturating_sub(published);
    if unpublished > 0 {
        eprintln!(
            "warning: MQTT: {unpublished} readings not published (the broker was away or slow)"
        );
        lost = true;
    }
    if let Err(error) = closed {
        eprintln!("warning: MQTT: {error:#}");
        lost = true;
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_name_host_and_port() {
        let parsed = |url: &str| broker(url).ok().map(|b| (b.host.clone(), b.port()));
        assert_eq!(
            parsed("mqtt://127.0.0.1:1883"),
            Some(("127.0.0.1".into(), 1883))
        );
        assert_eq!(parsed("broker.local"), Some(("broker.local".into(), 1883)));
        assert_eq!(parsed("tcp://b:1884/"), Some(("b".into(), 1884)));
        assert_eq!(parsed("mqtt://[::1]:1885"), Some(("::1".into(), 1885)));
        assert!(broker("mqtts://b").is_err());
        assert!(broker("mqtt://b:0").is_err());
        assert!(broker("mqtt://:1883").is_err());
    }

    #[test]
    fn start_times_fall_on_the_interval() {
        let start = start_time(1000);
        assert!(start.ends_with(".000Z"), "{start}");
    }
}
