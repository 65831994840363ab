//! The configured sinks, subscribed to their `inputs` by name.
//!
//! - `jsonl`: `<dir>/<stream>.jsonl`, one JSON object per update:
//!   `{"time":…,<fields>,"diff":…}` ([`JsonlSink`]);
//! - `parquet`: `<dir>/<stream>.parquet`, a `time` column, the record's
//!   columns and `diff` ([`ParquetStream`]);
//! - `console`: the terminal view ([`ConsoleStream`]), fed updates as they
//!   are made (live), not when the watermark settles them;
//! - `clickhouse`: one table per stream ([`ClickHouseStream`]), through the
//!   sink's disk spool; the sink is started once per run on worker 0 and
//!   drains its spool when the last stream closes;
//! - `alerts`: alert routing ([`AlertsStream`]), fed live like the console;
//! - `mqtt`: each settled record published as JSON to a broker
//!   ([`mqtt::MqttPublisher`]).
//!
//! An input names a stream the graph publishes, a source id (that source's
//! raw readings, written before the graph by the worker that owns the
//! source, in the historian layout the file source replays), or a prefix
//! ending in `*`. A built-in stream this build does not produce is skipped
//! with a warning, not an error: the config stays valid as stages land.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Sender;

use steamflow_operators::reading::Reading;
use steamflow_sink_clickhouse::{ClickHouseConfig, ClickHouseSink};
use steamflow_sink_jsonl::ReadingsWriter;
use steamflow_sink_parquet::ParquetWriter;
use steamflow_sink_parquet::arrow_types::Field;
use steamflow_source_mqtt::MqttSinkConfig;

use super::alerts::{AlertsKind, AlertsStream};
use super::clickhouse::ClickHouseStream;
use super::console::{ConsoleEvent, ConsoleStream};
use super::parquet::ParquetStream;
use super::status::{Status, StreamOutput};
use crate::config::sinks::{ConsoleFormat, SinkConfig};
use crate::config::{BUILTIN_STREAMS, Config};
use crate::dataflow::{JsonlSink, LineSink, Outputs, RecordSink, SinkRecord, Time};

mod mqtt;

/// Where a sink writes.
#[derive(Clone, Debug, PartialEq)]
pub enum SinkKind {
    /// JSON Lines files in a folder.
    Jsonl(PathBuf),
    /// Parquet files in a folder.
    Parquet(PathBuf),
    /// The terminal; `true` for JSON lines rather than text.
    Console(bool),
    /// ClickHouse, with its spool folder resolved.
    ClickHouse(Box<ClickHouseConfig>),
    /// Alert channels, through a router started with the sinks.
    Alerts(AlertsKind),
    /// An MQTT broker.
    Mqtt(Box<MqttSinkConfig>),
}

/// One sink: its id, kind and inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkSpec {
    /// The sink id.
    pub id: String,
    /// Where it writes.
    pub kind: SinkKind,
    /// The streams (or patterns) it subscribes to.
    pub inputs: Vec<String>,
}

/// The sinks of a config, with their folders resolved (and the alert
/// routers started: close them with [`super::alerts::routers`]).
pub fn sinks_of(config: &Config) -> Vec<SinkSpec> {
    config
        .sinks
        .iter()
        .map(|(id, sink)| SinkSpec {
            id: id.clone(),
            kind: match sink {
                SinkConfig::Jsonl(s) => SinkKind::Jsonl(config.resolve(&s.dir)),
                SinkConfig::Parquet(s) => SinkKind::Parquet(config.resolve(&s.dir)),
                SinkConfig::Console(s) => SinkKind::Console(s.format == ConsoleFormat::Json),
                SinkConfig::Clickhouse(s) => {
                    let mut settings = s.clone();
                    settings.spool_dir = config.resolve(&settings.spool_dir);
                    SinkKind::ClickHouse(Box::new(settings))
                }
                SinkConfig::Alerts(s) => SinkKind::Alerts(AlertsKind::start(id, s, config)),
                SinkConfig::Mqtt(s) => SinkKind::Mqtt(Box::new(s.publisher())),
            },
            inputs: sink.inputs().to_vec(),
        })
        .collect()
}

/// The streams of `available` (and source ids of `sources`) that `inputs`
/// select, in the order first selected; and the inputs that select nothing
/// this build produces.
pub fn resolve(
    inputs: &[String],
    available: &[String],
    sources: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut selected = Vec::new();
    let mut missing = Vec::new();
    for input in inputs {
        let matches: Vec<&String> = match input.strip_suffix('*') {
            Some(prefix) => available
                .iter()
                .chain(sources)
                .filter(|name| name.starts_with(prefix))
                .collect(),
            None => available
                .iter()
                .chain(sources)
                .filter(|name| *name == input)
                .collect(),
        };
        if matches.is_empty() {
            missing.push(input.clone());
        }
        for name in matches {
            if !selected.contains(name) {
                selected.push(name.clone());
            }
        }
    }
    (selected, missing)
}

