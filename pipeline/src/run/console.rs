//! The terminal view of a run: a live status line per plant (readings,
//! readings/s, watermark, base windows closed, dead letters by reason),
//! file replay progress, and the updates of the streams a `console` sink
//! subscribes to — alerts as they fire and resolve.
//!
//! On a terminal the status lines are indicatif bars redrawn in place on
//! standard error, and stream updates print above them on standard output.
//! Elsewhere (CI logs, pipes) nothing is redrawn: a status block is printed
//! at most every [`ConsoleOptions::status_every`], and only when it changed.
//! Quiet mode prints stream updates only.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};
use steamflow_operators::reading::format_utc_ms;

use super::status::{PlantStatus, Status};
use crate::dataflow::{RecordSink, SinkRecord, Time};

/// How the view behaves.
#[derive(Clone, Debug)]
pub struct ConsoleOptions {
    /// Stream updates only: no status, no progress.
    pub quiet: bool,
    /// Redraw status in place (standard error is a terminal).
    pub live: bool,
    /// How often a status block is printed when not live.
    pub status_every: Duration,
    /// The base window [ms], to count windows closed.
    pub base_window_ms: u64,
}

impl ConsoleOptions {
    /// Live when standard error is a terminal; a status block every 10 s otherwise.
    pub fn detect(quiet: bool, base_window_ms: u64) -> ConsoleOptions {
        ConsoleOptions {
            quiet,
            live: std::io::stderr().is_terminal(),
            status_every: Duration::from_secs(10),
            base_window_ms,
        }
    }
}

/// What the workers tell the view.
#[derive(Debug)]
pub enum ConsoleEvent {
    /// An update of a stream a console sink subscribes to.
    Update {
        /// The stream.
        stream: String,
        /// The update's time [ms].
        time: Time,
        /// Its diff.
        diff: isize,
        /// The record's JSON fields (no braces).
        fields: String,
        /// Print as JSON rather than text.
        json: bool,
    },
    /// A raw reading of a source a console sink subscribes to.
    Raw(String),
    /// News of a source (connected, disconnected, a gap, a payload that
    /// did not decode), printed on standard error.
    Notice(String),
    /// The run is over.
    Done,
}

/// The running view; [`Console::finish`] stops it.
pub struct Console {
    tx: Sender<ConsoleEvent>,
    multi: MultiProgress,
    thread: Option<JoinHandle<()>>,
    options: ConsoleOptions,
}

impl Console {
    /// Starts the view over `status`.
    pub fn start(status: Arc<Status>, options: ConsoleOptions) -> Console {
        let (tx, rx) = channel();
        let target = if options.live && !options.quiet {
            ProgressDrawTarget::stderr_with_hz(8)
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let view = View {
            status,
            options: options.clone(),
            multi: multi.clone(),
            bars: BTreeMap::new(),
            last_counts: BTreeMap::new(),
            last_tick: Instant::now(),
            last_printed: None,
            last_block: String::new(),
        };
        let thread = std::thread::Builder::new()
            .name("steamflow-console".into())
            .spawn(move || view.run(rx))
            .ok();
        Console {
            tx,
            multi,
            thread,
            options,
        }
    }

    /// A handle workers send events with.
    pub fn sender(&self) -> Sender<ConsoleEvent> {
        self.tx.clone()
    }

    /// A progress bar in the view (hidden when the view is not live).
    pub fn progress_bar(&self) -> ProgressBar {
        if self.options.live && !self.options.quiet {
            self.multi.add(ProgressBar::new(0))
        } else {
            ProgressBar::hidden()
        }
    }

    /// Stops the view after it printed everything sent so far.
    pub fn finish(mut self) {
        let _ = self.tx.send(ConsoleEvent::Done);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = self.multi.clear();
    }
}

struct View {
    status: Arc<Status>,
    options: ConsoleOptions,
    multi: MultiProgress,
    bars: BTreeMap<String, ProgressBar>,
    last_counts: BTreeMap<String, (u64, f64)>,
    last_tick: Instant,
    last_printed: Option<Instant>,
    last_block: String,
}

/// How often live status is refreshed.
const TICK: Duration = Duration::from_millis(250);

impl View {
    fn run(mut self, rx: Receiver<ConsoleEvent>) {
        loop {
            match rx.recv_timeout(TICK) {
                Ok(ConsoleEvent::Done) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(event) => self.print_event(event),
                Err(RecvTimeoutError::Timeout) => {}
            }
            if self.last_tick.elapsed() >= TICK {
                self.refresh();
            }
        }
        // Whatever was sent before the end still prints.
        while let Ok(event) = rx.try_recv() {
            if !matches!(event, ConsoleEvent::Done) {
                self.print_event(event);
            }
        }
        for bar in self.bars.values() {
            bar.finish_and_clear();
        }
    }

