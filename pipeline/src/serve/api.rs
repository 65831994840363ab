//! The authenticated `/api/v1` routes of a run (the `steamflow-api`
//! crate), fed from the graph: a tap on each stream the API serves keeps
//! its [`LiveState`] current, corrections from late data included.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use steamflow_api::{
    AlertAcknowledger, ApiState, AuthConfig, HealthSource, LiveState, ReportStore,
};
use steamflow_reports::{Report, ReportKind, RunData, period};

use crate::dataflow::{RecordSink, SinkRecord, Time, names};
use crate::run::Tap;
use crate::run::status::Status;

/// The streams `/api/v1` serves.
pub const API_STREAMS: [&str; 6] = [
    names::BALANCES,
    names::TRAP_STATUSES,
    names::LEAKS,
    names::LOSSES,
    names::ALERTS,
    "recommendations",
];

/// A tap per served stream, applying each update to `live` (a refused
/// update is a warning of the run).
pub fn taps(live: &Arc<LiveState>, status: &Arc<Status>) -> Vec<Tap> {
    API_STREAMS
        .iter()
        .map(|stream| {
            let live = Arc::clone(live);
            let status = Arc::clone(status);
            let name = (*stream).to_string();
            Tap {
                stream: name.clone(),
                make: Arc::new(move |_worker| {
                    Box::new(LiveTap {
                        stream: name.clone(),
                        live: Arc::clone(&live),
                        status: Arc::clone(&status),
                        fields: String::new(),
                    }) as Box<dyn RecordSink>
                }),
            }
        })
        .collect()
}

/// Applies a stream's updates to the live state.
struct LiveTap {
    stream: String,
    live: Arc<LiveState>,
    status: Arc<Status>,
    fields: String,
}

impl RecordSink for LiveTap {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        self.fields.clear();
        record.write_fields(&mut self.fields);
        let time = i64::try_from(time).unwrap_or(i64::MAX);
        if let Err(error) = self
            .live
            .apply_fields(&self.stream, time, &self.fields, diff)
        {
            // Records are rendered by the graph itself: a bug, not data.
            self.status
                .warn(format!("the API's live state refused an update: {error}"));
        }
    }

    fn flush(&mut self) {}
}

/// The run's sources and outputs, as `/api/v1/health` shows them.
struct RunHealth(Arc<Status>);

impl HealthSource for RunHealth {
    fn health(&self) -> Value {
        let sources: Vec<Value> = self
            .0
            .sources()
            .into_iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "description": s.description,
                    "readings": s.readings,
                    "decode_errors": s.decode_errors,
                    "live": s.live,
                    "connected": s.connected,
                    "gaps": s.gaps.len(),
                    "done": s.done,
                    "error": s.error,
                })
            })
            .collect();
        json!({
            "ready": self.0.ready(),
            "readings": self.0.total_readings(),
            "sources": sources,
            "warnings": self.0.warnings(),
        })
    }
}

/// Reports computed on request from the run's JSON Lines sink folder.
struct RunReports(PathBuf);

impl ReportStore for RunReports {
    fn list(&self) -> Vec<Value> {
        ReportKind::ALL
            .iter()
            .map(|kind| json!({"kind": kind.name(), "title": kind.title(), "path": format!("/api/v1/reports/{}", kind.name())}))
            .collect()
    }

    fn get(&self, kind: &str) -> Option<Value> {
        let kind = ReportKind::from_name(kind)?;
        let data = RunData::load(&self.0).ok()?;
        let report = Report::build(kind, period(kind, &data, None, None), &data);
        serde_json::to_value(report).ok()
    }
}

/// The state of the `/api/v1` routes: tokens checked per `auth`, results
/// from `live`, health from the run's status, reports from the JSON Lines
/// folder of the run's first `jsonl` sink that writes balances, and
/// acknowledgements forwarded to the run's alert routers.
pub fn state(
    auth: &AuthConfig,
    live: Arc<LiveState>,
    status: &Arc<Status>,
    jsonl_dir: Option<PathBuf>,
    acknowledger: Option<Arc<dyn AlertAcknowledger>>,
    sql: Option<Arc<dyn steamflow_api::SqlEngine>>,
) -> anyhow::Result<ApiState> {
    let mut builder = ApiState::builder(auth, live)
        .map_err(|error| anyhow::anyhow!("api.auth: {error}"))?
        .health(Arc::new(RunHealth(Arc::clone(status))));
    if let Some(dir) = jsonl_dir {
        builder = builder.reports(Arc::new(RunReports(dir)));
    }
    if let Some(acknowledger) = acknowledger {
        builder = builder.acknowledger(acknowledger);
    }
    if let Some(sql) = sql {
        builder = builder.sql(sql);
    }
    Ok(builder.build())
}