/// Subscribes every sink to its graph streams on one worker; records each
/// file in `status` (on worker 0, which writes them). Source streams are
/// left to [`RawSinks`].
pub fn attach(
    sinks: &[SinkSpec],
    outputs: &Outputs<'_>,
    sources: &[String],
    worker: usize,
    status: &Status,
    console: Option<&Sender<ConsoleEvent>>,
) {
    let available: Vec<String> = outputs.names().map(str::to_owned).collect();
    for sink in sinks {
        let clickhouse = match &sink.kind {
            SinkKind::ClickHouse(settings) if worker == 0 => {
                match ClickHouseSink::start(settings.as_ref().clone()) {
                    Ok(started) => Some(Arc::new(started)),
                    Err(error) => {
                        status.warn(format!("sink `{}`: {error}", sink.id));
                        None
                    }
                }
            }
            _ => None,
        };
        let (selected, missing) = resolve(&sink.inputs, &available, sources);
        if worker == 0 {
            for input in missing {
                let why = if BUILTIN_STREAMS.contains(&input.as_str()) {
                    "this build does not produce it yet"
                } else {
                    "no such stream"
                };
                status.warn(format!(
                    "sink `{}`: input `{input}` skipped: {why}",
                    sink.id
                ));
            }
        }
        // One connection per sink, shared by its streams, on the worker that publishes.
        let publisher = match &sink.kind {
            SinkKind::Mqtt(config) if worker == 0 => {
                Some(mqtt::MqttPublisher::start(config, &sink.id))
            }
            _ => None,
        };
        for stream in selected.iter().filter(|s| !sources.contains(s)) {
            if let Some(publisher) = &publisher {
                let output = StreamOutput::new(&sink.id, stream, None);
                status.add_output(Arc::clone(&output));
                let record_sink =
                    mqtt::MqttStream::new(stream, Some(Arc::clone(publisher)), output);
                if let Err(error) = outputs.subscribe_records(stream, Box::new(record_sink)) {
                    status.warn(format!("sink `{}`: {error}", sink.id));
                }
                continue;
            }
            let record_sink = match &sink.kind {
                SinkKind::ClickHouse(_) => clickhouse_sink(
                    sink,
                    stream,
                    outputs.columns(stream).ok().flatten(),
                    clickhouse.as_ref(),
                    status,
                ),
                _ => stream_sink(sink, stream, outputs, worker, status, console),
            };
            // The terminal shows updates as they are made; files hold them settled.
            let subscribed = match sink.kind {
                SinkKind::Console(_) | SinkKind::Alerts(_) => {
                    outputs.subscribe_live(stream, record_sink)
                }
                _ => outputs.subscribe_records(stream, record_sink),
            };
            if let Err(error) = subscribed {
                status.warn(format!("sink `{}`: {error}", sink.id));
            }
        }
    }
}

fn stream_sink(
    sink: &SinkSpec,
    stream: &str,
    outputs: &Outputs<'_>,
    worker: usize,
    status: &Status,
    console: Option<&Sender<ConsoleEvent>>,
) -> Box<dyn RecordSink> {
    let open = worker == 0;
    let output = |path: Option<PathBuf>| {
        let output = StreamOutput::new(&sink.id, stream, path);
        if open {
            status.add_output(Arc::clone(&output));
        }
        output
    };
    match &sink.kind {
        SinkKind::Jsonl(dir) => Box::new(JsonlStream::open(dir, stream, open, output)),
        SinkKind::Parquet(dir) => {
            let columns = outputs.columns(stream).ok().flatten();
            let output = output(Some(dir.join(format!("{stream}.parquet"))));
            Box::new(ParquetStream::new(dir, stream, columns, open, output))
        }
        SinkKind::Console(json) => {
            let tx = if open { console.cloned() } else { None };
            Box::new(ConsoleStream::new(stream, tx, *json))
        }
        SinkKind::ClickHouse(_) => clickhouse_sink(sink, stream, None, None, status),
        SinkKind::Alerts(alerts) => {
            let output = output(None);
            if let (true, Err(error)) = (open, &alerts.router) {
                output.fail(error.clone());
            }
            Box::new(AlertsStream::new(alerts.clone(), output))
        }
        // Worker 0 publishes (see `attach`); the others receive no updates.
        SinkKind::Mqtt(_) => Box::new(mqtt::MqttStream::new(
            stream,
            None,
            StreamOutput::new(&sink.id, stream, None),
        )),
    }
}