    fn print_event(&self, event: ConsoleEvent) {
        let line = match event {
            ConsoleEvent::Update {
                stream,
                time,
                diff,
                fields,
                json,
            } => render_update(&stream, time, diff, &fields, json),
            ConsoleEvent::Raw(line) => Some(line),
            ConsoleEvent::Notice(line) => {
                self.multi.suspend(|| eprintln!("{line}"));
                None
            }
            ConsoleEvent::Done => None,
        };
        if let Some(line) = line {
            self.multi.suspend(|| println!("{line}"));
        }
    }

    fn refresh(&mut self) {
        let elapsed = self.last_tick.elapsed().as_secs_f64().max(1e-3);
        self.last_tick = Instant::now();
        if self.options.quiet {
            return;
        }
        let plants = self.status.plants();
        let frontier = self.status.frontier_ms();
        let mut lines = Vec::new();
        for (name, plant) in &plants {
            let (last, rate) = self.last_counts.get(name).copied().unwrap_or((0, 0.0));
            let instant = (plant.readings.saturating_sub(last)) as f64 / elapsed;
            // Exponential smoothing over about a second.
            let rate = if rate == 0.0 {
                instant
            } else {
                0.7 * rate + 0.3 * instant
            };
            self.last_counts
                .insert(name.clone(), (plant.readings, rate));
            lines.push((
                name.clone(),
                status_line(plant, rate, frontier, self.options.base_window_ms),
            ));
        }
        if self.options.live {
            for (name, line) in lines {
                let bar = self.bars.entry(name.clone()).or_insert_with(|| {
                    let bar = self.multi.add(ProgressBar::new_spinner());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} {prefix:.bold} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.set_prefix(name);
                    bar
                });
                bar.set_message(line);
                bar.tick();
            }
            return;
        }
        let due = self
            .last_printed
            .is_none_or(|at| at.elapsed() >= self.options.status_every);
        let block: String = lines
            .iter()
            .map(|(name, line)| format!("[status] {name}: {line}\n"))
            .collect();
        if due && !block.is_empty() && strip_rate(&block) != strip_rate(&self.last_block) {
            eprint!("{block}");
            self.last_printed = Some(Instant::now());
            self.last_block = block;
        }
    }
}

/// The block without its rates, which change on every tick.
fn strip_rate(block: &str) -> String {
    block
        .lines()
        .map(|line| line.split(" readings/s").next().unwrap_or(line))
        .collect()
}

/// One plant's status: `12,345 readings · 3,456 readings/s · watermark … · 42 windows closed · dead letters: late 3`.
pub fn status_line(plant: &PlantStatus, rate: f64, frontier: Option<u64>, base_ms: u64) -> String {
    let mut line = format!("{} readings", thousands(plant.readings));
    line.push_str(&format!(" · {} readings/s", thousands(rate.round() as u64)));
    if let Some(frontier) = frontier {
        let watermark = i64::try_from(frontier).unwrap_or(i64::MAX);
        line.push_str(&format!(" · watermark {}", short_utc(watermark)));
        if let Some(first) = plant.first_ms.and_then(|t| u64::try_from(t).ok()) {
            let first_window = first - first % base_ms.max(1);
            let closed = frontier.saturating_sub(first_window) / base_ms.max(1);
            line.push_str(&format!(" · {closed} windows closed"));
        }
    }
    if !plant.dead_letters.is_empty() {
        let reasons: Vec<String> = plant
            .dead_letters
            .iter()
            .map(|(reason, n)| format!("{reason} {}", thousands(*n)))
            .collect();
        line.push_str(&format!(" · dead letters: {}", reasons.join(", ")));
    }
    line
}

/// `2025-01-06 06:42:00Z` from epoch ms.
pub fn short_utc(time_ms: i64) -> String {
    let text = format_utc_ms(time_ms);
    // 2025-01-06T06:42:00.000Z → 2025-01-06 06:42:00Z
    let text = text.replacen('T', " ", 1);
    match text.strip_suffix(".000Z") {
        Some(stem) => format!("{stem}Z"),
        None => text,
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How one stream update prints; `None` for updates not worth a line
/// (the retraction half of a changed alert).
fn render_update(
    stream: &str,
    time: Time,
    diff: isize,
    fields: &str,
    json: bool,
) -> Option<String> {
    if json {
        return Some(format!(
            "{{\"stream\":\"{stream}\",\"time\":{time},\"diff\":{diff}{}{fields}}}",
            if fields.is_empty() { "" } else { "," }
        ));
    }
    let record: Map<String, Value> = serde_json::from_str(&format!("{{{fields}}}")).ok()?;
    if stream == "alerts" {
        return (diff > 0).then(|| alert_line(&record));
    }
    let sign = if diff > 0 { "+" } else { "−" };
    let values: Vec<String> = record
        .iter()
        .filter(|(k, _)| !k.ends_with("_ms") && k.as_str() != "key")
        .map(|(k, v)| format!("{k}={}", plain(v)))
        .collect();
    let at = short_utc(i64::try_from(time).unwrap_or(i64::MAX));
    Some(format!("[{stream}] {at} {sign} {}", values.join(" ")))
}

/// A JSON value without quotes around strings.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() != 0.0 && x.abs() < 1e6 => format!("{x:.3}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// The first of `keys` the record has, as text.
fn field<'a>(record: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter()
        .find_map(|k| record.get(*k).filter(|v| !v.is_null()))
}

fn text(record: &Map<String, Value>, keys: &[&str]) -> String {
    field(record, keys).map(plain).unwrap_or_default()
}

/// An alert's message without the `FIRING [high] rule/plant/asset: `
/// preamble that repeats the other columns.
pub fn alert_message(message: &str) -> &str {
    let has_preamble = ["FIRING [", "RESOLVED [", "REPEAT ["]
        .iter()
        .any(|p| message.starts_with(p));
    match message.split_once(": ") {
        Some((_, rest)) if has_preamble => rest,
        _ => message,
    }
}

/// An alert as one line: `06:22:00Z FIRING   HIGH     trap_failed  north/t_digester  message`.
pub fn alert_line(record: &Map<String, Value>) -> String {
    let state = text(record, &["kind", "state", "status"]).to_uppercase();
    let severity = text(record, &["severity"]).to_uppercase();
    let rule = text(record, &["rule", "rule_id", "name"]);
    let plant = text(record, &["plant"]);
    let asset = text(record, &["asset", "asset_id", "subject", "tag"]);
    let at = field(record, &["event_time", "time", "window_end"])
        .and_then(Value::as_i64)
        .map_or_else(String::new, short_utc);
    let message = text(record, &["message", "summary", "description"]);
    let place = match (plant.is_empty(), asset.is_empty()) {
        (false, false) => format!("{plant}/{asset}"),
        (false, true) => plant,
        (true, _) => asset,
    };
    let mut line = format!("{at} {state:<9} {severity:<8} {rule}  {place}");
    let message = alert_message(&message);
    if !message.is_empty() {
        line.push_str("  ");
        line.push_str(message);
    }
    line.trim().to_owned()
}

/// Sends a stream's updates to the view (worker 0; elsewhere nothing arrives).
///
/// A live stream may assert a record again (an analysis replayed over late
/// data, its numbers slightly changed): each record is shown once, an
/// alert event once per alert, kind and event time.
pub struct ConsoleStream {
    stream: String,
    tx: Option<Sender<ConsoleEvent>>,
    json: bool,
    shown: std::collections::HashSet<String>,
}

impl ConsoleStream {
    /// A console subscription to `stream`; `tx` is `None` where there is no view.
    pub fn new(stream: &str, tx: Option<Sender<ConsoleEvent>>, json: bool) -> ConsoleStream {
        ConsoleStream {
            stream: stream.to_owned(),
            tx,
            json,
            shown: std::collections::HashSet::new(),
        }
    }
}

/// What makes two updates of a stream the same event for the terminal.
fn identity(stream: &str, fields: &str) -> String {
    if stream != "alerts" {
        return fields.to_owned();
    }
    let record: Map<String, Value> =
        serde_json::from_str(&format!("{{{fields}}}")).unwrap_or_default();
    let part = |key: &str| record.get(key).map(Value::to_string).unwrap_or_default();
    [part("dedup_key"), part("kind"), part("event_time")].join("|")
}

impl RecordSink for ConsoleStream {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        let Some(tx) = &self.tx else {
            return;
        };
        let mut fields = String::new();
        record.write_fields(&mut fields);
        if diff > 0 && !self.shown.insert(identity(&self.stream, &fields)) {
            return;
        }
        let event = ConsoleEvent::Update {
            stream: self.stream.clone(),
            time,
            diff,
            fields,
            json: self.json,
        };
        if tx.send(event).is_err() {
            self.tx = None;
        }
    }

    fn flush(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_alert_event_is_one_event_whatever_its_numbers() {
        let first =
            r#""dedup_key":"leak/north/s_hp_2","kind":"firing","event_time":5,"value":23.0"#;
        let again =
            r#""dedup_key":"leak/north/s_hp_2","kind":"firing","event_time":5,"value":23.4"#;
        assert_eq!(identity("alerts", first), identity("alerts", again));
        assert_ne!(identity("balances", first), identity("balances", again));
    }

    #[test]
    fn numbers_read_with_separators_and_times_short() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(short_utc(1_736_143_320_000), "2025-01-06 06:02:00Z");
    }

    #[test]
    fn a_plant_status_says_what_came_in_and_what_was_refused() {
        let mut plant = PlantStatus {
            readings: 12_345,
            first_ms: Some(1_736_143_200_000),
            last_ms: Some(1_736_143_800_000),
            ..PlantStatus::default()
        };
        plant.dead_letters.insert("late".into(), 3);
        let line = status_line(&plant, 3456.4, Some(1_736_143_500_000), 60_000);
        assert_eq!(
            line,
            "12,345 readings · 3,456 readings/s · watermark 2025-01-06 06:05:00Z · 5 windows closed · dead letters: late 3"
        );
    }

    #[test]
    fn alerts_print_as_one_line_and_retractions_not_at_all() {
        let record = json!({
            "rule": "trap_failed", "severity": "high", "kind": "firing",
            "plant": "north", "asset": "t_digester",
            "message": "FIRING [high] trap_failed/north/t_digester: blown open",
            "event_time": 1_736_144_520_000_i64
        });
        let Value::Object(record) = record else {
            unreachable!()
        };
        assert_eq!(
            alert_line(&record),
            "2025-01-06 06:22:00Z FIRING    HIGH     trap_failed  north/t_digester  blown open"
        );
        assert_eq!(alert_message("a: b"), "a: b");
        let fields = r#""rule":"x","kind":"resolved""#;
        assert!(render_update("alerts", 0, -1, fields, false).is_none());
        assert!(
            render_update("alerts", 0, 1, fields, false)
                .unwrap()
                .contains("RESOLVED")
        );
        let other = render_update(
            "balances",
            60_000,
            1,
            r#""plant":"north","closure_pct":98.25"#,
            false,
        )
        .unwrap();
        assert_eq!(
            other,
            "[balances] 1970-01-01 00:01:00Z + plant=north closure_pct=98.250"
        );
        let json = render_update("balances", 5, -1, r#""a":1"#, true).unwrap();
        assert_eq!(json, r#"{"stream":"balances","time":5,"diff":-1,"a":1}"#);
    }
}