/// The writer of a view's rows in `sink` (a JSON Lines or Parquet file,
/// the terminal, a ClickHouse table `view_<view>` created for it through
/// a spool of its own in `<spool_dir>/views/<view>`), its rows typed as
/// `fields`; why not for a sink that does not take views (alert sinks
/// route them through [`super::views`]).
pub(crate) fn view_sink(
    sink: &SinkSpec,
    view: &str,
    fields: Vec<steamflow_sink_parquet::arrow_types::Field>,
    status: &Status,
    console: Option<&Sender<ConsoleEvent>>,
) -> Result<Box<dyn RecordSink>, String> {
    let output = |path: Option<PathBuf>| {
        let output = StreamOutput::new(&sink.id, view, path);
        status.add_output(Arc::clone(&output));
        output
    };
    Ok(match &sink.kind {
        SinkKind::Jsonl(dir) => Box::new(JsonlStream::open(dir, view, true, output)),
        SinkKind::Parquet(dir) => {
            let output = output(Some(dir.join(format!("{view}.parquet"))));
            Box::new(ParquetStream::new(dir, view, Some(fields), true, output))
        }
        SinkKind::Console(json) => Box::new(ConsoleStream::new(view, console.cloned(), *json)),
        SinkKind::ClickHouse(settings) => {
            let mut settings = settings.as_ref().clone();
            settings.spool_dir = settings.spool_dir.join("views").join(view);
            let started = ClickHouseSink::start(settings).map_err(|e| e.to_string())?;
            let writer = started
                .stream_with_fields(view, &fields)
                .map_err(|e| e.to_string())?;
            Box::new(ClickHouseStream::new(
                Arc::new(started),
                writer,
                output(None),
            ))
        }
        SinkKind::Mqtt(_) => return Err("is not published over MQTT by this build".into()),
        SinkKind::Alerts(_) => return Err("is routed by the views, not as a stream".into()),
    })
}

/// A stream's ClickHouse writer, typed when the stream's records have
/// typed `columns`; one that discards everything where the sink is not
/// open (workers other than 0, or the sink failed to start).
fn clickhouse_sink(
    sink: &SinkSpec,
    stream: &str,
    columns: Option<Vec<Field>>,
    clickhouse: Option<&Arc<ClickHouseSink>>,
    status: &Status,
) -> Box<dyn RecordSink> {
    let Some(clickhouse) = clickhouse else {
        return Box::new(ClickHouseStream::closed());
    };
    let output = StreamOutput::new(&sink.id, stream, None);
    status.add_output(Arc::clone(&output));
    // A table whose columns the typed fields do not cover (one extended
    // by hand, say) still takes the records' JSON fields.
    let writer = match columns {
        Some(fields) => clickhouse
            .typed_stream(stream, &fields)
            .or_else(|_| clickhouse.stream(stream)),
        None => clickhouse.stream(stream),
    };
    match writer {
        Ok(writer) => Box::new(ClickHouseStream::new(
            Arc::clone(clickhouse),
            writer,
            output,
        )),
        Err(error) => {
            output.fail(error);
            Box::new(ClickHouseStream::closed())
        }
    }
}

/// A stream's JSON Lines file, counting rows and keeping the first error.
struct JsonlStream {
    file: JsonlSink,
    error: Arc<std::sync::Mutex<Option<String>>>,
    output: Arc<StreamOutput>,
    line: String,
}

impl JsonlStream {
    /// `<dir>/<stream>.jsonl`, opened when `open` (see [`JsonlSink::new`]);
    /// `output` makes the status entry of that path.
    fn open(
        dir: &Path,
        stream: &str,
        open: bool,
        output: impl FnOnce(Option<PathBuf>) -> Arc<StreamOutput>,
    ) -> JsonlStream {
        let file = JsonlSink::new(dir, stream, open);
        let output = output(Some(file.path().to_path_buf()));
        JsonlStream {
            error: file.error(),
            file,
            output,
            line: String::new(),
        }
    }
}

impl RecordSink for JsonlStream {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        self.line.clear();
        record.write_fields(&mut self.line);
        self.file.write(time, diff, &self.line);
        self.output.add_rows(1);
    }

    fn flush(&mut self) {
        self.file.flush();
    }
}

impl Drop for JsonlStream {
    fn drop(&mut self) {
        self.file.flush();
        if let Some(error) = super::status::lock(&self.error).clone() {
            self.output.fail(error);
        }
    }
}

/// The raw readings of one source, written where the source runs.
pub struct RawSinks {
    jsonl: Vec<(ReadingsWriter, Arc<StreamOutput>)>,
    parquet: Vec<(ParquetWriter<Reading>, Arc<StreamOutput>)>,
    console: Option<Sender<ConsoleEvent>>,
    source: String,
}

impl RawSinks {
    /// Opens the raw files of `source` that `sinks` subscribe to.
    pub fn open(
        sinks: &[SinkSpec],
        source: &str,
        sources: &[String],
        status: &Status,
        console: Option<&Sender<ConsoleEvent>>,
    ) -> RawSinks {
        let mut raw = RawSinks {
            jsonl: Vec::new(),
            parquet: Vec::new(),
            console: None,
            source: source.to_owned(),
        };
        for sink in sinks {
            let (selected, _) = resolve(&sink.inputs, &[], sources);
            if !selected.iter().any(|s| s == source) {
                continue;
            }
            match &sink.kind {
                SinkKind::Jsonl(dir) => {
                    let path = dir.join(format!("{source}.jsonl"));
                    let output = StreamOutput::new(&sink.id, source, Some(path.clone()));
                    status.add_output(Arc::clone(&output));
                    match create_dir(dir)
                        .and_then(|()| ReadingsWriter::create(&path).map_err(|e| e.to_string()))
                    {
                        Ok(writer) => raw.jsonl.push((writer, output)),
                        Err(error) => output.fail(error),
                    }
                }
                SinkKind::Parquet(dir) => {
                    let path = dir.join(format!("{source}.parquet"));
                    let output = StreamOutput::new(&sink.id, source, Some(path.clone()));
                    status.add_output(Arc::clone(&output));
                    match create_dir(dir).and_then(|()| {
                        ParquetWriter::<Reading>::create_without_diff(&path)
                            .map_err(|e| e.to_string())
                    }) {
                        Ok(writer) => raw.parquet.push((writer, output)),
                        Err(error) => output.fail(error),
                    }
                }
                SinkKind::Console(_) => raw.console = console.cloned(),
                SinkKind::ClickHouse(_) => status.warn(format!(
                    "sink `{}`: a source's raw readings do not go to ClickHouse; subscribe to `readings`",
                    sink.id
                )),
                // Alert channels route alerts, not raw readings (the config check says so).
                SinkKind::Alerts(_) => {}
                SinkKind::Mqtt(_) => status.warn(format!(
                    "sink `{}`: the raw readings of source `{source}` are not published over MQTT; subscribe to `readings`",
                    sink.id
                )),
            }
        }
        raw
    }

    /// True when nothing subscribes to the source.
    pub fn is_empty(&self) -> bool {
        self.jsonl.is_empty() && self.parquet.is_empty() && self.console.is_none()
    }

    /// Writes a batch of the source's readings.
    pub fn write(&mut self, readings: &[Reading]) {
        self.jsonl
            .retain_mut(|(writer, output)| match writer.push_all(readings) {
                Ok(()) => {
                    output.add_rows(readings.len() as u64);
                    true
                }
                Err(error) => {
                    output.fail(error);
                    false
                }
            });
        self.parquet
            .retain_mut(|(writer, output)| match writer.push_all(readings) {
                Ok(()) => {
                    output.add_rows(readings.len() as u64);
                    true
                }
                Err(error) => {
                    output.fail(error);
                    false
                }
            });
        if let Some(tx) = &self.console {
            for r in readings {
                let line = format!(
                    "[{}] {} {} {} = {} ({})",
                    self.source,
                    super::console::short_utc(r.time_ms),
                    r.plant.as_str(),
                    r.tag.as_str(),
                    r.value,
                    r.quality.as_str()
                );
                if tx.send(ConsoleEvent::Raw(line)).is_err() {
                    self.console = None;
                    break;
                }
            }
        }
    }

    /// Closes the files, recording any error.
    pub fn close(self) {
        for (writer, output) in self.jsonl {
            if let Err(error) = writer.close() {
                output.fail(error);
            }
        }
        for (writer, output) in self.parquet {
            if let Err(error) = writer.close() {
                output.fail(error);
            }
        }
    }
}

fn create_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn inputs_select_streams_sources_and_prefixes_once() {
        let available = strings(&[
            "readings",
            "window_aggregates",
            "window_aggregates.1m",
            "dead_letters",
        ]);
        let sources = strings(&["sim"]);
        let (selected, missing) = resolve(
            &strings(&[
                "window_aggregates*",
                "sim",
                "readings",
                "balances",
                "readings",
            ]),
            &available,
            &sources,
        );
        assert_eq!(
            selected,
            strings(&[
                "window_aggregates",
                "window_aggregates.1m",
                "sim",
                "readings"
            ])
        );
        assert_eq!(missing, strings(&["balances"]));
    }
}
